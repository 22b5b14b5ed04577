"""A snapshot of the repository's files: the working tree, or the tree of one commit.

Discovery reads packages through this interface, so the same code answers "what are the
packages now" and "what were they at the merge base" from git objects alone.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from orchestrator.errors import ConfigError
from orchestrator.gitrepo import SUBMODULE_MODE, SYMLINK_MODE, Git


def blob_id(data: bytes) -> str:
    """The id git gives a blob with these contents, so caches share keys with git."""
    import hashlib  # only the working tree needs it; commits have their ids from git

    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def read_regular(path: Path, label: str) -> bytes:
    """A file's bytes; a device, FIFO or socket (a link can point at one) is an error, not
    an endless read or a wait. Opened without blocking, so a FIFO is looked at, not read."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as file:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):  # as reading one would say
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise ConfigError(f"{label} is not a regular file (a device, FIFO or socket)")
        return file.read()


def _on_disk(path: str) -> bool:
    """A regular file is there; one that cannot even be looked at counts as there, so that
    reading it reports why instead of it silently dropping out of the tree."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True


def unstattable(root: Path, paths: Iterable[str]) -> list[str]:
    """Those of `paths` (relative to `root`) that cannot be looked at on disk."""
    prefix = f"{root}{os.sep}"
    found = []
    for path in paths:
        try:
            os.stat(prefix + path)
        except OSError:
            found.append(path)
    return found


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

    def link_target(self, path: str) -> str | None:
        """Where `path` points when git stores it as a symbolic link, else None. A commit
        holds a link's text, not the file it names; the disk follows links."""
        return None

    def locating(self) -> AbstractContextManager[None]:
        """Where an error found while reading this snapshot was found, when that is not
        the working tree (the file may read well there)."""
        return nullcontext()

    def prefetch(self, paths: list[str], unless: Callable[[str, str], bool]) -> None:
        """A hint that `paths` will be read, except those whose (path, key) `unless` accepts:
        a commit reads them all in one batch; the working tree reads on demand."""


class WorktreeSnapshot(Snapshot):
    """Files on disk: tracked ones plus untracked ones that git does not ignore. Files a
    sparse checkout leaves off the disk are read from the index: they are still part of the
    tree, and a change to them must not go unnoticed."""

    def __init__(self, git: Git):
        self.git = git
        self.label = "working tree"
        self._paths: list[str] | None = None
        self._data: dict[str, bytes | None] = {}
        self._clean: dict[str, str] | None = None

    def paths(self) -> list[str]:
        """Untracked files (not ignored), then the index's, as `git ls-files --others
        --cached` lists them; each one git's stat data does not vouch for is looked at."""
        if self._paths is None:
            index = self.git.index_flags()
            vouched = self._vouched()
            # os.path on one string prefix: Path objects per file cost twice as much here.
            root = f"{self.git.root}{os.sep}"
            listed = dict.fromkeys([*self.git.status()[1], *index.ids])
            self._paths = [p for p in listed
                           if p in vouched or p in index.sparse or _on_disk(root + p)]
        return self._paths

    def contents(self, paths: list[str]) -> dict[str, bytes]:
        missing = [p for p in paths if p not in self._data and not self._read_disk(p)]
        if missing:
            sparse = self.git.index_flags().sparse  # left in the index by a sparse checkout
            from_index = [p for p in missing if p in sparse]
            blobs = self.git.read_blobs(self.git.spec("", p) for p in from_index)
            self._data.update((p, blobs.get(self.git.spec("", p))) for p in from_index)
        return {p: data for p in paths if (data := self._data.get(p)) is not None}

    def _read_disk(self, path: str) -> bool:
        try:
            self._data[path] = read_regular(self.git.root / path, path)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return False
        except OSError as e:  # there, but unreadable: never mistaken for absent
            raise ConfigError(f"cannot read {path}: {e.strerror}",
                              hint="check the file's permissions") from e
        return True

    def keys(self, paths: list[str]) -> dict[str, str]:
        """Blob ids from the index where git's stat data vouches for the file on disk (it
        is tracked, clean, not flagged, not a link, and can be looked at); the others' are
        computed from what is read (so a file that cannot be read says so)."""
        vouched = self._vouched()
        found = {p: vouched[p] for p in paths if p in vouched}
        for path in unstattable(self.git.root, list(found)):
            del found[path]
        rest = [p for p in paths if p not in found]
        found.update((path, blob_id(data)) for path, data in self.contents(rest).items())
        return found

    def _vouched(self) -> dict[str, str]:
        if self._clean is None:
            index = self.git.index_flags()
            doubtful = {*self.git.status()[0], *index.flagged, *index.links}
            self._clean = {p: i for p, i in index.ids.items() if p not in doubtful}
        return self._clean


class CommitSnapshot(Snapshot):
    """The tree of one commit, read from git objects (no checkout needed).

    The tree is listed (`ls-tree`) only when `paths` is asked for; before that, single files
    are read by path, so a few files of a commit cost one `cat-file` and no listing.
    """

    def __init__(self, git: Git, commit: str):
        self.git = git
        self.commit = commit
        self.label = commit
        self._blobs: dict[str, str] | None = None
        self._data: dict[str, bytes] = {}  # by blob id
        self._by_path: dict[str, tuple[str, bytes] | None] = {}  # read before listing

    def _listing(self) -> dict[str, str]:
        if self._blobs is None:
            entries = self.git.ls_tree(self.commit)
            self._blobs = {e.path: e.object_id for e in entries if e.mode != SUBMODULE_MODE}
        return self._blobs

    def paths(self) -> list[str]:
        return list(self._listing())

    def keys(self, paths: list[str]) -> dict[str, str]:
        if self._blobs is None and all("\n" not in p for p in paths):
            self._read_by_path(paths)
            return {p: found[0] for p in paths if (found := self._by_path[p]) is not None}
        blobs = self._listing()
        return {p: blobs[p] for p in paths if p in blobs}

    def contents(self, paths: list[str]) -> dict[str, bytes]:
        keys = self.keys(paths)
        wanted = [k for k in keys.values() if k not in self._data]
        self._data.update(self.git.read_blobs(wanted))
        return {p: self._data[k] for p, k in keys.items() if k in self._data}

    @contextmanager
    def locating(self) -> Iterator[None]:
        try:
            yield
        except ConfigError as e:
            if self.commit in e.message:  # it says so already
                raise
            raise ConfigError(f"{e.message} (at commit {self.commit[:12]})", hint=e.hint,
                              detail=e.detail) from e

    def link_target(self, path: str) -> str | None:
        if self.git.mode(self.commit, path) != SYMLINK_MODE:
            return None
        data = self.read(path)
        return data.decode("utf-8", "replace") if data is not None else None

    def prefetch(self, paths: list[str], unless: Callable[[str, str], bool]) -> None:
        keys = self.keys(paths)
        self.contents([p for p, k in keys.items() if k not in self._data and not unless(p, k)])

    def _read_by_path(self, paths: list[str]) -> None:
        wanted = [p for p in paths if p not in self._by_path]
        found = self.git.read_files(self.commit, wanted)
        for path in wanted:
            self._by_path[path] = found.get(path)
            if path in found:
                key, data = found[path]
                self._data[key] = data
