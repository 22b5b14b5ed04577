from __future__ import annotations

import itertools
import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.render.graphview import select
from orchestrator.render.layering import (
    MAX_ASPECT,
    ROWS_PER_EDGE,
    SHORT_ROWS,
    components,
    layer,
    orient,
)
from orchestrator.render.layout import Layout, NodeBox, compute_layout, node_width
from orchestrator.render.placement import expand
from orchestrator.render.svg import layout_of, meta_line
from tests.render.helpers import synthetic_graph

Rect = tuple[float, float, float, float]  # left, top, right, bottom


def layout(names: list[str], edges: list[tuple[str, str]],
           groups: dict[str, str] | None = None,
           weak: list[tuple[str, str]] | None = None) -> Layout:
    return compute_layout(names, edges, {n: node_width(n) for n in names}, groups, weak or ())


def rows(result: Layout) -> dict[str, int]:
    return {n: b.row for n, b in result.nodes.items()}


def assert_no_overlap(result: Layout) -> None:
    by_row: dict[int, list[tuple[float, float]]] = {}
    for box in result.nodes.values():
        by_row.setdefault(box.row, []).append((box.left, box.left + box.width))
    for spans in by_row.values():
        spans.sort()
        for (_, right), (left, _) in itertools.pairwise(spans):
            assert right <= left + 1e-6


def segment_hulls(d: str) -> list[Rect]:
    """The bounding box of each segment's control points: a Bézier curve never leaves the
    hull of its control points, so a box clear of this rectangle is clear of the curve."""
    hulls: list[Rect] = []
    x = y = 0.0
    for command, args in re.findall(r"([MCVL])([^MCVL]*)", d):
        values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = values
            continue
        points = [(x, y)]
        if command == "V":
            points.append((x, values[0]))
        else:
            points += list(zip(values[::2], values[1::2], strict=True))
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        hulls.append((min(xs), min(ys), max(xs), max(ys)))
        x, y = points[-1]
    return hulls


def crosses(hull: Rect, box: NodeBox, slack: float = 0.5) -> bool:
    left, top, right, bottom = hull
    return (left < box.left + box.width - slack and right > box.left + slack
            and top < box.top + box.height - slack and bottom > box.top + slack)


def assert_lines_avoid_boxes(result: Layout) -> None:
    """No edge, trunk or loop passes over a box other than the ones it connects."""
    lines = [(e.d, {e.source, e.target}) for e in result.edges]
    lines += [(t.d, {t.target}) for t in result.trunks]
    lines += [(d, set()) for d in result.buses]
    for d, ends in lines:
        for hull in segment_hulls(d):
            for box in result.nodes.values():
                if box.name not in ends:
                    assert not crosses(hull, box), (d, box.name)


def assert_edges_point_the_right_way(result: Layout) -> None:
    """Drawn downwards, unless closing a cycle (upwards, or within a row)."""
    for edge in result.edges:
        source, target = result.nodes[edge.source], result.nodes[edge.target]
        if edge.loop:
            assert source.row == target.row
        elif edge.upward:
            assert target.row < source.row
        else:
            assert source.row < target.row


def test_dependencies_are_drawn_below_dependents() -> None:
    result = layout(["app", "lib", "base"], [("app", "lib"), ("lib", "base"), ("app", "base")])
    assert rows(result) == {"app": 0, "lib": 1, "base": 2}
    assert not any(e.upward or e.mutual or e.loop for e in result.edges)
    assert len(result.edges) == 3


def test_a_leaf_sits_just_under_its_nearest_dependent() -> None:
    result = layout(["top", "mid", "low", "leaf"],
                    [("top", "mid"), ("mid", "low"), ("top", "leaf")])
    assert result.nodes["leaf"].row == 1


def test_a_cycle_is_broken_at_its_weak_edge() -> None:
    """core's `[all]` extra names the plugin that needs core: the extra is drawn upwards,
    and the pair is one line with a head at each end."""
    names = ["app", "core", "plugin"]
    edges = [("app", "core"), ("plugin", "core"), ("core", "plugin")]
    result = layout(names, edges, weak=[("core", "plugin")])
    assert result.nodes["plugin"].row < result.nodes["core"].row
    (pair,) = [e for e in result.edges if {e.source, e.target} == {"core", "plugin"}]
    assert pair.mutual and (pair.source, pair.target) == ("plugin", "core")
    flipped = layout(names, edges, weak=[("plugin", "core")])
    assert flipped.nodes["core"].row < flipped.nodes["plugin"].row


def test_an_edge_against_the_order_is_drawn_upwards() -> None:
    result = layout(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "a")], weak=[("c", "a")])
    assert rows(result) == {"a": 0, "b": 1, "c": 2}
    (back,) = [e for e in result.edges if e.upward]
    assert (back.source, back.target) == ("c", "a")
    assert_edges_point_the_right_way(result)


def hub(count: int) -> tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]:
    """A core every integration needs, whose `[all]` extra names every integration."""
    names = ["core"] + [f"integration-{i:02d}" for i in range(1, count)]
    needs = [(n, "core") for n in names[1:]]
    extra = [("core", n) for n in names[1:]]
    return names, needs + extra, extra


def test_a_hub_on_a_cycle_is_a_compact_block_not_one_wide_row() -> None:
    names, edges, extra = hub(40)
    result = layout(names, edges, weak=extra)
    assert result.width <= MAX_ASPECT * result.height
    below = {n: result.nodes[n].row < result.nodes["core"].row for n in names[1:]}
    assert all(below.values())
    assert len({b.row for b in result.nodes.values()}) >= 4
    assert len(result.trunks) == 1  # the integrations reach core by one shared line
    assert_no_overlap(result)
    assert_lines_avoid_boxes(result)


def test_a_dense_ring_of_mutual_users_is_a_block_not_a_column() -> None:
    names = [f"area-{i:02d}" for i in range(13)]
    result = layout(names, [(a, b) for a in names for b in names if a != b])
    height = len({b.row for b in result.nodes.values()})
    assert height <= 4
    assert any(e.loop for e in result.edges)
    assert result.width <= MAX_ASPECT * result.height * 1.5
    assert_no_overlap(result)
    assert_lines_avoid_boxes(result)
    assert_edges_point_the_right_way(result)


def test_components_number_dependencies_first() -> None:
    out = {"a": ["b"], "b": ["c"], "c": ["b"], "d": []}
    comp = components(["a", "b", "c", "d"], out)
    assert comp["b"] == comp["c"]
    assert comp["a"] > comp["b"]
    assert len(set(comp.values())) == 3


def test_layout_is_deterministic_whatever_the_input_order() -> None:
    names = [f"p{i}" for i in range(30)]
    edges = [(f"p{i}", f"p{j}") for i in range(30) for j in range(i) if (i * j) % 7 == 1]
    assert layout(names, edges) == layout(list(reversed(names)), list(reversed(edges)))


def test_folder_boxes_hold_their_packages_and_never_overlap() -> None:
    names = ["s1", "s2", "a", "b", "c"]
    groups = {"s1": "services", "s2": "services", "a": "packages", "b": "packages",
              "c": "packages"}
    result = layout(names, [("s1", "a"), ("s2", "b"), ("a", "c"), ("b", "c")], groups)
    boxes = {g.name: g for g in result.groups}
    assert set(boxes) == {"packages", "services"}
    for box in result.nodes.values():
        group = boxes[box.group]
        assert group.x <= box.left and box.left + box.width <= group.x + group.width
        assert group.y <= box.top and box.top + box.height <= group.y + group.height
    left, right = sorted(boxes.values(), key=lambda g: g.x)
    assert left.x + left.width < right.x
    assert result.width >= right.x + right.width


def test_long_edges_into_one_box_share_a_trunk() -> None:
    names = ["top", "a", "b", "c", "bottom", "side"]
    edges = [("top", "a"), ("a", "b"), ("b", "c"), ("c", "bottom"), ("top", "bottom"),
             ("side", "a"), ("a", "bottom")]
    result = layout(names, edges)
    (trunk,) = result.trunks
    assert trunk.target == "bottom"
    assert trunk.d.count("V") >= 2  # straight down through each row it passes
    riders = {(e.source, e.target) for e in result.edges if e.trunk == 0}
    assert riders == {("top", "bottom"), ("a", "bottom")}
    assert_lines_avoid_boxes(result)


def test_trunk_points_stay_linear_in_the_edges() -> None:
    """A trunk passes at most SHORT_ROWS rows or ROWS_PER_EDGE rows per edge it carries;
    longer ones ride one bus per folder: so points are linear in the edges, however tall
    the wrapped drawing."""
    view = select(synthetic_graph(1500, folders=3))
    names = view.names
    edges = [(e.source, e.target) for e in view.graph.edges()]
    widths = {n: node_width(n, meta_line(view, n)) for n in names}
    groups = {n: view.folder(n) for n in names}
    dag = orient(names, edges, ())
    ranked = expand(dag, layer(dag, widths, groups, 14.0), widths, groups)
    riders = Counter(ranked.via.values())
    own = [(k, t) for k, t in enumerate(ranked.trunks) if not t.bus]
    for k, trunk in own:
        passed = ranked.row[trunk.target] - trunk.top - 1
        assert passed <= max(SHORT_ROWS, ROWS_PER_EDGE * riders[k])
    assert ranked.buses and len(ranked.buses) <= len(set(groups.values()))
    points = len(ranked.row) - ranked.boxes
    bus_points = sum(b.count for b in ranked.buses)
    assert points - bus_points <= SHORT_ROWS * len(own) + ROWS_PER_EDGE * len(edges)
    result = compute_layout(names, edges, widths, groups)
    assert len(result.buses) == len(ranked.buses)
    assert_lines_avoid_boxes(result)
    for trunk in result.trunks:  # a trunk on the bus draws only its way out: one curve
        assert not trunk.bus or trunk.d.count("C") + trunk.d.count("V") == 1


graphs = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(
        st.just([f"n{i}" for i in range(n)]),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
        st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=3 * n, max_size=3 * n),
    )
)


@settings(max_examples=80, deadline=None)
@given(graphs)
def test_any_graph_lays_out_without_overlaps(
        data: tuple[list[str], list[tuple[int, int]], list[str], list[bool]]) -> None:
    names, pairs, folders, weak = data
    edges = [(names[a], names[b]) for a, b in pairs if a != b]
    result = layout(names, edges, dict(zip(names, folders, strict=True)),
                    [e for e, w in zip(edges, weak, strict=False) if w])
    assert set(result.nodes) == set(names)
    drawn = {(e.source, e.target) for e in result.edges}
    drawn |= {(e.target, e.source) for e in result.edges if e.mutual}
    assert drawn == set(edges)  # every edge, once
    assert_no_overlap(result)
    assert_lines_avoid_boxes(result)
    assert_edges_point_the_right_way(result)


def test_example_monorepo_lines_avoid_boxes() -> None:
    from orchestrator.context import Project
    from tests.conftest import REPO_ROOT

    view = select(Project(REPO_ROOT).graph)
    for group in (True, False):
        assert_lines_avoid_boxes(layout_of(view, group=group))


def test_a_large_graph_wraps_its_rows_instead_of_growing_wide() -> None:
    result = layout_of(select(synthetic_graph(500)))
    assert result.width <= MAX_ASPECT * result.height
    assert_no_overlap(result)
    assert_lines_avoid_boxes(result)
    assert_edges_point_the_right_way(result)
