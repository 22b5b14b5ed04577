from __future__ import annotations

import pytest

from orchestrator.changes.affected import Reason
from orchestrator.errors import OrchestratorError
from orchestrator.render.graphview import box_folders, folder_of, select, state_of, tree_roots
from tests.render.helpers import affected_result, make_graph, package


def test_select_everything_keeps_every_package_and_edge() -> None:
    graph = make_graph()
    view = select(graph)
    assert view.names == graph.names
    assert len(view.graph.edges()) == len(graph.edges())
    assert not view.show_affected


def test_focus_takes_dependencies_and_dependents_within_depth() -> None:
    view = select(make_graph(), focus=["db"], depth=1)
    assert view.names == ["api", "core", "db", "testkit"]
    assert view.focus == ("db",)


def test_focus_reverse_takes_only_dependents() -> None:
    view = select(make_graph(), focus=["core"], reverse=True, depth=1)
    assert view.names == ["core", "db", "plugin", "util"]


def test_focus_names_are_normalised() -> None:
    assert select(make_graph(), focus=["DB"], depth=0).names == ["db"]


def test_unknown_focus_names_the_package() -> None:
    with pytest.raises(OrchestratorError, match="'nope'"):
        select(make_graph(), focus=["nope"])


def test_depth_without_focus_counts_from_the_top() -> None:
    view = select(make_graph(), depth=1)
    assert view.names == ["api", "db", "plugin", "util"]


def test_kind_filter_drops_edges_not_packages() -> None:
    view = select(make_graph(), kinds=["runtime"])
    assert view.names == make_graph().names
    assert {(e.source, e.target) for e in view.graph.edges()} == {
        ("util", "core"), ("db", "core"), ("api", "db"), ("api", "util")}


def test_affected_marks_states_and_only_affected_drops_the_rest() -> None:
    graph = make_graph()
    result = affected_result(graph, {"util": ["packages/util/x.py"]})
    view = select(graph, affected=result)
    assert view.state("util") == "changed"
    assert view.state("api") == "dependency"
    assert view.state("core") is None
    assert view.names == graph.names
    only = select(graph, affected=result, only_affected=True)
    assert only.names == ["api", "plugin", "util"]


def test_state_prefers_changed_then_global_then_dependency() -> None:
    assert state_of([Reason("dependency", via="x"), Reason("changed-files", files=("f",))]) \
        == "changed"
    assert state_of([Reason("dependency", via="x"), Reason("lockfile")]) == "global"
    assert state_of([Reason("removed-dependency", via="x")]) == "dependency"


def test_tree_roots_cover_cycles_nothing_else_reaches() -> None:
    graph = make_graph({"a": ("a", [("b", "runtime", "")]), "b": ("b", [("a", "runtime", "")]),
                        "c": ("c", [])})
    assert tree_roots(graph) == ["c", "a"]
    assert tree_roots(graph, reverse=True) == ["c", "a"]


def test_folders_are_parent_directories() -> None:
    assert folder_of("packages/http-client") == "packages"
    assert folder_of("packages/team/a") == "packages/team"
    assert folder_of("core") == ""
    assert folder_of(".") == ""
    view = select(make_graph())
    assert view.groups() == {"packages": ["core", "db", "plugin", "testkit", "util"],
                             "services": ["api"]}
    assert package("x", "services/x").kind == "service"


def test_a_folder_of_one_package_is_drawn_in_the_box_above() -> None:
    folders = {f"lib-{i}": f"libs/l{i:04d}" for i in range(3)}
    folders |= {"core": "", "solo": "tools", "deep": "a/b/c", "deep2": "a/d", "app": "apps/x",
                "app2": "apps/x"}
    assert box_folders(folders) == {
        "lib-0": "libs", "lib-1": "libs", "lib-2": "libs",  # one each: their parent's box
        "core": "", "solo": "tools",  # the top level keeps its box even for one package
        "deep": "a", "deep2": "a",  # up to the nearest folder that holds two
        "app": "apps/x", "app2": "apps/x"}
