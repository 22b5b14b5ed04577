"""`graph --format mermaid`: a flowchart for pull-request comments and Markdown docs.

GitHub renders Mermaid with the library's default limits (50,000 characters of text, 500
edges) and shows an error instead of a chart beyond them, so the chart always fits: see
chart.py for what it shows when the whole graph would not. The names a closed folder or the
note stands for follow the chart as `%%` comment lines, as many as the character limit
allows (`--format markdown` lists them all in a table). Node ids are derived from names but
never clash with Mermaid keywords (`end`, `graph`, ...) or JavaScript's own property names
(`constructor`, `__proto__`, ...), which Mermaid's renderer keeps in plain objects; labels
are entity-escaped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection

from orchestrator.render.chart import (
    Plan,
    Unit,
    count_label,
    plan_chart,
    unit_title,
    worst_state,
)
from orchestrator.render.graphview import GraphView, folder_label
from orchestrator.workspace.model import EDGE_KINDS

MAX_TEXT = 50_000
MAX_EDGES = 500
KEYWORDS = frozenset({
    "end", "graph", "flowchart", "flowchart-elk", "subgraph", "direction", "click", "call",
    "href", "style", "linkstyle", "classdef", "class", "default", "interpolate", "tb", "td",
    "bt", "lr", "rl", "accdescr", "acctitle", "_self", "_blank", "_parent", "_top",
})
JS_PROPERTIES = frozenset({  # Object.prototype's: an id equal to one breaks the renderer
    "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable",
    "toLocaleString", "toString", "valueOf",
})
CLASS_DEFS = {
    "library": "fill:#edf3ff,stroke:#3b6fd8,color:#152033",
    "service": "fill:#e6f6ee,stroke:#1f8f5f,stroke-width:2px,color:#152033",
    "folder": "fill:#f7f8fb,stroke:#8a93a3,stroke-dasharray:4 3,color:#152033",
    "note": "fill:#ffffff,stroke:#8a93a3,stroke-dasharray:2 2,color:#152033",
    "changed": "fill:#ffe3de,stroke:#d63a25,stroke-width:2px,color:#152033",
    "global": "fill:#f1e6ff,stroke:#8b3fd9,stroke-width:2px,color:#152033",
    "dependency": "fill:#fff1cf,stroke:#cf8a00,color:#152033",
    "unaffected": "fill:#f5f6f8,stroke:#c3c9d3,color:#7d8696",
}
# Numeric entity codes: Mermaid decodes these the same way in every version and renderer.
_ENTITIES = [("#", "#35;"), ("&", "#38;"), ('"', "#34;"), ("<", "#60;"), (">", "#62;")]
# Prefixes of the ids given to subgraphs, closed folders and the note; package ids never
# take them.
GROUP_PREFIX = "grp_"
FOLDER_PREFIX = "col_"
NOTE_ID = "note_more"
_RESERVED = (GROUP_PREFIX, FOLDER_PREFIX, "note_")


def label(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    for raw, entity in _ENTITIES:
        text = text.replace(raw, entity)
    return text


def node_ids(names: Collection[str], prefix: str = "") -> dict[str, str]:
    """A safe, unique id per name: letters, digits and `_`, never a keyword or a JavaScript
    property name, and never one of the ids reserved for subgraphs, closed folders and the
    note (unless `prefix` is one)."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(names):
        ident = prefix + re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not prefix and _unsafe(ident):
            ident = f"pkg_{ident}"
        base, n = ident, 2
        while ident.lower() in used:
            ident, n = f"{base}_{n}", n + 1
        used.add(ident.lower())
        ids[name] = ident
    return ids


def _unsafe(ident: str) -> bool:
    return (ident.lower() in KEYWORDS or not ident[:1].isalpha() or ident in JS_PROPERTIES
            or ident.lower().startswith(_RESERVED))


def render_mermaid(view: GraphView) -> str:
    """The flowchart, then the names it does not show, as far as the limit allows."""
    diagram, plan = fitted(view)
    return diagram + _name_comments(view, plan, MAX_TEXT - len(diagram))


def fitted(view: GraphView) -> tuple[str, Plan]:
    """The most detailed chart within Mermaid's limits, and its plan."""
    if not view.names:
        return 'flowchart TB\n  nothing["no packages to show"]\n', Plan({}, {})
    plan = plan_chart(view, lambda p: _within(*diagram(view, p)))
    return diagram(view, plan)[0], plan


def _within(text: str, edges: int) -> bool:
    return len(text) <= MAX_TEXT and edges <= MAX_EDGES


def diagram(view: GraphView, plan: Plan) -> tuple[str, int]:
    """The chart of `plan` and how many edges it has."""
    ids = _unit_ids(plan)
    lines = ["flowchart TB", *_boxes(view, plan, ids)]
    links = _links(view, plan, ids)
    lines.extend(links)
    lines.extend(_classes(view, plan, ids))
    return "\n".join(lines) + "\n", len(links)


def _unit_ids(plan: Plan) -> dict[str, str]:
    ids = node_ids([u.key for u in plan.units.values() if u.kind == "package"])
    folders = node_ids([u.folder for u in plan.units.values() if u.kind == "folder"],
                       FOLDER_PREFIX)
    ids.update({u.key: folders[u.folder] for u in plan.units.values() if u.kind == "folder"})
    ids.update({u.key: NOTE_ID for u in plan.units.values() if u.kind == "note"})
    return ids


def _boxes(view: GraphView, plan: Plan, ids: dict[str, str]) -> list[str]:
    """Packages in one subgraph per folder (when there are several); closed folders and
    the note on their own."""
    by_folder: dict[str, list[Unit]] = {}
    for unit in plan.units.values():
        if unit.kind == "package":
            by_folder.setdefault(unit.folder, []).append(unit)
    lines = []
    for index, (folder, units) in enumerate(sorted(by_folder.items())):
        lines.append(f'  subgraph {GROUP_PREFIX}{index}["{label(folder_label(folder))}"]')
        lines.extend(f'    {ids[u.key]}["{_text(view, u)}"]' for u in units)
        lines.append("  end")
    lines.extend(f'  {ids[u.key]}["{_text(view, u)}"]' for u in plan.closed)
    return lines


def _text(view: GraphView, unit: Unit) -> str:
    if unit.kind == "package":
        version = view.graph.packages[unit.key].version or "dynamic"
        return f"{label(unit.key)}<br/><small>{label(version)}</small>"
    if unit.kind == "note":
        return label(unit_title(view, unit))
    return f"{label(unit_title(view, unit))}<br/><small>{count_label(view, unit)}</small>"


def _links(view: GraphView, plan: Plan, ids: dict[str, str]) -> list[str]:
    """One line per pair of boxes, adding up the edges between their packages."""
    kinds: dict[tuple[str, str], set[str]] = {}
    counts: Counter[tuple[str, str]] = Counter()
    for edge in view.graph.edges():
        pair = ids[plan.unit_of[edge.source]], ids[plan.unit_of[edge.target]]
        if pair[0] != pair[1]:
            kinds.setdefault(pair, set()).update(edge.kinds)
            counts[pair] += 1
    return [f"  {s} {_arrow(kinds[(s, t)], counts[(s, t)])} {t}" for s, t in sorted(kinds)]


def _arrow(kinds: set[str], count: int) -> str:
    """Solid when the edges order something (runtime, build), dotted otherwise; labelled
    with their kinds unless only runtime, and with their number when more than one."""
    ordered = [k for k in EDGE_KINDS if k in kinds]
    words = [] if ordered == ["runtime"] else [", ".join(ordered)]
    if count > 1:
        words.insert(0, f"{count} edges")
    line = "-->" if "runtime" in kinds or "build" in kinds else "-.->"
    return f'{line}|"{" ".join(words)}"|' if words else line


def _classes(view: GraphView, plan: Plan, ids: dict[str, str]) -> list[str]:
    members: dict[str, list[str]] = {}
    for unit in plan.units.values():
        for cls in _unit_classes(view, unit):
            members.setdefault(cls, []).append(ids[unit.key])
    lines = [f"  classDef {cls} {CLASS_DEFS[cls]}" for cls in CLASS_DEFS if cls in members]
    lines += [f"  class {','.join(sorted(found))} {cls}" for cls, found in sorted(members.items())]
    return lines


def _unit_classes(view: GraphView, unit: Unit) -> list[str]:
    state = worst_state(view, unit.members)
    first = view.graph.packages[unit.key].kind if unit.kind == "package" else unit.kind
    if state is not None:
        return [first, state]
    return [first, "unaffected"] if view.show_affected else [first]


def _name_comments(view: GraphView, plan: Plan, room: int) -> str:
    """`%%` lines naming what each closed folder and the note stand for, cut short (with
    a count of the rest) where the text limit would be passed."""
    text = ""
    for unit in plan.closed:
        head = f"%% {unit_title(view, unit)} ({count_label(view, unit)}): "
        names = [_plain(m) for m in unit.members]
        line = head + ", ".join(names) + "\n"
        while len(text) + len(line) > room and names:
            names = names[: len(names) * 3 // 4]
            rest = len(unit.members) - len(names)
            line = head + ", ".join(names) + f" and {rest} more (--format markdown lists all)\n"
        if len(text) + len(line) > room:
            break
        text += line
    return text


def _plain(name: str) -> str:
    return " ".join(name.split())  # a comment ends at a line break
