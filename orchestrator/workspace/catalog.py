"""The packages of one workspace, kept as plain records and made into objects when asked.

A workspace loaded from the cache (`workspace/stored.py`) answers most questions about a
few of its packages: which package owns a changed file, who depends on it. Making every
package and edge object first would cost more than the whole answer on a large
repository, so each package is made on first use from its record.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any

from orchestrator.workspace.model import (
    EDGE_KINDS,
    NO_SETTINGS,
    Dependency,
    EdgeKind,
    Package,
    PackageSettings,
)

# (version, path, kind, ((dependency, specifier, kind, where, extras), ...), dynamic,
#  settings record or None, dynamic_source), under the package's name: plain values,
# which marshal reads quickly.
Record = tuple[Any, ...]
PATH, DEPENDENCIES = 1, 3  # where a record holds them
EdgeKinds = tuple[tuple[str, tuple[EdgeKind, ...]], ...]


def to_record(package: Package) -> Record:
    settings = package.settings
    return (package.version, package.path, package.kind,
            tuple((d.name, d.specifier, d.kind, d.where, d.extras) for d in package.dependencies),
            package.dynamic, settings.to_record() if settings != NO_SETTINGS else None,
            package.dynamic_source)


def from_record(name: str, record: Record) -> Package:
    version, path, kind, dependencies, dynamic, settings, dynamic_source = record
    return Package(name, version, path, kind, tuple(Dependency(*d) for d in dependencies),
                   dynamic, PackageSettings.from_record(settings) if settings else NO_SETTINGS,
                   dynamic_source)


class Catalog(Mapping[str, Package]):
    """Packages by normalised name, iterated in name order. Each entry is a Package, its
    record, or its record marshalled (as stored: each is decoded when first used); the
    objects made are kept.

    A stored catalog also comes with its `paths` and, read when first asked for, its
    `dependents`.
    """

    def __init__(self, entries: Mapping[str, Package | Record | bytes], *,
                 paths: dict[str, str] | None = None,
                 dependents: Callable[[], Mapping[str, tuple[str, ...]]] | None = None,
                 kinds: Callable[[], Mapping[str, EdgeKinds]] | None = None,
                 ordered: bool = False):
        self._entries = dict(entries) if ordered else dict(sorted(entries.items()))
        if paths is not None:
            self.paths = paths  # the cached property's value, given
        self._stored_dependents = dependents
        self._stored_kinds = kinds

    def stored(self) -> tuple[dict[str, bytes], dict[str, str]]:
        """Each record marshalled, and the paths: what `Catalog(..., ordered=True)` takes."""
        return ({name: marshal.dumps(self.record(name)) for name in self._entries},
                self.paths)

    @classmethod
    def of(cls, packages: Iterable[Package]) -> Catalog:
        return cls({p.name: p for p in packages})

    def __getitem__(self, name: str) -> Package:
        entry = self.entry(name)
        if isinstance(entry, Package):
            return entry
        package = self._entries[name] = from_record(name, entry)
        return package

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __repr__(self) -> str:
        return f"Catalog({list(self._entries)!r})"

    def entry(self, name: str) -> Package | Record:
        """The package as held: an object, or still its record."""
        entry = self._entries[name]
        if isinstance(entry, bytes):  # this tool's own stored file, checked when read
            entry = self._entries[name] = marshal.loads(entry)  # noqa: S302
        return entry

    def record(self, name: str) -> Record:
        entry = self.entry(name)
        return to_record(entry) if isinstance(entry, Package) else entry

    @cached_property
    def paths(self) -> dict[str, str]:
        """Package directory -> name."""
        found = {}
        for name in self._entries:
            entry = self.entry(name)
            found[entry.path if isinstance(entry, Package) else entry[PATH]] = name
        return found

    def dependency_names(self, name: str) -> list[str]:
        """Names of the packages `name`'s edges point at (read from the record if there)."""
        entry = self.entry(name)
        if isinstance(entry, Package):
            return [d.name for d in entry.dependencies]
        return [d[0] for d in entry[DEPENDENCIES]]

    @cached_property
    def edge_kinds(self) -> Mapping[str, EdgeKinds]:
        """Name -> its edges as (target, kinds in EDGE_KINDS order), sorted by target."""
        if self._stored_kinds is not None:
            return self._stored_kinds()
        return {name: self._kinds_of(name) for name in self._entries}

    def _kinds_of(self, name: str) -> EdgeKinds:
        entry = self.entry(name)
        pairs = ([(d.name, d.kind) for d in entry.dependencies] if isinstance(entry, Package)
                 else [(d[0], d[2]) for d in entry[DEPENDENCIES]])
        found: dict[str, set[EdgeKind]] = {}
        for target, kind in pairs:
            if target in self._entries and target != name:
                found.setdefault(target, set()).add(kind)
        return tuple((t, tuple(k for k in EDGE_KINDS if k in kinds))
                     for t, kinds in sorted(found.items()))

    @cached_property
    def dependents(self) -> Mapping[str, tuple[str, ...]]:
        """Name -> the names of the packages with an edge to it, sorted."""
        if self._stored_dependents is not None:
            return self._stored_dependents()
        found: dict[str, list[str]] = {name: [] for name in self._entries}
        for name, edges in self.edge_kinds.items():  # in name order: each list comes sorted
            for target, _ in edges:
                found[target].append(name)
        return {name: tuple(sources) for name, sources in found.items()}
