"""Deterministic shards: the same split on every machine, balanced by known durations.

Packages are placed longest first on the least loaded shard (ties go to the lower shard;
equal durations are ordered by name), so N machines given the same package list and the
same durations file compute the same N disjoint shards without talking to each other.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from orchestrator.errors import OrchestratorError

DEFAULT_DURATION = 1.0


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` with 1 <= K <= N."""
    head, sep, tail = text.partition("/")
    try:
        k, n = int(head), int(tail)
    except ValueError:
        k = n = 0
    if not sep or not 1 <= k <= n:
        raise OrchestratorError(f"--shard {text!r} must be K/N with 1 <= K <= N, e.g. 2/4")
    return k, n


def read_durations(path: Path) -> dict[str, float]:
    """Package -> seconds from a durations file, or from a `run --format json` report.

    A file that does not exist yet means no durations (the first CI run has none).
    """
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as e:
        raise OrchestratorError(f"cannot read durations file {path}: {e}") from e
    if not isinstance(data, dict):
        raise OrchestratorError(f"durations file {path} is not a JSON object")
    durations = _from_report(data, path) if "results" in data else data.get("durations", {})
    if not isinstance(durations, dict):
        raise OrchestratorError(f"durations file {path} has no 'durations' table")
    found = {str(k): float(v) for k, v in durations.items() if isinstance(v, int | float)}
    for name, seconds in found.items():
        if not math.isfinite(seconds) or seconds < 0:
            # NaN would make the split differ between machines; refuse rather than guess.
            raise OrchestratorError(
                f"durations file {path}: {name} has {seconds!r} seconds, not a finite "
                "number >= 0")
    return found


def _from_report(data: Mapping[str, Any], path: Path) -> dict[str, float]:
    results = data["results"]
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        raise OrchestratorError(f"durations file {path}: 'results' is not a list of results")
    found = {}
    for result in results:
        seconds = result.get("measured", result.get("duration"))
        if isinstance(seconds, int | float) and result.get("status") != "skipped":
            found[str(result.get("package"))] = float(seconds)
    return found


def write_durations(path: Path, durations: Mapping[str, float]) -> None:
    """Merge new figures over the file's old ones, written atomically."""
    merged = {**read_durations(path), **durations}
    text = json.dumps({"durations": {k: round(v, 3) for k, v in sorted(merged.items())}},
                      indent=2)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
        with os.fdopen(fd, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, path)
    except OSError as e:
        raise OrchestratorError(f"cannot write durations file {path}: {e.strerror}") from e


def weights(names: Iterable[str], durations: Mapping[str, float]) -> dict[str, float]:
    """Known durations; unknown packages count as the median known one (or 1 s)."""
    names = list(names)
    known = [durations[n] for n in names if n in durations]
    fallback = statistics.median(known) if known else DEFAULT_DURATION
    return {n: durations.get(n, fallback) for n in names}


def split(names: Sequence[str], count: int, durations: Mapping[str, float]) -> list[list[str]]:
    """Longest processing time first: every name on exactly one of `count` shards."""
    weight = weights(names, durations)
    loads = [0.0] * count
    shards: list[list[str]] = [[] for _ in range(count)]
    for name in sorted(set(names), key=lambda n: (-weight[n], n)):
        target = min(range(count), key=lambda i: (loads[i], i))
        shards[target].append(name)
        loads[target] += weight[name]
    return [sorted(shard) for shard in shards]


def pick(names: Sequence[str], shard: tuple[int, int], durations: Mapping[str, float]
         ) -> list[str]:
    """The names of shard K of N.

    With more shards than names, each name takes a shard of its own, in the order the
    split places them, and the shards past them are empty: so only as many shards as there
    are names are ever built, whatever N is.
    """
    k, n = shard
    used = min(n, len(set(names)))
    return split(names, used, durations)[k - 1] if k <= used else []
