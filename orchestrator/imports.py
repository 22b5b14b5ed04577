"""Which internal packages a package's Python code imports, found with `ast`.

An import the metadata does not declare is a hidden edge: affected detection follows
metadata, so it would miss the importer when the imported package changes.
"""

from __future__ import annotations

import ast
import posixpath
from collections.abc import Iterable

from orchestrator.model import Package
from orchestrator.snapshot import Snapshot

_NOT_CODE = ("tests/fixtures/", "docs/", "build/", "dist/")


def owned_files(packages: Iterable[Package], paths: Iterable[str]) -> dict[str, list[str]]:
    """Files of each package (the deepest package directory owns a file)."""
    by_path = {p.path: p.name for p in packages}
    owned: dict[str, list[str]] = {name: [] for name in by_path.values()}
    for path in paths:
        directory = posixpath.dirname(path)
        while True:
            name = by_path.get(directory or ".")
            if name is not None:
                owned[name].append(path)
                break
            if not directory:
                break
            directory = posixpath.dirname(directory)
    return owned


def import_names(package: Package, files: list[str]) -> set[str]:
    """Top-level module names a package provides: its `src/X` or `X` packages and modules."""
    prefix = "" if package.path == "." else package.path + "/"
    names = set()
    for path in files:
        relative = path[len(prefix):]
        parts = relative.split("/")
        if parts[0] == "src":
            parts = parts[1:]
        if len(parts) == 2 and parts[1] == "__init__.py":
            names.add(parts[0])
        elif len(parts) == 1 and parts[0].endswith(".py") and parts[0] not in (
            "setup.py", "conftest.py", "noxfile.py"
        ):
            names.add(parts[0][:-3])
    names.add(package.name.replace("-", "_"))
    return names


def imported_modules(source: bytes, path: str) -> set[str]:
    """Top-level names of the absolute imports in one file (unparsable files import nothing)."""
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def hidden_imports(packages: tuple[Package, ...], snapshot: Snapshot
                   ) -> list[tuple[str, str, str]]:
    """(importer, imported package, file) for each undeclared internal import."""
    owned = owned_files(packages, snapshot.paths())
    provider: dict[str, str] = {}
    for package in packages:
        for module in import_names(package, owned[package.name]):
            provider.setdefault(module, package.name)
    found = []
    for package in packages:
        declared = {d.name for d in package.dependencies} | {package.name}
        code = [p for p in owned[package.name]
                if p.endswith(".py") and not any(f"/{x}" in f"/{p}" for x in _NOT_CODE)]
        for path, source in sorted(snapshot.contents(code).items()):
            for module in sorted(imported_modules(source, path)):
                target = provider.get(module)
                if target is not None and target not in declared:
                    found.append((package.name, target, path))
    return found
