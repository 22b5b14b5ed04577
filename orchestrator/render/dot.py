"""`graph --format dot`: Graphviz source, one cluster per folder, styled like the SVG view."""

from __future__ import annotations

from orchestrator.render.graphview import GraphView, folder_label
from orchestrator.workspace.graph import Edge
from orchestrator.workspace.model import EDGE_KINDS

EDGE_STYLES = {
    "runtime": 'color="#7b8698"',
    "optional": 'color="#7b8698", style=dashed',
    "group": 'color="#a3acba", style=dotted',
    "build": 'color="#b7791f", style=dashed',
    "source": 'color="#2a9d8f", style=dotted',
}
NODE_COLOURS = {  # (fill, border)
    "library": ("#edf3ff", "#3b6fd8"),
    "service": ("#e6f6ee", "#1f8f5f"),
    "changed": ("#ffe3de", "#d63a25"),
    "global": ("#f1e6ff", "#8b3fd9"),
    "dependency": ("#fff1cf", "#cf8a00"),
    "unaffected": ("#f5f6f8", "#c3c9d3"),
}


def quote(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, no raw newlines."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(view: GraphView, *, group: bool = True) -> str:
    groups = view.groups()
    clustered = group and len(groups) > 1
    lines = [
        "digraph dependencies {",
        '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, nodesep=0.3, ranksep=0.6];',
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=11];',
        '  edge [arrowsize=0.7];',
    ]
    for index, (folder, names) in enumerate(groups.items()):
        indent = "    " if clustered else "  "
        if clustered:
            lines.append(f"  subgraph cluster_{index} {{")
            lines.append(f'    label={quote(folder_label(folder))}; style="rounded,filled"; '
                         'color="#dde2ea"; fillcolor="#f7f8fb";')
        lines.extend(indent + _node(view, name) for name in names)
        if clustered:
            lines.append("  }")
    lines.extend("  " + _edge(edge) for edge in view.graph.edges())
    lines.append("}")
    return "\n".join(lines) + "\n"


def _node(view: GraphView, name: str) -> str:
    package = view.graph.packages[name]
    state = view.state(name)
    key = state or ("unaffected" if view.show_affected else package.kind)
    fill, border = NODE_COLOURS[key]
    label = f"{name}\n{package.version or 'dynamic'} · {package.kind}"
    width = ', penwidth=2' if package.kind == "service" or name in view.focus else ""
    shape = ', shape=box, style="rounded,filled,bold"' if package.kind == "service" else ""
    return (f'{quote(name)} [label={quote(label)}, fillcolor="{fill}", color="{border}"'
            f"{width}{shape}, tooltip={quote(package.path)}];")


def _edge(edge: Edge) -> str:
    main = next(k for k in EDGE_KINDS if k in edge.kinds)
    specs = dict(edge.specifiers)
    tip = ", ".join(f"{k} {specs[k]}" if specs.get(k) else k for k in edge.kinds)
    return (f"{quote(edge.source)} -> {quote(edge.target)} "
            f"[{EDGE_STYLES[main]}, tooltip={quote(tip)}];")
