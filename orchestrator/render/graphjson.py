"""`graph --format json`: networkx node-link data (DESIGN's shape), plus the affected reasons."""

from __future__ import annotations

import json

from orchestrator.render.graphview import GraphView


def render_json(view: GraphView) -> str:
    """Nodes carry id, version, path, kind and affected (and, when affected, `state` and
    `reasons`); each edge carries its `kinds` and `specifiers`."""
    data = view.graph.node_link(affected=view.affected)
    for node in data["nodes"]:
        if node["affected"]:
            node["state"] = view.state(node["id"])
            node["reasons"] = [r.to_json() for r in view.reasons[node["id"]]]
    return json.dumps(data, indent=2)
