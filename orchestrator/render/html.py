"""`graph --format html`: one self-contained file that opens anywhere, offline.

The page carries data, not markup: the packages, their edges and why each is affected, as
JSON in a `<script type="application/json">` (with `<`, `>` and `&` escaped so that no value
can close the script). Its own scripts lay out and draw whatever is shown — the whole graph,
the folder overview a large graph opens on, an expanded folder, a package's neighbourhood —
with the same layout as the SVG (`assets/layout.js` mirrors `layout.py`), so a file of
thousands of packages stays small and the CLI does no drawing work for it. Nothing is
fetched: a Content-Security-Policy forbids it.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from orchestrator.render.graphview import GraphView
from orchestrator.render.layering import components
from orchestrator.render.svg import STATE_LABELS, asset, is_weak, legend_svg, markers, meta_line

REASON_LABELS = {
    "changed-files": "files changed",
    "global-file": "a global file changed",
    "lockfile": "its locked dependencies changed",
    "unreadable-base": "pyproject.toml unreadable at the base",
    "missing-base": "the base could not be found",
    "new-branch": "a new branch",
}
OVERVIEW_ABOVE = 80  # more packages than this open on the folder overview
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def render_html(view: GraphView, *, title: str = "Dependency graph", group: bool = True) -> str:
    legend, legend_width = legend_svg(view, has_cycle(view))
    values = {
        "title": escape(title),
        "summary": escape(summary(view)),
        "svg_css": asset("svg.css"),
        "page_css": asset("graph.css"),
        "legend_svg": f'<svg class="orc-graph" width="{legend_width:.0f}" height="40">'
                      f"{legend}</svg>",
        "markers": markers(),
        "data": script_json(graph_data(view, group=group)),
        "layout_script": asset("layout.js"),
        "script": asset("graph.js"),
    }
    # One pass, so text substituted in is never scanned for placeholders again.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], asset("graph.html"))


def summary(view: GraphView) -> str:
    text = f"{len(view.names)} packages · {len(view.graph.edges())} dependencies"
    if view.show_affected:
        text += f" · {len(view.affected)} affected"
    return text


def has_cycle(view: GraphView) -> bool:
    out = {n: view.graph.dependencies(n) for n in view.names}
    return len(set(components(view.names, out).values())) < len(view.names)


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no `</script>`, no `<!--`."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def graph_data(view: GraphView, *, group: bool = True) -> dict[str, Any]:
    """Packages in name order (an edge names its ends by their index), each with the folder
    whose box it is drawn in; edges with their kinds, specifiers and whether they are weak
    (see `svg.is_weak`)."""
    index = {name: i for i, name in enumerate(view.names)}
    return {
        "affected": view.show_affected,
        "group": group,
        "overview": len(view.names) > OVERVIEW_ABOVE,
        "overviewAbove": OVERVIEW_ABOVE,
        "stateLabels": STATE_LABELS,
        "reasonLabels": REASON_LABELS,
        "packages": [_package_data(view, name) for name in view.names],
        "edges": [[index[e.source], index[e.target], list(e.kinds), dict(e.specifiers),
                   is_weak(e)] for e in view.graph.edges()],
    }


def _package_data(view: GraphView, name: str) -> dict[str, Any]:
    package = view.graph.packages[name]
    found: dict[str, Any] = {
        "name": name,
        "version": package.version,
        "path": package.path,
        "kind": package.kind,
        "folder": view.folder(name),
        "meta": meta_line(view, name),
    }
    state = view.state(name)
    if state is not None:
        found["state"] = state
        found["reasons"] = [r.to_json() for r in view.reasons.get(name, ())]
    if name in view.focus:
        found["focus"] = True
    return found

