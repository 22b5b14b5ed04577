from __future__ import annotations

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.render.graphview import select
from orchestrator.render.layout import (
    MAX_ASPECT,
    Layout,
    NodeBox,
    components,
    compute_layout,
    node_width,
)
from orchestrator.render.svg import layout_of
from tests.render.helpers import synthetic_graph


def layout(names: list[str], edges: list[tuple[str, str]],
           groups: dict[str, str] | None = None) -> Layout:
    return compute_layout(names, edges, {n: node_width(n) for n in names}, groups)


def assert_no_overlap(result: Layout) -> None:
    rows: dict[int, list[tuple[float, float]]] = {}
    for box in result.nodes.values():
        rows.setdefault(box.row, []).append((box.left, box.left + box.width))
    for spans in rows.values():
        spans.sort()
        for (_, right), (left, _) in itertools.pairwise(spans):
            assert right <= left + 1e-6


Rect = tuple[float, float, float, float]  # left, top, right, bottom


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


def assert_edges_avoid_boxes(result: Layout) -> None:
    for edge in result.edges:
        for hull in segment_hulls(edge.d):
            for box in result.nodes.values():
                if box.name not in (edge.source, edge.target):
                    assert not crosses(hull, box), (edge.source, edge.target, box.name)


def test_dependencies_are_drawn_below_dependents() -> None:
    result = layout(["app", "lib", "base"], [("app", "lib"), ("lib", "base"), ("app", "base")])
    rows = {n: b.row for n, b in result.nodes.items()}
    assert rows == {"app": 0, "lib": 1, "base": 2}
    assert all(not e.upward for e in result.edges)
    assert len(result.edges) == 3


def test_a_leaf_sits_just_under_its_nearest_dependent() -> None:
    result = layout(["top", "mid", "low", "leaf"],
                    [("top", "mid"), ("mid", "low"), ("top", "leaf")])
    assert result.nodes["leaf"].row == 1


def test_cycles_share_a_layer_and_do_not_break_the_layout() -> None:
    result = layout(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "b"), ("c", "d")])
    rows = {n: b.row for n, b in result.nodes.items()}
    assert rows["b"] == rows["c"]
    assert rows["a"] < rows["b"] < rows["d"]
    assert sorted(e.upward for e in result.edges) == [False, False, True, True]


def test_components_number_dependencies_first() -> None:
    out = {"a": ["b"], "b": ["c"], "c": ["b"], "d": []}
    comp = components(["a", "b", "c", "d"], out)
    assert comp["b"] == comp["c"]
    assert comp["a"] > comp["b"]


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


graphs = st.integers(min_value=1, max_value=25).flatmap(
    lambda n: st.tuples(
        st.just([f"n{i}" for i in range(n)]),
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3 * n),
        st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n),
    )
)


@settings(max_examples=60, deadline=None)
@given(graphs)
def test_any_graph_lays_out_without_overlaps(data: tuple[list[str], list[tuple[int, int]],
                                                         list[str]]) -> None:
    names, pairs, folders = data
    edges = [(names[a], names[b]) for a, b in pairs if a != b]
    result = layout(names, edges, dict(zip(names, folders, strict=True)))
    assert set(result.nodes) == set(names)
    assert_no_overlap(result)
    assert_edges_avoid_boxes(result)
    for edge in result.edges:
        source, target = result.nodes[edge.source], result.nodes[edge.target]
        assert source.row < target.row or (edge.upward and source.row == target.row)


def test_long_edges_pass_between_boxes() -> None:
    names = ["top", "a", "b", "c", "bottom"]
    edges = [("top", "a"), ("a", "b"), ("b", "c"), ("c", "bottom"), ("top", "bottom")]
    result = layout(names, edges)
    (long,) = [e for e in result.edges if (e.source, e.target) == ("top", "bottom")]
    assert long.d.count("V") >= 3  # straight down through each of the three rows it passes
    assert_edges_avoid_boxes(result)


def test_example_monorepo_edges_avoid_boxes() -> None:
    from orchestrator.context import Project
    from tests.conftest import REPO_ROOT

    view = select(Project(REPO_ROOT).graph)
    for group in (True, False):
        assert_edges_avoid_boxes(layout_of(view, group=group))


def test_a_large_graph_wraps_its_layers_instead_of_growing_wide() -> None:
    result = layout_of(select(synthetic_graph(500)))
    assert result.width <= MAX_ASPECT * result.height * 1.1
    assert_no_overlap(result)
    assert_edges_avoid_boxes(result)
    for edge in result.edges:
        assert result.nodes[edge.source].row < result.nodes[edge.target].row or edge.upward

