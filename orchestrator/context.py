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
from orchestrator.workspace.snapshot import open_snapshot
from orchestrator.workspace.tomlfile import parse_toml

if TYPE_CHECKING:
    from orchestrator.workspace.graph import PackageGraph


def find_workspace_root(start: Path, top: Path) -> Path:
    """The workspace root as uv finds it: the nearest directory from `start` up to `top`
    whose pyproject.toml declares a uv workspace or `[tool.orchestrator]`; else `top`."""
    for directory in (start, *start.parents):
        path = directory / "pyproject.toml"
        try:
            data = path.read_bytes()
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

    def _discover(self, commit: str | None, strict: bool,
                  near: tuple[Workspace, Collection[str]] | None) -> Workspace:
        snapshot = open_snapshot(self.git, commit)
        if near is not None:
            derived = rediscover(snapshot, *near, cache=self.parse_cache, strict=strict)
            if derived is not None:
                return derived
        return discover(snapshot, self.root, config_file=self.config_file,
                        cache=self.parse_cache, strict=strict)

    def graph_at(self, commit: str | None = None) -> PackageGraph:
        """The dependency graph of `workspace(commit)`."""
        if commit not in self._graphs:
            from orchestrator.workspace.graph import PackageGraph

            self._graphs[commit] = PackageGraph(self.workspace(commit).packages)
        return self._graphs[commit]

    @property
    def graph(self) -> PackageGraph:
        """The working tree's graph."""
        return self.graph_at(None)
