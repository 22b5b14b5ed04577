from __future__ import annotations

import re

from orchestrator.render.graphview import select
from orchestrator.render.mermaid import MAX_EDGES, MAX_TEXT, label, node_ids, render_mermaid
from orchestrator.workspace.graph import PackageGraph
from tests.render.helpers import affected_result, make_graph, package, synthetic_graph


def edge_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.search(r"-->|-\.->", line)]


def test_ids_never_clash_with_keywords_or_each_other() -> None:
    ids = node_ids(["end", "graph", "1password", "pkg-end", "a.b", "a-b", "subgraph"])
    assert ids["end"] == "pkg_end"
    assert ids["pkg-end"] == "pkg_end_2"
    assert ids["1password"] == "pkg_1password"
    assert ids["subgraph"] == "pkg_subgraph"
    assert len(set(ids.values())) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", i) for i in ids.values())


def test_labels_are_entity_escaped() -> None:
    assert label('a "b" <c> & #d') == "a #34;b#34; #60;c#62; #38; #35;d"


def test_flowchart_of_the_example() -> None:
    text = render_mermaid(select(make_graph()))
    assert text.startswith("flowchart TB\n")
    assert '  subgraph grp_2["services/"]' in text
    assert "  db -.->|\"group\"| testkit" in text
    assert "  api --> db" in text
    assert "  class api service" in text
    assert len(edge_lines(text)) == len(make_graph().edges())


def test_only_affected_marks_the_changed_packages() -> None:
    graph = make_graph()
    result = affected_result(graph, {"util": ["packages/util/x.py"]})
    text = render_mermaid(select(graph, affected=result, only_affected=True))
    assert "classDef changed" in text and "  class util changed" in text
    assert "  class api,plugin dependency" in text
    assert "core" not in text and "testkit" not in text


def test_hostile_names_are_safe() -> None:
    graph = PackageGraph([package("end", "packages/end", [("b", "runtime", "")]),
                          package("b", 'packages/"q"<x>/b')])
    text = render_mermaid(select(graph))
    assert "pkg_end --> b" in text
    assert '"' not in text.split('subgraph grp_1["', 1)[1].split('"]', 1)[0]


def test_package_ids_never_clash_with_group_ids() -> None:
    graph = PackageGraph([package("grp-0", "packages/a"), package("col-x", "libs/b"),
                          package("grp-1", "packages/c")])
    text = render_mermaid(select(graph))
    ids = [line.split("[", 1)[0].split()[-1] for line in text.splitlines() if "[" in line]
    assert len(ids) == len(set(ids)), text
    assert "pkg_grp_0" in ids and "pkg_col_x" in ids


def test_large_graphs_collapse_folders_until_within_limits() -> None:
    graph = synthetic_graph(600, folders=12)
    assert len(graph.edges()) > MAX_EDGES
    text = render_mermaid(select(graph))
    assert len(text) <= MAX_TEXT
    assert len(edge_lines(text)) <= MAX_EDGES
    assert "classDef folder" in text and " packages, " not in text
    assert re.search(r'\["packages/team-\d\d/<br/><small>\d+ packages</small>"\]', text)
    assert '["pkg-' in text  # folders that fit are still drawn package by package


def test_collapsed_folders_keep_the_affected_count() -> None:
    graph = synthetic_graph(600, folders=12)
    result = affected_result(graph, {"pkg-0001": ["f"]})
    text = render_mermaid(select(graph, affected=result))
    assert len(text) <= MAX_TEXT and len(edge_lines(text)) <= MAX_EDGES
    assert re.search(r"\d+ packages, \d+ affected</small>", text)


def test_empty_selection_still_renders() -> None:
    graph = make_graph()
    result = affected_result(graph, {})
    assert "no packages to show" in render_mermaid(select(graph, affected=result,
                                                          only_affected=True))
