"""Where each box of the layered drawing sits within its row.

An edge that spans several rows runs down a trunk: the edges into one box from one folder's
boxes share one line, with a point in each row it passes, so a hub used by hundreds of
packages costs one line per row, not hundreds. A trunk that would pass many more rows than
it carries edges rides its folder's bus instead (one line down the folder's column, shared
by all such trunks) and keeps only its own way out into its box: so the points, and the
work, stay linear in the edges however tall a wrapped drawing grows.
Barycenter sweeps order each row, folders kept together; x positions then follow each box's
neighbours, fitted by isotonic regression so that boxes keep their order and gaps while
staying as close as they can to where their edges pull them.

Boxes and trunk points are numbered (boxes first) and kept in lists, which is what keeps
this fast. `assets/layout.js` mirrors this module (see layering.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from orchestrator.render.layering import (
    GROUP_GAP,
    LANE_GAP,
    LANE_WIDTH,
    MARGIN,
    NODE_GAP,
    Dag,
    Edge,
    rides_bus,
)

SWEEPS = 6
X_SWEEPS = 5  # alternately towards the neighbours above and below; the last, both
MIN_SWEEPS = 3
WORK = 150_000  # links visited by all sweeps together, beyond which there are fewer of them


def sweeps(ranked: Ranked, most: int) -> int:
    """How many sweeps: `most` for any drawing a person reads box by box, fewer for
    thousands of packages, so that the cost stays linear in the links."""
    links = 0
    for others in ranked.down:
        links += len(others)
    return max(MIN_SWEEPS, min(most, WORK // max(links, 1)))


@dataclass(frozen=True)
class Trunk:
    """The shared line of the edges into box `target` from the boxes of one folder."""

    target: int
    first: int  # the number of its point in row `top` + 1; the others follow in order
    top: int  # the row of the highest box it serves
    bus: bool = False  # its points are its folder's bus': only the way out is its own


@dataclass(frozen=True)
class Bus:
    """A folder's bus: points in rows `top` to `top + count - 1`, numbered in order."""

    first: int
    top: int
    count: int


@dataclass(frozen=True)
class Ranked:
    """Boxes (numbers below `boxes`) and trunk points; every link spans one row."""

    boxes: int
    row: list[int]
    group: list[int]  # the rank of the folder, in sorted order
    width: list[float]
    down: list[list[int]]
    up: list[list[int]]
    trunks: list[Trunk]
    edges: list[tuple[int, int]]  # every drawn edge, (upper box, lower box)
    via: dict[tuple[int, int], int]  # drawn edge -> the index of the trunk it joins
    loops: list[tuple[int, int]]  # edges between two boxes of one row
    buses: list[Bus]


def expand(dag: Dag, rows: Mapping[str, int], widths: Mapping[str, float],
           group_of: Mapping[str, str], loops: Sequence[Edge] = ()) -> Ranked:
    """Number the boxes by name and add the trunk points: from the row below the highest
    dependent in a folder to the row above the box; each dependent joins in the row below
    its own, and one in the row right above the box links to it directly."""
    names = sorted(dag.order)
    number = {n: i for i, n in enumerate(names)}
    rank = {g: i for i, g in enumerate(sorted(set(group_of[n] for n in names)))}
    ranked = Ranked(len(names), [rows[n] for n in names], [rank[group_of[n]] for n in names],
                    [widths[n] for n in names], [[] for _ in names], [[] for _ in names],
                    [], [], {}, [(number[a], number[b]) for a, b in loops], [])
    riders: list[tuple[int, list[int], int, int]] = []  # trunks on a bus: target, parents...
    for n in dag.order:
        parents: dict[str, list[str]] = {}
        for p in dag.up[n]:
            parents.setdefault(group_of[p], []).append(p)
        for g in sorted(parents):
            found = [number[p] for p in parents[g]]
            top = min(ranked.row[p] for p in found)
            if rides_bus(ranked.row[number[n]] - top - 1, len(found)):
                riders.append((number[n], found, rank[g], top))
            else:
                _add_trunk(ranked, number[n], found, rank[g])
    _add_buses(ranked, riders)
    return ranked


def _add_trunk(ranked: Ranked, target: int, parents: Sequence[int], group: int) -> None:
    top = min(ranked.row[p] for p in parents)
    first = len(ranked.row)
    count = ranked.row[target] - top - 1
    if count > 0:
        ranked.trunks.append(Trunk(target, first, top))
        _add_points(ranked, top + 1, count, group)
        ranked.down[first + count - 1].append(target)
        ranked.up[target].append(first + count - 1)
    _join(ranked, target, parents, first, top)


def _add_points(ranked: Ranked, row: int, count: int, group: int) -> None:
    """A chain of `count` points, in rows from `row` down, each linked to the next."""
    first = len(ranked.row)
    ranked.row.extend(range(row, row + count))
    ranked.group.extend([group] * count)
    ranked.width.extend([LANE_WIDTH] * count)
    ranked.down.extend([[point + 1] for point in range(first, first + count - 1)])
    ranked.down.append([])
    ranked.up.append([])
    ranked.up.extend([[point] for point in range(first, first + count - 1)])


def _add_buses(ranked: Ranked, riders: Sequence[tuple[int, list[int], int, int]]) -> None:
    """One bus per folder, over the rows its riding trunks pass; each trunk leaves it in
    the row above its box."""
    for group in sorted({g for _, _, g, _ in riders}):
        mine = [r for r in riders if r[2] == group]
        low = min(top + 1 for _, _, _, top in mine)
        high = max(ranked.row[target] - 1 for target, _, _, _ in mine)
        bus = Bus(len(ranked.row), low, high - low + 1)
        ranked.buses.append(bus)
        _add_points(ranked, low, bus.count, group)
        for target, parents, _, top in mine:
            first = bus.first + top + 1 - low
            ranked.trunks.append(Trunk(target, first, top, bus=True))
            last = first + ranked.row[target] - top - 2
            ranked.down[last].append(target)
            ranked.up[target].append(last)
            _join(ranked, target, parents, first, top)


def _join(ranked: Ranked, target: int, parents: Sequence[int], first: int, top: int) -> None:
    """Link each parent to `target`: directly from the row above it, else into the trunk
    (the one just added) in the row below its own."""
    for p in parents:
        ranked.edges.append((p, target))
        if ranked.row[p] + 1 == ranked.row[target]:
            _link(ranked, p, target)
        else:
            ranked.via[(p, target)] = len(ranked.trunks) - 1
            _link(ranked, p, first + ranked.row[p] - top)


def _link(ranked: Ranked, upper: int, lower: int) -> None:
    ranked.down[upper].append(lower)
    ranked.up[lower].append(upper)


def order_rows(ranked: Ranked) -> list[list[int]]:
    """Each row left to right: folders kept together, barycenter sweeps down and up."""
    rows: list[list[int]] = [[] for _ in range(max(ranked.row, default=-1) + 1)]
    for n, r in enumerate(ranked.row):
        rows[r].append(n)
    group = ranked.group
    pos = [0.0] * len(ranked.row)
    for row in rows:
        row.sort(key=group.__getitem__)
        _number(row, pos)
    centre = [0.0] * len(ranked.row)
    for sweep in range(sweeps(ranked, SWEEPS)):
        down = sweep % 2 == 0
        near = ranked.up if down else ranked.down
        for r in range(1, len(rows)) if down else range(len(rows) - 2, -1, -1):
            row = rows[r]
            for n in row:
                others = near[n]
                if others:
                    total = 0.0
                    for m in others:
                        total += pos[m]
                    centre[n] = total / len(others)
                else:
                    centre[n] = pos[n]
            row.sort(key=lambda n: (group[n], centre[n], pos[n]))
            _number(row, pos)
    return rows


def _number(row: Sequence[int], pos: list[float]) -> None:
    """Each node's place in its row as a fraction, comparable between rows of any length."""
    for i, n in enumerate(row):
        pos[n] = (i + 0.5) / len(row)


def segments(row: Sequence[int], group: Sequence[int]) -> list[list[int]]:
    """The row cut into its folders' runs (each folder is one run: rows are sorted so)."""
    runs: list[list[int]] = []
    for n in row:
        if runs and group[runs[-1][0]] == group[n]:
            runs[-1].append(n)
        else:
            runs.append([n])
    return runs


def _gaps(run: Sequence[int], boxes: int) -> list[float]:
    """The room before each node of a run (none before the first)."""
    return [0.0] + [NODE_GAP if a < boxes and b < boxes else LANE_GAP
                    for a, b in itertools.pairwise(run)]


def _span(run: Sequence[int], ranked: Ranked) -> float:
    total = 0.0
    for n, gap in zip(run, _gaps(run, ranked.boxes), strict=True):
        total += gap + ranked.width[n]
    return total


def columns(rows: Sequence[Sequence[int]], ranked: Ranked, pad: float) -> list[tuple[float, float]]:
    """Each folder's horizontal extent, by rank: wide enough for its widest row."""
    need = [0.0] * (max(ranked.group, default=-1) + 1)
    for row in rows:
        for run in segments(row, ranked.group):
            offsets = _offsets(run, ranked)
            span = offsets[-1] + (ranked.width[run[0]] + ranked.width[run[-1]]) / 2
            need[ranked.group[run[0]]] = max(need[ranked.group[run[0]]], span)
    found = []
    left = MARGIN + pad
    for width in need:
        found.append((left, left + width))
        left += width + GROUP_GAP + 2 * pad
    return found


def _offsets(run: Sequence[int], ranked: Ranked) -> list[float]:
    """How far each node's centre must at least be from the first's."""
    width = ranked.width
    offsets = [0.0]
    for a, b in itertools.pairwise(run):
        gap = NODE_GAP if a < ranked.boxes and b < ranked.boxes else LANE_GAP
        offsets.append(offsets[-1] + width[a] / 2 + gap + width[b] / 2)
    return offsets


@dataclass(frozen=True)
class _Run:
    """One folder's part of a row, with what fitting it needs that never changes."""

    nodes: list[int]
    offsets: list[float]
    low: float  # the least and greatest centre of its first node
    high: float


def assign_x(rows: Sequence[Sequence[int]], ranked: Ranked,
             cols: Sequence[tuple[float, float]]) -> list[float]:
    """Centres that keep each row's order within its folder's column, pulled towards the
    mean of each node's neighbours above (sweeping down), below (sweeping up), and at last
    both, so that edges run as straight as the order allows."""
    runs = [[_run(nodes, ranked, cols) for nodes in segments(row, ranked.group)]
            for row in rows]
    x = [0.0] * len(ranked.row)
    for row_runs in runs:
        for run in row_runs:
            start = (run.low + run.high) / 2
            for n, offset in zip(run.nodes, run.offsets, strict=True):
                x[n] = start + offset
    both = [u + d for u, d in zip(ranked.up, ranked.down, strict=True)]
    count = sweeps(ranked, X_SWEEPS)
    for sweep in range(count):
        down = sweep % 2 == 0
        near = both if sweep == count - 1 else ranked.up if down else ranked.down
        for row_runs in runs if down else runs[::-1]:
            for run in row_runs:
                _fit(run, near, x)
    return x


def _run(nodes: list[int], ranked: Ranked, cols: Sequence[tuple[float, float]]) -> _Run:
    offsets = _offsets(nodes, ranked)
    lo, hi = cols[ranked.group[nodes[0]]]
    return _Run(nodes, offsets, lo + ranked.width[nodes[0]] / 2,
                hi - ranked.width[nodes[-1]] / 2 - offsets[-1])


def _fit(run: _Run, near: Sequence[Sequence[int]], x: list[float]) -> None:
    """Move the run's nodes as close (least squares) to the mean x of their `near`
    neighbours as their order, gaps and column allow. Less each node's offset from the
    first, the positions must not decrease: isotonic regression, by pooling adjacent
    violators; then the run is clamped into its column."""
    sums: list[float] = []
    counts: list[int] = []
    for n, offset in zip(run.nodes, run.offsets, strict=True):
        others = near[n]
        if others:
            total = 0.0
            for m in others:
                total += x[m]
            total = total / len(others) - offset
        else:
            total = x[n] - offset
        count = 1
        while sums and sums[-1] * count > total * counts[-1]:
            total += sums.pop()
            count += counts.pop()
        sums.append(total)
        counts.append(count)
    i = 0
    for total, count in zip(sums, counts, strict=True):
        value = min(max(total / count, run.low), run.high)
        for _ in range(count):
            x[run.nodes[i]] = value + run.offsets[i]
            i += 1
