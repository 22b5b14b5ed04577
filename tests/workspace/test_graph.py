from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestrator.errors import CycleError
from orchestrator.workspace.graph import PackageGraph
from orchestrator.workspace.model import ORDER_KINDS, Dependency, EdgeKind, Package


def pkg(name: str, *deps: tuple[str, EdgeKind] | str) -> Package:
    dependencies = tuple(
        Dependency(d, ">=1", "runtime") if isinstance(d, str) else Dependency(d[0], "", d[1])
        for d in deps
    )
    return Package(name=name, version="1.0", path=f"packages/{name}", kind="library",
                   dependencies=dependencies)


def diamond() -> PackageGraph:
    return PackageGraph([
        pkg("api", "auth", "db"),
        pkg("auth", "core"),
        pkg("db", "core", ("testing", "group")),
        pkg("core"),
        pkg("testing"),
    ])


def test_direct_and_transitive_neighbours() -> None:
    g = diamond()
    assert g.dependencies("api") == ["auth", "db"]
    assert g.dependents("core") == ["auth", "db"]
    assert g.all_dependents(["core"]) == {"auth", "db", "api"}
    assert g.all_dependencies(["api"]) == {"auth", "db", "core", "testing"}
    assert g.all_dependencies(["api"], ORDER_KINDS) == {"auth", "db", "core"}
    assert g.all_dependents(["testing"]) == {"db", "api"}
    assert g.all_dependents(["testing"], ORDER_KINDS) == set()


def test_edges_merge_kinds_and_specifiers() -> None:
    g = PackageGraph([
        pkg("a"),
        Package("b", "1", "b", "library", (Dependency("a", ">=1", "runtime"),
                                           Dependency("a", "==1.0", "build"))),
    ])
    (edge,) = g.edges()
    assert (edge.source, edge.target) == ("b", "a")
    assert edge.kinds == ("runtime", "build")
    assert dict(edge.specifiers) == {"runtime": ">=1", "build": "==1.0"}


def test_order_and_generations() -> None:
    g = diamond()
    assert g.generations(ORDER_KINDS, purpose="order") == [
        ["core", "testing"], ["auth", "db"], ["api"]]


def test_cycles_are_found_and_ordering_refuses_them() -> None:
    g = PackageGraph([pkg("a", "b"), pkg("b", "c"), pkg("c", "a"), pkg("d", ("a", "group")),
                      pkg("e", ("d", "group")), pkg("f", ("e", "runtime")),
                      ])
    assert g.cycles() == [["a", "b", "c"]]
    with pytest.raises(CycleError) as info:
        g.order(ORDER_KINDS, purpose="order the build")
    assert "a -> b (runtime) -> c (runtime) -> a (runtime)" in info.value.message
    assert g.all_dependents(["a"]) == {"a", "b", "c", "d", "e", "f"}


def test_shortest_dependent_path() -> None:
    g = diamond()
    assert g.dependent_paths(["core"], "api") == ["core", "auth", "api"]
    assert g.dependent_paths(["api"], "core") is None


def test_node_link_json_shape() -> None:
    data = diamond().node_link(affected={"api"})
    assert {"directed", "multigraph", "graph", "nodes", "edges"} <= set(data)
    node = next(n for n in data["nodes"] if n["id"] == "api")
    assert node["affected"] is True and node["kind"] == "library"
    edge = next(e for e in data["edges"] if e["source"] == "db" and e["target"] == "testing")
    assert edge["kinds"] == ["group"]


def test_subgraph_and_restriction() -> None:
    g = diamond()
    sub = g.subgraph(["api", "db", "core"])
    assert sub.names == ["api", "core", "db"]
    assert sub.dependencies("api") == ["db"]
    assert g.restricted({"group"}).edges()[0].target == "testing"


@st.composite
def dags(draw: st.DrawFn) -> PackageGraph:
    count = draw(st.integers(1, 12))
    names = [f"p{i:02d}" for i in range(count)]
    packages = []
    for i, name in enumerate(names):
        deps = draw(st.sets(st.sampled_from(names[:i]), max_size=3)) if i else set()
        packages.append(pkg(name, *sorted(deps)))
    return PackageGraph(packages)


@given(dags())
def test_order_respects_every_edge(graph: PackageGraph) -> None:
    order = graph.order(ORDER_KINDS, purpose="order")
    position = {name: i for i, name in enumerate(order)}
    assert sorted(order) == graph.names
    for edge in graph.edges():
        assert position[edge.target] < position[edge.source]
