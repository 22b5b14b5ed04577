"""Which commit's durations balance the shards when they come from the remote cache.

Every shard of one run must split on the same durations, or a package could fall between
them. So a run reads the durations stored for the merge base of its range (its parent when
it runs on the base itself) and writes its own under HEAD: what the shards of one run read
is never what they write.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from orchestrator.changes.refs import choose_base

if TYPE_CHECKING:
    from orchestrator.context import Project


def read_commit(project: Project, base: str | None) -> str | None:
    """The commit whose stored durations this run balances by (None: none to read)."""
    git = project.git
    head = git.resolve("HEAD")
    if head is None:
        return None
    choice = choose_base(git, base, project.workspace().config.base, os.environ)
    base_commit = git.resolve(choice.ref)
    merge = git.merge_base(base_commit, head) if base_commit else None
    if merge is None or merge == head:
        return git.resolve("HEAD^")
    return merge


def write_commit(project: Project) -> str | None:
    """The commit this run's durations are stored under."""
    return project.git.resolve("HEAD")
