"""`config`: the effective settings and where each came from."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.workspace.config import Config
from orchestrator.workspace.releaseconfig import ReleaseGroup
from orchestrator.workspace.values import scrub_url


def config_data(config: Config, root: str) -> dict[str, Any]:
    def origin(key: str) -> str:
        return config.origins.get(key, "default")

    return {
        "root": root,
        "source": config.source,
        "settings": {
            "members": {"value": list(config.members) if config.members is not None else None,
                        "from": origin("members")},
            "services": {"value": list(config.services), "from": origin("services")},
            "base": {"value": config.base, "from": origin("base")},
            "global-files": {"value": list(config.global_files), "from": origin("global-files")},
            "ignore": {"value": list(config.ignore), "from": origin("ignore")},
            "affected-kinds": {"value": list(config.affected_kinds),
                               "from": origin("affected-kinds")},
            "order-kinds": {"value": list(config.order_kinds), "from": origin("order-kinds")},
            "resolve-dynamic": {"value": config.resolve_dynamic,
                                "from": origin("resolve-dynamic")},
            "remote-cache": {"value": config.remote_cache, "from": origin("remote-cache")},
            "tasks": {
                "value": {
                    name: {
                        "command": list(task.command),
                        "needs-dependencies": task.needs_dependencies,
                        "inputs": list(task.inputs),
                        "env": dict(task.env),
                        "global-files": list(task.global_files),
                    }
                    for name, task in sorted(config.tasks.items())
                },
                "from": origin("tasks"),
            },
            "release": {
                "value": {
                    "tag-format": (config.release.tag_format if len(config.release.tag_formats)
                                   == 1 else list(config.release.tag_formats)),
                    "dependents": config.release.dependents,
                    "repository-url": (scrub_url(config.release.repository_url)
                                       if config.release.repository_url else None),
                    "publish-services": config.release.publish_services,
                    "groups": [_group(g) for g in config.release.groups],
                },
                "from": origin("release"),
            },
        },
    }


def _group(group: ReleaseGroup) -> dict[str, Any]:
    formats = group.tag_formats
    return {"name": group.name, "members": list(group.members),
            "tag-format": None if formats is None else
            formats[0] if len(formats) == 1 else list(formats)}


def render_json(config: Config, root: str) -> str:
    return json.dumps(config_data(config, root), indent=2)


def render_text(config: Config, root: str) -> str:
    data = config_data(config, root)
    lines = [f"root: {root}", f"read from: {config.source}", ""]
    for key, entry in data["settings"].items():
        lines.append(f"{key}  ({entry['from']})")
        lines.extend(f"  {line}" for line in _value_lines(entry["value"]))
    return "\n".join(lines)


def _value_lines(value: Any) -> list[str]:
    if value is None:
        return ["(not set)"]
    if isinstance(value, list):
        return [str(v) for v in value] or ["(none)"]
    if isinstance(value, dict):
        lines = []
        for key, sub in value.items():
            if isinstance(sub, dict):
                lines.append(f"{key}:")
                lines.extend(f"  {k} = {json.dumps(v)}" for k, v in sub.items())
            else:
                lines.append(f"{key} = {json.dumps(sub)}")
        return lines
    return [str(value)]
