"""The layered drawing shared by the HTML and SVG views, computed here so both agree.

Sugiyama-style, and deterministic. Strongly connected components share a layer so cycles
cannot break it; longest-path layering puts every package above its dependencies, then
pulls each one up under its closest dependent. When that drawing would be much wider than
tall, layers wrap: a package moves down to the first layer with room for it (in its folder's
column), always staying below its dependents. An edge that spans several layers passes
through one virtual point per layer it crosses, so it never runs through a package's box;
virtual points take part in the barycenter sweeps that reduce crossings, and their lanes
are narrow. When packages are grouped by folder, each folder becomes a column so its box
never overlaps another's.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

NODE_HEIGHT = 44.0
ROW_GAP = 84.0
PITCH = NODE_HEIGHT + ROW_GAP
NODE_GAP = 20.0
LANE_WIDTH = 2.0  # a virtual point: the width an edge passing through a layer takes
LANE_GAP = 8.0  # beside a virtual point, less room is needed than between two boxes
GROUP_GAP = 44.0
GROUP_PAD = 14.0
GROUP_LABEL = 20.0
MARGIN = 20.0
CHAR_WIDTH = 7.6  # a 13px sans-serif label, generously
SWEEPS = 12
X_SWEEPS = 8
SPREAD = 0.6  # share of a node's width over which its edge ends are spread
MAX_ASPECT = 2.0  # a drawing wider than this many times its height wraps its layers
WRAP_TRIALS = 12
WRAP_STEP = 0.85 # each trial allows this share of the previous one's width
EPSILON = 1e-6


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


@dataclass(frozen=True)
class _Ranked:
    """The graph as laid out: packages plus the virtual points of long edges, each with
    its layer, folder and width; every edge of `out` spans one layer or none."""

    out: dict[str, list[str]]
    inc: dict[str, list[str]]
    row: dict[str, int]
    group: dict[str, str]
    width: dict[str, float]
    virtual: frozenset[str]
    lanes: dict[tuple[str, str], list[str]]  # each package edge's virtual points, top down


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
    pad = GROUP_PAD if groups else 0.0
    out, inc = _adjacency(names, edges)
    row_of = _layers(names, out, inc, widths, group_of, pad)
    ranked = _expand(names, out, row_of, widths, group_of)
    rows = _order(ranked)
    columns = _columns(rows, ranked, pad)
    xs = _assign_x(rows, ranked, columns)
    top = MARGIN + (GROUP_PAD + GROUP_LABEL if groups else 0.0)
    boxes = {n: NodeBox(n, xs[n], top + row_of[n] * PITCH + NODE_HEIGHT / 2, widths[n],
                        NODE_HEIGHT, row_of[n], group_of[n]) for n in names}
    group_boxes = _group_boxes(boxes, columns) if groups else ()
    right = max((c[1] for c in columns.values()), default=0.0)
    height = top + len(rows) * PITCH - ROW_GAP + pad + MARGIN
    return Layout(boxes, _edge_paths(boxes, ranked, xs, top), group_boxes,
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


@dataclass(frozen=True)
class _Condensed:
    """The components of the graph and the edges between them."""

    comp: dict[str, int]
    members: list[list[str]]
    below: list[set[int]]  # components this one depends on
    above: list[set[int]]  # components that depend on this one


def _condense(names: Sequence[str], out: Mapping[str, list[str]]) -> _Condensed:
    comp = components(names, out)
    count = max(comp.values(), default=-1) + 1
    members: list[list[str]] = [[] for _ in range(count)]
    below: list[set[int]] = [set() for _ in range(count)]
    above: list[set[int]] = [set() for _ in range(count)]
    for n in names:
        members[comp[n]].append(n)
        for t in out[n]:
            if comp[t] != comp[n]:
                below[comp[n]].add(comp[t])
                above[comp[t]].add(comp[n])
    return _Condensed(comp, members, below, above)


def _heights(cond: _Condensed) -> list[int]:
    """Longest path from each component down to one that depends on nothing."""
    height = [0] * len(cond.members)
    for c in range(len(height)):  # dependencies have smaller numbers: already final
        height[c] = 1 + max((height[d] for d in cond.below[c]), default=-1)
    return height


def _rows(names: Sequence[str], cond: _Condensed) -> dict[str, int]:
    """Row of each package, 0 at the top: dependents above their dependencies."""
    height = _heights(cond)
    for c in reversed(range(len(height))):  # pull up under the nearest dependent
        if cond.above[c]:
            height[c] = min(height[p] for p in cond.above[c]) - 1
    top = max(height, default=0)
    return {n: top - height[cond.comp[n]] for n in names}


def _layers(names: Sequence[str], out: Mapping[str, list[str]], inc: Mapping[str, list[str]],
            widths: Mapping[str, float], group_of: Mapping[str, str],
            pad: float) -> dict[str, int]:
    """The rows: as high as dependencies allow, wrapped when that is far wider than tall."""
    cond = _condense(names, out)
    free = _rows(names, cond)
    width, height = _extent(names, out, free, widths, group_of, pad)
    if width <= MAX_ASPECT * height:
        return free
    best = free
    for trial in range(1, WRAP_TRIALS + 1):
        caps = _capacities(names, widths, group_of, pad, width * WRAP_STEP ** trial)
        best = _wrapped(cond, inc, free, widths, group_of, caps)
        w, h = _extent(names, out, best, widths, group_of, pad)
        if w <= MAX_ASPECT * h:
            break
    return best


def _capacities(names: Sequence[str], widths: Mapping[str, float],
                group_of: Mapping[str, str], pad: float, budget: float) -> dict[str, float]:
    """How wide each folder's part of a row may be, sharing `budget` by folder size."""
    total: dict[str, float] = {}
    widest: dict[str, float] = {}
    for n in names:
        total[group_of[n]] = total.get(group_of[n], 0.0) + widths[n] + NODE_GAP
        widest[group_of[n]] = max(widest.get(group_of[n], 0.0), widths[n] + NODE_GAP)
    room = budget - 2 * MARGIN - len(total) * (GROUP_GAP + 2 * pad)
    everything = sum(total.values())
    return {g: max(widest[g], room * total[g] / everything) for g in total}


def _wrapped(cond: _Condensed, inc: Mapping[str, list[str]], free: Mapping[str, int],
             widths: Mapping[str, float], group_of: Mapping[str, str],
             caps: Mapping[str, float]) -> dict[str, int]:
    """Rows in which no folder's part of a row is wider than its capacity (unless one
    component alone is): each component goes to the first row below all its dependents
    that has room, those with the longest way down first."""
    height = _heights(cond)
    pending = [len(a) for a in cond.above]
    ready = [(free[m[0]], -height[c], c) for c, m in enumerate(cond.members) if not pending[c]]
    heapq.heapify(ready)
    used: dict[tuple[int, str], float] = {}
    row: dict[int, int] = {}
    while ready:
        lowest, _, c = heapq.heappop(ready)
        need: dict[str, float] = {}
        for m in cond.members[c]:
            need[group_of[m]] = need.get(group_of[m], 0.0) + widths[m] + NODE_GAP
        r = lowest
        while not all(_fits(used.get((r, g), 0.0), w, caps[g]) for g, w in need.items()):
            r += 1
        row[c] = r
        for g, w in need.items():
            used[(r, g)] = used.get((r, g), 0.0) + w
        _reserve_lanes(cond, c, row, inc, group_of, used)
        for d in sorted(cond.below[c]):
            pending[d] -= 1
            if not pending[d]:
                start = 1 + max(row[p] for p in cond.above[d])
                heapq.heappush(ready, (start, -height[d], d))
    present = {r: i for i, r in enumerate(sorted(set(row.values())))}
    return {n: present[row[cond.comp[n]]] for n in free}


def _fits(used: float, need: float, cap: float) -> bool:
    return used == 0.0 or used + need <= cap + EPSILON


def _reserve_lanes(cond: _Condensed, c: int, row: Mapping[int, int],
                   inc: Mapping[str, list[str]], group_of: Mapping[str, str],
                   used: dict[tuple[int, str], float]) -> None:
    """Count the room the edges into component `c` take in the rows they pass."""
    for m in cond.members[c]:
        for p in inc[m]:
            rp = row[cond.comp[p]]
            for r in range(rp + 1, row[c]):
                g = _lane_group(r, rp, row[c], group_of[p], group_of[m])
                used[(r, g)] = used.get((r, g), 0.0) + LANE_WIDTH + LANE_GAP


def _lane_group(r: int, top: int, bottom: int, upper: str, lower: str) -> str:
    """The folder column a long edge passes row `r` in: its source's for the upper half of
    the way, its target's for the lower half."""
    return upper if 2 * (r - top) <= bottom - top else lower


def _extent(names: Sequence[str], out: Mapping[str, list[str]], row_of: Mapping[str, int],
            widths: Mapping[str, float], group_of: Mapping[str, str],
            pad: float) -> tuple[float, float]:
    """About how wide and tall a drawing with these rows will be."""
    used: dict[tuple[int, str], float] = {}
    for n in names:
        key = (row_of[n], group_of[n])
        used[key] = used.get(key, 0.0) + widths[n] + NODE_GAP
        for t in out[n]:
            for r in range(row_of[n] + 1, row_of[t]):
                key = (r, _lane_group(r, row_of[n], row_of[t], group_of[n], group_of[t]))
                used[key] = used.get(key, 0.0) + LANE_WIDTH + LANE_GAP
    widest: dict[str, float] = {}
    for (_, g), w in used.items():
        widest[g] = max(widest.get(g, 0.0), w)
    width = sum(widest.values()) + len(widest) * (GROUP_GAP + 2 * pad) + 2 * MARGIN
    return width, (max(row_of.values(), default=0) + 1) * PITCH + 2 * MARGIN


def _expand(names: Sequence[str], out: Mapping[str, list[str]], row_of: Mapping[str, int],
            widths: Mapping[str, float], group_of: Mapping[str, str]) -> _Ranked:
    """Add a virtual point to every row a long edge passes, so each edge spans one row."""
    ranked = _Ranked({n: [] for n in names}, {n: [] for n in names}, dict(row_of),
                     dict(group_of), {n: widths[n] for n in names}, frozenset(), {})
    virtual: set[str] = set()
    taken = set(names)
    for source in names:
        for target in out[source]:
            lanes = []
            for r in range(row_of[source] + 1, row_of[target]):
                point = _virtual_name(len(virtual), taken)
                virtual.add(point)
                lanes.append(point)
                ranked.out[point], ranked.inc[point] = [], []
                ranked.row[point] = r
                ranked.group[point] = _lane_group(r, row_of[source], row_of[target],
                                                  group_of[source], group_of[target])
                ranked.width[point] = LANE_WIDTH
            ranked.lanes[(source, target)] = lanes
            chain = [source, *lanes, target]
            for upper, lower in itertools.pairwise(chain):
                ranked.out[upper].append(lower)
                ranked.inc[lower].append(upper)
    return _Ranked(ranked.out, ranked.inc, ranked.row, ranked.group, ranked.width,
                   frozenset(virtual), ranked.lanes)


def _virtual_name(number: int, names: set[str]) -> str:
    """A key no package has: package names never start with a NUL character."""
    name = f"\0{number}"
    while name in names:  # only hostile input gets here
        name = "\0" + name
    return name


def _order(ranked: _Ranked) -> list[list[str]]:
    """Nodes of each row, left to right: folders kept together, barycenter sweeps."""
    rank = {g: i for i, g in enumerate(sorted(set(ranked.group.values())))}
    rows: list[list[str]] = [[] for _ in range(max(ranked.row.values(), default=-1) + 1)]
    for n in sorted(ranked.row, key=lambda n: (rank[ranked.group[n]], n in ranked.virtual, n)):
        rows[ranked.row[n]].append(n)
    pos = _positions(rows)
    above = {n: [m for m in ms if ranked.row[m] != ranked.row[n]] for n, ms in ranked.inc.items()}
    below = {n: [m for m in ms if ranked.row[m] != ranked.row[n]] for n, ms in ranked.out.items()}
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        order = range(1, len(rows)) if down else range(len(rows) - 2, -1, -1)
        near_of = above if down else below
        for r in order:
            def key(n: str, near_of: dict[str, list[str]] = near_of) -> tuple[int, float, float]:
                near = near_of[n]
                centre = sum(pos[m] for m in near) / len(near) if near else pos[n]
                return rank[ranked.group[n]], centre, pos[n]

            rows[r].sort(key=key)
            pos.update(_positions([rows[r]]))
    return rows


def _positions(rows: Sequence[Sequence[str]]) -> dict[str, float]:
    """Each node's place in its row as a fraction, comparable between rows of any length."""
    return {n: (i + 0.5) / len(row) for row in rows for i, n in enumerate(row)}


def _gaps(seg: Sequence[str], ranked: _Ranked) -> list[float]:
    """The room before each node of a row segment (none before the first)."""
    return [0.0] + [NODE_GAP if a not in ranked.virtual and b not in ranked.virtual
                    else LANE_GAP for a, b in itertools.pairwise(seg)]


def _columns(rows: Sequence[Sequence[str]], ranked: _Ranked,
             pad: float) -> dict[str, tuple[float, float]]:
    """Each folder's horizontal extent: wide enough for its widest row."""
    need: dict[str, float] = {}
    for row in rows:
        for g, seg in _segments(row, ranked.group):
            used = sum(ranked.width[n] for n in seg) + sum(_gaps(seg, ranked))
            need[g] = max(need.get(g, 0.0), used)
    columns: dict[str, tuple[float, float]] = {}
    left = MARGIN + pad
    for g in sorted(need):
        columns[g] = (left, left + need[g])
        left += need[g] + GROUP_GAP + 2 * pad
    return columns


def _assign_x(rows: Sequence[Sequence[str]], ranked: _Ranked,
              columns: Mapping[str, tuple[float, float]]) -> dict[str, float]:
    """Centres that keep each row's order and its folder column, pulled towards the mean of
    each node's neighbours above (sweeping down) or below (sweeping up), and finally both,
    so that edges run as straight as the order allows."""
    segments = [_segments(row, ranked.group) for row in rows]
    x: dict[str, float] = {}
    for row_segments in segments:
        for g, seg in row_segments:
            lo, hi = columns[g]
            gaps = _gaps(seg, ranked)
            start = lo + (hi - lo - sum(ranked.width[n] for n in seg) - sum(gaps)) / 2
            for n, gap in zip(seg, gaps, strict=True):
                x[n] = start + gap + ranked.width[n] / 2
                start += gap + ranked.width[n]
    for sweep in range(X_SWEEPS):
        down = sweep % 2 == 0
        both = sweep == X_SWEEPS - 1
        for row_segments in (segments if down else segments[::-1]):
            for g, seg in row_segments:
                wanted = [_mean([x[m] for m in _near(n, ranked, down, both)], x[n])
                          for n in seg]
                x.update(zip(seg, _pack(wanted, [ranked.width[n] for n in seg],
                                        _gaps(seg, ranked), *columns[g]), strict=True))
    return x


def _near(n: str, ranked: _Ranked, down: bool, both: bool) -> list[str]:
    """The neighbours a sweep pulls `n` towards: those above going down, below going up."""
    if both:
        return ranked.inc[n] + ranked.out[n]
    return ranked.inc[n] if down else ranked.out[n]


def _segments(row: Sequence[str], group_of: Mapping[str, str]) -> list[tuple[str, list[str]]]:
    found: dict[str, list[str]] = {}
    for n in row:
        found.setdefault(group_of[n], []).append(n)
    return list(found.items())


def _mean(values: Sequence[float], default: float) -> float:
    return sum(values) / len(values) if values else default


def _pack(wanted: Sequence[float], widths: Sequence[float], gaps: Sequence[float],
          lo: float, hi: float) -> list[float]:
    """Centres as close to `wanted` as the order, the gaps and [lo, hi] allow."""
    lefts: list[float] = []
    edge = lo
    for centre, w, gap in zip(wanted, widths, gaps, strict=True):
        lefts.append(max(centre - w / 2, edge + gap if lefts else edge))
        edge = lefts[-1] + w
    edge = hi
    for i in reversed(range(len(lefts))):
        lefts[i] = min(lefts[i], edge - widths[i])
        edge = lefts[i] - gaps[i]
    return [left + w / 2 for left, w in zip(lefts, widths, strict=True)]


def _group_boxes(boxes: Mapping[str, NodeBox],
                 columns: Mapping[str, tuple[float, float]]) -> tuple[GroupBox, ...]:
    found = []
    for g, (lo, hi) in sorted(columns.items()):
        members = [b for b in boxes.values() if b.group == g]
        if not members:
            continue
        top = min(b.top for b in members) - GROUP_PAD - GROUP_LABEL
        bottom = max(b.top + b.height for b in members) + GROUP_PAD
        found.append(GroupBox(g, lo - GROUP_PAD, top, hi - lo + 2 * GROUP_PAD, bottom - top))
    return tuple(found)


def _edge_paths(boxes: Mapping[str, NodeBox], ranked: _Ranked, xs: Mapping[str, float],
                top: float) -> tuple[EdgePath, ...]:
    """Every package edge, from its source's bottom through its virtual points (straight
    down through each row they pass, curving in the gaps between rows) to its target."""
    first = {edge: (lanes[0] if lanes else edge[1]) for edge, lanes in ranked.lanes.items()}
    last = {edge: (lanes[-1] if lanes else edge[0]) for edge, lanes in ranked.lanes.items()}
    targets: dict[str, list[tuple[float, str]]] = {n: [] for n in boxes}
    sources: dict[str, list[tuple[float, str]]] = {n: [] for n in boxes}
    for source, target in ranked.lanes:
        targets[source].append((xs[first[(source, target)]], target))
        sources[target].append((xs[last[(source, target)]], source))
    leave = {n: _ports(boxes[n], [t for _, t in sorted(targets[n])]) for n in boxes}
    arrive = {n: _ports(boxes[n], [s for _, s in sorted(sources[n])]) for n in boxes}
    paths = []
    for (source, target), lanes in sorted(ranked.lanes.items()):
        s, t = boxes[source], boxes[target]
        sx, tx = leave[source][target], arrive[target][source]
        if t.row == s.row:
            paths.append(_loop(s, t, sx, tx))
            continue
        y = s.top + s.height
        parts = [f"M{sx:.1f},{y:.1f}"]
        for point in lanes:
            row_top = top + ranked.row[point] * PITCH
            parts.append(_curve(sx, y, xs[point], row_top))
            sx, y = xs[point], row_top + NODE_HEIGHT
            parts.append(f"V{y:.1f}")
        parts.append(_curve(sx, y, tx, t.top))
        paths.append(EdgePath(source, target, " ".join(parts), upward=False))
    return tuple(paths)


def _ports(box: NodeBox, others: Sequence[str]) -> dict[str, float]:
    """Where each edge meets `box`: spread along its side in the order of the other ends."""
    if len(others) == 1:
        return {others[0]: box.x}
    span = box.width * SPREAD
    step = span / max(len(others) - 1, 1)
    return {o: box.x - span / 2 + i * step for i, o in enumerate(others)}


def _curve(x0: float, y0: float, x1: float, y1: float) -> str:
    """From (x0, y0) down to (x1, y1), leaving and arriving vertically; it stays between
    y0 and y1, so within the gap between two rows it never touches a box."""
    if abs(x1 - x0) < 0.05:
        return f"V{y1:.1f}"
    bend = (y1 - y0) / 2
    return f"C{x0:.1f},{y0 + bend:.1f} {x1:.1f},{y1 - bend:.1f} {x1:.1f},{y1:.1f}"


def _loop(s: NodeBox, t: NodeBox, sx: float, tx: float) -> EdgePath:
    """An edge within one row (the pair is on a cycle): a dip into the gap below it."""
    y = s.top + s.height
    dip = ROW_GAP * 0.45
    d = f"M{sx:.1f},{y:.1f} C{sx:.1f},{y + dip:.1f} {tx:.1f},{y + dip:.1f} {tx:.1f},{y:.1f}"
    return EdgePath(s.name, t.name, d, upward=True)
