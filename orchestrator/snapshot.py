"""A snapshot of the repository's files: the working tree, or the tree of one commit.

Discovery reads packages through this interface, so the same code answers "what are the
packages now" and "what were they at the merge base" from git objects alone.
"""

from __future__ import annotations

import os

from orchestrator.gitrepo import SUBMODULE_MODE, Git


def blob_id(data: bytes) -> str:
    """The id git gives a blob with these contents, so caches share keys with git."""
    import hashlib  # only the working tree needs it; commits have their ids from git

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


class Snapshot:
    """Read-only files of the repository at one point."""

    label: str
    git: Git

    def paths(self) -> list[str]:
        raise NotImplementedError

    def keys(self, paths: list[str]) -> dict[str, str]:
        """A content key (git blob id) for each path that exists."""
        raise NotImplementedError

    def contents(self, paths: list[str]) -> dict[str, bytes]:
        raise NotImplementedError

    def read(self, path: str) -> bytes | None:
        return self.contents([path]).get(path)


class WorktreeSnapshot(Snapshot):
    """Files on disk: tracked ones plus untracked ones that git does not ignore."""

    def __init__(self, git: Git):
        self.git = git
        self.label = "working tree"
        self._paths: list[str] | None = None
        self._data: dict[str, bytes | None] = {}

    def paths(self) -> list[str]:
        if self._paths is None:
            # os.path on one string prefix: Path objects per file cost twice as much here.
            root = f"{self.git.root}{os.sep}"
            self._paths = [p for p in self.git.worktree_files() if os.path.isfile(root + p)]
        return self._paths

    def contents(self, paths: list[str]) -> dict[str, bytes]:
        found = {}
        for path in paths:
            if path not in self._data:
                try:
                    self._data[path] = (self.git.root / path).read_bytes()
                except OSError:
                    self._data[path] = None
            data = self._data[path]
            if data is not None:
                found[path] = data
        return found

    def keys(self, paths: list[str]) -> dict[str, str]:
        return {path: blob_id(data) for path, data in self.contents(paths).items()}


class CommitSnapshot(Snapshot):
    """The tree of one commit, read from git objects (no checkout needed)."""

    def __init__(self, git: Git, commit: str):
        self.git = git
        self.commit = commit
        self.label = commit
        entries = git.ls_tree(commit)
        self._blobs = {e.path: e.object_id for e in entries if e.mode != SUBMODULE_MODE}
        self.submodules = [e.path for e in entries if e.mode == SUBMODULE_MODE]

    def paths(self) -> list[str]:
        return list(self._blobs)

    def keys(self, paths: list[str]) -> dict[str, str]:
        return {p: self._blobs[p] for p in paths if p in self._blobs}

    def contents(self, paths: list[str]) -> dict[str, bytes]:
        keys = self.keys(paths)
        blobs = self.git.read_blobs(keys.values())
        return {p: blobs[k] for p, k in keys.items() if k in blobs}


def open_snapshot(git: Git, commit: str | None) -> Snapshot:
    """The working tree when `commit` is None, else that commit's tree."""
    return WorktreeSnapshot(git) if commit is None else CommitSnapshot(git, commit)
