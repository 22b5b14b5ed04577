"""From one parsed pyproject.toml to typed project metadata: name, version, requirements.

Raw TOML dictionaries stop here. Requirements are parsed with `packaging` (PEP 508) and
Poetry constraints translated with `poetry-core`; neither is written by hand.

A PEP 508 line is kept as written, with its leading name (where every PEP 508 line starts),
and parsed when that name turns out to be an internal package (`parse_line`): most lines
name external packages, which no edge depends on. `check` parses the others, to report
those packaging rejects.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal

from orchestrator.errors import ConfigError
from orchestrator.workspace.config import parse_package_settings
from orchestrator.workspace.model import NO_SETTINGS, EdgeKind, PackageSettings
from orchestrator.workspace.names import canonical, is_valid_name

__all__ = ["ProjectMetadata", "canonical", "is_valid_name", "read_metadata"]

_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
# How a PEP 508 line starts: the project name, before anything packaging may reject after it.
_LEADING_NAME = re.compile(r"\s*([A-Za-z0-9._-]*[A-Za-z0-9])")


@dataclass(frozen=True)
class Requirement:
    """One requirement as declared in a pyproject.toml, internal or not."""

    name: str  # PEP 503 normalised
    specifier: str  # PEP 440 specifier set, "" when unconstrained
    kind: EdgeKind
    where: str  # the table it came from, e.g. "project.optional-dependencies.metrics"
    source: Literal["index", "workspace", "path", "url"] = "index"


@dataclass(frozen=True)
class Problem:
    """Something in a pyproject.toml that could not be read as written.

    `requirement` is the normalised leading name of a requirement that packaging rejects:
    its edge is kept (never a silent drop), and `check` makes it an error when the name is
    internal.
    """

    message: str
    requirement: str | None = None


@dataclass(frozen=True)
class ProjectMetadata:
    """What one pyproject.toml says, independent of the rest of the workspace."""

    name: str | None  # as declared; None when the file declares no project
    version: str | None
    dynamic: tuple[str, ...] = ()
    requirements: tuple[Requirement, ...] = ()  # read from tables other than PEP 508 lines
    # PEP 508 lines, not parsed yet: (normalised leading name, line, kind, where).
    lines: tuple[tuple[str, str, EdgeKind, str], ...] = ()
    editables: tuple[tuple[str, EdgeKind, str], ...] = ()  # (-e target without #egg=, kind, where)
    # Requirement files setuptools reads for dynamic dependencies: (file, kind, where).
    requirement_files: tuple[tuple[str, EdgeKind, str], ...] = ()
    dynamic_source: str | None = None  # set when discovery read the dynamic dependencies
    uv_sources: tuple[tuple[str, str], ...] = ()  # (normalised name, "workspace"|"path"|...)
    settings: PackageSettings = field(default_factory=PackageSettings)
    problems: tuple[Problem, ...] = ()  # what could not be read as written

    @property
    def dynamic_dependencies(self) -> bool:
        return "dependencies" in self.dynamic or "optional-dependencies" in self.dynamic

    def to_record(self) -> Record:
        """Nested tuples of plain values, for the caches (marshal writes them quickly): made
        once per object, as the parse cache and a stored workspace both keep it."""
        return self._record

    @cached_property
    def _record(self) -> Record:
        return (
            self.name,
            self.version,
            self.dynamic,
            tuple((r.name, r.specifier, r.kind, r.where, r.source) for r in self.requirements),
            self.lines,
            self.editables,
            self.requirement_files,
            self.uv_sources,
            self.settings.to_record(),
            tuple((p.message, p.requirement) for p in self.problems),
        )

    @classmethod
    def from_record(cls, record: Record) -> ProjectMetadata:
        (name, version, dynamic, requirements, lines, editables, requirement_files, uv_sources,
         settings, problems) = record
        return cls(
            name=name,
            version=version,
            dynamic=dynamic,
            requirements=tuple(_requirement(*r) for r in requirements),
            lines=lines,
            editables=editables,
            requirement_files=requirement_files,
            uv_sources=uv_sources,
            settings=PackageSettings.from_record(settings),
            problems=tuple(Problem(*p) for p in problems),
        )


Record = tuple[Any, ...]


@lru_cache(maxsize=65536)
def _requirement(name: str, specifier: str, kind: EdgeKind, where: str,
                 source: Literal["index", "workspace", "path", "url"]) -> Requirement:
    """Shared immutable instances: the members of a workspace repeat the same requirements."""
    return Requirement(name, specifier, kind, where, source)


def toml_type(value: Any) -> str:
    """What TOML calls the type of a parsed value, for messages."""
    names = {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
             list: "an array", dict: "a table"}
    return next((word for kind, word in names.items() if isinstance(value, kind)),
                "a date or time")


@lru_cache(maxsize=16384)
def _leading_name(line: str) -> str | None:
    """The normalised name a PEP 508 line starts with (memoised: members repeat lines)."""
    leading = _LEADING_NAME.match(line)
    return canonical(leading.group(1)) if leading is not None else None


@lru_cache(maxsize=256)
def _parts(dotted: str) -> list[str]:
    return dotted.split(".")


@lru_cache(maxsize=8192)
def parse_line(line: str) -> tuple[str, str, str, tuple[str, ...]] | str:
    """Name, specifier, source and extras of one PEP 508 line, or why packaging rejects it.

    Memoised: members of one workspace repeat the same lines.
    """
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508

    try:
        req = Pep508(line)
    except InvalidRequirement as e:
        return str(e).splitlines()[0]
    return (canonical(req.name), _as_written(line, req.specifier), "url" if req.url else "index",
            tuple(sorted(canonical(e) for e in req.extras)))


def unparsable(line: str, where: str, why: str) -> str:
    """What `check` says of a line packaging rejects."""
    return f"{where}: cannot parse {line!r}: {why}"


def _as_written(line: str, specifier: Iterable[object]) -> str:
    """The parsed clauses in the order the line wrote them (`>=1.4,<1.5`, not packaging's
    sorted `<1.5,>=1.4`): users read them, and release rewrites them in their own style."""
    compact = line.replace(" ", "")
    clauses = [str(clause) for clause in specifier]
    return ",".join(sorted(clauses, key=lambda c: (compact.find(c) % (len(compact) + 1), c)))


class _Collector:
    """Accumulates requirements from every table that can declare one.

    A requirement whose name cannot be read could name any internal package, so it makes
    the whole file unreadable (a ConfigError) rather than dropping an edge; one whose name
    can be read but whose rest packaging rejects keeps its edge and is reported.
    """

    def __init__(self, path: str):
        self.path = path
        self.requirements: list[Requirement] = []
        self.lines: list[tuple[str, str, EdgeKind, str]] = []
        self.editables: list[tuple[str, EdgeKind, str]] = []
        self.problems: list[Problem] = []

    def pep508(self, text: Any, kind: EdgeKind, where: str) -> None:
        """Keep a PEP 508 line with its leading name, to be parsed if that name is internal.
        A line whose name cannot be read could name any package: the file is unreadable."""
        if not isinstance(text, str):
            raise self.unreadable(f"{where}: {text!r} is not a requirement string")
        line = text.strip()
        if line.startswith("-e ") or line.startswith("--editable "):
            self._editable(line.split(None, 1)[1], kind, where)
            return
        lead = _leading_name(line)
        if lead is None:
            raise self.unreadable(f"{where}: cannot read a project name in {line!r}")
        self.lines.append((lead, line, kind, where))

    def _editable(self, target: str, kind: EdgeKind, where: str) -> None:
        egg = _EGG.search(target)
        if egg:
            self.add(egg.group(1), "", kind, where, "path")
        else:  # named by its directory: discovery resolves it against the packages
            self.editables.append((target.strip(), kind, where))

    def add(self, name: str, spec: str, kind: EdgeKind, where: str, source: str) -> None:
        self.requirements.append(
            Requirement(canonical(name), spec, kind, where, source)  # type: ignore[arg-type]
        )

    def pep508_list(self, items: Any, kind: EdgeKind, where: str) -> None:
        if not isinstance(items, list):
            raise self.unreadable(f"{where} must be a list of requirement strings")
        for item in items:
            self.pep508(item, kind, where)

    def table(self, data: dict[str, Any], dotted: str, prefix: str = "") -> dict[str, Any]:
        """The table at `dotted` ({} when absent). A value of another type where a table of
        requirements (or a table holding one) belongs hides what it declares: unreadable."""
        node: Any = data
        for i, part in enumerate(parts := _parts(dotted)):
            node = node.get(part)
            if node is None:
                return {}
            if not isinstance(node, dict):
                at = prefix + ".".join(parts[: i + 1])
                raise ConfigError(f"{self.path}: {at} must be a table, not "
                                  f"{toml_type(node)}")
        return node  # type: ignore[no-any-return]

    def unreadable(self, why: str) -> ConfigError:
        return ConfigError(f"{self.path}: {why}, so its dependencies cannot be read",
                           hint="fix the value: a requirement that cannot be read could name "
                           "any package of the workspace")


def read_metadata(doc: dict[str, Any], path: str) -> ProjectMetadata:
    """Typed metadata of one pyproject.toml already parsed with tomllib."""
    collector = _Collector(path)
    project = collector.table(doc, "project")
    poetry = collector.table(doc, "tool.poetry")
    name = project["name"] if "name" in project else poetry.get("name")
    if name is not None and not isinstance(name, str):  # 0 or false: never "no name"
        raise ConfigError(f"{path}: the project name must be a string, not {name!r}")
    version = project.get("version") if project else poetry.get("version")
    dynamic = project.get("dynamic", [])
    if not isinstance(dynamic, list):
        collector.problems.append(Problem(f"project.dynamic must be a list, not {dynamic!r}"))
    _project_tables(collector, project)
    _dependency_groups(collector, collector.table(doc, "dependency-groups"))
    _poetry_tables(collector, poetry)
    _pdm_hatch_tables(collector, doc)
    collector.pep508_list(collector.table(doc, "build-system").get("requires", []), "build",
                          "build-system.requires")
    is_root = path == "pyproject.toml"
    own = collector.table(doc, "tool.orchestrator")
    settings = parse_package_settings(own, path) if own else NO_SETTINGS
    if is_root:  # the root's tasks define the workspace's tasks, not overrides
        settings = PackageSettings(settings.ignore, settings.version_files, (), settings.tag_name)
    return ProjectMetadata(
        name=name,
        version=str(version) if isinstance(version, str) else None,
        dynamic=tuple(d for d in dynamic if isinstance(d, str)) if isinstance(dynamic, list)
        else (),
        requirements=tuple(collector.requirements),
        lines=tuple(collector.lines),
        editables=tuple(collector.editables),
        requirement_files=_setuptools_files(collector, doc, dynamic),
        uv_sources=_uv_sources(collector.table(doc, "tool.uv.sources")),
        settings=settings,
        problems=tuple(collector.problems),
    )


def _project_tables(collector: _Collector, project: dict[str, Any]) -> None:
    collector.pep508_list(project.get("dependencies", []), "runtime", "project.dependencies")
    extras = collector.table(project, "optional-dependencies", "project.")
    for extra, items in extras.items():
        collector.pep508_list(items, "optional", f"project.optional-dependencies.{extra}")


def _dependency_groups(collector: _Collector, groups: dict[str, Any]) -> None:
    """PEP 735 groups, following `include-group` (cycles are reported, not followed)."""

    def expand(group: str, seen: tuple[str, ...]) -> None:
        items = groups.get(group)
        where = f"dependency-groups.{seen[0]}"
        if items is None:
            collector.problems.append(
                Problem(f"{where}: includes group {group!r}, which does not exist"))
            return
        if not isinstance(items, list):
            raise collector.unreadable(f"{where}: group {group!r} is not a list")
        for item in items:
            if isinstance(item, dict) and "include-group" in item:
                included = item["include-group"]
                if not isinstance(included, str):
                    raise collector.unreadable(f"{where}: include-group {included!r} is not "
                                               "a group name")
                if included in seen:
                    collector.problems.append(
                        Problem(f"{where}: include-group cycle at {included!r}"))
                else:
                    expand(included, (*seen, included))
            else:
                collector.pep508(item, "group", where)

    for group in groups:
        expand(group, (group,))


def _poetry_tables(collector: _Collector, poetry: dict[str, Any]) -> None:
    at = "tool.poetry."
    _poetry_deps(collector, collector.table(poetry, "dependencies", at), "runtime",
                 "tool.poetry.dependencies")
    _poetry_deps(collector, collector.table(poetry, "dev-dependencies", at), "group",
                 "tool.poetry.dev-dependencies")
    for group in collector.table(poetry, "group", at):
        where = f"tool.poetry.group.{group}.dependencies"
        _poetry_deps(collector, collector.table(poetry, f"group.{group}.dependencies", at),
                     "group", where)


def _poetry_deps(collector: _Collector, deps: dict[str, Any], kind: EdgeKind,
                 where: str) -> None:
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
        collector.problems.append(
            Problem(f"{where}.{name}: cannot translate {version!r}: {e}", canonical(name)))
        return "", source
    if translated == "*":
        return "", source
    # poetry-core prints an exact version bare ("1.3.0"); PEP 440 needs the operator.
    return (f"=={translated}" if translated[:1].isdigit() else translated), source


def _pdm_hatch_tables(collector: _Collector, doc: dict[str, Any]) -> None:
    for group, items in collector.table(doc, "tool.pdm.dev-dependencies").items():
        collector.pep508_list(items, "group", f"tool.pdm.dev-dependencies.{group}")
    envs = collector.table(doc, "tool.hatch.envs")
    for env in envs:
        body = collector.table(envs, env, "tool.hatch.envs.")
        for key in ("dependencies", "extra-dependencies"):
            if key in body:
                collector.pep508_list(body[key], "group", f"tool.hatch.envs.{env}.{key}")


def _setuptools_files(collector: _Collector, doc: dict[str, Any],
                      dynamic: Any) -> tuple[tuple[str, EdgeKind, str], ...]:
    """`[tool.setuptools.dynamic]` dependencies kept in files: static, so read as edges."""
    if not isinstance(dynamic, list) or not {"dependencies", "optional-dependencies"} & set(
            d for d in dynamic if isinstance(d, str)):
        return ()
    table = collector.table(doc, "tool.setuptools.dynamic")
    found: list[tuple[str, EdgeKind, str]] = []
    where = "tool.setuptools.dynamic"
    if "dependencies" in dynamic and "dependencies" in table:
        found += _file_list(collector, table["dependencies"], "runtime", f"{where}.dependencies")
    if "optional-dependencies" in dynamic:
        extras = collector.table(table, "optional-dependencies", f"{where}.")
        for extra, entry in extras.items():
            found += _file_list(collector, entry, "optional",
                                f"{where}.optional-dependencies.{extra}")
    return tuple(found)


def _file_list(collector: _Collector, entry: Any, kind: EdgeKind,
               where: str) -> list[tuple[str, EdgeKind, str]]:
    files = entry.get("file") if isinstance(entry, dict) else None
    files = [files] if isinstance(files, str) else files
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise collector.unreadable(f"{where} must be {{file = [...]}} naming requirement files")
    return [(f, kind, where) for f in files]


def requirements_in_file(
        text: str, kind: EdgeKind, where: str, path: str,
) -> tuple[list[tuple[str, str, EdgeKind, str]], list[Problem], list[str]]:
    """A requirements file as setuptools' `file:` reads it: a PEP 508 line each, `#`
    comments; `-r` includes are returned to be read too. An unreadable name is an error."""
    collector = _Collector(path)
    includes = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if line.startswith(("-r ", "--requirement ")):
            includes.append(line.split(None, 1)[1])
        elif line.startswith(("-c ", "--constraint ", "--index-url", "--extra-index-url",
                              "-i ", "--find-links", "-f ")):
            continue  # where packages come from, not which
        elif line:
            collector.pep508(line, kind, where)
    return collector.lines, collector.problems, includes


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
