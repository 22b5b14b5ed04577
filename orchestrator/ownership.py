"""Who owns a changed file, at the merge base and at HEAD, and which changes policy exempts.

A file changes its owner at HEAD and its owner at the merge base (when that package still
exists): a file moved out of a package, or taken over by a new nested package, changes both.
`ignore` and `global-files` are read from both sides, so a change cannot exempt itself.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from orchestrator.errors import ConfigError
from orchestrator.gitrepo import Git
from orchestrator.globs import FilePatterns
from orchestrator.model import Package
from orchestrator.snapshot import CommitSnapshot
from orchestrator.workspace import PYPROJECT, Workspace, discover

if TYPE_CHECKING:
    from orchestrator.context import Project

ROOT_FILES = (PYPROJECT, "uv.lock")


class BatchedCommitSnapshot(CommitSnapshot):
    """A commit's tree whose first read also fetches every pyproject.toml and the lock file,
    so that one side costs one `ls-tree` and, usually, one `cat-file --batch`."""

    def __init__(self, git: Git, commit: str):
        super().__init__(git, commit)
        self._read: dict[str, bytes] | None = None

    def contents(self, paths: list[str]) -> dict[str, bytes]:
        if self._read is None:
            wanted = [p for p in self.paths()
                      if p in ROOT_FILES or p.endswith("/" + PYPROJECT)]
            self._read = super().contents(wanted)
        missing = [p for p in paths if p not in self._read]
        if missing:
            self._read.update(super().contents(missing))
        return {p: self._read[p] for p in paths if p in self._read}


@dataclass(frozen=True)
class BaseSide:
    """The merge base's workspace, or why it could not be read at all."""

    workspace: Workspace | None
    error: str | None = None


def read_side(project: Project, commit: str, *, strict: bool) -> Workspace:
    """Discovery at a commit, from git objects alone."""
    return discover(BatchedCommitSnapshot(project.git, commit), project.root,
                    config_file=project.config_file, cache=project.parse_cache, strict=strict)


def read_base(project: Project, commit: str) -> BaseSide:
    """The merge base's workspace, leniently: an unreadable member pyproject.toml is
    recorded, and a workspace that cannot be read at all is reported, not raised."""
    try:
        return BaseSide(read_side(project, commit, strict=False))
    except ConfigError as e:
        return BaseSide(None, e.message)


@dataclass(frozen=True)
class Attribution:
    """Changed files, attributed to the packages they directly change."""

    owned: dict[str, tuple[str, ...]]  # package -> files that change it
    unowned: tuple[str, ...]
    global_files: tuple[str, ...]


@dataclass
class _Policy:
    """Compiled `ignore` patterns per (side, package), built only when a file needs them."""

    compiled: dict[tuple[int, str], FilePatterns] = field(default_factory=dict)

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
    """Owners of each file on both sides, minus what both sides' policies exempt."""
    policy = _Policy()
    global_head = FilePatterns(head.config.global_files, "global-files")
    global_base = FilePatterns(base.config.global_files, "global-files (merge base)")
    owned: dict[str, list[str]] = {}
    unowned: list[str] = []
    global_files: list[str] = []
    for path in files:
        now, before = head.owner(path), base.owner(path)
        if now is None and before is None:
            unowned.append(path)
        if _at_root(now) and _at_root(before) and (
            global_head.match(path) or global_base.match(path)
        ):
            global_files.append(path)
        for name in _owners(now, before, head):
            if not (policy.ignores(0, head.get(name), path)
                    and policy.ignores(1, base.get(name), path)):
                owned.setdefault(name, []).append(path)
    return Attribution({n: tuple(f) for n, f in owned.items()}, tuple(unowned),
                       tuple(global_files))


def _owners(now: Package | None, before: Package | None, head: Workspace) -> set[str]:
    names = {now.name} if now is not None else set()
    if before is not None and before.name in head.by_name:
        names.add(before.name)
    return names


def _at_root(owner: Package | None) -> bool:
    """Global patterns apply to files no package owns, or that only a named root owns."""
    return owner is None or owner.path == "."


def unreadable_at_base(head: Workspace, base: Workspace) -> dict[str, str]:
    """HEAD packages whose pyproject.toml could not be read at the merge base, and why."""
    found = {}
    for path, why in base.unreadable:
        package = head.by_path.get(posixpath.dirname(path) or ".")
        if package is not None:
            found[package.name] = why
    return found
