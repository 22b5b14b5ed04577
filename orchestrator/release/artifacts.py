"""Built distributions: their metadata, their hash, and whether two sdists hold the same files."""

from __future__ import annotations

import hashlib
import tarfile
import zipfile
from email.message import Message
from email.parser import BytesParser
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

from orchestrator.workspace.metadata import canonical


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def is_sdist(path: Path) -> bool:
    return path.name.endswith(".tar.gz")


def read_metadata(path: Path) -> Message:
    """The core metadata of a wheel (METADATA) or an sdist (PKG-INFO)."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as wheel:
            name = next(n for n in wheel.namelist()
                        if n.count("/") == 1 and n.endswith(".dist-info/METADATA"))
            data = wheel.read(name)
    else:
        with tarfile.open(path) as sdist:
            member = next(m for m in sdist.getmembers()
                          if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO"))
            handle = sdist.extractfile(member)
            data = handle.read() if handle else b""
    return BytesParser().parsebytes(data)


def metadata_problems(path: Path, name: str, version: str, internal: set[str]) -> list[str]:
    """What is wrong with an artifact's metadata for this release (empty when nothing)."""
    try:
        meta = read_metadata(path)
    except (StopIteration, OSError, zipfile.BadZipFile, tarfile.TarError) as e:
        return [f"{path.name} has no readable metadata ({e or 'not found'})"]
    problems = []
    if canonical(meta.get("Name", "")) != name:
        problems.append(f"{path.name} is named {meta.get('Name')!r}, not {name}")
    if not _same_version(meta.get("Version", ""), version):
        problems.append(f"{path.name} has version {meta.get('Version')}, not {version}")
    return problems + _requires_problems(path.name, meta, internal)


def requirement_problems(path: Path, internal: set[str]) -> list[str]:
    """What in an artifact's requirements no index user could install (empty when nothing)."""
    try:
        meta = read_metadata(path)
    except (StopIteration, OSError, zipfile.BadZipFile, tarfile.TarError) as e:
        return [f"{path.name} has no readable metadata ({e or 'not found'})"]
    return _requires_problems(path.name, meta, internal)


def _requires_problems(artifact: str, meta: Message, internal: set[str]) -> list[str]:
    return [p for line in meta.get_all("Requires-Dist") or []
            for p in _requirement_problems(artifact, str(line), internal)]


def _same_version(found: str, expected: str) -> bool:
    try:
        return Version(found) == Version(expected)
    except InvalidVersion:
        return False


def _requirement_problems(artifact: str, line: str, internal: set[str]) -> list[str]:
    if "file://" in line:
        return [f"{artifact} requires {line!r}, a local file URL that no index user can "
                "install"]
    try:
        req = Requirement(line)
    except InvalidRequirement:
        return [f"{artifact} has an unreadable requirement {line!r}"]
    if canonical(req.name) not in internal:
        return []
    if req.url:
        return [f"{artifact} requires internal {req.name} from a URL ({req.url})"]
    if not req.specifier:
        return [f"{artifact} requires internal {req.name} with no version, which would "
                "install whatever the index has"]
    return []


def sdist_members(path: Path) -> dict[str, str]:
    """Each regular file of an sdist and the sha256 of its contents (times are ignored)."""
    members = {}
    with tarfile.open(path) as sdist:
        for member in sdist.getmembers():
            handle = sdist.extractfile(member) if member.isfile() else None
            if handle is not None:
                members[member.name] = hashlib.sha256(handle.read()).hexdigest()
    return members


def same_contents(local: Path, remote: Path) -> bool:
    """DESIGN's "identical": the same sha256, or for sdists the same members and contents."""
    if sha256(local) == sha256(remote):
        return True
    if not (is_sdist(local) and is_sdist(remote)):
        return False
    try:
        return sdist_members(local) == sdist_members(remote)
    except (OSError, tarfile.TarError):
        return False
