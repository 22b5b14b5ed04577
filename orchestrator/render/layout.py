"""The layered drawing shared by the SVG and HTML views, so that both agree.

Sugiyama-style and deterministic, in three steps: rows (layering.py: cycles broken where
they cost least, each package above its dependencies, wide drawings wrapped to at most about
twice as wide as tall), places within rows (placement.py: trunks for long edges, barycenter
order, fitted x positions), and here the boxes and the lines. An edge leaves its upper box at
the bottom and reaches its lower box at the top; an edge that spans rows joins the trunk of
its lower box in the row below its own, and the trunk runs straight down through each row
it passes, curving only in the gaps between rows, so no line crosses a box it does not
connect. The HTML view runs the same algorithm in `assets/layout.js`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from orchestrator.render.layering import (
    GROUP_LABEL,
    GROUP_PAD,
    MARGIN,
    NODE_HEIGHT,
    PITCH,
    ROW_GAP,
    Edge,
    compact_groups,
    layer,
    orient,
    with_free_edges,
)
from orchestrator.render.placement import Ranked, Trunk, assign_x, columns, expand, order_rows

CHAR_WIDTH = 7.6  # a 13px sans-serif label, generously
SPREAD = 0.6  # share of a box's width over which its edge ends are spread
LOOP_DIP = 0.6  # how far below its row a loop's control points reach, as a share of the gap


@dataclass(frozen=True)
class NodeBox:
    """One box; x and y are its centre."""

    name: str
    x: float
    y: float
    width: float
    height: float
    row: int
    group: str

    @property
    def left(self) -> float:
        return self.x - self.width / 2

    @property
    def top(self) -> float:
        return self.y - self.height / 2


@dataclass(frozen=True)
class EdgePath:
    """One dependent -> dependency edge as SVG path data, drawn from the upper box down to
    the lower box, or to where it joins the trunk that takes it the rest of the way."""

    source: str
    target: str
    d: str
    upward: bool  # the dependency is drawn above the dependent: the edge closes a cycle
    mutual: bool = False  # target -> source exists too and is this same line
    trunk: int | None = None  # index in Layout.trunks
    loop: bool = False  # both ends in one row (a strongly connected group's block)


@dataclass(frozen=True)
class TrunkPath:
    """The line the edges into `target` from one folder share, from the row below the
    highest of them down to `target`; for a trunk on its folder's bus, only the way out
    of the bus into `target`."""

    target: str
    d: str
    bus: bool = False


@dataclass(frozen=True)
class GroupBox:
    """A folder's box (top-left corner and size)."""

    name: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Layout:
    nodes: Mapping[str, NodeBox]
    edges: tuple[EdgePath, ...]
    trunks: tuple[TrunkPath, ...]
    buses: tuple[str, ...]  # path data of each folder's bus
    groups: tuple[GroupBox, ...]
    width: float
    height: float


def node_width(*lines: str) -> float:
    """Room for the longest of a box's text lines."""
    return max(96.0, CHAR_WIDTH * max((len(line) for line in lines), default=0) + 28.0)


def compute_layout(
    names: Sequence[str],
    edges: Sequence[Edge],
    widths: Mapping[str, float],
    groups: Mapping[str, str] | None = None,
    weak: Collection[Edge] = (),
) -> Layout:
    """Place `names` in rows, top to bottom; edges point from dependent to dependency.

    `groups` (name -> folder) draws each folder as a column with a box around it; `weak`
    edges are the first to be drawn upwards when a cycle needs one to be."""
    names = sorted(set(names))
    known = set(names)
    pairs = sorted({(s, t) for s, t in edges if s in known and t in known and s != t})
    group_of = {n: (groups or {}).get(n, "") for n in names}
    pad = GROUP_PAD if groups else 0.0
    dag = compact_groups(orient(names, pairs, frozenset(weak)), widths)
    rows = layer(dag, widths, group_of, pad)
    dag, loops = with_free_edges(dag, rows)
    ranked = expand(dag, rows, widths, group_of, loops)
    ordered = order_rows(ranked)
    cols = columns(ordered, ranked, pad)
    xs = assign_x(ordered, ranked, cols)
    top = MARGIN + (GROUP_PAD + GROUP_LABEL if groups else 0.0)
    boxes = {n: NodeBox(n, xs[i], top + ranked.row[i] * PITCH + NODE_HEIGHT / 2, widths[n],
                        NODE_HEIGHT, ranked.row[i], group_of[n]) for i, n in enumerate(names)}
    right = MARGIN + pad
    for _, hi in cols:
        right = max(right, hi)
    lines = _Lines(names, ranked, xs, top)
    folders = dict(zip(sorted(set(group_of.values())), cols, strict=True))
    return Layout(
        boxes, lines.edges(set(pairs)), lines.trunks(), lines.buses(),
        _group_boxes(boxes, folders) if groups else (), right + pad + MARGIN,
        max(top + len(ordered) * PITCH - ROW_GAP + pad + MARGIN, top + MARGIN))


def _group_boxes(boxes: Mapping[str, NodeBox],
                 cols: Mapping[str, tuple[float, float]]) -> tuple[GroupBox, ...]:
    found = []
    for g, (lo, hi) in sorted(cols.items()):
        members = [b for b in boxes.values() if b.group == g]
        top = min(b.top for b in members) - GROUP_PAD - GROUP_LABEL
        bottom = max(b.top + b.height for b in members) + GROUP_PAD
        found.append(GroupBox(g, lo - GROUP_PAD, top, hi - lo + 2 * GROUP_PAD, bottom - top))
    return tuple(found)


class _Lines:
    """Path data for the edges and trunks of a placed drawing. Where lines meet a box, each
    neighbouring box or trunk point gets its own place, spread along the box's side in the
    order of their x positions."""

    def __init__(self, order: Sequence[str], ranked: Ranked, xs: Sequence[float], top: float):
        self.order, self.ranked, self.xs, self.top = order, ranked, xs, top
        self.bottoms = self._ports([(u, self._entry(u, v)) for u, v in ranked.edges] +
                                   [end for a, b in ranked.loops for end in ((a, b), (b, a))])
        self.tops = self._ports([(v, self._exit(u, v)) for u, v in ranked.edges])

    def edges(self, pairs: Collection[Edge]) -> tuple[EdgePath, ...]:
        found = [self._edge(u, v, pairs) for u, v in self.ranked.edges]
        found += [self._loop(a, b, pairs) for a, b in self.ranked.loops]
        return tuple(sorted(found, key=lambda e: (e.source, e.target)))

    def trunks(self) -> tuple[TrunkPath, ...]:
        return tuple(TrunkPath(self.order[t.target], self._trunk(t), t.bus)
                     for t in self.ranked.trunks)

    def buses(self) -> tuple[str, ...]:
        return tuple(self._down(bus.first, bus.first + bus.count - 1)[0]
                     for bus in self.ranked.buses)

    def _edge(self, u: int, v: int, pairs: Collection[Edge]) -> EdgePath:
        upper, lower = self.order[u], self.order[v]
        hop = self._entry(u, v)
        sx, sy = self.bottoms[(u, hop)], self._row_top(u) + NODE_HEIGHT
        end = (self.tops[(v, u)], self._row_top(v)) if hop == v else (self.xs[hop],
                                                                      self._row_top(hop))
        d = f"M{sx:.1f},{sy:.1f} {_curve(sx, sy, *end)}"
        return _path(upper, lower, d, pairs, trunk=self.ranked.via.get((u, v)))

    def _loop(self, a: int, b: int, pairs: Collection[Edge]) -> EdgePath:
        """An edge within a row: from one box's bottom through the gap below to the other's."""
        y = self._row_top(a) + NODE_HEIGHT
        ax, bx, dip = self.bottoms[(a, b)], self.bottoms[(b, a)], y + ROW_GAP * LOOP_DIP
        d = f"M{ax:.1f},{y:.1f} C{ax:.1f},{dip:.1f} {bx:.1f},{dip:.1f} {bx:.1f},{y:.1f}"
        return _path(self.order[a], self.order[b], d, pairs, loop=True)

    def _trunk(self, trunk: Trunk) -> str:
        last = trunk.first + self.ranked.row[trunk.target] - trunk.top - 2
        if trunk.bus:
            x, y = self.xs[last], self._row_top(last) + NODE_HEIGHT
            d = f"M{x:.1f},{y:.1f}"
        else:
            d, (x, y) = self._down(trunk.first, last)
        end = _curve(x, y, self.tops[(trunk.target, last)], self._row_top(trunk.target))
        return f"{d} {end}"

    def _down(self, first: int, last: int) -> tuple[str, tuple[float, float]]:
        """Through points `first` to `last` (one per row): straight down each row, curving
        between; the path and where it ends."""
        x, y = self.xs[first], self._row_top(first)
        parts = [f"M{x:.1f},{y:.1f}"]
        for point in range(first, last + 1):
            if point != first:
                parts.append(_curve(x, y, self.xs[point], self._row_top(point)))
            x, y = self.xs[point], self._row_top(point) + NODE_HEIGHT
            parts.append(f"V{y:.1f}")
        return " ".join(parts), (x, y)

    def _row_top(self, n: int) -> float:
        return self.top + self.ranked.row[n] * PITCH

    def _entry(self, u: int, v: int) -> int:
        """Where the edge u -> v leaves row(u): box v, or the trunk point below u."""
        k = self.ranked.via.get((u, v))
        if k is None:
            return v
        trunk = self.ranked.trunks[k]
        return trunk.first + self.ranked.row[u] - trunk.top

    def _exit(self, u: int, v: int) -> int:
        """Where the edge u -> v comes from into v: box u, or its trunk's last point."""
        k = self.ranked.via.get((u, v))
        if k is None:
            return u
        trunk = self.ranked.trunks[k]
        return trunk.first + self.ranked.row[v] - trunk.top - 2

    def _ports(self, ends: Sequence[tuple[int, int]]) -> dict[tuple[int, int], float]:
        hops: dict[int, list[int]] = {}
        seen: set[tuple[int, int]] = set()
        for box, hop in ends:
            if (box, hop) not in seen:
                seen.add((box, hop))
                hops.setdefault(box, []).append(hop)
        found: dict[tuple[int, int], float] = {}
        for box, others in hops.items():
            others.sort(key=lambda o: (self.xs[o], o))
            width = self.ranked.width[box] * SPREAD
            step = width / max(len(others) - 1, 1)
            start = self.xs[box] if len(others) == 1 else self.xs[box] - width / 2
            for i, other in enumerate(others):
                found[(box, other)] = start + i * step
        return found


def _path(first: str, second: str, d: str, pairs: Collection[Edge], trunk: int | None = None,
          loop: bool = False) -> EdgePath:
    """The edge drawn from `first` to `second`, pointing whichever way it was declared."""
    if (first, second) not in pairs:
        return EdgePath(second, first, d, upward=True, trunk=trunk, loop=loop)
    return EdgePath(first, second, d, upward=False, mutual=(second, first) in pairs,
                    trunk=trunk, loop=loop)


def _curve(x0: float, y0: float, x1: float, y1: float) -> str:
    """From (x0, y0) down to (x1, y1), leaving and arriving vertically; it stays between
    y0 and y1, so within the gap between two rows it never touches a box."""
    if abs(x1 - x0) < 0.05:
        return f"V{y1:.1f}"
    bend = (y1 - y0) / 2
    return f"C{x0:.1f},{y0 + bend:.1f} {x1:.1f},{y1 - bend:.1f} {x1:.1f},{y1:.1f}"
