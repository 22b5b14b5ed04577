"""`list`: the packages as a table, JSON (DESIGN's shape) or bare names."""

from __future__ import annotations

import json
from typing import Any

from orchestrator.render.text import table
from orchestrator.workspace.model import Dependency, Package

MIN_DEPENDS_WIDTH = 30  # the last column is never narrower, however narrow the terminal


def package_json(package: Package) -> dict[str, Any]:
    return {
        "name": package.name,
        "version": package.version,
        "path": package.path,
        "kind": package.kind,
        "dependencies": [
            {"name": name, "specifier": specifier, "kind": kind}
            for name, kind, specifier in _declared(package.dependencies)
        ],
    }


def _declared(dependencies: tuple[Dependency, ...]) -> list[tuple[str, str, str]]:
    """One entry per (name, kind): two dependency groups that both include a package are
    one `group` requirement, with every distinct specifier they give (comma-joined, which
    is how PEP 440 writes both at once)."""
    specifiers: dict[tuple[str, str], list[str]] = {}
    for dep in dependencies:
        found = specifiers.setdefault((dep.name, dep.kind), [])
        if dep.specifier and dep.specifier not in found:
            found.append(dep.specifier)
    return [(name, kind, ",".join(found)) for (name, kind), found in specifiers.items()]


def render_json(packages: tuple[Package, ...]) -> str:
    return json.dumps({"root": ".", "packages": [package_json(p) for p in packages]}, indent=2)


def render_names(packages: tuple[Package, ...], end: str = "\n") -> str:
    return "".join(f"{p.name}{end}" for p in packages)


def render_table(packages: tuple[Package, ...], width: int | None = None) -> str:
    """The table; with `width`, each dependency list folds onto more lines (between its
    entries) so that rows fit it."""
    headers = ["package", "version", "kind", "path", "depends on"]
    rows = [[p.name, p.version or "(dynamic)", p.kind, p.path] for p in packages]
    lists = [_depends_on(p) or ["-"] for p in packages]
    fixed = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers[:-1])]
    room = None if width is None else max(MIN_DEPENDS_WIDTH, width - sum(fixed) - 2 * len(fixed))
    lines: list[list[str]] = []
    for row, entries in zip(rows, lists, strict=True):
        folded = _fold(entries, room)
        lines.append([*row, folded[0]])
        lines.extend([*([""] * len(fixed)), more] for more in folded[1:])
    return table(headers, lines)


def _fold(entries: list[str], room: int | None) -> list[str]:
    """`a, b, c` in lines of at most `room` characters (an entry longer stands alone)."""
    lines = [entries[0]]
    for entry in entries[1:]:
        if room is not None and len(lines[-1]) + 2 + len(entry) > room:
            lines[-1] += ","
            lines.append(entry)
        else:
            lines[-1] += ", " + entry
    return lines


def _depends_on(package: Package) -> list[str]:
    """Dependency names, each with its edge kinds when they are not just `runtime`."""
    kinds: dict[str, list[str]] = {}
    for dep in package.dependencies:
        if dep.kind not in kinds.setdefault(dep.name, []):
            kinds[dep.name].append(dep.kind)
    return [name if kinds[name] == ["runtime"] else f"{name} ({'+'.join(kinds[name])})"
            for name in sorted(kinds)]
