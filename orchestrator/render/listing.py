"""`list`: the packages as a table, JSON (DESIGN's shape) or bare names."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.render.text import table
from orchestrator.workspace.model import Package


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


def render_names(packages: tuple[Package, ...], end: str = "\n") -> str:
    return "".join(f"{p.name}{end}" for p in packages)


def render_table(packages: tuple[Package, ...]) -> str:
    rows = [
        [
            p.name,
            p.version or "(dynamic)",
            p.kind,
            p.path,
            _depends_on(p) or "-",
        ]
        for p in packages
    ]
    return table(["package", "version", "kind", "path", "depends on"], rows)


def _depends_on(package: Package) -> str:
    """Dependency names, each with its edge kinds when they are not just `runtime`."""
    kinds: dict[str, list[str]] = {}
    for dep in package.dependencies:
        if dep.kind not in kinds.setdefault(dep.name, []):
            kinds[dep.name].append(dep.kind)
    return ", ".join(
        name if kinds[name] == ["runtime"] else f"{name} ({'+'.join(kinds[name])})"
        for name in sorted(kinds)
    )
