from __future__ import annotations

import shutil
import subprocess

import pytest

from orchestrator.render.dot import quote, render_dot
from orchestrator.render.graphview import select
from orchestrator.workspace.graph import PackageGraph
from tests.render.helpers import affected_result, make_graph, package

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz `dot` is not installed (CI installs graphviz)")


def dot_svg(text: str) -> str:
    proc = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True,
                          check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Warning" not in proc.stderr and "Error" not in proc.stderr, proc.stderr
    return proc.stdout


def test_quote_escapes_backslashes_quotes_and_newlines() -> None:
    assert quote('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


def test_clusters_per_folder_and_styles_per_kind() -> None:
    text = render_dot(select(make_graph()))
    assert text.count("subgraph cluster_") == 2  # packages/plugins/ holds one: in packages/
    assert 'label="services/"' in text and 'label="packages/plugins/"' not in text
    assert '"db" -> "testkit" [color="#a3acba", style=dotted' in text
    assert '"plugin" -> "util" [color="#7b8698", style=dashed' in text
    assert "subgraph" not in render_dot(select(make_graph()), group=False)


@needs_dot
def test_graphviz_accepts_it() -> None:
    graph = make_graph()
    svg = dot_svg(render_dot(select(graph, affected=affected_result(graph, {"core": ["x"]}))))
    for name in graph.names:
        assert f"<title>{name}</title>" in svg


@needs_dot
def test_graphviz_accepts_hostile_names() -> None:
    nasty = 'a"b\\c<d>&{e};'
    graph = PackageGraph([package(nasty, 'packages/"x"', [("node", "runtime", '>=1 "q"')]),
                          package("node", "packages/node"), package("end", "services/end")])
    svg = dot_svg(render_dot(select(graph)))
    assert ">a&quot;b\\c&lt;d&gt;&amp;{e};</text>" in svg  # the label reads as written
