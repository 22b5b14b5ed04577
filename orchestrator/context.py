"""What every command starts from: the repository root, its git, its workspace and graph.

Loading is lazy and memoised so that a command pays only for what it reads: each side of
history is discovered at most once per process, whichever stage asks first.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator.errors import ConfigError
from orchestrator.gitrepo import Git, find_root
from orchestrator.workspace.config import ROOT_ONLY_KEYS
from orchestrator.workspace.discovery import Workspace, discover, rediscover
from orchestrator.workspace.parsecache import ParseCache, state_dir
from orchestrator.workspace.snapshot import (
    CommitSnapshot,
    Snapshot,
    WorktreeSnapshot,
    read_regular,
    unstattable,
)
from orchestrator.workspace.stored import WorkspaceStore
from orchestrator.workspace.tomlfile import parse_toml

if TYPE_CHECKING:
    from orchestrator.workspace.graph import PackageGraph
    from orchestrator.workspace.lockfile import LockStore


def find_workspace_root(start: Path, top: Path) -> Path:
    """The workspace root as uv finds it: the nearest directory from `start` up to `top`
    whose pyproject.toml declares a uv workspace or `[tool.orchestrator]`; else `top`."""
    for directory in (start, *start.parents):
        path = directory / "pyproject.toml"
        try:
            data = read_regular(path, str(path))
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            data = None
        except OSError as e:
            raise ConfigError(f"cannot read {path}: {e.strerror}") from e
        if data is not None and _declares_workspace(data, path):
            return directory
        if directory == top or directory == directory.parent:
            break
    return top


def _declares_workspace(data: bytes, path: Path) -> bool:
    """A uv workspace, or `[tool.orchestrator]` settings only a root has (a package's own
    table, such as `version-files`, does not make it a root), or that table in a file that
    is not a package (a virtual root)."""
    if b"workspace" not in data and b"orchestrator" not in data:
        return False  # most member files: no need to parse them
    doc = parse_toml(data, str(path))
    tool = doc.get("tool")
    if not isinstance(tool, dict):
        return False
    uv, settings = tool.get("uv"), tool.get("orchestrator")
    if isinstance(uv, dict) and "workspace" in uv:
        return True
    if not isinstance(settings, dict):
        return False
    project, poetry = doc.get("project"), tool.get("poetry")
    named = (isinstance(project, dict) and "name" in project) or (
        isinstance(poetry, dict) and "name" in poetry)
    return not named or any(key in ROOT_ONLY_KEYS for key in settings)


class Project:
    """One repository as the commands see it: its workspace root may be a folder of it."""

    def __init__(self, directory: Path, config_file: Path | None = None):
        self.top = find_root(directory)
        self.root = find_workspace_root(directory.resolve(), self.top)
        self.config_file = config_file.resolve() if config_file is not None else None
        self._workspaces: dict[tuple[str | None, bool], Workspace] = {}
        self._graphs: dict[str | None, PackageGraph] = {}

    @cached_property
    def git(self) -> Git:
        return Git(self.root, self.top)

    @cached_property
    def state_dir(self) -> Path:
        return state_dir(self.root)

    @cached_property
    def parse_cache(self) -> ParseCache:
        return ParseCache(self.state_dir / "cache" / "pyproject.marshal")

    def workspace(
        self,
        commit: str | None = None,
        *,
        strict: bool = True,
        near: tuple[Workspace, Collection[str]] | None = None,
    ) -> Workspace:
        """The workspace in the working tree (None) or at a commit.

        Not `strict`: a member pyproject.toml that cannot be read is recorded, not raised.
        `near`: a workspace whose tree differs from this one at most at the given paths
        (HEAD's, and a range's changed files), so that only those files need reading.
        """
        found = self._workspaces.get((commit, strict)) or self._workspaces.get((commit, True))
        if found is None:
            found = self._workspaces[commit, strict] = self._discover(commit, strict, near)
        return found

    @cached_property
    def locks(self) -> LockStore:
        """uv.lock files parsed, with their closures, by blob id."""
        from orchestrator.workspace.lockfile import LockStore

        return LockStore(self.state_dir / "cache" / "locks")

    @cached_property
    def store(self) -> WorkspaceStore:
        return WorkspaceStore(self.state_dir / "cache" / "workspaces", self.config_file)

    def _discover(self, commit: str | None, strict: bool,
                  near: tuple[Workspace, Collection[str]] | None) -> Workspace:
        """A commit's workspace from the store when its tree was read before, else derived
        from a near one (given, or the last stored, through `git diff-tree`) and stored; the
        working tree's derived from HEAD's by the files git says differ from it."""
        if commit is None:
            return self._build(WorktreeSnapshot(self.git), strict, near or self._near_head())
        tree = self.git.tree_ids([commit])[commit]
        key = tree + self.store.suffix if tree is not None else None
        if key is not None:
            found = self.store.load(key, self.root, strict=strict, label=commit)
            if found is not None:
                return found
        workspace = self._build(CommitSnapshot(self.git, commit), strict,
                                near or self._near_stored(tree))
        if key is not None:
            self.store.save(key, workspace)
        return workspace

    def _build(self, snapshot: Snapshot, strict: bool,
               near: tuple[Workspace, Collection[str]] | None) -> Workspace:
        if near is not None:
            derived = rediscover(snapshot, *near, cache=self.parse_cache, strict=strict)
            if derived is not None:
                return derived
        return discover(snapshot, self.root, config_file=self.config_file,
                        cache=self.parse_cache, strict=strict)

    def _near_stored(self, tree: str | None) -> tuple[Workspace, Collection[str]] | None:
        """The workspace stored last, and the paths where its tree differs from `tree`."""
        latest = self.store.latest() if tree is not None else None
        if tree is None or latest is None:
            return None
        near = self.store.load(latest + self.store.suffix, self.root, strict=False,
                               label=latest)
        if near is None:
            return None
        return near, frozenset(self.git.changed_between(latest, tree))

    def _near_head(self) -> tuple[Workspace, Collection[str]] | None:
        """HEAD's workspace, and the paths where the working tree may differ from it: what
        git's stat data says changed, plus files git does not compare that way (flagged
        assume-unchanged or skip-worktree) and symbolic links (the disk follows them)."""
        head = self.git.resolve("HEAD")
        if head is None:
            return None
        try:
            head_ws = self.workspace(head)  # read strictly, it answers any request unchanged
        except ConfigError:
            try:
                head_ws = self.workspace(head, strict=False)
            except ConfigError:
                return None  # HEAD cannot be read: the working tree is read in full
        flags = self.git.index_flags()
        # A file that cannot even be looked at is read, so that it is reported.
        unseen = unstattable(self.root, head_ws.member_files)
        return head_ws, {*self.git.status()[0], *flags.flagged, *flags.links, *unseen}

    def graph_at(self, commit: str | None = None) -> PackageGraph:
        """The dependency graph of `workspace(commit)`."""
        if commit not in self._graphs:
            from orchestrator.workspace.graph import PackageGraph

            self._graphs[commit] = PackageGraph(self.workspace(commit).catalog)
        return self._graphs[commit]

    @property
    def graph(self) -> PackageGraph:
        """The working tree's graph."""
        return self.graph_at(None)
