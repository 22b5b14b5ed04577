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
from orchestrator.metadata import ProjectMetadata
from orchestrator.model import Package
from orchestrator.parsecache import ParseCache
from orchestrator.snapshot import CommitSnapshot, Snapshot, WorktreeSnapshot
from orchestrator.workspace import PYPROJECT, Workspace, discover
from orchestrator.workspace import _cache_key as cache_key

if TYPE_CHECKING:
    from orchestrator.context import Project

ROOT_FILES = (PYPROJECT, "uv.lock")


class SharedParseCache(ParseCache):
    """The project's parse cache with parsed entries kept in memory: both sides of a range
    share most of their pyproject.toml files, and a lookup costs as much as a small parse."""

    def __init__(self, inner: ParseCache):
        super().__init__(None)
        self.inner = inner
        self._memo: dict[str, ProjectMetadata | None] = {}

    def get(self, key: str) -> ProjectMetadata | None:
        if key not in self._memo:
            self._memo[key] = self.inner.get(key)
        return self._memo[key]

    def put(self, key: str, metadata: ProjectMetadata) -> None:
        self._memo[key] = metadata
        self.inner.put(key, metadata)

    def save(self) -> None:
        self.inner.save()


class BatchedCommitSnapshot(CommitSnapshot):
    """A commit's tree whose first read also fetches the root files and every pyproject.toml
    the parse cache lacks, so one side costs one `ls-tree` and one `cat-file --batch`."""

    def __init__(self, git: Git, commit: str, cache: ParseCache):
        super().__init__(git, commit)
        self._cache = cache
        self._read: dict[str, bytes] | None = None

    def contents(self, paths: list[str]) -> dict[str, bytes]:
        if self._read is None:
            self._read = super().contents(self._prefetch())
        missing = [p for p in paths if p not in self._read]
        if missing:
            self._read.update(super().contents(missing))
        return {p: self._read[p] for p in paths if p in self._read}

    def _prefetch(self) -> list[str]:
        paths = self.paths()
        wanted = [p for p in paths if p in ROOT_FILES]
        for path, key in self.keys([p for p in paths if p.endswith("/" + PYPROJECT)]).items():
            if self._cache.get(cache_key(path, key)) is None:
                wanted.append(path)
        return wanted


@dataclass(frozen=True)
class BaseSide:
    """The merge base's workspace, or why it could not be read at all."""

    workspace: Workspace | None
    error: str | None = None


class SideReader:
    """Discovery at HEAD (the working tree or a commit) and at the merge base, sharing one
    in-memory parse cache."""

    def __init__(self, project: Project):
        self.project = project
        self.cache = SharedParseCache(project.parse_cache)

    def worktree(self) -> Workspace:
        return self._discover(WorktreeSnapshot(self.project.git), strict=True)

    def commit(self, commit: str, *, strict: bool = True) -> Workspace:
        """Discovery at a commit, from git objects alone."""
        snapshot = BatchedCommitSnapshot(self.project.git, commit, self.cache)
        return self._discover(snapshot, strict=strict)

    def _discover(self, snapshot: Snapshot, *, strict: bool) -> Workspace:
        return discover(snapshot, self.project.root, config_file=self.project.config_file,
                        cache=self.cache, strict=strict)


def read_base(reader: SideReader, commit: str) -> BaseSide:
    """The merge base's workspace, leniently: an unreadable member pyproject.toml is
    recorded, and a workspace that cannot be read at all is reported, not raised."""
    try:
        return BaseSide(reader.commit(commit, strict=False))
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
