"""`graph --format html`: one self-contained file that opens anywhere, offline.

The picture is the SVG renderer's markup (labels are real text); the data behind the details
panel travels as JSON in a `<script type="application/json">`, with `<`, `>` and `&` escaped
so that no value can close the script; a small script of our own adds pan, zoom, search and
click-to-highlight. Nothing is fetched: a Content-Security-Policy forbids it.
"""

from __future__ import annotations

import json
import re
from html import escape
from typing import Any

from orchestrator.render.graphview import GraphView, folder_label
from orchestrator.render.layout import Layout
from orchestrator.render.svg import (
    STATE_LABELS,
    asset,
    graph_body,
    layout_of,
    legend_svg,
)

REASON_LABELS = {
    "changed-files": "files changed",
    "global-file": "a global file changed",
    "lockfile": "its locked dependencies changed",
    "unreadable-base": "pyproject.toml unreadable at the base",
    "missing-base": "the base could not be found",
    "new-branch": "a new branch",
}
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


def render_html(view: GraphView, *, title: str = "Dependency graph", group: bool = True) -> str:
    layout = layout_of(view, group=group)
    legend, legend_width = legend_svg(view)
    values = {
        "title": escape(title),
        "summary": escape(summary(view)),
        "svg_css": asset("svg.css"),
        "page_css": asset("graph.css"),
        "graph_svg": _graph_svg(view, layout),
        "legend_svg": f'<svg class="orc-graph" width="{legend_width:.0f}" height="40">'
                      f"{legend}</svg>",
        "data": script_json(graph_data(view, layout)),
        "script": asset("graph.js"),
    }
    # One pass, so text substituted in is never scanned for placeholders again.
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], asset("graph.html"))


def _graph_svg(view: GraphView, layout: Layout) -> str:
    return (f'<svg id="graph" class="orc-graph" xmlns="http://www.w3.org/2000/svg" '
            f'viewBox="0 0 {layout.width:.1f} {layout.height:.1f}" '
            f'aria-label="Dependency graph of {len(view.names)} packages">'
            f"{graph_body(view, layout)}</svg>")


def summary(view: GraphView) -> str:
    text = f"{len(view.names)} packages · {len(view.graph.edges())} dependencies"
    if view.show_affected:
        text += f" · {len(view.affected)} affected"
    return text


def script_json(data: Any) -> str:
    """JSON that is safe inside a <script> element: no `</script>`, no `<!--`."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def graph_data(view: GraphView, layout: Layout) -> dict[str, Any]:
    return {
        "width": round(layout.width, 1),
        "height": round(layout.height, 1),
        "affected": view.show_affected,
        "stateLabels": STATE_LABELS,
        "reasonLabels": REASON_LABELS,
        "nodes": [_node_data(view, layout, name) for name in view.names],
    }


def _node_data(view: GraphView, layout: Layout, name: str) -> dict[str, Any]:
    package = view.graph.packages[name]
    box = layout.nodes[name]
    return {
        "name": name,
        "version": package.version,
        "path": package.path,
        "kind": package.kind,
        "folder": folder_label(view.folder(name)),
        "x": round(box.x, 1),
        "y": round(box.y, 1),
        "w": round(box.width),
        "state": view.state(name),
        "focus": name in view.focus,
        "reasons": [r.to_json() for r in view.reasons.get(name, ())],
        "deps": [_edge_data(view, name, target) for target in view.graph.dependencies(name)],
    }


def _edge_data(view: GraphView, source: str, target: str) -> dict[str, Any]:
    edge = view.graph.edge(source, target)
    assert edge is not None  # dependencies() lists only existing edges
    return {"name": target, "kinds": list(edge.kinds), "specifiers": dict(edge.specifiers)}
