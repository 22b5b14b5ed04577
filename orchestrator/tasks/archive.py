"""A cache entry as one archive, for the remote cache: packed reproducibly, unpacked safely.

An artifact comes from a shared store that others can write to, so unpacking trusts nothing:
no absolute path, no `..`, nothing but the entry's own files, no link that resolves outside
the entry, nothing written through a link, and a limit on the unpacked size. Anything else
is an `ArchiveError`, which the caller treats as a miss.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import tarfile
import zlib
from pathlib import Path, PurePosixPath

MAX_BYTES = 1 << 30  # unpacked; more than any log and outputs a task cache should hold
MAX_MEMBERS = 100_000
TOP_LEVEL = frozenset({"entry.json", "log", "junit.xml", "out"})
_CHUNK = 1 << 20


class ArchiveError(Exception):
    """An artifact that is not a well-formed, safe cache entry."""


def pack(directory: Path) -> bytes:
    """The entry's files as a gzipped tar: sorted, owners and times zeroed, so that the
    same entry always gives the same bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0, compresslevel=6) as zipped, \
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in _walk(directory):
            info = tar.gettarinfo(str(path), arcname=path.relative_to(directory).as_posix())
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 0
            if info.isfile():
                with path.open("rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    return buffer.getvalue()


def _walk(directory: Path) -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(directory, followlinks=False):
        base = Path(folder)
        found.extend(base / name for name in dirs + files)
    return sorted(found)


def unpack(data: bytes, destination: Path, limit: int = MAX_BYTES) -> None:
    """Extract an artifact into `destination` (an empty directory), or raise ArchiveError."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            _extract(tar, destination, limit)
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError) as e:
        raise ArchiveError(f"not a readable archive ({e})") from e
    _check_links(destination)


def _extract(tar: tarfile.TarFile, destination: Path, limit: int) -> None:
    total = 0
    for count, member in enumerate(tar, start=1):
        if count > MAX_MEMBERS:
            raise ArchiveError(f"more than {MAX_MEMBERS} members")
        target = _target(destination, member.name)
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        elif member.isfile():
            total += member.size
            if total > limit:
                raise ArchiveError(f"unpacks to more than {limit} bytes")
            _write(tar, member, target)
        elif member.issym():
            _symlink(destination, target, member.linkname)
        else:
            raise ArchiveError(f"{member.name!r} is a hard link or a special file")


def _target(destination: Path, name: str) -> Path:
    """Where a member goes: relative, no `..`, one of the entry's own names, and not below
    a link (a link may be written, but nothing is written through one)."""
    path = PurePosixPath(name)
    if path.is_absolute() or not path.parts or ".." in path.parts or "\\" in name:
        raise ArchiveError(f"unsafe member name {name!r}")
    if path.parts[0] not in TOP_LEVEL:
        raise ArchiveError(f"unexpected member {name!r}")
    target = destination.joinpath(*path.parts)
    for parent in list(target.parents)[: len(path.parts) - 1]:
        if parent.is_symlink():
            raise ArchiveError(f"member {name!r} would be written through a link")
    return target


def _write(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path) -> None:
    source = tar.extractfile(member)
    if source is None:
        raise ArchiveError(f"{member.name!r} has no data")
    target.parent.mkdir(parents=True, exist_ok=True)
    with source, target.open("xb") as out:
        shutil.copyfileobj(source, out, _CHUNK)
    target.chmod(0o755 if member.mode & 0o100 else 0o644)


def _symlink(destination: Path, target: Path, link: str) -> None:
    if PurePosixPath(link).is_absolute():
        raise ArchiveError(f"link {target.name!r} points to an absolute path")
    if not _inside(destination, target.parent / link):
        raise ArchiveError(f"link {target.name!r} leaves the entry")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(link)


def _check_links(destination: Path) -> None:
    """Links checked one by one can still chain their way out; check where each ends up."""
    for path in _walk(destination):
        if path.is_symlink() and not _inside(destination, path):
            raise ArchiveError(f"link {path.name!r} leaves the entry")


def _inside(destination: Path, path: Path) -> bool:
    root = os.path.realpath(destination)
    return os.path.commonpath([root, os.path.realpath(path)]) == root
