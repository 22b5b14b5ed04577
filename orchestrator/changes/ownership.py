"""Who owns a changed file, at the merge base and at HEAD, and which changes policy exempts.

A file changes its owner at HEAD and its owner at the merge base (when that package still
exists): a file moved out of a package, or taken over by a new nested package, changes both.
`ignore` and `global-files` are read from both sides, so a change cannot exempt itself.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import NamedTuple

from orchestrator.workspace.discovery import Workspace
from orchestrator.workspace.globs import FilePatterns
from orchestrator.workspace.model import Package
from orchestrator.workspace.names import LOCK_FILE, PYPROJECT


class Attribution(NamedTuple):
    """Changed files, attributed to the packages they directly change."""

    owned: dict[str, tuple[str, ...]]  # package -> files that change it
    unowned: tuple[str, ...]
    global_files: tuple[str, ...]


class _Policy:
    """Compiled `ignore` patterns per (side, package), built only when a file needs them."""

    def __init__(self) -> None:
        self.compiled: dict[tuple[int, str], FilePatterns] = {}

    def ignores(self, side: int, package: Package | None, path: str) -> bool:
        if package is None or not package.settings.ignore or path == package.pyproject:
            return False
        prefix = "" if package.path == "." else package.path + "/"
        if not path.startswith(prefix):
            return False
        key = (side, package.name)
        if key not in self.compiled:
            where = f"{package.pyproject} [tool.orchestrator] ignore"
            self.compiled[key] = FilePatterns(package.settings.ignore, where)
        return self.compiled[key].match(path[len(prefix):])


def attribute(files: Iterable[str], head: Workspace, base: Workspace) -> Attribution:
    """Owners of each file on both sides, minus what both sides' policies exempt: first the
    workspace-wide `ignore`, then each package's own."""
    policy = _Policy()
    global_head = FilePatterns(head.config.global_files, "global-files")
    global_base = FilePatterns(base.config.global_files, "global-files (merge base)")
    ignored = _WorkspaceIgnore(head, base)
    owned: dict[str, list[str]] = {}
    unowned: list[str] = []
    global_files: list[str] = []
    for path in files:
        if ignored(path):
            continue
        now, before = head.owner(path), base.owner(path)
        if now is None and before is None:
            unowned.append(path)
        if global_head.match(path) or global_base.match(path):  # wherever it is: as said
            global_files.append(path)
        for name in _owners(now, before, head):
            if not (policy.ignores(0, head.get(name), path)
                    and policy.ignores(1, base.get(name), path)):
                owned.setdefault(name, []).append(path)
    return Attribution({n: tuple(f) for n, f in owned.items()}, tuple(unowned),
                       tuple(global_files))


class _WorkspaceIgnore:
    """The root's `ignore`, read from both sides. Metadata is never exempt: a package's
    pyproject.toml, the root's and the lock file change how packages install."""

    def __init__(self, head: Workspace, base: Workspace):
        self.head, self.base = head, base
        self.patterns = (FilePatterns(head.config.ignore, "ignore"),
                         FilePatterns(base.config.ignore, "ignore (merge base)"))

    def __call__(self, path: str) -> bool:
        return all(p.match(path) for p in self.patterns) and not self._metadata(path)

    def _metadata(self, path: str) -> bool:
        if path in (PYPROJECT, LOCK_FILE):
            return True
        return any(owner is not None and path == owner.pyproject
                   for owner in (self.head.owner(path), self.base.owner(path)))


def _owners(now: Package | None, before: Package | None, head: Workspace) -> set[str]:
    names = {now.name} if now is not None else set()
    if before is not None and before.name in head.by_name:
        names.add(before.name)
    return names


def unreadable_at_base(head: Workspace, base: Workspace) -> dict[str, str]:
    """HEAD packages whose pyproject.toml could not be read at the merge base, and why."""
    found = {}
    for path, why in base.unreadable:
        package = head.by_path.get(posixpath.dirname(path) or ".")
        if package is not None:
            found[package.name] = why
    return found


def task_global_files(task: str, files: Iterable[str], head: Workspace,
                      base: Workspace) -> dict[str, tuple[str, ...]]:
    """Package -> changed files matching the task's own `global-files` (a root `ruff.toml`
    for lint), as the package's override of the task says at HEAD or at the merge base."""
    candidates = list(files)
    found: dict[str, tuple[str, ...]] = {}
    for package in head.packages if candidates else ():
        patterns = (_task_patterns(head, package, task)
                    + _task_patterns(base, base.get(package.name), task))
        where = f"{package.pyproject} task '{task}' global-files"
        spec = FilePatterns(tuple(dict.fromkeys(patterns)), where)
        matched = tuple(f for f in candidates if spec.match(f))
        if matched:
            found[package.name] = matched
    return found


def _task_patterns(workspace: Workspace, package: Package | None, task: str) -> tuple[str, ...]:
    override = package.settings.task(task) if package is not None else None
    definition = workspace.config.tasks.get(task)
    if definition is not None:
        return definition.with_override(override).global_files
    return override.global_files or () if override is not None else ()
