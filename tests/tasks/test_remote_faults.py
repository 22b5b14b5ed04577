"""A remote cache that fails is never the reason a run fails: each fault, its outcome."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator.context import Project
from orchestrator.tasks.archive import pack
from orchestrator.tasks.plan import RunRequest, plan_run
from orchestrator.tasks.selection import SelectionRequest
from tests.cli import Result, run_cli
from tests.gitutil import GitRepo
from tests.tasks.servers import TOKEN, Faulty, Server, needs_turbo, turbo_server
from tests.tasks.test_remote_cache import CHAIN, clone, origins, ran, remote_repo, run_json

pytestmark = pytest.mark.remote
Capsys = pytest.CaptureFixture[str]
KILLER = """\
import os, signal, socket, sys, time
if sys.argv[1] == "acme-a":
    os.killpg(int(os.environ["SERVER_PGID"]), signal.SIGKILL)
    for _ in range(500):  # until it no longer answers: the kill has landed
        try:
            socket.create_connection(("127.0.0.1", int(os.environ["SERVER_PORT"])), 1).close()
        except OSError:
            break
        time.sleep(0.01)
"""


def warnings(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if "warning" in line]


@pytest.fixture
def creds(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_TOKEN", TOKEN)
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_TEAM", "team_faults")
    monkeypatch.delenv("ORCHESTRATOR_REMOTE_CACHE_SIGNATURE_KEY", raising=False)
    return "team_faults"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    with turbo_server(tmp_path / "storage") as started:
        yield started


def keys(repo: GitRepo) -> dict[str, str]:
    plan = plan_run(Project(repo.root), RunRequest("test", SelectionRequest("all")))
    return {job.package: str(job.key) for job in plan.jobs}


@needs_turbo
def test_a_server_killed_mid_run_costs_one_warning(repo: GitRepo, server: Server, creds: str,
                                                   capsys: Capsys,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVER_PGID", str(server.proc.pid))
    monkeypatch.setenv("SERVER_PORT", server.url.rsplit(":", 1)[1])
    remote_repo(repo, server.url)
    repo.write("kill.py", KILLER)
    config = (repo.root / "pyproject.toml").read_text().replace(
        '"{root}/record.py"', '"{root}/kill.py"')
    repo.write("pyproject.toml", config)
    repo.commit("the first task kills the server")
    result, report = run_json(capsys, repo.root, "test", "--all", "-j", "1")
    assert result.exit_code == 0
    assert server.proc.poll() is not None  # it really died during the run
    assert {r["status"] for r in report["results"]} == {"passed"}  # type: ignore[attr-defined]
    [warning] = warnings(result)
    assert warning.startswith(f"orchestrator: warning: remote cache {server.url}: ")
    assert report["remote"]["errors"] >= 1  # type: ignore[index]
    # a package whose lookup answered first may have run and uploaded before acme-a
    assert report["remote"]["uploads"] < 4  # type: ignore[index]
    _, report = run_json(capsys, repo.root, "test", "--all")
    assert origins(report) == dict.fromkeys(CHAIN, "local")  # the local cache still worked


def test_a_500_on_upload_is_counted_and_the_local_cache_kept(repo: GitRepo, creds: str,
                                                            capsys: Capsys) -> None:
    with Faulty(put_status=500) as faulty:
        remote_repo(repo, faulty.url)
        result, report = run_json(capsys, repo.root, "test", "--all")
    assert result.exit_code == 0
    [warning] = warnings(result)
    assert f"remote cache {faulty.url}: {faulty.url} answered HTTP 500" in warning
    assert report["remote"] == {"url": faulty.url, "read_only": False, "hits": 0,  # type: ignore[index]
                                "misses": 4, "errors": 4, "uploads": 0}
    assert sum(r.startswith("PUT /v8/artifacts/") for r in faulty.requests) == 4
    assert all("teamId=team_faults" in r for r in faulty.requests)
    _, report = run_json(capsys, repo.root, "test", "--all", "--remote-cache-read-only")
    assert origins(report) == dict.fromkeys(CHAIN, "local")


def test_a_server_slower_than_the_timeout_is_dropped_for_the_run(
        repo: GitRepo, creds: str, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_TIMEOUT", "0.3")
    with Faulty(delay=2.0) as faulty:
        remote_repo(repo, faulty.url)
        result, report = run_json(capsys, repo.root, "test", "--all")
    assert result.exit_code == 0
    assert ran(repo) == sorted(CHAIN)
    [warning] = warnings(result)
    assert "did not answer within 0.3s; the run goes on with the local cache" in warning
    assert report["remote"]["errors"] == 4  # type: ignore[index]
    assert not any(r.startswith("PUT") for r in faulty.requests)  # switched off: no uploads


@needs_turbo
def test_a_wrong_token_is_refused_without_printing_it(repo: GitRepo, server: Server,
                                                      creds: str, capsys: Capsys,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_TOKEN", "not-the-token-7f3a")
    remote_repo(repo, server.url)
    result, report = run_json(capsys, repo.root, "test", "--all")
    assert result.exit_code == 0
    [warning] = warnings(result)
    assert "refused the credentials (HTTP 401)" in warning
    assert "not-the-token-7f3a" not in result.stderr + result.stdout
    assert report["remote"]["errors"] == 4  # type: ignore[index]
    assert not (server.storage / creds).exists()


@needs_turbo
def test_a_tampered_signed_artifact_is_ignored_and_the_task_runs(
        repo: GitRepo, creds: str, capsys: Capsys, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_SIGNATURE_KEY", "shared-secret")
    with turbo_server(tmp_path / "signed", signature_key="server-keeps-tags") as server:
        a = remote_repo(repo, server.url)
        run_json(capsys, a.root, "test", "--all")
        tags = sorted((server.storage / creds).glob("*.tag"))
        assert len(tags) == 4  # every upload carried an x-artifact-tag
        b = clone(a, "clone-b")
        target = server.storage / creds / keys(b)["acme-d"]
        target.write_bytes(_valid_archive("forged log\n"))
        result, report = run_json(capsys, b.root, "test", "--all")
    assert result.exit_code == 0
    assert ran(b) == ["acme-d"]
    assert origins(report) == {"acme-a": "remote", "acme-b": "remote", "acme-c": "remote",
                               "acme-d": None}
    [warning] = warnings(result)
    assert "has a signature that does not match" in warning
    assert "forged" not in (b.root / ".orchestrator/logs/test/acme-d.log").read_text()


@needs_turbo
def test_without_a_signature_key_a_garbled_artifact_is_a_miss_and_a_forged_one_is_trusted(
        repo: GitRepo, server: Server, creds: str, capsys: Capsys) -> None:
    a = remote_repo(repo, server.url)
    run_json(capsys, a.root, "test", "--all")
    b = clone(a, "clone-b")
    stored = keys(b)
    (server.storage / creds / stored["acme-c"]).write_bytes(b"\x1f\x8b garbage")
    (server.storage / creds / stored["acme-d"]).write_bytes(_valid_archive("forged log\n"))
    result, report = run_json(capsys, b.root, "test", "--all")
    assert result.exit_code == 0
    assert ran(b) == ["acme-c"]  # garbled: a miss, so it ran
    assert origins(report)["acme-d"] == "remote"  # well formed: nothing tells it apart
    assert (b.root / ".orchestrator/logs/test/acme-d.log").read_text() == "forged log\n"
    [warning] = warnings(result)
    assert "is not a valid cache entry" in warning


@needs_turbo
def test_archives_that_escape_are_misses_and_write_nothing_outside(
        repo: GitRepo, server: Server, creds: str, capsys: Capsys, tmp_path: Path) -> None:
    import urllib.request

    a = remote_repo(repo, server.url)
    stored = keys(a)
    outside = tmp_path / "escaped-absolute.txt"
    bad = {"acme-a": _archive({"../../../../escaped.txt": b"x", "entry.json": b"{}"}),
           "acme-b": _archive({str(outside): b"x"})}
    for package, body in bad.items():
        request = urllib.request.Request(
            f"{server.url}/v8/artifacts/{stored[package]}?teamId={creds}", data=body,
            method="PUT", headers={"Authorization": f"Bearer {TOKEN}",
                                   "Content-Type": "application/octet-stream"})
        urllib.request.urlopen(request, timeout=5).close()
    result, report = run_json(capsys, a.root, "test", "--all")
    assert result.exit_code == 0
    assert ran(a) == sorted(CHAIN)
    assert origins(report) == dict.fromkeys(CHAIN, None)
    assert report["remote"]["misses"] == 4  # type: ignore[index]
    assert not outside.exists()
    assert not list(tmp_path.rglob("escaped.txt"))
    [warning] = warnings(result)
    assert "unsafe member name" in warning


def _archive(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _valid_archive(log: str) -> bytes:
    entry = {"task": "test", "package": "acme-d", "status": "passed", "duration": 0.1}
    return _archive({"entry.json": json.dumps(entry).encode(), "log": log.encode()})


def test_pack_gives_the_same_bytes_for_the_same_entry(tmp_path: Path) -> None:
    for name in ("one", "two"):
        entry = tmp_path / name
        (entry / "out" / "sub").mkdir(parents=True)
        (entry / "entry.json").write_text("{}")
        (entry / "out" / "sub" / "f.whl").write_bytes(b"wheel")
    assert pack(tmp_path / "one") == pack(tmp_path / "two")



@needs_turbo
def test_a_local_cache_that_cannot_be_written_costs_one_warning(
        repo: GitRepo, server: Server, creds: str, capsys: Capsys, tmp_path: Path) -> None:
    a = remote_repo(repo, server.url)
    run_json(capsys, a.root, "test", "--all")
    b = clone(a, "clone-b")
    blocked = tmp_path / "blocked-cache"
    blocked.mkdir()
    for prefix in range(256):  # a file where each entry's folder would go, as a full disk
        (blocked / f"{prefix:02x}").write_text("")
    result, report = run_json(capsys, b.root, "test", "--all", "--cache-dir", str(blocked))
    assert result.exit_code == 0
    assert ran(b) == sorted(CHAIN)
    [warning] = warnings(result)
    assert "cannot write the local cache" in warning
    assert report["remote"]["errors"] == 4  # type: ignore[index]


def test_a_cache_the_server_calls_disabled_is_left_alone(repo: GitRepo, creds: str,
                                                         capsys: Capsys) -> None:
    with Faulty(put_status=200, status="over_limit") as faulty:
        remote_repo(repo, faulty.url)
        result, _ = run_json(capsys, repo.root, "test", "--all")
    assert result.exit_code == 0
    [warning] = warnings(result)
    assert "the server says the cache is over_limit" in warning
    assert not any(r.startswith("PUT") for r in faulty.requests)
    assert any(r.startswith("GET /v8/artifacts/status?teamId=team_faults") for r in
               faulty.requests)


@needs_turbo
def test_durations_that_cannot_be_read_stop_the_shard_unless_refused_to_all(
        repo: GitRepo, server: Server, creds: str, capsys: Capsys,
        monkeypatch: pytest.MonkeyPatch) -> None:
    remote_repo(repo, server.url)
    repo.commit("a second commit, so that there is a parent's durations to read")
    shard = ("test", "--all", "--shard", "1/2", "--durations", "remote")
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_TOKEN", "wrong")
    refused, _ = run_json(capsys, repo.root, *shard)
    assert refused.exit_code == 0  # every shard is refused alike: all balance by count
    assert len(warnings(refused)) == 1
    server.stop()
    down = run_cli(capsys, repo.root, *shard)
    assert down.exit_code == 2  # one shard might read what another cannot: never guess
    assert "cannot read the durations for balancing shards" in down.stderr


def test_uploads_never_hold_back_tasks_and_are_awaited_before_exit(
        repo: GitRepo, creds: str, capsys: Capsys) -> None:
    events = repo.root / "events.txt"

    def every_task_started() -> bool:  # an upload answered before that would be a wait
        text = events.read_text() if events.exists() else ""
        return text.count("start ") == 4

    with Faulty(put_status=200, events=events, hold_puts_until=every_task_started) as faulty:
        remote_repo(repo, faulty.url)
        result, report = run_json(capsys, repo.root, "test", "--all", "-j", "1")
        lines = events.read_text().splitlines()  # read before the server stops
    assert result.exit_code == 0
    assert report["remote"]["uploads"] == 4  # type: ignore[index]
    starts = [i for i, line in enumerate(lines) if line.startswith("start")]
    uploads = [i for i, line in enumerate(lines) if line.startswith("uploaded")]
    assert len(starts) == 4 and len(uploads) == 4  # every upload answered before the exit
    assert max(starts) < min(uploads)  # no task waited for the upload before it


def test_what_a_server_says_stays_on_one_line(repo: GitRepo, creds: str, capsys: Capsys,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Its words go into a warning: a line break there could issue a workflow command."""
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    with Faulty(put_status=200, status="paused\n::error title=INJECTED::x") as faulty:
        remote_repo(repo, faulty.url)
        result, _ = run_json(capsys, repo.root, "test", "--all")
    assert result.exit_code == 0
    [warning] = warnings(result)
    assert "the server says the cache is paused\\n::error title=INJECTED::x;" in warning
    assert not any(line.startswith("::error") for line in result.stderr.splitlines())


def test_a_server_that_trickles_is_dropped_at_the_timeout(
        repo: GitRepo, creds: str, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each read answers in time; the whole answer does not."""
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_TIMEOUT", "0.5")
    with Faulty(put_status=200, artifact=(40, 0.1)) as faulty:
        remote_repo(repo, faulty.url)
        result, _ = run_json(capsys, repo.root, "test", "--all")
    assert result.exit_code == 0
    assert ran(repo) == sorted(CHAIN)
    [warning] = warnings(result)
    assert "did not answer within 0.5s" in warning


def test_an_artifact_said_to_be_too_large_is_refused_before_it_is_read(
        repo: GitRepo, creds: str, capsys: Capsys) -> None:
    with Faulty(put_status=200, artifact=(600 << 20, 0.01)) as faulty:
        remote_repo(repo, faulty.url)
        result, _ = run_json(capsys, repo.root, "test", "--all")
    assert result.exit_code == 0
    [warning] = warnings(result)
    assert f"sent more than {512 << 20} bytes" in warning


def test_tasks_never_see_the_remote_cache_credentials(
        repo: GitRepo, creds: str, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_SIGNATURE_KEY", "signing-secret")
    with Faulty(put_status=200) as faulty:
        remote_repo(repo, faulty.url)
        repo.write("record.py", "import os, sys\nsys.exit(any(k.startswith("
                                "'ORCHESTRATOR_REMOTE_CACHE_') for k in os.environ))\n")
        result, report = run_json(capsys, repo.root, "test", "--all")
    assert result.exit_code == 0, result.stderr
    assert {r["status"] for r in report["results"]} == {"passed"}  # type: ignore[index,union-attr]
