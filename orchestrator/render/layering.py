"""Which row each box of the layered drawing sits in.

Cycles are broken first: inside each strongly connected group, a depth-first order over its
strong edges (those that say what must exist first: runtime and build requirements) decides
which edges are drawn against the flow, so a core package whose `[all]` extra names every
integration still sits below the integrations that need it. Every box then sits just below
its lowest dependent (a box nothing depends on sits as low as its own dependencies allow).
A drawing much wider than tall wraps: each box moves down to the first row with room in its
folder's column, always below everything that depends on it.

`assets/layout.js` is the same algorithm for the HTML view; a test keeps the two equal, so
both stay plain loops over lists and dictionaries (no `sum` of floats: its rounding differs).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

NODE_HEIGHT = 44.0
ROW_GAP = 76.0
PITCH = NODE_HEIGHT + ROW_GAP
NODE_GAP = 20.0
LANE_WIDTH = 2.0  # a trunk point: the width an edge bundle passing through a row takes
LANE_GAP = 8.0  # beside a trunk point, less room is needed than between two boxes
LANE = LANE_WIDTH + LANE_GAP
GROUP_GAP = 44.0
GROUP_PAD = 14.0
GROUP_LABEL = 20.0
MARGIN = 20.0
MAX_ASPECT = 2.0  # a drawing wider than this many times its height wraps its rows
WRAP_ASPECT = 1.7  # the shape a wrapped drawing aims for
WRAP_TRIALS = 6
WRAP_STEP = 0.9  # each trial allows at most this share of the previous one's width
EPSILON = 1e-6
MIN_BANDS = 3  # a strongly connected group no deeper than this keeps its own rows
# A trunk passes at most this many rows, or this many per edge it carries; a longer one
# rides its folder's bus, so that trunk points stay linear in the edges.
SHORT_ROWS = 8
ROWS_PER_EDGE = 2

Edge = tuple[str, str]


@dataclass(frozen=True)
class Dag:
    """The edges as drawn: each from an upper box to a lower one."""

    order: list[str]  # every drawn edge points from an earlier box to a later one
    down: dict[str, list[str]]  # lower ends of the edges leaving each box, in `order`
    up: dict[str, list[str]]  # upper ends of the edges arriving at each box, in `order`
    comp: dict[str, int]  # the strongly connected group of each box
    free: tuple[Edge, ...] = ()  # drawn (upper, lower) pairs that rows do not follow


def components(names: Sequence[str], out: Mapping[str, list[str]]) -> dict[str, int]:
    """Strongly connected components (Tarjan, iterative); a component's number is larger
    than that of every component it reaches."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    comp: dict[str, int] = {}
    count = 0
    for root in names:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        work = [(root, 0)]
        while work:
            node, at = work[-1]
            if at < len(out[node]):
                work[-1] = (node, at + 1)
                child = out[node][at]
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, 0))
                elif child not in comp:  # still on the stack
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    comp[member] = count
                    if member == node:
                        break
                count += 1
    return comp


def orient(names: Sequence[str], edges: Sequence[Edge], weak: Collection[Edge]) -> Dag:
    """Draw every edge downwards except the fewest the cycles need, preferring weak ones.

    `names` and `edges` are sorted, without duplicates or loops; a pair of edges both ways
    is one line."""
    out: dict[str, list[str]] = {n: [] for n in names}
    for source, target in edges:
        out[source].append(target)
    comp = components(names, out)
    finish = _finish_times(names, out, comp, weak)
    order = sorted(names, key=lambda n: (-comp[n], -finish[n]))
    place = {n: i for i, n in enumerate(order)}
    down: dict[str, list[str]] = {n: [] for n in names}
    up: dict[str, list[str]] = {n: [] for n in names}
    for source, target in edges:
        upper, lower = (source, target) if place[source] < place[target] else (target, source)
        if lower not in down[upper]:  # a pair on a two-cycle is drawn once
            down[upper].append(lower)
            up[lower].append(upper)
    for n in names:
        down[n].sort(key=place.__getitem__)
        up[n].sort(key=place.__getitem__)
    return Dag(order, down, up, comp)


def compact_groups(dag: Dag, widths: Mapping[str, float]) -> Dag:
    """A strongly connected group whose own order would take more rows than a block of
    about the drawing's shape needs shares rows: its members, in order, fill that many
    bands, and the edges within a band are left free (drawn once the rows are known, most
    often as a loop under the row). A ring of folders that all use each other then stands
    in a block, not a column."""
    members: dict[int, list[str]] = {}
    for n in dag.order:
        members.setdefault(dag.comp[n], []).append(n)
    free: list[Edge] = []
    for group in members.values():
        free.extend(_banded(dag, group, widths))
    if not free:
        return dag
    loose = set(free)
    down = {n: [c for c in dag.down[n] if (n, c) not in loose] for n in dag.order}
    up = {n: [p for p in dag.up[n] if (p, n) not in loose] for n in dag.order}
    return Dag(dag.order, down, up, dag.comp, tuple(free))


def _banded(dag: Dag, group: Sequence[str], widths: Mapping[str, float]) -> list[Edge]:
    """The edges of `group` (in order) to leave free, when it must be banded."""
    if len(group) < 2:
        return []
    depth: dict[str, int] = {}
    total = 0.0
    for n in reversed(group):
        inside = [depth[c] for c in dag.down[n] if dag.comp[c] == dag.comp[n]]
        depth[n] = 1 + max(inside, default=0)
        total += widths[n] + NODE_GAP
    bands = max(MIN_BANDS, int(math.sqrt(total / (PITCH * WRAP_ASPECT)) + 0.5))
    if max(depth.values()) <= bands:
        return []
    band = {n: i * bands // len(group) for i, n in enumerate(group)}
    return [(n, c) for n in group for c in dag.down[n]
            if dag.comp[c] == dag.comp[n] and band[c] == band[n]]


def with_free_edges(dag: Dag, rows: Mapping[str, int]) -> tuple[Dag, list[Edge]]:
    """The drawing's edges once rows are known: each free edge joins the others, pointing
    down, or when both ends share a row, is one of the returned loops."""
    down = {n: list(c) for n, c in dag.down.items()}
    up = {n: list(p) for n, p in dag.up.items()}
    loops = []
    for a, b in dag.free:
        if rows[a] == rows[b]:
            loops.append((a, b))
            continue
        upper, lower = (a, b) if rows[a] < rows[b] else (b, a)
        down[upper].append(lower)
        up[lower].append(upper)
    place = {n: i for i, n in enumerate(dag.order)}
    for n in dag.order:
        down[n].sort(key=place.__getitem__)
        up[n].sort(key=place.__getitem__)
    return Dag(dag.order, down, up, dag.comp), loops


def _finish_times(names: Sequence[str], out: Mapping[str, list[str]], comp: Mapping[str, int],
                  weak: Collection[Edge]) -> dict[str, int]:
    """When a depth-first search over strong edges within each component leaves each box:
    later means higher, so the strong edges of a component point from later to earlier."""
    def strong(node: str) -> list[str]:
        return [t for t in out[node] if comp[t] == comp[node] and (node, t) not in weak]

    finish: dict[str, int] = {}
    seen: set[str] = set()
    for root in names:
        if root in seen:
            continue
        seen.add(root)
        work = [(root, strong(root), 0)]
        while work:
            node, targets, at = work[-1]
            while at < len(targets) and targets[at] in seen:
                at += 1
            if at == len(targets):
                work.pop()
                finish[node] = len(finish)
                continue
            work[-1] = (node, targets, at + 1)
            seen.add(targets[at])
            work.append((targets[at], strong(targets[at]), 0))
    return finish


def heights(dag: Dag) -> dict[str, int]:
    """The longest way down from each box: how many rows it needs below it."""
    found: dict[str, int] = {}
    for n in reversed(dag.order):
        found[n] = 1 + max((found[c] for c in dag.down[n]), default=-1)
    return found


def free_rows(dag: Dag, height: Mapping[str, int]) -> dict[str, int]:
    """Each box just below its lowest dependent; those nothing depends on as low as their
    dependencies allow. Row 0 is the top."""
    level = dict(height)
    for n in dag.order:  # dependents first: their level is final
        if dag.up[n]:
            level[n] = min(level[p] for p in dag.up[n]) - 1
    top = max(level.values(), default=0)
    return compact({n: top - h for n, h in level.items()})


def compact(rows: Mapping[str, int]) -> dict[str, int]:
    """The same rows, numbered without gaps."""
    present = {r: i for i, r in enumerate(sorted(set(rows.values())))}
    return {n: present[r] for n, r in rows.items()}


def rides_bus(rows_passed: int, edges: int) -> bool:
    """Whether a trunk passing this many rows for this many edges rides its folder's bus."""
    return rows_passed > SHORT_ROWS and rows_passed > ROWS_PER_EDGE * edges


def trunk_spans(dag: Dag, rows: Mapping[str, int],
                group_of: Mapping[str, str]) -> list[tuple[str, str, int]]:
    """(box, folder, top row) of each trunk of its own: the edges into a box from one
    folder's boxes share one line, from the row below the highest of them to the row
    above the box (unless it rides the bus)."""
    spans: list[tuple[str, str, int]] = []
    for n in dag.order:
        tops, counts = _tops(dag, n, rows, group_of)
        spans.extend((n, g, top) for g, top in sorted(tops.items())
                     if top + 1 < rows[n] and not rides_bus(rows[n] - top - 1, counts[g]))
    return spans


def _tops(dag: Dag, n: str, rows: Mapping[str, int],
          group_of: Mapping[str, str]) -> tuple[dict[str, int], dict[str, int]]:
    """For each folder of `n`'s dependents: the highest row among them, and how many."""
    tops: dict[str, int] = {}
    counts: dict[str, int] = {}
    for p in dag.up[n]:
        g = group_of[p]
        tops[g] = min(tops.get(g, rows[p]), rows[p])
        counts[g] = counts.get(g, 0) + 1
    return tops, counts


def extent(dag: Dag, rows: Mapping[str, int], widths: Mapping[str, float],
           group_of: Mapping[str, str], pad: float) -> tuple[float, float]:
    """About how wide and tall a drawing with these rows will be."""
    used: dict[tuple[int, str], float] = {}
    for n in dag.order:
        key = (rows[n], group_of[n])
        used[key] = used.get(key, 0.0) + widths[n] + NODE_GAP
    for n, g, top in trunk_spans(dag, rows, group_of):
        for r in range(top + 1, rows[n]):
            used[(r, g)] = used.get((r, g), 0.0) + LANE
    widest: dict[str, float] = {}
    for (_, g), w in used.items():
        widest[g] = max(widest.get(g, 0.0), w)
    width = 2 * MARGIN
    for g in sorted(widest):
        width += widest[g] + GROUP_GAP + 2 * pad
    return width, (max(rows.values(), default=0) + 1) * PITCH + 2 * MARGIN


def layer(dag: Dag, widths: Mapping[str, float], group_of: Mapping[str, str],
          pad: float) -> dict[str, int]:
    """The rows: as high as dependencies allow, wrapped when that is far wider than tall.

    A wrapped drawing's width follows the budget it is given and its height the inverse,
    so each trial scales the budget by the square root of how far the aspect missed."""
    height = heights(dag)
    free = free_rows(dag, height)
    width, tall = extent(dag, free, widths, group_of, pad)
    if width <= MAX_ASPECT * tall:
        return free
    content = _content(dag, free, widths, group_of)
    total = 0.0
    for g in sorted(content):
        total += content[g]
    budget = math.sqrt(WRAP_ASPECT * total * PITCH)
    widest = _widest(dag, widths, group_of)
    best = free
    for _ in range(WRAP_TRIALS):
        best = _wrapped(dag, free, height, widths, group_of,
                        _capacities(content, total, widest, budget))
        width, tall = extent(dag, best, widths, group_of, pad)
        if width <= MAX_ASPECT * tall:
            break
        budget *= min(WRAP_STEP, math.sqrt(WRAP_ASPECT * tall / width))
    return best


def _content(dag: Dag, rows: Mapping[str, int], widths: Mapping[str, float],
             group_of: Mapping[str, str]) -> dict[str, float]:
    """How much row width each folder's boxes and trunks take, all rows together."""
    found: dict[str, float] = {}
    for n in dag.order:
        found[group_of[n]] = found.get(group_of[n], 0.0) + widths[n] + NODE_GAP
    for n, g, top in trunk_spans(dag, rows, group_of):
        found[g] = found.get(g, 0.0) + LANE * (rows[n] - top - 1)
    return found


def _widest(dag: Dag, widths: Mapping[str, float],
            group_of: Mapping[str, str]) -> dict[str, float]:
    found: dict[str, float] = {}
    for n in dag.order:
        found[group_of[n]] = max(found.get(group_of[n], 0.0), widths[n] + NODE_GAP)
    return found


def _capacities(content: Mapping[str, float], total: float, widest: Mapping[str, float],
                budget: float) -> dict[str, float]:
    """How wide each folder's part of a row may be: `budget` shared by content."""
    return {g: max(widest[g], budget * content[g] / total) for g in content}


def _wrapped(dag: Dag, free: Mapping[str, int], height: Mapping[str, int],
             widths: Mapping[str, float], group_of: Mapping[str, str],
             caps: Mapping[str, float]) -> dict[str, int]:
    """Rows in which no folder's part is wider than its capacity (unless one box alone
    is): each box goes to the first row below all its dependents that has room, those with
    the longest way down first."""
    pending = {n: len(dag.up[n]) for n in dag.order}
    ready = [(free[n], -height[n], n) for n in dag.order if not pending[n]]
    heapq.heapify(ready)
    used: dict[tuple[int, str], float] = {}
    rows: dict[str, int] = {}
    while ready:
        start, _, n = heapq.heappop(ready)
        g = group_of[n]
        need = widths[n] + NODE_GAP
        r = start
        while used.get((r, g), 0.0) > 0.0 and used[(r, g)] + need > caps[g] + EPSILON:
            r += 1
        rows[n] = r
        used[(r, g)] = used.get((r, g), 0.0) + need
        _reserve_trunks(dag, n, rows, group_of, used)
        for c in dag.down[n]:
            pending[c] -= 1
            if not pending[c]:
                start = 1 + max(rows[p] for p in dag.up[c])
                heapq.heappush(ready, (start, -height[c], c))
    return compact(rows)


def _reserve_trunks(dag: Dag, n: str, rows: Mapping[str, int], group_of: Mapping[str, str],
                    used: dict[tuple[int, str], float]) -> None:
    """Count the room the trunks into `n` take in the rows they pass."""
    tops, counts = _tops(dag, n, rows, group_of)
    for g, top in tops.items():
        if rides_bus(rows[n] - top - 1, counts[g]):
            continue
        for r in range(top + 1, rows[n]):
            used[(r, g)] = used.get((r, g), 0.0) + LANE
