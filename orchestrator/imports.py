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

# Code that ships or tests a package; examples and scripts beside it are not part of it.
_NOT_CODE = ("tests/fixtures/", "docs/", "build/", "dist/", "examples/", "scripts/",
             "benchmarks/")


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


_NOT_IMPORTABLE = frozenset({"tests", "test", "docs", "examples", "scripts", "benchmarks"})


def import_names(package: Package, files: list[str]) -> set[str]:
    """Dotted module names a package's files provide: the top of each regular package (so
    that namespace packages such as `acme.db` are told apart) and its top-level modules."""
    prefix = "" if package.path == "." else package.path + "/"
    relative = [path[len(prefix):].removeprefix("src/") for path in files]
    inits = {r.removesuffix("/__init__.py") for r in relative if r.endswith("/__init__.py")}
    names = set()
    for directory in inits:
        parts = directory.split("/")
        if parts[0] in _NOT_IMPORTABLE or "/".join(parts[:-1]) in inits:
            continue
        names.add(".".join(parts))
    for r in relative:
        if "/" not in r and r.endswith(".py") and r not in ("setup.py", "conftest.py",
                                                             "noxfile.py"):
            names.add(r[:-3])
    return names


def imported_modules(source: bytes, path: str) -> set[str]:
    """Dotted names of the absolute imports in one file (unparsable files import nothing)."""
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError):
        return set()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def provider_of(module: str, providers: dict[str, str]) -> str | None:
    """The package providing the longest prefix of a dotted module name."""
    parts = module.split(".")
    for end in range(len(parts), 0, -1):
        name = providers.get(".".join(parts[:end]))
        if name is not None:
            return name
    return None


def hidden_imports(packages: tuple[Package, ...], snapshot: Snapshot
                   ) -> list[tuple[str, str, list[str]]]:
    """(importer, imported package, files) for each undeclared internal import."""
    owned = owned_files(packages, snapshot.paths())
    provider: dict[str, str] = {}
    for package in packages:
        for module in import_names(package, owned[package.name]):
            provider.setdefault(module, package.name)
    for package in packages:  # the conventional name only where no real module claims it
        provider.setdefault(package.name.replace("-", "_"), package.name)
    found: dict[tuple[str, str], list[str]] = {}
    for package in packages:
        declared = {d.name for d in package.dependencies} | {package.name}
        code = [p for p in owned[package.name]
                if p.endswith(".py") and not any(f"/{x}" in f"/{p}" for x in _NOT_CODE)]
        for path, source in sorted(snapshot.contents(code).items()):
            for module in imported_modules(source, path):
                target = provider_of(module, provider)
                if target is not None and target not in declared:
                    files = found.setdefault((package.name, target), [])
                    if path not in files:
                        files.append(path)
    return [(importer, target, files) for (importer, target), files in sorted(found.items())]
