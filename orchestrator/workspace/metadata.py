"""From one parsed pyproject.toml to typed project metadata: name, version, requirements.

Raw TOML dictionaries stop here. Requirements are parsed with `packaging` (PEP 508) and
Poetry constraints translated with `poetry-core`; neither is written by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from orchestrator.errors import ConfigError
from orchestrator.workspace.config import parse_package_settings
from orchestrator.workspace.model import EdgeKind, PackageSettings, Requirement, TaskOverride
from orchestrator.workspace.tomlfile import table

_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class ProjectMetadata:
    """What one pyproject.toml says, independent of the rest of the workspace."""

    name: str | None  # as declared; None when the file declares no project
    version: str | None
    dynamic: tuple[str, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    uv_sources: tuple[tuple[str, str], ...] = ()  # (normalised name, "workspace"|"path"|...)
    settings: PackageSettings = field(default_factory=PackageSettings)
    problems: tuple[str, ...] = ()  # what could not be read: requirements, wrong types

    def to_record(self) -> Record:
        """Nested tuples of plain values, for the parse cache (marshal writes them quickly)."""
        settings = self.settings
        return (
            self.name,
            self.version,
            self.dynamic,
            tuple((r.name, r.specifier, r.kind, r.where, r.source) for r in self.requirements),
            self.uv_sources,
            settings.ignore,
            settings.version_files,
            tuple((name, (t.command, t.needs_dependencies, t.inputs, t.env, t.global_files))
                  for name, t in settings.tasks),
            self.problems,
            settings.tag_name,
        )

    @classmethod
    def from_record(cls, record: Record) -> ProjectMetadata:
        (name, version, dynamic, requirements, uv_sources, ignore, version_files, tasks,
         problems, tag_name) = record
        return cls(
            name=name,
            version=version,
            dynamic=dynamic,
            requirements=tuple(_requirement(*r) for r in requirements),
            uv_sources=uv_sources,
            settings=PackageSettings(ignore, version_files,
                                     tuple((n, TaskOverride(*o)) for n, o in tasks), tag_name),
            problems=problems,
        )


Record = tuple[Any, ...]


@lru_cache(maxsize=65536)
def _requirement(name: str, specifier: str, kind: EdgeKind, where: str,
                 source: Literal["index", "workspace", "path", "url"]) -> Requirement:
    """Shared immutable instances: the members of a workspace repeat the same requirements."""
    return Requirement(name, specifier, kind, where, source)


_SEPARATORS = re.compile(r"[-_.]+")


def canonical(name: str) -> str:
    """PEP 503 normalisation."""
    return _SEPARATORS.sub("-", name).lower()


_VALID_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


def is_valid_name(name: str) -> bool:
    return bool(_VALID_NAME.match(name))


@lru_cache(maxsize=8192)
def _parse_pep508(line: str) -> tuple[str, str, str]:
    """Name, specifier and source of one PEP 508 line.

    Memoised: members of one workspace repeat the same lines, and parsing them was the
    larger half of reading a pyproject.toml.
    """
    from packaging.requirements import Requirement as Pep508

    req = Pep508(line)
    return canonical(req.name), _as_written(line, req.specifier), "url" if req.url else "index"


def _as_written(line: str, specifier: Iterable[object]) -> str:
    """The parsed clauses in the order the line wrote them (`>=1.4,<1.5`, not packaging's
    sorted `<1.5,>=1.4`): users read them, and release rewrites them in their own style."""
    compact = line.replace(" ", "")
    clauses = [str(clause) for clause in specifier]
    return ",".join(sorted(clauses, key=lambda c: (compact.find(c) % (len(compact) + 1), c)))


class _Collector:
    """Accumulates requirements from every table that can declare one."""

    def __init__(self, path: str):
        self.path = path
        self.requirements: list[Requirement] = []
        self.problems: list[str] = []

    def pep508(self, text: Any, kind: EdgeKind, where: str) -> None:
        from packaging.requirements import InvalidRequirement

        if not isinstance(text, str):
            self.problems.append(f"{where}: {text!r} is not a requirement string")
            return
        line = text.strip()
        if line.startswith("-e ") or line.startswith("--editable "):
            self._editable(line.split(None, 1)[1], kind, where)
            return
        try:
            name, specifier, source = _parse_pep508(line)
        except InvalidRequirement as e:
            self.problems.append(f"{where}: cannot parse {line!r}: {e}")
            return
        # The name is normalised already; shared instances, as the cache's loader makes.
        self.requirements.append(_requirement(name, specifier, kind, where, source))

    def _editable(self, target: str, kind: EdgeKind, where: str) -> None:
        egg = _EGG.search(target)
        if egg:
            self.add(egg.group(1), "", kind, where, "path")
        else:
            self.problems.append(f"{where}: cannot tell the project name of editable {target!r}")

    def add(self, name: str, spec: str, kind: EdgeKind, where: str, source: str) -> None:
        self.requirements.append(
            Requirement(canonical(name), spec, kind, where, source)  # type: ignore[arg-type]
        )

    def pep508_list(self, items: Any, kind: EdgeKind, where: str) -> None:
        if not isinstance(items, list):
            self.problems.append(f"{where} must be a list of requirements")
            return
        for item in items:
            self.pep508(item, kind, where)


def read_metadata(doc: dict[str, Any], path: str) -> ProjectMetadata:
    """Typed metadata of one pyproject.toml already parsed with tomllib."""
    project = table(doc, "project")
    poetry = table(doc, "tool.poetry")
    name = project.get("name") or poetry.get("name")
    if name is not None and not isinstance(name, str):
        raise ConfigError(f"{path}: [project] name must be a string")
    version = project.get("version") if project else poetry.get("version")
    dynamic = project.get("dynamic", [])
    collector = _Collector(path)
    _check_shapes(collector, doc, version, dynamic)
    _project_tables(collector, project)
    _dependency_groups(collector, table(doc, "dependency-groups"))
    if poetry:
        _poetry_tables(collector, poetry, path)
    _pdm_hatch_tables(collector, doc)
    collector.pep508_list(table(doc, "build-system").get("requires", []), "build",
                          "build-system.requires")
    is_root = path == "pyproject.toml"
    settings = parse_package_settings(table(doc, "tool.orchestrator"), path)
    if is_root:  # the root's tasks define the workspace's tasks, not overrides
        settings = PackageSettings(settings.ignore, settings.version_files, (), settings.tag_name)
    return ProjectMetadata(
        name=name,
        version=str(version) if isinstance(version, str) else None,
        dynamic=tuple(d for d in dynamic if isinstance(d, str)) if isinstance(dynamic, list)
        else (),
        requirements=tuple(collector.requirements),
        uv_sources=_uv_sources(table(doc, "tool.uv.sources")),
        settings=settings,
        problems=tuple(collector.problems),
    )


_TABLES = ("project.optional-dependencies", "dependency-groups", "tool.uv.sources",
           "tool.poetry.dependencies", "tool.pdm.dev-dependencies", "tool.hatch.envs")


def _check_shapes(collector: _Collector, doc: dict[str, Any], version: Any,
                  dynamic: Any) -> None:
    """Values of the wrong type are reported, not silently read as absent."""
    if version is not None and not isinstance(version, str):
        collector.problems.append(f"version must be a string, not {version!r}")
    if not isinstance(dynamic, list):
        collector.problems.append(f"project.dynamic must be a list, not {dynamic!r}")
    for dotted in _TABLES:
        parent, _, key = dotted.rpartition(".")
        holder = table(doc, parent) if parent else doc
        if key in holder and not isinstance(holder[key], dict):
            collector.problems.append(f"{dotted} must be a table")


def _project_tables(collector: _Collector, project: dict[str, Any]) -> None:
    collector.pep508_list(project.get("dependencies", []), "runtime", "project.dependencies")
    extras = project.get("optional-dependencies", {})
    if isinstance(extras, dict):
        for extra, items in extras.items():
            collector.pep508_list(items, "optional", f"project.optional-dependencies.{extra}")


def _dependency_groups(collector: _Collector, groups: dict[str, Any]) -> None:
    """PEP 735 groups, following `include-group` (cycles are reported, not followed)."""

    def expand(group: str, seen: tuple[str, ...]) -> None:
        items = groups.get(group)
        where = f"dependency-groups.{seen[0]}"
        if items is None:
            collector.problems.append(f"{where}: includes group {group!r}, which does not exist")
            return
        if not isinstance(items, list):
            collector.problems.append(f"{where}: group {group!r} is not a list")
            return
        for item in items:
            if isinstance(item, dict) and "include-group" in item:
                included = item["include-group"]
                if included in seen:
                    collector.problems.append(f"{where}: include-group cycle at {included!r}")
                else:
                    expand(included, (*seen, included))
            else:
                collector.pep508(item, "group", where)

    for group in groups:
        expand(group, (group,))


def _poetry_tables(collector: _Collector, poetry: dict[str, Any], path: str) -> None:
    _poetry_deps(collector, poetry.get("dependencies", {}), "runtime",
                 "tool.poetry.dependencies", path)
    _poetry_deps(collector, poetry.get("dev-dependencies", {}), "group",
                 "tool.poetry.dev-dependencies", path)
    for group, body in (poetry.get("group") or {}).items():
        if isinstance(body, dict):
            _poetry_deps(collector, body.get("dependencies", {}), "group",
                         f"tool.poetry.group.{group}.dependencies", path)


def _poetry_deps(collector: _Collector, deps: Any, kind: EdgeKind, where: str, path: str) -> None:
    if not isinstance(deps, dict):
        return
    for name, constraint in deps.items():
        if canonical(name) == "python":
            continue
        for one in constraint if isinstance(constraint, list) else [constraint]:
            one_kind: EdgeKind = kind
            if isinstance(one, dict) and one.get("optional") and kind == "runtime":
                one_kind = "optional"
            spec, source = _poetry_constraint(name, one, where, collector)
            collector.add(name, spec, one_kind, where, source)


def _poetry_constraint(name: str, constraint: Any, where: str,
                       collector: _Collector) -> tuple[str, str]:
    """Poetry's constraint syntax (`^1.2`, tables) as a PEP 440 specifier and a source."""
    source = "index"
    version: Any = constraint
    if isinstance(constraint, dict):
        if "path" in constraint:
            source = "path"
        elif "git" in constraint or "url" in constraint:
            source = "url"
        version = constraint.get("version", "*")
    if not isinstance(version, str) or version.strip() in ("", "*"):
        return "", source
    from poetry.core.constraints.version import parse_constraint

    try:
        translated = str(parse_constraint(version))
    except Exception as e:  # poetry-core raises several private error types
        collector.problems.append(f"{where}.{name}: cannot translate {version!r}: {e}")
        return "", source
    if translated == "*":
        return "", source
    # poetry-core prints an exact version bare ("1.3.0"); PEP 440 needs the operator.
    return (f"=={translated}" if translated[:1].isdigit() else translated), source


def _pdm_hatch_tables(collector: _Collector, doc: dict[str, Any]) -> None:
    for group, items in table(doc, "tool.pdm.dev-dependencies").items():
        collector.pep508_list(items, "group", f"tool.pdm.dev-dependencies.{group}")
    for env, body in table(doc, "tool.hatch.envs").items():
        if isinstance(body, dict):
            for key in ("dependencies", "extra-dependencies"):
                if key in body:
                    collector.pep508_list(body[key], "group", f"tool.hatch.envs.{env}.{key}")


def _uv_sources(sources: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    found = []
    for name, value in sources.items():
        first = value[0] if isinstance(value, list) and value else value
        kind = "other"
        if isinstance(first, dict):
            kind = next((k for k in ("workspace", "path", "git", "url", "index") if k in first),
                        "other")
        found.append((canonical(name), kind))
    return tuple(sorted(found))
