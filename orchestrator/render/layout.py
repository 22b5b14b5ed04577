"""The layered drawing shared by the HTML and SVG views, computed here so both agree.

Sugiyama-style, and deterministic: strongly connected components share a layer so cycles
cannot break it; longest-path layering puts every package above its dependencies, then
pulls each one up under its closest dependent; barycenter sweeps reduce crossings; when
packages are grouped by folder, each folder becomes a column so its box never overlaps
another's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

NODE_HEIGHT = 44.0
ROW_GAP = 84.0
NODE_GAP = 20.0
GROUP_GAP = 44.0
GROUP_PAD = 14.0
GROUP_LABEL = 20.0
MARGIN = 20.0
CHAR_WIDTH = 7.6  # a 13px sans-serif label, generously
SWEEPS = 12
SPREAD = 0.6  # share of a node's width over which its edge ends are spread


@dataclass(frozen=True)
class NodeBox:
    """One package's box; x and y are its centre."""

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
    """One dependent -> dependency edge as SVG path data."""

    source: str
    target: str
    d: str
    upward: bool  # drawn within one layer: the pair is on a cycle


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
    groups: tuple[GroupBox, ...]
    width: float
    height: float


def node_width(*lines: str) -> float:
    """Room for the longest of a node's text lines."""
    return max(96.0, CHAR_WIDTH * max((len(line) for line in lines), default=0) + 28.0)


def compute_layout(
    names: Sequence[str],
    edges: Sequence[tuple[str, str]],
    widths: Mapping[str, float],
    groups: Mapping[str, str] | None = None,
) -> Layout:
    """Place `names` (edges point from dependent to dependency) in layers, top to bottom."""
    names = sorted(names)
    group_of = {n: (groups or {}).get(n, "") for n in names}
    out, inc = _adjacency(names, edges)
    row_of = _rows(names, out, inc)
    rows = _order(names, row_of, out, inc, group_of)
    columns = _columns(rows, widths, group_of, GROUP_PAD if groups else 0.0)
    xs = _assign_x(rows, widths, group_of, columns, out, inc)
    top = MARGIN + (GROUP_PAD + GROUP_LABEL if groups else 0.0)
    boxes = {
        n: NodeBox(n, xs[n], top + r * (NODE_HEIGHT + ROW_GAP) + NODE_HEIGHT / 2,
                   widths[n], NODE_HEIGHT, r, group_of[n])
        for r, row in enumerate(rows) for n in row
    }
    group_boxes = _group_boxes(boxes, columns) if groups else ()
    right = max((c[1] for c in columns.values()), default=0.0)
    pad = GROUP_PAD if groups else 0.0
    height = top + len(rows) * (NODE_HEIGHT + ROW_GAP) - ROW_GAP + pad + MARGIN
    return Layout(dict(sorted(boxes.items())), _edge_paths(boxes, out, inc), group_boxes,
                  right + pad + MARGIN, max(height, top + MARGIN))


def _adjacency(names: Sequence[str], edges: Sequence[tuple[str, str]]
               ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    out: dict[str, list[str]] = {n: [] for n in names}
    inc: dict[str, list[str]] = {n: [] for n in names}
    for source, target in sorted(set(edges)):
        if source in out and target in out and source != target:
            out[source].append(target)
            inc[target].append(source)
    return out, inc


def components(names: Sequence[str], out: Mapping[str, list[str]]) -> dict[str, int]:
    """Strongly connected components (Tarjan, iterative); a component's number is larger
    than that of every component it reaches."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    comp: dict[str, int] = {}
    for root in names:
        if root in index:
            continue
        work = [(root, iter(out[root]))]
        _visit(root, index, low, stack, on_stack)
        while work:
            node, successors = work[-1]
            child = next((s for s in successors if _step(node, s, index, low, on_stack)), None)
            if child is not None:
                _visit(child, index, low, stack, on_stack)
                work.append((child, iter(out[child])))
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                _pop_component(node, stack, on_stack, comp, len(set(comp.values())))
    return comp


def _visit(node: str, index: dict[str, int], low: dict[str, int], stack: list[str],
           on_stack: set[str]) -> None:
    index[node] = low[node] = len(index)
    stack.append(node)
    on_stack.add(node)


def _step(node: str, successor: str, index: dict[str, int], low: dict[str, int],
          on_stack: set[str]) -> bool:
    """True when `successor` is new and must be visited; else update `node`'s low link."""
    if successor not in index:
        return True
    if successor in on_stack:
        low[node] = min(low[node], index[successor])
    return False


def _pop_component(node: str, stack: list[str], on_stack: set[str], comp: dict[str, int],
                   number: int) -> None:
    while True:
        member = stack.pop()
        on_stack.discard(member)
        comp[member] = number
        if member == node:
            return


def _rows(names: Sequence[str], out: Mapping[str, list[str]],
          inc: Mapping[str, list[str]]) -> dict[str, int]:
    """Row of each package, 0 at the top: dependents above their dependencies."""
    comp = components(names, out)
    count = max(comp.values(), default=-1) + 1
    below: list[set[int]] = [set() for _ in range(count)]
    above: list[set[int]] = [set() for _ in range(count)]
    for n in names:
        for t in out[n]:
            if comp[t] != comp[n]:
                below[comp[n]].add(comp[t])
                above[comp[t]].add(comp[n])
    height = [0] * count
    for c in range(count):  # dependencies have smaller numbers: already final
        height[c] = 1 + max((height[d] for d in below[c]), default=-1)
    for c in reversed(range(count)):  # pull up under the nearest dependent: shorter edges
        if above[c]:
            height[c] = min(height[p] for p in above[c]) - 1
    top = max(height, default=0)
    return {n: top - height[comp[n]] for n in names}


def _order(names: Sequence[str], row_of: Mapping[str, int], out: Mapping[str, list[str]],
           inc: Mapping[str, list[str]], group_of: Mapping[str, str]) -> list[list[str]]:
    """Nodes of each row, left to right: folders kept together, barycenter sweeps."""
    rank = {g: i for i, g in enumerate(sorted(set(group_of.values())))}
    rows: list[list[str]] = [[] for _ in range(max(row_of.values(), default=-1) + 1)]
    for n in sorted(names, key=lambda n: (rank[group_of[n]], n)):
        rows[row_of[n]].append(n)
    pos = _positions(rows)
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        order = range(1, len(rows)) if down else range(len(rows) - 2, -1, -1)
        for r in order:
            def key(n: str, r: int = r, down: bool = down) -> tuple[int, float, float]:
                near = [pos[m] for m in (inc[n] if down else out[n]) if row_of[m] != r]
                centre = sum(near) / len(near) if near else pos[n]
                return rank[group_of[n]], centre, pos[n]

            rows[r].sort(key=key)
            pos.update(_positions([rows[r]]))
    return rows


def _positions(rows: Sequence[Sequence[str]]) -> dict[str, float]:
    """Each node's place in its row as a fraction, comparable between rows of any length."""
    return {n: (i + 0.5) / len(row) for row in rows for i, n in enumerate(row)}


def _columns(rows: Sequence[Sequence[str]], widths: Mapping[str, float],
             group_of: Mapping[str, str], pad: float) -> dict[str, tuple[float, float]]:
    """Each folder's horizontal extent: wide enough for its widest row."""
    need: dict[str, float] = {}
    for row in rows:
        used: dict[str, float] = {}
        for n in row:
            used[group_of[n]] = used.get(group_of[n], -NODE_GAP) + widths[n] + NODE_GAP
        for g, w in used.items():
            need[g] = max(need.get(g, 0.0), w)
    columns: dict[str, tuple[float, float]] = {}
    left = MARGIN + pad
    for g in sorted(need):
        columns[g] = (left, left + need[g])
        left += need[g] + GROUP_GAP + 2 * pad
    return columns


def _assign_x(rows: Sequence[Sequence[str]], widths: Mapping[str, float],
              group_of: Mapping[str, str], columns: Mapping[str, tuple[float, float]],
              out: Mapping[str, list[str]], inc: Mapping[str, list[str]]) -> dict[str, float]:
    """Centres that keep each row's order and its folder column, pulled towards the mean of
    each node's neighbours so edges run as straight as the order allows."""
    segments = [_segments(row, group_of) for row in rows]
    x: dict[str, float] = {}
    for row_segments in segments:
        for g, seg in row_segments:
            lo, hi = columns[g]
            total = sum(widths[n] for n in seg) + NODE_GAP * (len(seg) - 1)
            start = lo + (hi - lo - total) / 2
            desired = []
            for n in seg:
                desired.append(start + widths[n] / 2)
                start += widths[n] + NODE_GAP
            x.update(zip(seg, desired, strict=True))
    for _ in range(4):
        for row_segments in segments:
            for g, seg in row_segments:
                wanted = [_mean([x[m] for m in out[n] + inc[n]], x[n]) for n in seg]
                x.update(zip(seg, _pack(wanted, [widths[n] for n in seg], *columns[g]),
                             strict=True))
    return x


def _segments(row: Sequence[str], group_of: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    found: dict[str, list[str]] = {}
    for n in row:
        found.setdefault(group_of[n], []).append(n)
    return list(found.items())


def _mean(values: Sequence[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def _pack(wanted: Sequence[float], widths: Sequence[float], lo: float, hi: float) -> list[float]:
    """Centres as close to `wanted` as the order, the gaps and [lo, hi] allow."""
    lefts: list[float] = []
    edge = lo
    for centre, w in zip(wanted, widths, strict=True):
        lefts.append(max(centre - w / 2, edge))
        edge = lefts[-1] + w + NODE_GAP
    edge = hi
    for i in reversed(range(len(lefts))):
        lefts[i] = min(lefts[i], edge - widths[i])
        edge = lefts[i] - NODE_GAP
    return [left + w / 2 for left, w in zip(lefts, widths, strict=True)]


def _group_boxes(boxes: Mapping[str, NodeBox],
                 columns: Mapping[str, tuple[float, float]]) -> tuple[GroupBox, ...]:
    found = []
    for g, (lo, hi) in sorted(columns.items()):
        members = [b for b in boxes.values() if b.group == g]
        top = min(b.top for b in members) - GROUP_PAD - GROUP_LABEL
        bottom = max(b.top + b.height for b in members) + GROUP_PAD
        found.append(GroupBox(g, lo - GROUP_PAD, top, hi - lo + 2 * GROUP_PAD, bottom - top))
    return tuple(found)


def _edge_paths(boxes: Mapping[str, NodeBox], out: Mapping[str, list[str]],
                inc: Mapping[str, list[str]]) -> tuple[EdgePath, ...]:
    leave = {n: _ports(boxes[n], sorted(out[n], key=lambda t: boxes[t].x)) for n in boxes}
    arrive = {n: _ports(boxes[n], sorted(inc[n], key=lambda s: boxes[s].x)) for n in boxes}
    paths = []
    for source in sorted(out):
        for target in out[source]:
            s, t = boxes[source], boxes[target]
            sx, tx = leave[source][target], arrive[target][source]
            paths.append(_edge(s, t, sx, tx))
    return tuple(paths)


def _ports(box: NodeBox, others: Sequence[str]) -> dict[str, float]:
    """Where each edge meets `box`: spread along its side in the order of the other ends."""
    if len(others) == 1:
        return {others[0]: box.x}
    span = box.width * SPREAD
    step = span / max(len(others) - 1, 1)
    return {o: box.x - span / 2 + i * step for i, o in enumerate(others)}


def _edge(s: NodeBox, t: NodeBox, sx: float, tx: float) -> EdgePath:
    if t.row > s.row:
        y0, y1 = s.top + s.height, t.top
        bend = (y1 - y0) / 2
        d = (f"M{sx:.1f},{y0:.1f} C{sx:.1f},{y0 + bend:.1f} "
             f"{tx:.1f},{y1 - bend:.1f} {tx:.1f},{y1:.1f}")
        return EdgePath(s.name, t.name, d, upward=False)
    y0, y1 = s.top + s.height, t.top + t.height
    dip = ROW_GAP * 0.45
    d = f"M{sx:.1f},{y0:.1f} C{sx:.1f},{y0 + dip:.1f} {tx:.1f},{y1 + dip:.1f} {tx:.1f},{y1:.1f}"
    return EdgePath(s.name, t.name, d, upward=True)
