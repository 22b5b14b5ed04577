from __future__ import annotations

from orchestrator.render.graphview import select
from orchestrator.render.tree import render_tree
from tests.render.helpers import affected_result, make_graph


def test_plain_tree_of_dependencies() -> None:
    text = render_tree(select(make_graph()))
    assert "\x1b[" not in text
    lines = text.splitlines()
    assert lines[0] == "api 1.0.0 service"
    assert "├── db 1.0.0  runtime >=1.4" in lines[1]
    assert any("testkit 1.0.0  group" in line for line in lines)
    assert any(line.endswith("util 1.0.0  runtime (*)") for line in lines)


def test_colours_only_when_asked() -> None:
    assert "\x1b[" in render_tree(select(make_graph()), color=True)


def test_reverse_shows_dependents() -> None:
    text = render_tree(select(make_graph(), focus=["core"], reverse=True, depth=1))
    assert text.splitlines() == [
        "core 1.0.0",
        "├── db 1.0.0  runtime >=1.2,<2",
        "├── plugin 1.0.0  build",
        "└── util 1.0.0  runtime >=1.0",
    ]


def test_cycles_are_marked_where_they_close() -> None:
    graph = make_graph({"a": ("a", [("b", "runtime", "")]), "b": ("b", [("a", "runtime", "")])})
    assert render_tree(select(graph)).splitlines() == [
        "a 1.0.0", "└── b 1.0.0  runtime", "    └── a 1.0.0  runtime (cycle)"]


def test_affected_reasons_are_shown() -> None:
    graph = make_graph()
    text = render_tree(select(graph, affected=affected_result(graph, {"db": ["a", "b"]})))
    assert "api 1.0.0 service  affected via db" in text
    assert "db 1.0.0  runtime >=1.4  changed (2 files)" in text


def test_nothing_to_show() -> None:
    graph = make_graph()
    view = select(graph, affected=affected_result(graph, {}), only_affected=True)
    assert render_tree(view) == "no packages to show"
