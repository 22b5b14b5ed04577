"""Scratch space of `release publish`: a temporary directory with a checkout of the release
commit, marked with the process that owns it, so that a later run can tell the leftovers of
a killed run (its owner is gone) from those of a run still going, and remove them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from orchestrator.release.vcs import ReleaseGit

PREFIX = "orchestrator-publish-"
OWNER = "owner"  # the file holding the owning process's id


@contextmanager
def scratch_checkout(rgit: ReleaseGit, commit: str) -> Iterator[Path]:
    """A fresh directory holding `commit` checked out in `checkout/`, removed (and the
    worktree unregistered) on the way out, whatever ends the run short of SIGKILL."""
    directory = Path(tempfile.mkdtemp(prefix=PREFIX))
    try:
        (directory / OWNER).write_text(f"{os.getpid()}\n")
        rgit.add_worktree(directory / "checkout", commit)
        try:
            yield directory
        finally:
            rgit.remove_worktree(directory / "checkout")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def prune_stale(rgit: ReleaseGit) -> list[Path]:
    """Remove the scratch directories of publish runs whose process is gone (killed), here
    and in the temporary directory, and unregister their worktrees; the ones removed."""
    registered = [w.parent for w in rgit.worktrees() if w.parent.name.startswith(PREFIX)]
    temporary = Path(tempfile.gettempdir()).glob(PREFIX + "*")
    removed = [d for d in dict.fromkeys([*registered, *temporary]) if _stale(d)]
    for directory in removed:
        shutil.rmtree(directory, ignore_errors=True)
    if registered:
        rgit.prune_worktrees()
    return removed


def _stale(directory: Path) -> bool:
    """Ours (same user), and its owner no longer runs (or it never said who it was)."""
    try:
        if directory.stat().st_uid != os.getuid():
            return False
    except FileNotFoundError:
        return True  # already gone: only its worktree registration is left
    try:
        pid = int((directory / OWNER).read_text().strip())
    except (OSError, ValueError):
        return True
    return not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process has that id now: it is not ours
        return True
    return True

