"""uv.lock: which members' locked dependency closures differ between two versions of the lock.

A lock file change usually touches a few external packages; only the members that can reach
them (through runtime, optional or dev dependencies) are affected by it, and only their
closures are computed. A member's own extras and dev groups count as far as `affected-kinds`
follows `optional` and `group` edges: the same choice for external packages as for internal
ones. A lock is parsed once per blob id: `LockStore` keeps it, and the closures computed
from it, under `.orchestrator/cache/locks/`.
"""

from __future__ import annotations

import json
import marshal
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from orchestrator.workspace import cachefile
from orchestrator.workspace.model import ALL_KINDS, EdgeKind
from orchestrator.workspace.names import LOCK_FILE, canonical
from orchestrator.workspace.tomlfile import loads

__all__ = ["LOCK_FILE", "compare_locks", "locked_closure", "parse_lock"]
KNOWN_VERSIONS = (1,)
STORE_VERSION = cachefile.version(1)  # of LockStore's files

Entry = Mapping[str, Any]
Closure = frozenset[tuple[str, ...]]


class LockError(Exception):
    """A uv.lock this module cannot read: the caller treats it as "everything changed"."""


@dataclass(frozen=True)
class LockComparison:
    """Members whose locked closure differs (with what changed in it), or why the two locks
    could not be compared."""

    changed: Mapping[str, str]  # member -> "soupsieve 2.6 → 2.7"
    unreadable: str | None = None


def compare_locks(base: bytes | None, head: bytes | None, members: Iterable[str], *,
                  head_side: str = "at HEAD", store: LockStore | None = None,
                  kinds: Collection[EdgeKind] = ALL_KINDS) -> LockComparison:
    """Compare each member's closure in the base lock with the head lock (None: no lock).
    `head_side` says where HEAD's lock was read ("in the working tree"); `kinds` are the
    edge kinds affected-ness follows. Only members that can reach an entry that differs
    have their closures computed: the others' are equal."""
    store = store if store is not None else LockStore(None)
    try:
        before = store.open(base, "at the merge base")
        after = store.open(head, head_side)
    except LockError as e:
        return LockComparison({}, str(e))
    differing = before.differing(after)
    candidates = before.reaching(differing) | after.reaching(differing)
    changed = {}
    for name in members:
        if name in candidates:
            old, new = before.closure(name, kinds), after.closure(name, kinds)
            if old != new:
                changed[name] = describe(old, new)
    store.save()
    return LockComparison(changed)


class Lock:
    """One uv.lock: its entries by name (read when first needed) and the closures computed
    from them, kept; stored closures come marshalled, each decoded when asked for."""

    def __init__(self, entries: Callable[[], dict[str, list[Entry]]],
                 stored: dict[str, bytes] | None = None):
        self._read = entries
        self._stored = stored if stored is not None else {}
        self.closures: dict[str, Closure] = {}  # those asked for in this process
        self.computed = False  # closures were added since it was opened

    @cached_property
    def entries(self) -> dict[str, list[Entry]]:
        return self._read()

    def closure(self, member: str, kinds: Collection[EdgeKind] = ALL_KINDS) -> Closure:
        key = _closure_key(member, kinds)
        if key not in self.closures:
            stored = self._stored.get(key)
            if stored is not None:  # this tool's own file, whose checksum was verified
                self.closures[key] = marshal.loads(stored)  # noqa: S302
            else:
                self.closures[key] = locked_closure(self.entries, member, kinds=kinds)
                self.computed = True
        return self.closures[key]

    def stored(self) -> dict[str, bytes]:
        """Every closure known, marshalled."""
        return {**self._stored, **{m: marshal.dumps(c) for m, c in self.closures.items()}}

    def differing(self, other: Lock) -> set[str]:
        """Names whose entries differ between the two locks (or are in one only)."""
        mine, theirs = self.entries, other.entries
        return {name for name in mine.keys() | theirs.keys()
                if mine.get(name) != theirs.get(name)}

    def reaching(self, names: set[str]) -> set[str]:
        """`names` and every name whose entries depend on one of them, by any route (extras,
        groups and markers aside: a superset of what any closure follows)."""
        users: dict[str, set[str]] = {}
        for name, entries in self.entries.items():
            for entry in entries:
                for dep in _all_dependencies(entry):
                    users.setdefault(canonical(dep["name"]), set()).add(name)
        found, queue = set(names), list(names)
        while queue:
            for user in users.get(queue.pop(), ()):
                if user not in found:
                    found.add(user)
                    queue.append(user)
        return found


def _all_dependencies(entry: Entry) -> Iterable[Entry]:
    yield from _valid(entry.get("dependencies"))
    for table in ("optional-dependencies", "dev-dependencies"):
        groups = entry.get(table)
        if isinstance(groups, dict):
            for items in groups.values():
                yield from _valid(items)


def _closure_key(member: str, kinds: Collection[EdgeKind]) -> str:
    """A closure depends on the kinds only through `optional` and `group` (the member's own
    extras and dev groups)."""
    left_out = [k for k in ("optional", "group") if k not in kinds]
    return member if not left_out else f"{member}|without:{','.join(left_out)}"


class LockStore:
    """Locks by blob id: parsed once, kept with their closures in `directory` (None: only
    for this process). A damaged or foreign file is a miss."""

    def __init__(self, directory: Path | None):
        self._files = cachefile.Folder(directory, STORE_VERSION)
        self._open: dict[str, Lock] = {}

    def open(self, data: bytes | None, side: str) -> Lock:
        """The lock with these contents (None: there is none); LockError when it cannot be
        read (`side` says where it was read, for the message)."""
        if data is None:
            return Lock(dict)
        from orchestrator.workspace.snapshot import blob_id

        blob = blob_id(data)
        if blob not in self._open:
            entries = self._load(blob, "entries")
            if entries is None:
                parsed = parse_lock(data, side)
                self._write(blob, "entries", parsed)
                entries = parsed
            self._open[blob] = Lock(lambda: entries, self._load(blob, "closures"))
        return self._open[blob]

    def save(self) -> None:
        """Keep the closures computed since the locks were opened."""
        for blob, lock in self._open.items():
            if lock.computed:
                self._write(blob, "closures", lock.stored())
                lock.computed = False

    def _load(self, blob: str, part: str) -> Any:
        return self._files.read(blob, part)

    def _write(self, blob: str, part: str, value: Any) -> None:
        self._files.write(blob, part, value)


def describe(old: Closure, new: Closure, most: int = 3) -> str:
    """What differs between two closures, as a reader wants it: versions first."""
    versions = {False: _versions(old), True: _versions(new)}
    names = sorted(set(versions[False]) | set(versions[True]))
    moves = [f"{n} {versions[False].get(n, '(none)')} → {versions[True].get(n, '(none)')}"
             for n in names if versions[False].get(n) != versions[True].get(n)]
    if not moves:
        touched = sorted({item[1] for item in old ^ new})
        return f"{', '.join(touched[:most])}: locked dependencies or sources changed"
    return ", ".join(moves[:most]) + (f" and {len(moves) - most} more" if len(moves) > most
                                      else "")


def _versions(closure: Closure) -> dict[str, str]:
    found: dict[str, set[str]] = {}
    for item in closure:
        if item[0] == "package":
            found.setdefault(item[1], set()).add(item[2] or "?")
    return {name: "/".join(sorted(v)) for name, v in found.items()}


def parse_lock(data: bytes | None, side: str) -> dict[str, list[Entry]]:
    """Package entries of a uv.lock by normalised name; an absent lock has none."""
    if data is None:
        return {}
    try:
        doc = loads(data.decode("utf-8"))
    except ValueError as e:  # not UTF-8, or tomllib.TOMLDecodeError
        raise LockError(f"{LOCK_FILE} {side} is not valid TOML: {e}") from e
    except RecursionError as e:
        raise LockError(f"{LOCK_FILE} {side} nests values too deeply to be read") from e
    if doc.get("version") not in KNOWN_VERSIONS:
        raise LockError(f"{LOCK_FILE} {side} has an unknown format "
                        f"(version {doc.get('version')!r})")
    packages = doc.get("package", [])
    if not isinstance(packages, list) or not all(_is_entry(p) for p in packages):
        raise LockError(f"{LOCK_FILE} {side} has an unknown format ([[package]] entries)")
    index: dict[str, list[Entry]] = {}
    for entry in packages:
        index.setdefault(canonical(entry["name"]), []).append(entry)
    return index


def _is_entry(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("name"), str)


def locked_closure(lock: Mapping[str, list[Entry]], member: str, *,
                   kinds: Collection[EdgeKind] = ALL_KINDS) -> Closure:
    """Every package (name, version, source) and edge (with markers and extras) that the
    member installs: its dependencies, its own extras and dev groups (when `kinds` has
    `optional`, `group`); then, for what it reaches, their dependencies and only the extras
    a dependency names (a dependency's dev groups are never installed with it)."""
    found: set[tuple[str, ...]] = set()
    activated: dict[int, set[str]] = {}
    queue = [(e, frozenset(_extras(e) if "optional" in kinds else ()), "group" in kinds)
             for e in lock.get(member, [])]
    while queue:
        entry, extras, dev = queue.pop()
        groups = set(extras) & set(_extras(entry))
        before = activated.get(id(entry))
        if before is not None and (groups <= before):
            continue
        activated[id(entry)] = (before or set()) | groups
        found.add(("package", canonical(entry["name"]), _text(entry.get("version")),
                   _text(entry.get("source"))))
        new_groups = groups - (before or set())
        for dep in _dependencies(entry, new_groups, base=before is None, dev=dev):
            found.add(_edge(entry, dep))
            queue.extend((target, frozenset(_named_extras(dep)), False)
                         for target in _targets(lock, dep))
    return frozenset(found)


def _extras(entry: Entry) -> list[str]:
    groups = entry.get("optional-dependencies")
    return sorted(groups) if isinstance(groups, dict) else []


def _named_extras(dep: Entry) -> list[str]:
    extra = dep.get("extra")
    return [e for e in extra if isinstance(e, str)] if isinstance(extra, list) else []


def _dependencies(entry: Entry, extras: Iterable[str], *, base: bool,
                  dev: bool) -> Iterable[Entry]:
    if base:
        yield from _valid(entry.get("dependencies"))
    optional = entry.get("optional-dependencies")
    for extra in sorted(extras):
        yield from _valid(optional.get(extra) if isinstance(optional, dict) else None)
    groups = entry.get("dev-dependencies")
    if dev and base and isinstance(groups, dict):
        for group in sorted(groups):
            yield from _valid(groups[group])


def _valid(items: Any) -> Iterable[Entry]:
    if not isinstance(items, list):
        return ()
    return [item for item in items if _is_entry(item)]


def _targets(lock: Mapping[str, list[Entry]], dep: Entry) -> list[Entry]:
    """The entries a dependency refers to; version and source pick one of a forked name."""
    candidates = lock.get(canonical(dep["name"]), [])
    for key in ("version", "source"):
        if key in dep:
            candidates = [c for c in candidates if c.get(key) == dep[key]]
    return candidates


def _edge(entry: Entry, dep: Entry) -> tuple[str, ...]:
    return ("edge", canonical(entry["name"]), _text(entry.get("version")),
            canonical(dep["name"]), _text(dep.get("marker")), _text(dep.get("extra")),
            _text(dep.get("version")), _text(dep.get("source")))


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True)
