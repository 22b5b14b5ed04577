from __future__ import annotations

import xml.etree.ElementTree as ET

from orchestrator.render.graphview import select
from orchestrator.render.svg import render_svg
from orchestrator.workspace.graph import PackageGraph
from tests.render.helpers import (
    EXAMPLE,
    affected_result,
    hub_graph,
    make_graph,
    package,
    parse_svg,
)

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


def group_labels(root: ET.Element) -> list[str | None]:
    return [t.text for g in root.iter(f"{SVG}g") if g.get("class") == "group"
            for t in g.iter(f"{SVG}text")]


def test_folders_are_drawn_as_labelled_boxes() -> None:
    """packages/plugins/ holds one package: it is drawn in the packages/ box, not in a box
    of its own; a top-level folder keeps its box even with one package (services/)."""
    root = parse_svg(render_svg(select(make_graph())))
    assert group_labels(root) == ["packages/", "services/"]
    plain = parse_svg(render_svg(select(make_graph()), group=False))
    assert not [g for g in plain.iter(f"{SVG}g") if g.get("class") == "group"]
    spec = dict(EXAMPLE)
    spec["plugin2"] = ("packages/plugins/plugin2", [])
    assert group_labels(parse_svg(render_svg(select(make_graph(spec))))) == [
        "packages/", "packages/plugins/", "services/"]


def test_a_hub_on_a_cycle_keeps_the_picture_at_most_twice_as_wide_as_tall() -> None:
    root = parse_svg(render_svg(select(hub_graph())))
    width, height = float(root.get("width", "0")), float(root.get("height", "0"))
    assert width <= 2 * height
    lines = [p for p in root.iter(f"{SVG}path") if p.get("data-source")]
    assert len(lines) == 39  # each pair both ways is one line
    assert all("cycle" in p.get("class", "").split() for p in lines)
    assert all(p.get("marker-start") == "url(#arrow-cycle)" for p in lines)
    trunks = [p for p in root.iter(f"{SVG}path") if "trunk" in p.get("class", "").split()]
    assert trunks and all(p.get("data-target") == "core" and p.get("marker-end") for p in trunks)
    assert "on a cycle" in [t.text for t in root.iter(f"{SVG}text")]


def test_no_cycle_no_cycle_legend() -> None:
    svg = render_svg(select(make_graph()))
    assert "on a cycle" not in svg and "cycle" not in svg.split("</defs>", 1)[1]


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
