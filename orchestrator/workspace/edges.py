"""Edges: what each member's metadata says about the other members.

Requirements naming an internal package (packaging decides each one), editables by their
directory, requirement files setuptools reads, what a build backend says when asked, and
uv sources nothing else declares; plus the findings about what could not be read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator.errors import ConfigError
from orchestrator.workspace.model import EdgeKind, Finding
from orchestrator.workspace.snapshot import Snapshot

if TYPE_CHECKING:
    from orchestrator.workspace.metadata import ProjectMetadata
    from orchestrator.workspace.parsecache import ParseCache

# A PEP 508 line -> (name, specifier, source), or why packaging rejects it.
LineParser = Callable[[str], "tuple[str, str, str, tuple[str, ...]] | str"]
EdgeRecord = tuple[str, str, EdgeKind, str, tuple[str, ...]]  # a Dependency's fields


def internal_edges(name: str, directory: str, meta: ProjectMetadata, internal: dict[str, str],
                   parse: LineParser) -> tuple[EdgeRecord, ...]:
    """Requirements that name another internal package (`internal`: name -> directory),
    editables whose directory is one, plus uv sources nothing else declares."""
    # Plain tuples, in sort order, until the end: hashing dataclasses was most of the cost.
    edges: set[tuple[str, EdgeKind, str, str, tuple[str, ...]]] = {
        (r.name, r.kind, r.where, r.specifier, ())
        for r in meta.requirements
        if r.name in internal and r.name != name
    }
    for lead, line, kind, where in meta.lines:
        if lead in internal and lead != name:  # packaging decides the edge
            parsed = parse(line)
            target, spec, _, extras = (lead, "", "", ()) if isinstance(parsed, str) else parsed
            edges.add((target, kind, where, spec, extras))
    if meta.editables:
        by_directory = {d: n for n, d in internal.items()}
        for target, kind, where in meta.editables:
            found = by_directory.get(editable_directory(target, directory) or "")
            if found is not None and found != name:
                edges.add((found, kind, where, "", ()))
    declared = {edge[0] for edge in edges}
    for source, _kind in meta.uv_sources:
        if source in internal and source != name and source not in declared:
            edges.add((source, "source", "tool.uv.sources", "", ()))
    return tuple((n, spec, kind, where, extras)
                 for n, kind, where, spec, extras in sorted(edges))


def editable_directory(target: str, directory: str) -> str | None:
    """The root-relative directory an editable install names (`-e ../log`,
    `-e file:///${PROJECT_ROOT}/../log`), or None when it is not a path inside the root."""
    path = target.split("#", 1)[0]
    if path.startswith("file://"):
        path = path.removeprefix("file://")
        path = path.removeprefix("/") if path.startswith("/${PROJECT_ROOT}") else path
    elif "://" in path or path.startswith(("git+", "hg+", "svn+", "bzr+")):
        return None
    base = "" if directory == "." else directory
    path = path.replace("${PROJECT_ROOT}", ".")  # the package's own directory
    if posixpath.isabs(path):
        return None
    resolved = posixpath.normpath(posixpath.join(base, path))
    return None if resolved == ".." or resolved.startswith("../") else resolved


def add_requirement_files(snapshot: Snapshot, found: dict[str, ProjectMetadata],
                           unreadable: dict[str, str], strict: bool) -> None:
    """Dependencies setuptools reads from files, read from the same snapshot (never cached
    with the pyproject.toml: the files change on their own)."""
    for path in [p for p, meta in found.items() if meta.requirement_files]:
        try:
            found[path] = with_requirement_files(snapshot, path, found[path])
        except ConfigError as e:
            if strict:
                raise
            del found[path]
            unreadable[path] = e.message


def with_requirement_files(snapshot: Snapshot, path: str,
                           meta: ProjectMetadata) -> ProjectMetadata:
    directory = posixpath.dirname(path)
    pending = [(posixpath.normpath(posixpath.join(directory, f)), kind, where)
               for f, kind, where in meta.requirement_files]
    lines, problems, seen = list(meta.lines), list(meta.problems), set()
    while pending:
        file, kind, where = pending.pop(0)
        if file in seen:
            continue
        seen.add(file)
        data = snapshot.read(file) if not file.startswith("../") else None
        if data is None:
            raise ConfigError(f"{path}: {where} names {file}, which is not in the repository",
                              hint="setuptools reads the dependencies from that file")
        from orchestrator.workspace.metadata import requirements_in_file

        found, more, includes = requirements_in_file(data.decode("utf-8", "replace"), kind,
                                                     f"{where} ({file})", file)
        lines += found
        problems += more
        pending += [(posixpath.normpath(posixpath.join(posixpath.dirname(file), i)), kind,
                     where) for i in includes]
    return replace(meta, lines=tuple(lines), problems=tuple(problems), dynamic_source="files")


def resolve_dynamic(snapshot: Snapshot, metadata: dict[str, ProjectMetadata],
                     cache: ParseCache, findings: list[Finding]) -> None:
    """`resolve-dynamic`: dependencies only a build backend computes, asked of it."""
    from orchestrator.workspace.dynamic import resolve

    directory = (cache.path.parent if cache.path is not None else Path(".orchestrator")) / \
        "dynamic"
    for path, meta in sorted(metadata.items()):
        if not meta.dynamic_dependencies or meta.dynamic_source is not None:
            continue
        try:
            found = resolve(snapshot, posixpath.dirname(path) or ".", directory)
        except ConfigError as e:
            findings.append(Finding("error", "unresolved-dynamic", e.message, path))
            continue
        metadata[path] = replace(meta, requirements=meta.requirements + found,
                                 dynamic_source="backend")


PROBLEM_CODES = ("invalid-requirement", "invalid-metadata")  # what problem_findings finds


def problem_findings(metadata: dict[str, ProjectMetadata], names: set[str],
                      parse: LineParser) -> Iterable[Finding]:
    """What could not be read as written. A requirement packaging rejects keeps its edge;
    when it names an internal package it is an error, since its range cannot be checked."""
    from orchestrator.workspace.metadata import unparsable

    for path in sorted(metadata):
        for problem in metadata[path].problems:
            if problem.requirement in names:
                yield _kept_edge(path, problem.message, problem.requirement)
            else:
                yield Finding("warning", "invalid-metadata", f"{path}: {problem.message}", path)
        for lead, line, _kind, where in metadata[path].lines:
            if lead in names and isinstance(why := parse(line), str):
                yield _kept_edge(path, unparsable(line, where, why), lead)


def _kept_edge(path: str, message: str, name: str) -> Finding:
    return Finding("error", "invalid-requirement", f"{path}: {message} (its edge to {name} is "
                   "kept)", path)
