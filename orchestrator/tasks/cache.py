"""The task result cache: successful results stored whole under their key, atomically, so
that concurrent runs never see a torn entry. Failures are never stored.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator.tasks.archive import ArchiveError

SUCCESSFUL = ("passed", "no-tests")  # what is ever stored


@dataclass(frozen=True)
class CacheEntry:
    """A stored successful result: its status, how long it took, its log and outputs."""

    key: str
    task: str
    package: str
    status: str
    duration: float
    directory: Path

    @property
    def log(self) -> Path:
        return self.directory / "log"

    @property
    def outputs(self) -> Path:
        return self.directory / "out"


class TaskCache:
    """Entries in `<dir>/<key[:2]>/<key>/`, each written whole and renamed into place."""

    def __init__(self, directory: Path):
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / key

    def get(self, key: str) -> CacheEntry | None:
        path = self._path(key)
        try:
            data = json.loads((path / "entry.json").read_bytes())
            return CacheEntry(key, data["task"], data["package"], data["status"],
                              float(data["duration"]), path)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, record: Mapping[str, Any], log: Path, outputs: Path | None,
            junit: Path | None = None) -> Path | None:
        """Store a result; a concurrent writer of the same key simply wins. The entry's
        directory, or None when the cache cannot be written (that only costs time)."""

        def fill(staging: Path) -> None:
            _fill(staging, record, log, outputs)
            if junit is not None:
                shutil.copyfile(junit, staging / "junit.xml")

        try:
            return self._place(key, fill)
        except OSError:
            return None

    def install(self, key: str, fill: Callable[[Path], None], expect: tuple[str, str]) -> None:
        """Store an entry that `fill` writes (an artifact from the remote cache); it must
        read back as a successful result of `expect` (task, package), or nothing is stored
        (ArchiveError). OSError when the cache cannot be written."""
        self._place(key, fill, expect=expect)

    def _place(self, key: str, fill: Callable[[Path], None], *,
               expect: tuple[str, str] | None = None) -> Path:
        parent = self._path(key).parent
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=parent, prefix=".tmp-"))
        try:
            fill(staging)
            if expect is not None:
                _check_entry(staging, expect)
            os.replace(staging, self._path(key))
        except BaseException as e:
            shutil.rmtree(staging, ignore_errors=True)
            if isinstance(e, OSError) and (self._path(key) / "entry.json").exists():
                return self._path(key)  # a concurrent writer of the same key won
            raise
        return self._path(key)


def _check_entry(directory: Path, expect: tuple[str, str]) -> None:
    """An entry from elsewhere: its files are what this cache writes (a `log` that is a
    link or a folder would stop every later run), and it is a success of this very job."""
    for name in ("entry.json", "log", "junit.xml"):
        path = directory / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise ArchiveError(f"{name} is not a regular file")
    try:
        data = json.loads((directory / "entry.json").read_bytes())
        duration = float(data["duration"])
        ok = data["status"] in SUCCESSFUL and math.isfinite(duration) and duration >= 0
        job = (data["task"], data["package"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise ArchiveError(f"no readable entry.json ({e})") from e
    if not ok:
        raise ArchiveError("entry.json does not describe a successful result")
    if job != expect:
        raise ArchiveError(f"entry.json is a result of {job!r}, not of {expect!r}")


def _fill(staging: Path, record: Mapping[str, Any], log: Path, outputs: Path | None) -> None:
    if log.exists():
        shutil.copyfile(log, staging / "log")
    if outputs is not None and outputs.is_dir():
        shutil.copytree(outputs, staging / "out")
    (staging / "entry.json").write_text(json.dumps(dict(record), sort_keys=True))


def copy_outputs(source: Path, destination: Path) -> list[str]:
    """Copy a job's output files into the shared output directory; their names, sorted."""
    if not source.is_dir():
        return []
    destination.mkdir(parents=True, exist_ok=True)
    copied = []
    for item in sorted(source.rglob("*")):
        if item.is_file():
            target = destination / item.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, target)
            copied.append(str(item.relative_to(source)))
    return copied
