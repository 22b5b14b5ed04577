"""uv.lock: which members' locked dependency closures differ between two versions of the lock.

A lock file change usually touches a few external packages; only the members that can reach
them (through runtime, optional or dev dependencies) are affected by it. Read with tomllib.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.workspace.metadata import canonical

LOCK_FILE = "uv.lock"
KNOWN_VERSIONS = (1,)

Entry = Mapping[str, Any]
Closure = frozenset[tuple[str, ...]]


class LockError(Exception):
    """A uv.lock this module cannot read: the caller treats it as "everything changed"."""


@dataclass(frozen=True)
class LockComparison:
    """Members whose locked closure differs, or why the two locks could not be compared."""

    changed: frozenset[str]
    unreadable: str | None = None


def compare_locks(base: bytes | None, head: bytes | None, members: Iterable[str],
                  ) -> LockComparison:
    """Compare each member's closure in the base lock with the head lock (None: no lock)."""
    try:
        before = parse_lock(base, "at the merge base")
        after = parse_lock(head, "at HEAD")
    except LockError as e:
        return LockComparison(frozenset(), str(e))
    changed = {
        name for name in members
        if locked_closure(before, name) != locked_closure(after, name)
    }
    return LockComparison(frozenset(changed))


def parse_lock(data: bytes | None, side: str) -> dict[str, list[Entry]]:
    """Package entries of a uv.lock by normalised name; an absent lock has none."""
    if data is None:
        return {}
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
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


def locked_closure(lock: Mapping[str, list[Entry]], member: str) -> Closure:
    """Every package (name, version, source) and edge (with markers and extras) reachable
    from `member` through its dependencies, extras and dev groups."""
    found: set[tuple[str, ...]] = set()
    queue = list(lock.get(member, []))
    seen: set[int] = set()
    while queue:
        entry = queue.pop()
        if id(entry) in seen:
            continue
        seen.add(id(entry))
        found.add(("package", canonical(entry["name"]), _text(entry.get("version")),
                   _text(entry.get("source"))))
        for dep in _dependencies(entry):
            found.add(_edge(entry, dep))
            queue.extend(_targets(lock, dep))
    return frozenset(found)


def _dependencies(entry: Entry) -> Iterable[Entry]:
    yield from _valid(entry.get("dependencies"))
    for table in ("optional-dependencies", "dev-dependencies"):
        groups = entry.get(table)
        if isinstance(groups, dict):
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
