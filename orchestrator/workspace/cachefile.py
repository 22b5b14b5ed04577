"""This tool's cache files: `marshal` of plain values, with a version and a checksum.

marshal reads and writes nested tuples, dicts and strings several times quicker than JSON
or pickle. Its format belongs to one Python version, so the version (the caller's format
and the interpreter's cache tag) is checked; a CRC-32 of the contents catches a damaged
or torn file. Either way the file is a miss, never an error and never a wrong answer.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib
from pathlib import Path
from typing import Any


def version(fmt: int) -> tuple[int, str]:
    """What a file of format `fmt` is stamped with (marshal's format is one Python's)."""
    return (fmt, sys.implementation.cache_tag)


def read(path: Path | None, stamp: tuple[int, str]) -> Any:
    """The value stored at `path`, or None when there is none that can be trusted."""
    if path is None:
        return None
    try:
        # The file is this tool's own, in the repository's state directory.
        found, check, body = marshal.loads(path.read_bytes())  # noqa: S302
        if found != stamp or zlib.crc32(body) != check:
            return None
        return marshal.loads(body)  # noqa: S302 - its checksum was verified
    except (OSError, EOFError, ValueError, TypeError):
        return None


def write(path: Path | None, stamp: tuple[int, str], value: Any) -> bool:
    """Store `value` atomically, so that concurrent runs never see a torn file. False when
    it cannot be (marshal cannot hold a date; the disk refused): a cache only saves time."""
    if path is None:
        return False
    try:
        body = marshal.dumps(value)
    except ValueError:
        return False
    import tempfile  # only writers pay for it (it pulls in shutil, random, bz2)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(marshal.dumps((stamp, zlib.crc32(body), body)))
        os.replace(tmp, path)
    except OSError:
        return False
    return True


class Folder:
    """Files of one kind in one directory (None: nothing is kept), named `KEY.PART`."""

    def __init__(self, directory: Path | None, stamp: tuple[int, str]):
        self.directory = directory
        self.stamp = stamp

    def read(self, key: str, part: str) -> Any:
        return read(self.path(key, part), self.stamp)

    def write(self, key: str, part: str, value: Any) -> bool:
        return write(self.path(key, part), self.stamp, value)

    def path(self, key: str, part: str) -> Path | None:
        return self.directory / f"{key}.{part}" if self.directory is not None else None
