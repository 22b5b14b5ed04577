"""The packages of one workspace, kept as plain records and made into objects when asked.

A workspace loaded from the cache (`workspace/stored.py`) answers most questions about a
few of its packages: which package owns a changed file, who depends on it. Making every
package and edge object first would cost more than the whole answer on a large
repository, so each package is made on first use from its record.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cached_property
from typing import Any

from orchestrator.workspace.model import Dependency, Package, PackageSettings

# (name, version, path, kind, ((dependency, specifier, kind, where), ...), dynamic,
#  settings record, dynamic_source): plain values, which marshal reads quickly.
Record = tuple[Any, ...]


def to_record(package: Package) -> Record:
    return (package.name, package.version, package.path, package.kind,
            tuple((d.name, d.specifier, d.kind, d.where) for d in package.dependencies),
            package.dynamic, package.settings.to_record(), package.dynamic_source)


def from_record(record: Record) -> Package:
    name, version, path, kind, dependencies, dynamic, settings, dynamic_source = record
    return Package(name, version, path, kind, tuple(Dependency(*d) for d in dependencies),
                   dynamic, PackageSettings.from_record(settings), dynamic_source)


class Catalog(Mapping[str, Package]):
    """Packages by normalised name, iterated in name order. Each entry is a Package or its
    record; records become objects on first use and are kept."""

    def __init__(self, entries: Mapping[str, Package | Record],
                 dependents: Mapping[str, tuple[str, ...]] | None = None):
        self._entries = dict(sorted(entries.items()))
        self._stored_dependents = dependents

    @classmethod
    def of(cls, packages: Iterable[Package]) -> Catalog:
        return cls({p.name: p for p in packages})

    def __getitem__(self, name: str) -> Package:
        entry = self._entries[name]
        if isinstance(entry, Package):
            return entry
        package = self._entries[name] = from_record(entry)
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
        return self._entries[name]

    def record(self, name: str) -> Record:
        entry = self._entries[name]
        return to_record(entry) if isinstance(entry, Package) else entry

    def records(self) -> dict[str, Record]:
        return {name: self.record(name) for name in self._entries}

    @cached_property
    def paths(self) -> dict[str, str]:
        """Package directory -> name."""
        return {(e.path if isinstance(e, Package) else e[2]): n for n, e in self._entries.items()}

    def dependency_names(self, name: str) -> list[str]:
        """Names of the packages `name`'s edges point at (read from the record if there)."""
        entry = self._entries[name]
        if isinstance(entry, Package):
            return [d.name for d in entry.dependencies]
        return [d[0] for d in entry[4]]

    @cached_property
    def dependents(self) -> Mapping[str, tuple[str, ...]]:
        """Name -> the names of the packages with an edge to it, sorted."""
        if self._stored_dependents is not None:
            return self._stored_dependents
        found: dict[str, set[str]] = {name: set() for name in self._entries}
        for name in self._entries:
            for target in self.dependency_names(name):
                if target in found and target != name:
                    found[target].add(name)
        return {name: tuple(sorted(sources)) for name, sources in found.items()}
