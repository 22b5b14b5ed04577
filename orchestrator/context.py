"""What every command starts from: the repository root, its git, its workspace and graph.

Loading is lazy and memoised so that a command pays only for what it reads.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator.gitrepo import Git, find_root
from orchestrator.parsecache import ParseCache, state_dir
from orchestrator.snapshot import open_snapshot
from orchestrator.workspace import Workspace, discover

if TYPE_CHECKING:
    from orchestrator.graph import PackageGraph


class Project:
    """One repository as the commands see it."""

    def __init__(self, directory: Path, config_file: Path | None = None):
        self.root = find_root(directory)
        self.config_file = config_file.resolve() if config_file is not None else None
        self._workspaces: dict[str | None, Workspace] = {}

    @cached_property
    def git(self) -> Git:
        return Git(self.root)

    @cached_property
    def state_dir(self) -> Path:
        return state_dir(self.root)

    @cached_property
    def parse_cache(self) -> ParseCache:
        return ParseCache(self.state_dir / "cache" / "pyproject.json")

    def workspace(self, commit: str | None = None, *, strict: bool = True) -> Workspace:
        """The workspace in the working tree (None) or at a commit."""
        key = commit if strict else f"{commit}:lenient"
        if key not in self._workspaces:
            self._workspaces[key] = discover(
                open_snapshot(self.git, commit),
                self.root,
                config_file=self.config_file,
                cache=self.parse_cache,
                strict=strict,
            )
        return self._workspaces[key]

    @cached_property
    def graph(self) -> PackageGraph:
        from orchestrator.graph import PackageGraph

        return PackageGraph(self.workspace().packages)
