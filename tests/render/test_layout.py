from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.render.layout import Layout, components, compute_layout, node_width


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
    for edge in result.edges:
        source, target = result.nodes[edge.source], result.nodes[edge.target]
        assert source.row < target.row or (edge.upward and source.row == target.row)
