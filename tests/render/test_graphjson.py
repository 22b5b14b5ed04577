from __future__ import annotations

import json

from orchestrator.render.graphjson import render_json
from orchestrator.render.graphview import select
from tests.render.helpers import affected_result, make_graph


def test_node_link_shape() -> None:
    graph = make_graph()
    data = json.loads(render_json(select(graph, affected=affected_result(graph, {"db": ["f"]}))))
    assert data["directed"] is True
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["core"] == {"id": "core", "version": "1.0.0", "path": "packages/core",
                             "kind": "library", "affected": False}
    assert nodes["db"]["affected"] is True and nodes["db"]["state"] == "changed"
    assert nodes["api"]["reasons"] == [{"type": "dependency", "via": "db", "kind": "runtime"}]
    edges = {(e["source"], e["target"]): e for e in data["edges"]}
    assert edges[("db", "core")]["kinds"] == ["runtime"]
    assert edges[("db", "core")]["specifiers"] == {"runtime": ">=1.2,<2"}
    assert edges[("db", "testkit")]["specifiers"] == {}
    assert len(edges) == len(graph.edges())
