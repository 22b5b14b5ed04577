from __future__ import annotations

import re

import pytest

from orchestrator.render.chart import ancestors
from orchestrator.render.graphview import GraphView, select
from orchestrator.render.markdown import render_markdown
from orchestrator.render.mermaid import MAX_EDGES, MAX_TEXT, label, node_ids, render_mermaid
from orchestrator.workspace.graph import PackageGraph
from tests.render.helpers import (
    affected_result,
    libs_graph,
    make_graph,
    package,
    synthetic_graph,
)


def edge_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if re.search(r"-->|-\.->", line)]


def node_lines(text: str) -> dict[str, str]:
    """id -> label of every box."""
    return dict(re.findall(r'^\s+(\w+)\["(.*)"\]$', text, re.MULTILINE))


def assert_within_limits(text: str) -> None:
    assert len(text) <= MAX_TEXT
    assert len(edge_lines(text)) <= MAX_EDGES


def changed_view(graph: PackageGraph, changed: str, only: bool = True) -> GraphView:
    return select(graph, affected=affected_result(graph, {changed: ["f"]}), only_affected=only)


def test_ids_never_clash_with_keywords_or_each_other() -> None:
    ids = node_ids(["end", "graph", "1password", "pkg-end", "a.b", "a-b", "subgraph"])
    assert ids["end"] == "pkg_end"
    assert ids["pkg-end"] == "pkg_end_2"
    assert ids["1password"] == "pkg_1password"
    assert ids["subgraph"] == "pkg_subgraph"
    assert len(set(ids.values())) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", i) for i in ids.values())


@pytest.mark.parametrize("name", ["constructor", "__proto__", "toString", "valueOf",
                                  "hasOwnProperty", "__defineGetter__"])
def test_ids_are_never_javascript_property_names(name: str) -> None:
    ident = node_ids([name])[name]
    assert ident.startswith("pkg_")
    graph = PackageGraph([package(name, "packages/x"),
                          package("b", "packages/b", [(name, "runtime", "")])])
    text = render_mermaid(select(graph))
    assert f"b --> {ident}" in text


def test_labels_are_entity_escaped() -> None:
    assert label('a "b" <c> & #d') == "a #34;b#34; #60;c#62; #38; #35;d"


def test_flowchart_of_the_example() -> None:
    text = render_mermaid(select(make_graph()))
    assert text.startswith("flowchart TB\n")
    assert '  subgraph grp_1["services/"]' in text
    assert "  db -.->|\"group\"| testkit" in text
    assert "  api --> db" in text
    assert "  class api service" in text
    assert len(edge_lines(text)) == len(make_graph().edges())
    assert "%%" not in text  # nothing closed, nothing to list


def test_only_affected_marks_the_changed_packages() -> None:
    graph = make_graph()
    result = affected_result(graph, {"util": ["packages/util/x.py"]})
    text = render_mermaid(select(graph, affected=result, only_affected=True))
    assert "classDef changed" in text and "  class util changed" in text
    assert "  class api,plugin dependency" in text
    assert "core" not in text and "testkit" not in text


def test_hostile_names_are_safe() -> None:
    graph = PackageGraph([package("end", "packages/end", [("b", "runtime", "")]),
                          package("b", 'odd"q"<x>/b')])
    text = render_mermaid(select(graph))
    assert "pkg_end --> b" in text
    assert '"' not in text.split('subgraph grp_1["', 1)[1].split('"]', 1)[0]


def test_package_ids_never_clash_with_group_folder_or_note_ids() -> None:
    graph = PackageGraph([package("grp-0", "packages/a"), package("col-x", "libs/b"),
                          package("note-more", "packages/c")])
    text = render_mermaid(select(graph))
    ids = [line.split("[", 1)[0].split()[-1] for line in text.splitlines() if "[" in line]
    assert len(ids) == len(set(ids)), text
    assert {"pkg_grp_0", "pkg_col_x", "pkg_note_more"} <= set(ids)


def test_large_graphs_close_folders_from_the_top_down() -> None:
    graph = synthetic_graph(600, folders=12)
    assert len(graph.edges()) > MAX_EDGES
    text = render_mermaid(select(graph))
    assert_within_limits(text)
    closed = re.findall(r'\["(packages/team-\d\d)/<br/><small>(\d+) packages</small>"\]', text)
    assert closed
    assert '["pkg-' in text  # folders that fit are still drawn package by package
    for folder, count in closed:  # each closed folder's names follow as a comment
        line = next(x for x in text.splitlines() if x.startswith(f"%% {folder}/ "))
        assert line.count(", ") + 1 == int(count)


def test_collapsed_folders_keep_the_affected_count() -> None:
    graph = synthetic_graph(600, folders=12)
    text = render_mermaid(changed_view(graph, "pkg-0001", only=False))
    assert_within_limits(text)
    assert re.search(r"\d+ packages, \d+ affected</small>", text)
    assert '["pkg-0001<br/>' in text  # the changed package keeps its name


@pytest.mark.parametrize("count", [200, 700])
def test_one_package_per_folder_with_core_changed_fits(count: int) -> None:
    """The shape that once gave 597 edges and `libs/l0000/ · 1 packages` boxes."""
    text = render_mermaid(changed_view(libs_graph(count), "core"))
    assert_within_limits(text)
    assert "l0001" not in text.split("%%")[0]  # no box of one package's folder
    assert re.search(rf'col_libs\["libs/<br/><small>{count - 1} packages, {count - 1} affected',
                     text)
    assert '  core["core<br/>' in text and "  class core changed" in text
    names = text.split("\n%% libs/ ", 1)[1].split(": ", 1)[1]
    assert names.split(", ")[:2] == ["lib-0001", "lib-0002"]


def test_when_folders_cannot_help_the_rest_is_a_note() -> None:
    """Seven hundred top-level folders of one package: nothing to close, so the changed
    package and as many of its direct dependents as fit are drawn, and a note says how many
    more are affected."""
    text = render_mermaid(changed_view(libs_graph(700, flat=True), "core"))
    assert_within_limits(text)
    boxes = node_lines(text)
    assert "core" in boxes
    note = re.fullmatch(r"\+(\d+) more affected", boxes["note_more"])
    assert note
    shown = [i for i in boxes if i.startswith("lib_")]
    assert len(shown) + int(note.group(1)) == 699
    assert len(shown) > 50
    assert f"%% +{note.group(1)} more affected (" in text


def test_names_are_cut_short_at_the_limit_and_markdown_lists_them_all() -> None:
    graph = libs_graph(5000)
    view = changed_view(graph, "core")
    text = render_mermaid(view)
    assert_within_limits(text)
    assert "more (--format markdown lists all)" in text
    markdown = render_markdown(view)
    assert len(markdown) <= 65_000
    assert "4999 packages not named in the chart" in markdown
    assert markdown.startswith("```mermaid\nflowchart TB\n")


def test_markdown_wraps_the_chart_with_a_names_table() -> None:
    view = changed_view(libs_graph(200), "core")
    markdown = render_markdown(view)
    chart = markdown.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert "%%" not in chart
    assert "| box | packages |" in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| libs/"))
    assert row.startswith("| libs/ (199 packages, 199 affected) | lib-0001, lib-0002")
    plain = select(make_graph())
    assert render_markdown(plain) == f"```mermaid\n{render_mermaid(plain)}```\n"


def test_chart_folder_ancestors() -> None:
    assert ancestors("a/b/c") == ["a", "a/b", "a/b/c"]
    assert ancestors("") == []


def test_empty_selection_still_renders() -> None:
    graph = make_graph()
    result = affected_result(graph, {})
    assert "no packages to show" in render_mermaid(select(graph, affected=result,
                                                          only_affected=True))
