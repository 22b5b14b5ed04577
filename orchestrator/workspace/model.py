"""The workspace model: packages, their internal dependencies, and findings about them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

EdgeKind = Literal["runtime", "optional", "group", "build", "source"]
PackageKind = Literal["library", "service"]
Severity = Literal["error", "warning"]

EDGE_KINDS: tuple[EdgeKind, ...] = ("runtime", "optional", "group", "build", "source")
# What ships with a package: release propagation follows these.
SHIPPED_KINDS: frozenset[EdgeKind] = frozenset({"runtime", "optional"})
# What must exist before a package can be built or run: task ordering follows these.
ORDER_KINDS: frozenset[EdgeKind] = frozenset({"runtime", "optional", "build"})
ALL_KINDS: frozenset[EdgeKind] = frozenset(EDGE_KINDS)


@dataclass(frozen=True)
class Dependency:
    """An edge of the internal graph: this package depends on the package `name`."""

    name: str
    specifier: str
    kind: EdgeKind
    where: str = ""
    extras: tuple[str, ...] = ()  # the dependency's extras it asks for (`acme-core[all]`)


@dataclass(frozen=True)
class TaskOverride:
    """Fields a package's own `[tool.orchestrator.tasks]` replaces for one task."""

    command: tuple[str, ...] | None = None
    needs_dependencies: bool | None = None
    inputs: tuple[str, ...] | None = None
    env: tuple[tuple[str, str], ...] | None = None
    global_files: tuple[str, ...] | None = None


@dataclass(frozen=True)
class PackageSettings:
    """A package's own `[tool.orchestrator]` table."""

    ignore: tuple[str, ...] = ()
    version_files: tuple[str, ...] = ()
    tasks: tuple[tuple[str, TaskOverride], ...] = ()
    tag_name: str | None = None  # [tool.orchestrator.release] tag-name: {name} in its tags

    def task(self, name: str) -> TaskOverride | None:
        return dict(self.tasks).get(name)

    def to_record(self) -> tuple[Any, ...]:
        """Plain nested tuples, for the caches (marshal writes them quickly)."""
        return (self.ignore, self.version_files,
                tuple((name, (t.command, t.needs_dependencies, t.inputs, t.env, t.global_files))
                      for name, t in self.tasks), self.tag_name)

    @classmethod
    def from_record(cls, record: tuple[Any, ...]) -> PackageSettings:
        if not any(record):
            return NO_SETTINGS
        ignore, version_files, tasks, tag_name = record
        return cls(ignore, version_files, tuple((n, TaskOverride(*o)) for n, o in tasks),
                   tag_name)


NO_SETTINGS = PackageSettings()


@dataclass(frozen=True)
class Package:
    """An internal package: a directory whose pyproject.toml declares a project name."""

    name: str  # PEP 503 normalised; what every command prints and compares
    version: str | None  # None when dynamic
    path: str  # POSIX, relative to the root; "." for the root itself
    kind: PackageKind
    dependencies: tuple[Dependency, ...] = ()
    dynamic: tuple[str, ...] = ()
    settings: PackageSettings = field(default_factory=PackageSettings)
    # Where dynamic dependencies were read: "files" (setuptools), "backend" (PEP 517).
    dynamic_source: str | None = None

    @property
    def pyproject(self) -> str:
        return "pyproject.toml" if self.path == "." else f"{self.path}/pyproject.toml"


@dataclass(frozen=True)
class Finding:
    """Something `check` reports; `code` is a stable identifier for scripts."""

    severity: Severity
    code: str
    message: str
    path: str | None = None
    package: str | None = None
