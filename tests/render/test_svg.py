from __future__ import annotations

import xml.etree.ElementTree as ET

from orchestrator.render.graphview import select
from orchestrator.render.svg import render_svg
from orchestrator.workspace.graph import PackageGraph
from tests.render.helpers import affected_result, make_graph, package, parse_svg

SVG = "{http://www.w3.org/2000/svg}"
NASTY = '</script><img src=x onerror=alert(1)>"&\''


def nodes_of(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if "node" in g.get("class", "").split()
            and g.get("data-name") is not None]


def test_svg_is_valid_xml_with_one_node_per_package() -> None:
    graph = make_graph()
    root = parse_svg(render_svg(select(graph)))
    assert sorted(n.get("data-name") for n in nodes_of(root)) == graph.names
    edges = [p for p in root.iter(f"{SVG}path") if p.get("data-source")]
    assert len(edges) == len(graph.edges())
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "name"]
    assert sorted(labels) == graph.names  # real text, not pictures of text


def test_kinds_and_edge_kinds_are_told_apart() -> None:
    root = parse_svg(render_svg(select(make_graph())))
    classes = {n.get("data-name"): n.get("class", "").split() for n in nodes_of(root)}
    assert "service" in classes["api"] and "library" in classes["core"]
    kinds = {(p.get("data-source"), p.get("data-target")): p.get("class", "").split()
             for p in root.iter(f"{SVG}path") if p.get("data-source")}
    assert "group" in kinds[("db", "testkit")]
    assert "optional" in kinds[("plugin", "util")]
    assert "build" in kinds[("plugin", "core")]
    assert "source" in kinds[("api", "plugin")]


def test_folders_are_drawn_as_labelled_boxes() -> None:
    root = parse_svg(render_svg(select(make_graph())))
    labels = [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "group"
              for t in g.iter(f"{SVG}text")]
    assert labels == ["packages/", "packages/plugins/", "services/"]
    plain = parse_svg(render_svg(select(make_graph()), group=False))
    assert not [g for g in plain.iter(f"{SVG}g") if g.get("class") == "group"]


def test_affected_states_and_legend() -> None:
    graph = make_graph()
    svg = render_svg(select(graph, affected=affected_result(graph, {"db": ["packages/db/a"]})))
    root = parse_svg(svg)
    classes = {n.get("data-name"): n.get("class", "").split() for n in nodes_of(root)}
    assert "state-changed" in classes["db"]
    assert "state-dependency" in classes["api"]
    assert "unaffected" in classes["core"]
    assert "depends on a change" in svg and "not affected" in svg


def test_everything_is_escaped() -> None:
    graph = PackageGraph([
        package(NASTY, 'packages/<dir>&"q"', [("b", "runtime", '>=1,<2 & "x"')], "1<2>"),
        package("b", "packages/b"),
    ])
    svg = render_svg(select(graph))
    root = parse_svg(svg)  # parses: nothing broke out of its text or attribute
    assert "<img" not in svg and "<dir>" not in svg
    assert NASTY in [n.get("data-name") for n in nodes_of(root)]
    assert NASTY in [t.text for t in root.iter(f"{SVG}text")]


def test_output_is_stable() -> None:
    assert render_svg(select(make_graph())) == render_svg(select(make_graph()))
