"""Discovery: from a snapshot of the repository to the set of packages and their edges."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from orchestrator.config import Config, parse_config, read_config_file
from orchestrator.errors import ConfigError
from orchestrator.globs import matches_member
from orchestrator.metadata import ProjectMetadata, canonical, is_valid_name, read_metadata
from orchestrator.model import Dependency, EdgeKind, Finding, Package
from orchestrator.parsecache import ParseCache
from orchestrator.snapshot import Snapshot
from orchestrator.tomlfile import parse_toml, table

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class Workspace:
    """Every internal package at one point of history, and what discovery noticed."""

    root: Path
    config: Config
    packages: tuple[Package, ...]
    findings: tuple[Finding, ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()  # (pyproject path, why) when not strict
    label: str = "working tree"

    @cached_property
    def by_name(self) -> dict[str, Package]:
        return {p.name: p for p in self.packages}

    @cached_property
    def by_path(self) -> dict[str, Package]:
        return {p.path: p for p in self.packages}

    def get(self, name: str) -> Package | None:
        return self.by_name.get(canonical(name))

    def owner(self, path: str) -> Package | None:
        """The package whose directory is the deepest ancestor of `path`."""
        directory = posixpath.dirname(path)
        while True:
            package = self.by_path.get(directory or ".")
            if package is not None:
                return package
            if not directory:
                return None
            directory = posixpath.dirname(directory)


def load_config(snapshot: Snapshot, override: Path | None) -> tuple[Config, dict[str, Any]]:
    """The effective Config and the parsed root pyproject.toml ({} when there is none)."""
    data = snapshot.read(PYPROJECT)
    root_doc = parse_toml(data, PYPROJECT) if data is not None else {}
    if override is not None:
        try:
            raw = override.read_bytes()
        except OSError as e:
            raise ConfigError(f"cannot read config file {override}: {e.strerror}") from e
        return read_config_file(raw, str(override)), root_doc
    raw_table = table(root_doc, "tool.orchestrator")
    if not raw_table:
        return Config(), root_doc
    return parse_config(raw_table, PYPROJECT, allow_package_keys=True), root_doc


def discover(
    snapshot: Snapshot,
    root: Path,
    *,
    config_file: Path | None = None,
    cache: ParseCache | None = None,
    strict: bool = True,
) -> Workspace:
    """Read every member pyproject.toml of `snapshot` into a Workspace.

    With `strict`, a pyproject.toml that cannot be read is an error; otherwise it is
    recorded in `unreadable` so the caller can decide (the merge base side does).
    """
    config, root_doc = load_config(snapshot, config_file)
    paths = snapshot.paths()
    directories = _pyproject_dirs(paths)
    candidates = _member_dirs(directories, config, root_doc)
    metadata, unreadable = _read_all(snapshot, candidates, cache, strict)
    findings = list(_setup_only_findings(paths, directories, config, root_doc))
    packages = _packages(metadata, config, findings)
    return Workspace(
        root=root,
        config=config,
        packages=packages,
        findings=tuple(sorted(findings, key=lambda f: (f.path or "", f.code))),
        unreadable=tuple(sorted(unreadable.items())),
        label=snapshot.label,
    )


def _pyproject_dirs(paths: Iterable[str]) -> list[str]:
    dirs = []
    for path in paths:
        if path == PYPROJECT:
            dirs.append(".")
        elif path.endswith("/" + PYPROJECT):
            dirs.append(path[: -len(PYPROJECT) - 1])
    return sorted(dirs)


def _member_dirs(directories: list[str], config: Config, root_doc: dict[str, Any]) -> list[str]:
    """DESIGN's order: configured members; else the uv workspace (and a named root); else all."""
    if config.members is not None:
        return [d for d in directories if matches_member(d, config.members)]
    uv = table(root_doc, "tool.uv.workspace")
    if uv:
        members = _glob_list(uv.get("members", []), "pyproject.toml [tool.uv.workspace] members")
        exclude = _glob_list(uv.get("exclude", []), "pyproject.toml [tool.uv.workspace] exclude")
        chosen = [d for d in directories
                  if d != "." and matches_member(d, members) and not matches_member(d, exclude)]
        if table(root_doc, "project").get("name") and "." in directories:
            chosen.insert(0, ".")
        return chosen
    return directories


def _glob_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return value


def _pyproject_path(directory: str) -> str:
    return PYPROJECT if directory == "." else f"{directory}/{PYPROJECT}"


def _read_all(
    snapshot: Snapshot, directories: list[str], cache: ParseCache | None, strict: bool
) -> tuple[dict[str, ProjectMetadata], dict[str, str]]:
    files = [_pyproject_path(d) for d in directories]
    keys = snapshot.keys(files)
    cache = cache or ParseCache(None)
    found: dict[str, ProjectMetadata] = {}
    misses = []
    for path, key in keys.items():
        cached = cache.get(_cache_key(path, key))
        if cached is None:
            misses.append(path)
        else:
            found[path] = cached
    unreadable: dict[str, str] = {}
    for path, data in snapshot.contents(misses).items():
        try:
            meta = read_metadata(parse_toml(data, path), path)
        except ConfigError as e:
            if strict:
                raise
            unreadable[path] = e.message
            continue
        cache.put(_cache_key(path, keys[path]), meta)
        found[path] = meta
    cache.save()
    return found, unreadable


def _cache_key(path: str, blob: str) -> str:
    # The root's table is read differently (its tasks are the workspace's).
    return blob + (":root" if path == PYPROJECT else "")


def _packages(
    metadata: dict[str, ProjectMetadata], config: Config, findings: list[Finding]
) -> tuple[Package, ...]:
    named: dict[str, tuple[str, ProjectMetadata]] = {}
    for path in sorted(metadata):
        meta = metadata[path]
        directory = posixpath.dirname(path) or "."
        for problem in meta.problems:
            findings.append(
                Finding("warning", "unparsable-requirement", f"{path}: {problem}", path))
        if meta.name is None:
            findings.append(Finding("warning", "no-name",
                                    f"{path} declares no project name, so it is not a package",
                                    path))
            continue
        if not is_valid_name(meta.name):
            findings.append(Finding("warning", "invalid-name",
                                    f"{path}: {meta.name!r} is not a valid project name; skipped",
                                    path))
            continue
        name = canonical(meta.name)
        if name in named:
            other = named[name][0]
            raise ConfigError(
                f"two packages are named {name!r}: {other} and {directory}",
                hint="names must be unique after PEP 503 normalisation; choose the packages with "
                "[tool.orchestrator] members (or --config FILE) to leave one out",
            )
        named[name] = (directory, meta)
    names = set(named)
    packages = [
        _package(name, directory, meta, names, config)
        for name, (directory, meta) in named.items()
    ]
    return tuple(sorted(packages, key=lambda p: p.name))


def _package(name: str, directory: str, meta: ProjectMetadata, internal: set[str],
             config: Config) -> Package:
    return Package(
        name=name,
        version=meta.version,
        path=directory,
        kind="service" if matches_member(directory, config.services) else "library",
        dependencies=internal_edges(name, meta, internal),
        dynamic=meta.dynamic,
        settings=meta.settings,
        declared_name=meta.name or name,
        build_backend=meta.build_backend,
    )


def internal_edges(name: str, meta: ProjectMetadata, internal: set[str]) -> tuple[Dependency, ...]:
    """Requirements that name another internal package, plus uv sources nothing else declares."""
    # Plain tuples, in sort order, until the end: hashing dataclasses was most of the cost.
    edges: set[tuple[str, EdgeKind, str, str]] = {
        (r.name, r.kind, r.where, r.specifier)
        for r in meta.requirements
        if r.name in internal and r.name != name
    }
    declared = {edge[0] for edge in edges}
    for source, _kind in meta.uv_sources:
        if source in internal and source != name and source not in declared:
            edges.add((source, "source", "tool.uv.sources", ""))
    return tuple(Dependency(n, spec, kind, where) for n, kind, where, spec in sorted(edges))


def _setup_only_findings(
    paths: list[str], pyproject_dirs: list[str], config: Config, root_doc: dict[str, Any]
) -> Iterable[Finding]:
    """Directories with setup.py or setup.cfg but no pyproject.toml: not packages here."""
    has_pyproject = set(pyproject_dirs)
    seen = set()
    for path in paths:
        base = posixpath.basename(path)
        if base not in ("setup.py", "setup.cfg"):
            continue
        directory = posixpath.dirname(path) or "."
        if directory in has_pyproject or directory in seen or directory == ".":
            continue
        if config.members is not None and not matches_member(directory, config.members):
            continue
        seen.add(directory)
        yield Finding(
            "warning", "setup-without-pyproject",
            f"{path} has no pyproject.toml beside it, so {directory} is not read as a package",
            path,
        )
