"""`graph --format svg`: the layered layout as a static picture, with no Graphviz needed.

The same markup is the picture inside the HTML view, which adds interaction on top of it.
Every text and attribute value is escaped: names, paths and specifiers are user data.
"""

from __future__ import annotations

from collections.abc import Collection
from html import escape
from importlib.resources import files

from orchestrator.render.graphview import AFFECT_STATES, GraphView, folder_label
from orchestrator.render.layout import EdgePath, Layout, NodeBox, compute_layout, node_width
from orchestrator.workspace.graph import Edge
from orchestrator.workspace.model import EDGE_KINDS, EdgeKind

EDGE_COLOURS: dict[EdgeKind, str] = {
    "runtime": "#7b8698",
    "optional": "#7b8698",
    "group": "#a3acba",
    "build": "#b7791f",
    "source": "#2a9d8f",
}
CYCLE_COLOUR = "#c2410c"
STRONG_KINDS: tuple[EdgeKind, ...] = ("runtime", "build")
STATE_LABELS = {
    "changed": "changed",
    "global": "global or lock file",
    "dependency": "depends on a change",
}
LEGEND_HEIGHT = 40.0


def asset(name: str) -> str:
    """A file of orchestrator/render/assets as text."""
    return files("orchestrator.render").joinpath("assets", name).read_text(encoding="utf-8")


def meta_line(view: GraphView, name: str) -> str:
    package = view.graph.packages[name]
    return f"{package.version or 'dynamic'} · {package.kind}"


def layout_of(view: GraphView, *, group: bool = True) -> Layout:
    """The layout of `view`; folders become boxes when there is more than one."""
    folders = {n: view.folder(n) for n in view.names}
    grouped = group and len(set(folders.values())) > 1
    widths = {n: node_width(n, meta_line(view, n)) for n in view.names}
    edges = view.graph.edges()
    return compute_layout(view.names, [(e.source, e.target) for e in edges], widths,
                          folders if grouped else None,
                          weak=[(e.source, e.target) for e in edges if is_weak(e)])


def is_weak(edge: Edge) -> bool:
    """An edge that orders nothing (an extra, a development group, a uv source): a cycle
    is drawn broken at such an edge before one that says what must exist first."""
    return not edge.has_kind(STRONG_KINDS)


def render_svg(view: GraphView, *, group: bool = True) -> str:
    """A standalone SVG document with a legend above the graph."""
    layout = layout_of(view, group=group)
    legend, legend_width = legend_svg(view, any(e.upward or e.mutual for e in layout.edges))
    width = max(layout.width, legend_width + 40)
    height = layout.height + LEGEND_HEIGHT
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" class="orc-graph" width="{width:.0f}" '
        f'height="{height:.0f}" viewBox="0 0 {width:.1f} {height:.1f}">',
        "<title>Package dependency graph</title>",
        f"<style>{asset('svg.css')}</style>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        legend,
        f'<g transform="translate(0,{LEGEND_HEIGHT:.0f})">',
        graph_body(view, layout),
        "</g>",
        "</svg>",
    ])


def graph_body(view: GraphView, layout: Layout) -> str:
    """Markers, folder boxes, lines and boxes: the part the HTML view draws the same way."""
    return "\n".join([
        markers(),
        '<g class="groups">', *(_group(g.name, g.x, g.y, g.width, g.height)
                               for g in layout.groups), "</g>",
        '<g class="edges">', *(f'<path class="bus" d="{d}"/>' for d in layout.buses),
        *_trunks(view, layout),
        *(_edge(view, e) for e in layout.edges), "</g>",
        '<g class="nodes">', *(_node(view, box) for box in layout.nodes.values()), "</g>",
    ])


def markers() -> str:
    heads = "".join(
        f'<marker id="arrow-{kind}" viewBox="0 0 10 10" refX="9.5" refY="5" markerWidth="8" '
        f'markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
        f'<path d="M0,1 L10,5 L0,9 z" fill="{colour}"/></marker>'
        for kind, colour in [*EDGE_COLOURS.items(), ("cycle", CYCLE_COLOUR),
                             ("dep", "#2563eb"), ("rdep", "#db2777")]
    )
    return f"<defs>{heads}</defs>"


def _group(name: str, x: float, y: float, width: float, height: float) -> str:
    return (f'<g class="group"><rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{height:.1f}" rx="10"/><text x="{x + 12:.1f}" y="{y + 18:.1f}">'
            f"{escape(folder_label(name))}</text></g>")


def edge_title(edge: Edge) -> str:
    specs = dict(edge.specifiers)
    parts = [f"{k} {specs[k]}" if specs.get(k) else k for k in edge.kinds]
    return f"{edge.source} → {edge.target}: {', '.join(parts)}"


def main_kind(kinds: Collection[EdgeKind]) -> EdgeKind:
    return next(k for k in EDGE_KINDS if k in kinds)


def _edge(view: GraphView, path: EdgePath) -> str:
    edges = _drawn(view, path)
    kinds = {k for edge in edges for k in edge.kinds}
    titles = [edge_title(edge) for edge in edges]
    main = main_kind(kinds)
    cycle = path.upward or path.mutual or path.loop
    classes = " ".join(["edge", main, *(["cycle"] if cycle else [])])
    head = f"url(#arrow-{'cycle' if cycle else main})"
    ends = ([f'marker-start="{head}"'] if path.upward or path.mutual else []) + (
        [f'marker-end="{head}"'] if path.trunk is None and not path.upward else [])
    return (f'<path class="{classes}" data-source="{escape(path.source)}" '
            f'data-target="{escape(path.target)}" data-kinds="{" ".join(sorted(kinds))}" '
            f'd="{path.d}" {" ".join(ends)}><title>{escape("; ".join(titles))}</title></path>')


def _trunks(view: GraphView, layout: Layout) -> list[str]:
    """Each trunk once, styled by the strongest kind of the edges it carries; its arrowhead
    is there when one of them points down into its box."""
    riders: dict[int, list[EdgePath]] = {}
    for path in layout.edges:
        if path.trunk is not None:
            riders.setdefault(path.trunk, []).append(path)
    found = []
    for index, trunk in enumerate(layout.trunks):
        kinds = {k for p in riders[index] for edge in _drawn(view, p) for k in edge.kinds}
        cycle = all(p.upward or p.mutual for p in riders[index])
        main = main_kind(kinds)
        head = "" if all(p.upward for p in riders[index]) else (
            f' marker-end="url(#arrow-{"cycle" if cycle else main})"')
        found.append(f'<path class="trunk {main}{" cycle" if cycle else ""}" '
                     f'data-target="{escape(trunk.target)}" d="{trunk.d}"{head}/>')
    return found


def _drawn(view: GraphView, path: EdgePath) -> list[Edge]:
    """The edge a line draws (both, for a pair drawn as one)."""
    pairs = [(path.source, path.target)] + ([(path.target, path.source)] if path.mutual else [])
    edges = [view.graph.edge(s, t) for s, t in pairs]
    return [edge for edge in edges if edge is not None]


def node_classes(view: GraphView, name: str) -> list[str]:
    classes = ["node", view.graph.packages[name].kind]
    state = view.state(name)
    if state is not None:
        classes.append(f"state-{state}")
    elif view.show_affected:
        classes.append("unaffected")
    if name in view.focus:
        classes.append("focus")
    return classes


def _node(view: GraphView, box: NodeBox) -> str:
    package = view.graph.packages[box.name]
    radius = box.height / 2 if package.kind == "service" else 6
    title = f"{package.name} {package.version or '(dynamic version)'} — {package.path}"
    return (
        f'<g class="{" ".join(node_classes(view, box.name))}" data-name="{escape(box.name)}" '
        f'transform="translate({box.x:.1f},{box.y:.1f})" tabindex="0" role="button">'
        f"<title>{escape(title)}</title>"
        f'<rect x="{-box.width / 2:.1f}" y="{-box.height / 2:.1f}" width="{box.width:.1f}" '
        f'height="{box.height:.1f}" rx="{radius:.1f}"/>'
        f'<text class="name" y="-2">{escape(box.name)}</text>'
        f'<text class="meta" y="13">{escape(meta_line(view, box.name))}</text></g>'
    )


def legend_svg(view: GraphView, cycle: bool) -> tuple[str, float]:
    """A one-line legend: kinds of package, kinds of edge present, edges on a cycle,
    affected states."""
    items: list[str] = []
    x = 20.0
    for label, markup in _legend_items(view, cycle):
        items.append(f'<g transform="translate({x:.1f},20)">{markup}'
                     f'<text x="26" y="4">{escape(label)}</text></g>')
        x += 26 + len(label) * 6.1 + 20
    return f'<g class="legend">{"".join(items)}</g>', x


def _legend_items(view: GraphView, cycle: bool) -> list[tuple[str, str]]:
    items = [(kind, f'<g class="node {kind}"><rect x="0" y="-8" width="20" height="16" '
              f'rx="{radius}"/></g>') for kind, radius in (("library", 3), ("service", 8))]
    present = {k for e in view.graph.edges() for k in e.kinds}
    items += [(kind, f'<path class="edge {kind}" d="M0,0 L20,0"/>')
              for kind in EDGE_KINDS if kind in present]
    if cycle:
        items.append(("on a cycle", '<path class="edge runtime cycle" d="M0,0 L20,0"/>'))
    if view.show_affected:
        items += [(STATE_LABELS[s], f'<g class="node library state-{s}"><rect x="0" y="-8" '
                   'width="20" height="16" rx="3"/></g>') for s in AFFECT_STATES]
        items.append(("not affected", '<g class="node library unaffected"><rect x="0" y="-8" '
                      'width="20" height="16" rx="3"/></g>'))
    return items
