"""`list`: the packages as a table, JSON (DESIGN's shape) or bare names."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.model import Package
from orchestrator.render.text import table


def package_json(package: Package) -> dict[str, Any]:
    return {
        "name": package.name,
        "version": package.version,
        "path": package.path,
        "kind": package.kind,
        "dependencies": [
            {"name": d.name, "specifier": d.specifier, "kind": d.kind}
            for d in package.dependencies
        ],
    }


def render_json(packages: tuple[Package, ...]) -> str:
    return json.dumps({"root": ".", "packages": [package_json(p) for p in packages]}, indent=2)


def render_names(packages: tuple[Package, ...]) -> str:
    return "\n".join(p.name for p in packages)


def render_table(packages: tuple[Package, ...]) -> str:
    rows = [
        [
            p.name,
            p.version or "(dynamic)",
            p.kind,
            p.path,
            ", ".join(sorted({d.name for d in p.dependencies})) or "-",
        ]
        for p in packages
    ]
    return table(["package", "version", "kind", "path", "depends on"], rows)
