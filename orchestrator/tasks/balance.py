"""Durations for balancing shards, kept in the remote cache (`--durations remote`).

Every shard of one run must split on the same durations, or a package could fall between
them. So a run reads the durations stored for the merge base of its range (its parent when
it runs on the base itself) and writes its own under HEAD: what the shards of one run read
is never what they write. Each shard writes its own part, and an index says how many parts
a commit has, so no shard overwrites another's figures.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from orchestrator.changes.refs import choose_base
from orchestrator.errors import OrchestratorError
from orchestrator.tasks.keys import digest
from orchestrator.tasks.stores import StoreError

if TYPE_CHECKING:
    from orchestrator.context import Project
    from orchestrator.tasks.remote import RemoteCache

FORMAT = 1
MAX_PARTS = 10_000


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


def read(remote: RemoteCache, task: str, commit: str) -> dict[str, float]:
    """Package -> seconds stored for `commit`, every shard's part merged.

    A store that fails here stops the command: shards that split on different durations
    could miss a package. Durations that are absent, untrusted or refused to these
    credentials are none at all, alike for every shard.
    """
    index = _load(remote, _key(task, commit, None))
    count = index.get("shards") if index else None
    if not isinstance(count, int) or not 0 < count <= MAX_PARTS:
        return {}
    with ThreadPoolExecutor(8) as pool:
        parts = list(pool.map(lambda k: _load(remote, _key(task, commit, (k, count))),
                              range(1, count + 1)))
    known: dict[str, float] = {}
    measured: dict[str, float] = {}
    for part in parts:
        known.update(_figures(part.get("known") if part else None))
        measured.update(_figures(part.get("measured") if part else None))
    return {**known, **measured}


def write(remote: RemoteCache, task: str, commit: str, shard: tuple[int, int],
          known: Mapping[str, float], measured: Mapping[str, float]) -> None:
    """This shard's part: what it balanced by, and what it measured."""
    part = {"format": FORMAT, "known": _rounded(known), "measured": _rounded(measured)}
    remote.write_document(_key(task, commit, shard), json.dumps(part).encode())
    index = {"format": FORMAT, "shards": shard[1]}
    remote.write_document(_key(task, commit, None), json.dumps(index).encode())


def _key(task: str, commit: str, shard: tuple[int, int] | None) -> str:
    """A name no task's cache key can take."""
    return digest({"durations": task, "commit": commit, "shard": shard, "format": FORMAT})


def _load(remote: RemoteCache, key: str) -> dict[str, Any] | None:
    """A stored document; a refusal is no document (every shard is refused alike), any
    other failure stops the command (one shard may see what another does not)."""
    try:
        body = remote.read_document(key)
    except StoreError as e:
        if e.kind == "refused":
            remote.note(e)
            return None
        raise OrchestratorError(
            f"cannot read the durations for balancing shards from the remote cache: {e}",
            hint="rerun, or balance by count without --durations remote") from None
    try:
        data = json.loads(body) if body is not None else None
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _figures(value: object) -> dict[str, float]:
    if not isinstance(value, dict):
        return {}
    return {str(k): float(v) for k, v in value.items()
            if isinstance(v, int | float) and math.isfinite(v) and v >= 0}


def _rounded(figures: Mapping[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in sorted(figures.items())}
