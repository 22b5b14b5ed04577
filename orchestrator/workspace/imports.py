"""Which internal packages a package's Python code imports, found with `ast`.

An import the metadata does not declare is a hidden edge: affected detection follows
metadata, so it would miss the importer when the imported package changes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from orchestrator.workspace import cachefile
from orchestrator.workspace.discovery import Workspace
from orchestrator.workspace.model import Package
from orchestrator.workspace.snapshot import Snapshot

VERSION = cachefile.version(1)  # of ImportCache's file

# Folders at a package's top that hold no code of it: examples and scripts beside it.
_NOT_CODE = ("tests/fixtures/", "docs/", "build/", "dist/", "examples/", "scripts/",
             "benchmarks/")


def owned_files(workspace: Workspace, paths: Iterable[str]) -> dict[str, list[str]]:
    """Files of each package (the deepest package directory owns a file)."""
    owned: dict[str, list[str]] = {name: [] for name in workspace.catalog}
    for path in paths:
        owner = workspace.owner_name(path)
        if owner is not None:
            owned[owner].append(path)
    return owned


_NOT_IMPORTABLE = frozenset({"tests", "test", "docs", "examples", "scripts", "benchmarks"})
_NOT_MODULES = frozenset({"setup.py", "conftest.py", "noxfile.py"})


def import_names(package: Package, files: list[str]) -> set[str]:
    """Dotted names of every Python package directory (one with `__init__.py`), every
    top-level module, and every module below one whose dotted name is importable: in a
    namespace package (no `__init__.py`) the modules are all that names the provider."""
    prefix = "" if package.path == "." else package.path + "/"
    relative = [path[len(prefix):].removeprefix("src/") for path in files]
    names = set()
    for r in relative:
        parts = r.split("/")
        if parts[-1] == "__init__.py" and len(parts) > 1 and parts[0] not in _NOT_IMPORTABLE:
            names.add(".".join(parts[:-1]))
        elif len(parts) == 1 and r.endswith(".py") and r not in _NOT_MODULES:
            names.add(r[:-3])
        elif r.endswith(".py") and parts[0] not in _NOT_IMPORTABLE and all(
                p.isidentifier() for p in [*parts[:-1], parts[-1][:-3]]):
            names.add(".".join([*parts[:-1], parts[-1][:-3]]))
    return names


def imported_modules(source: bytes, path: str) -> set[str] | None:
    """Dotted names of the absolute imports in one file; None when it cannot be parsed."""
    try:
        tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # too deep or large, too
        return None
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


def _providers(packages: tuple[Package, ...], owned: dict[str, list[str]]) -> dict[str, str]:
    """Module name -> the one package providing it. A name several packages provide (a
    pkgutil-style namespace `__init__.py`) belongs to none; the longer names decide."""
    claims: dict[str, set[str]] = {}
    for package in packages:
        for module in import_names(package, owned[package.name]):
            claims.setdefault(module, set()).add(package.name)
    provider = {module: names.pop() for module, names in claims.items() if len(names) == 1}
    for package in packages:  # the conventional name only where no real module claims it
        if package.name.replace("-", "_") not in claims:
            provider[package.name.replace("-", "_")] = package.name
    return provider


def _code_files(package: Package, files: list[str]) -> list[str]:
    """Its Python files, less the examples and scripts folders at its top: judged by the path
    within the package, so a package that itself lives under `examples/` is still checked,
    and a module named `scripts` inside its code is code."""
    prefix = "" if package.path == "." else package.path + "/"
    return [p for p in files if p.endswith(".py")
            and not p[len(prefix):].startswith(_NOT_CODE)]


class ImportCache:
    """The imports of each Python file by its blob id, which names its contents: `check` run
    again parses only the files that changed. Kept in `path` (None: for this process)."""

    def __init__(self, path: Path | None):
        self.path = path
        self._entries: dict[str, tuple[str, ...] | None] = {}
        self._used: set[str] = set()
        entries = cachefile.read(path, VERSION)
        if isinstance(entries, dict):
            self._entries = entries

    def scan(self, snapshot: Snapshot, paths: list[str]) -> dict[str, set[str] | None]:
        """Imported modules of each of `paths` that exists (None: not valid Python)."""
        keys = snapshot.keys(paths)
        misses = [p for p, k in keys.items() if k not in self._entries]
        for path, source in snapshot.contents(misses).items():
            modules = imported_modules(source, path)
            self._entries[keys[path]] = tuple(sorted(modules)) if modules is not None else None
        self._used.update(keys.values())
        return {p: set(found) if (found := self._entries.get(k, ())) is not None else None
                for p, k in keys.items() if k in self._entries}

    def save(self) -> None:
        """Keep this run's entries, and earlier ones while they are not the most."""
        kept = {k: v for k, v in self._entries.items() if k in self._used}
        for key, value in self._entries.items():
            if len(kept) >= 2 * len(self._used):
                break
            kept.setdefault(key, value)
        cachefile.write(self.path, VERSION, kept)


@dataclass(frozen=True)
class ImportScan:
    """Undeclared internal imports, and the files that could not be read as Python."""

    hidden: list[tuple[str, str, list[str]]]  # (importer, imported package, files)
    unparsable: list[str]


def hidden_imports(workspace: Workspace, snapshot: Snapshot,
                   cache: ImportCache | None = None) -> ImportScan:
    """Every import of an internal package its importer's metadata does not declare."""
    cache = cache if cache is not None else ImportCache(None)
    owned = owned_files(workspace, snapshot.paths())
    provider = _providers(workspace.packages, owned)
    found: dict[tuple[str, str], list[str]] = {}
    unparsable = []
    for package in workspace.packages:
        declared = {d.name for d in package.dependencies} | {package.name}
        code = _code_files(package, owned[package.name])
        for path, modules in sorted(cache.scan(snapshot, code).items()):
            if modules is None:
                unparsable.append(path)
                continue
            for module in modules:
                target = provider_of(module, provider)
                if target is not None and target not in declared:
                    files = found.setdefault((package.name, target), [])
                    if path not in files:
                        files.append(path)
    hidden = [(importer, target, files) for (importer, target), files in sorted(found.items())]
    return ImportScan(hidden, unparsable)
