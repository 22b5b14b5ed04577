"""`graph --format mermaid`: a flowchart for pull-request comments and Markdown docs.

GitHub renders Mermaid with the library's default limits (50,000 characters of text, 500
edges); a graph that would exceed them is drawn with its largest folders collapsed into one
node each, one folder at a time, until it fits. Node ids are derived from names but never
clash with Mermaid keywords (`end`, `graph`, ...), and labels are entity-escaped.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from orchestrator.render.graphview import AFFECT_STATES, GraphView, folder_label
from orchestrator.workspace.model import EDGE_KINDS

MAX_TEXT = 50_000
MAX_EDGES = 500
KEYWORDS = frozenset({
    "end", "graph", "flowchart", "flowchart-elk", "subgraph", "direction", "click", "call",
    "href", "style", "linkstyle", "classdef", "class", "default", "interpolate", "tb", "td",
    "bt", "lr", "rl", "accdescr", "acctitle", "_self", "_blank", "_parent", "_top",
})
CLASS_DEFS = {
    "library": "fill:#edf3ff,stroke:#3b6fd8,color:#152033",
    "service": "fill:#e6f6ee,stroke:#1f8f5f,stroke-width:2px,color:#152033",
    "folder": "fill:#f7f8fb,stroke:#8a93a3,stroke-dasharray:4 3,color:#152033",
    "changed": "fill:#ffe3de,stroke:#d63a25,stroke-width:2px,color:#152033",
    "global": "fill:#f1e6ff,stroke:#8b3fd9,stroke-width:2px,color:#152033",
    "dependency": "fill:#fff1cf,stroke:#cf8a00,color:#152033",
    "unaffected": "fill:#f5f6f8,stroke:#c3c9d3,color:#7d8696",
}
# Numeric entity codes: Mermaid decodes these the same way in every version and renderer.
_ENTITIES = [("#", "#35;"), ("&", "#38;"), ('"', "#34;"), ("<", "#60;"), (">", "#62;")]


def label(text: str) -> str:
    """Text safe inside a quoted Mermaid label."""
    for raw, entity in _ENTITIES:
        text = text.replace(raw, entity)
    return text


# Prefixes of the ids given to subgraphs and collapsed folders; package ids never take them.
GROUP_PREFIX = "grp_"
FOLDER_PREFIX = "col_"


def node_ids(names: Collection[str], prefix: str = "") -> dict[str, str]:
    """A safe, unique id per name: letters, digits and `_`, never a keyword, and never one
    of the ids reserved for subgraphs and collapsed folders (unless `prefix` is one)."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for name in sorted(names):
        ident = prefix + re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not prefix and (ident.lower() in KEYWORDS or not ident[:1].isalpha()
                           or ident.lower().startswith((GROUP_PREFIX, FOLDER_PREFIX))):
            ident = f"pkg_{ident}"
        base, n = ident, 2
        while ident.lower() in used:
            ident, n = f"{base}_{n}", n + 1
        used.add(ident.lower())
        ids[name] = ident
    return ids


@dataclass(frozen=True)
class _Unit:
    """A box of the chart: one package, or a collapsed folder."""

    id: str
    text: str
    classes: tuple[str, ...]
    folder: str


def render_mermaid(view: GraphView) -> str:
    """The flowchart, with folders collapsed (largest first) only when needed to fit."""
    if not view.names:
        return 'flowchart TB\n  nothing["no packages to show"]\n'
    groups = view.groups()
    collapsed: set[str] = set()
    text, edges = _render(view, collapsed)
    for folder in sorted(groups, key=lambda f: (-len(groups[f]), f)):
        if len(text) <= MAX_TEXT and edges <= MAX_EDGES:
            break
        collapsed.add(folder)
        text, edges = _render(view, collapsed)
    return text


def _render(view: GraphView, collapsed: set[str]) -> tuple[str, int]:
    units = _units(view, collapsed)
    lines = ["flowchart TB"]
    by_folder: dict[str, list[_Unit]] = {}
    for unit in dict.fromkeys(units.values()):
        by_folder.setdefault(unit.folder, []).append(unit)
    for index, (folder, members) in enumerate(sorted(by_folder.items())):
        lines.append(f'  subgraph {GROUP_PREFIX}{index}["{label(folder_label(folder))}"]')
        lines.extend(f'    {u.id}["{u.text}"]' for u in members)
        lines.append("  end")
    links = _links(view, units)
    lines.extend(links)
    lines.extend(_classes(units))
    return "\n".join(lines) + "\n", len(links)


def _units(view: GraphView, collapsed: set[str]) -> dict[str, _Unit]:
    ids = node_ids(view.names)
    groups = view.groups()
    folder_ids = node_ids([f for f in groups if f in collapsed], FOLDER_PREFIX)
    units: dict[str, _Unit] = {}
    for folder, names in groups.items():
        if folder in collapsed:
            unit = _folder_unit(view, folder, names, folder_ids[folder])
            units.update((n, unit) for n in names)
            continue
        for name in names:
            units[name] = _package_unit(view, name, ids[name])
    return units


def _package_unit(view: GraphView, name: str, ident: str) -> _Unit:
    package = view.graph.packages[name]
    state = view.state(name)
    classes: list[str] = [package.kind]
    if state is not None:
        classes.append(state)
    elif view.show_affected:
        classes.append("unaffected")
    text = f"{label(name)}<br/><small>{label(package.version or 'dynamic')}</small>"
    return _Unit(ident, text, tuple(classes), view.folder(name))


def _folder_unit(view: GraphView, folder: str, names: list[str], ident: str) -> _Unit:
    states = {view.state(n) for n in names}
    worst = next((s for s in AFFECT_STATES if s in states), None)
    classes = ("folder", worst) if worst else ("folder",)
    text = f"{label(folder_label(folder))}<br/><small>{len(names)} packages</small>"
    if view.show_affected:
        affected = sum(1 for n in names if n in view.affected)
        text = f"{text[:-8]}, {affected} affected</small>"
    return _Unit(ident, text, classes, folder)


def _links(view: GraphView, units: dict[str, _Unit]) -> list[str]:
    kinds: dict[tuple[str, str], set[str]] = {}
    for edge in view.graph.edges():
        pair = units[edge.source].id, units[edge.target].id
        if pair[0] != pair[1]:
            kinds.setdefault(pair, set()).update(edge.kinds)
    return [f"  {s} {_arrow(found)} {t}" for (s, t), found in sorted(kinds.items())]


def _arrow(kinds: set[str]) -> str:
    ordered = [k for k in EDGE_KINDS if k in kinds]
    if ordered == ["runtime"]:
        return "-->"
    text = ", ".join(ordered)
    return f'-->|"{text}"|' if "runtime" in kinds or "build" in kinds else f'-.->|"{text}"|'


def _classes(units: dict[str, _Unit]) -> list[str]:
    members: dict[str, list[str]] = {}
    for unit in dict.fromkeys(units.values()):
        for cls in unit.classes:
            members.setdefault(cls, []).append(unit.id)
    lines = [f"  classDef {cls} {CLASS_DEFS[cls]}" for cls in CLASS_DEFS if cls in members]
    lines += [f"  class {','.join(sorted(ids))} {cls}" for cls, ids in sorted(members.items())]
    return lines
