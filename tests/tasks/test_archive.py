"""Artifacts: packed reproducibly, unpacked without trusting them, signed as Turborepo does."""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from orchestrator.tasks import signing
from orchestrator.tasks.archive import ArchiveError, pack, unpack
from orchestrator.tasks.cache import TaskCache
from orchestrator.tasks.remote import forked_pull_request

ENTRY = json.dumps({"task": "test", "package": "acme-a", "status": "passed",
                    "duration": 1.5}).encode()


def archive(*members: tarfile.TarInfo, data: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for info in members:
            body = (data or {}).get(info.name, b"")
            if info.isfile():
                info.size = len(body)
            tar.addfile(info, io.BytesIO(body) if info.isfile() else None)
    return buffer.getvalue()


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_an_entry_travels_whole(tmp_path: Path) -> None:
    entry = tmp_path / "entry"
    (entry / "out" / "dist").mkdir(parents=True)
    (entry / "entry.json").write_bytes(ENTRY)
    (entry / "log").write_text("log\n")
    (entry / "out" / "dist" / "a.whl").write_bytes(b"wheel")
    cache = TaskCache(tmp_path / "cache")
    cache.install("ab" * 32, lambda staging: unpack(pack(entry), staging), ("test", "acme-a"))
    got = cache.get("ab" * 32)
    assert got is not None
    assert (got.status, got.duration, got.log.read_text()) == ("passed", 1.5, "log\n")
    assert (got.outputs / "dist" / "a.whl").read_bytes() == b"wheel"


@pytest.mark.parametrize(("members", "message"), [
    ([member("../x")], "unsafe member name"),
    ([member("out/../../x")], "unsafe member name"),
    ([member("/etc/x")], "unsafe member name"),
    ([member("elsewhere.txt")], "unexpected member"),
    ([member("out/link", tarfile.SYMTYPE, "/etc/passwd")], "absolute path"),
    ([member("out/link", tarfile.SYMTYPE, "../../outside")], "leaves the entry"),
    ([member("out/up", tarfile.SYMTYPE, "."), member("out/link", tarfile.SYMTYPE, "up/../..")],
     "leaves the entry"),
    ([member("out/hard", tarfile.LNKTYPE, "log")], "hard link or a special file"),
    ([member("out/fifo", tarfile.FIFOTYPE)], "hard link or a special file"),
    ([member("out/dir", tarfile.SYMTYPE, "sub"), member("out/dir/file")], "through a link"),
])
def test_unsafe_archives_are_refused(tmp_path: Path, members: list[tarfile.TarInfo],
                                     message: str) -> None:
    target = tmp_path / "x" / "y" / "staging"
    target.mkdir(parents=True)
    with pytest.raises(ArchiveError, match=message):
        unpack(archive(*members), target)
    assert not (tmp_path / "x" / "outside").exists()


def test_a_link_inside_the_entry_is_kept(tmp_path: Path) -> None:
    unpack(archive(member("out/a.txt"), member("out/b.txt", tarfile.SYMTYPE, "a.txt"),
                   data={"out/a.txt": b"A"}), tmp_path)
    assert (tmp_path / "out" / "b.txt").read_bytes() == b"A"


def test_the_unpacked_size_is_limited(tmp_path: Path) -> None:
    body = archive(member("log"), data={"log": b"x" * 2000})
    with pytest.raises(ArchiveError, match="more than 1000 bytes"):
        unpack(body, tmp_path, limit=1000)


@pytest.mark.parametrize("body", [b"", b"not gzip", b"\x1f\x8b\x08\x00garbage"])
def test_garbage_is_an_archive_error(tmp_path: Path, body: bytes) -> None:
    with pytest.raises(ArchiveError):
        unpack(body, tmp_path)


@pytest.mark.parametrize("entry", [b"{}", b"not json",
                                   json.dumps({"task": "t", "package": "p", "status": "failed",
                                               "duration": 1}).encode(),
                                   json.dumps({"task": "t", "package": "p", "status": "passed",
                                               "duration": "inf"}).encode(),
                                   json.dumps({"task": "build", "package": "acme-b",
                                               "status": "passed", "duration": 1}).encode()])
def test_an_entry_that_is_not_a_success_is_never_installed(tmp_path: Path, entry: bytes) -> None:
    cache = TaskCache(tmp_path / "cache")
    body = archive(member("entry.json"), data={"entry.json": entry})
    with pytest.raises(ArchiveError):
        cache.install("cd" * 32, lambda staging: unpack(body, staging), ("t", "p"))
    assert cache.get("cd" * 32) is None
    assert list((tmp_path / "cache" / "cd").iterdir()) == []  # no staging left behind


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
def test_tags_follow_turborepos_scheme() -> None:
    """HMAC-SHA256 over {"hash","teamId"} JSON then the body, standard base64: checked
    against openssl, an implementation that shares no code with ours."""
    key, team, digest, body = b"my-secret-key-env", "team_someid", "the-artifact-hash", b"body"
    message = json.dumps({"hash": digest, "teamId": team}, separators=(",", ":")).encode()
    mac = subprocess.run(["openssl", "dgst", "-sha256", "-hmac", key.decode(), "-binary"],
                         input=message + body, capture_output=True, check=True).stdout
    expected = base64.b64encode(mac).decode()
    assert signing.artifact_tag(key, team, digest, body) == expected
    assert signing.verify(key, team, digest, body, expected)
    assert signing.verify(key, team, digest, body, expected.rstrip("="))  # unpadded too
    assert not signing.verify(key, team, digest, body + b"!", expected)
    assert not signing.verify(key, "other-team", digest, body, expected)
    assert not signing.verify(key, team, digest, body, None)
    assert not signing.verify(key, team, digest, body, "%%%")


@pytest.mark.parametrize(("head", "fork"), [
    ({"full_name": "acme/mono", "fork": False}, False),
    ({"full_name": "someone/mono", "fork": True}, True),
    ({"full_name": "someone/mono"}, True),
    (None, True),  # a deleted fork
])
def test_fork_pull_requests_are_recognised(tmp_path: Path, head: object, fork: bool) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"head": {"repo": head}}}))
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request",
               "GITHUB_EVENT_PATH": str(event), "GITHUB_REPOSITORY": "acme/mono"}
    assert forked_pull_request(environ) is fork
    assert forked_pull_request({**environ, "GITHUB_EVENT_NAME": "push"}) is False


@pytest.mark.parametrize("name", ["log", "junit.xml"])
def test_a_log_that_is_a_link_or_a_folder_is_never_installed(tmp_path: Path, name: str) -> None:
    """Installed, it would stop every later run that reads it, remote cache or not."""
    cache = TaskCache(tmp_path / "cache")
    for body in (archive(member("entry.json"), member("out/", tarfile.DIRTYPE),
                         member(name, tarfile.SYMTYPE, "out"), data={"entry.json": ENTRY}),
                 archive(member("entry.json"), member(name + "/", tarfile.DIRTYPE),
                         data={"entry.json": ENTRY})):
        with pytest.raises(ArchiveError, match="not a regular file"):
            cache.install("ef" * 32, lambda staging, b=body: unpack(b, staging),
                          ("test", "acme-a"))
        assert cache.get("ef" * 32) is None
