"""The remote task cache end to end, against a real turborepo-remote-cache server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestrator.context import Project
from orchestrator.tasks.plan import RunRequest, plan_run
from orchestrator.tasks.selection import SelectionRequest
from tests.cli import Result, run_cli
from tests.gitutil import GitRepo
from tests.tasks.servers import TOKEN, Server, needs_turbo, turbo_server
from tests.tasks.test_runner import RECORD

pytestmark = [pytest.mark.remote, needs_turbo]
Capsys = pytest.CaptureFixture[str]

# acme-a <- acme-b <- acme-c, and acme-d alone
CHAIN = {"acme-a": [], "acme-b": ["acme-a"], "acme-c": ["acme-b"], "acme-d": []}


def remote_repo(repo: GitRepo, remote_cache: str | None = None) -> GitRepo:
    """A workspace whose `test` task records its start and end in `events.txt`."""
    config = f'remote-cache = "{remote_cache}"\n' if remote_cache else ""
    repo.write("pyproject.toml", "[tool.orchestrator]\n" + config + textwrap.dedent("""\
        [tool.orchestrator.tasks.test]
        command = ["{python}", "{root}/record.py", "{name}", "{root}/events.txt"]
        """))
    repo.write("record.py", RECORD)
    repo.write(".gitignore", "events.txt\n.orchestrator/\n")
    for name, deps in CHAIN.items():
        repo.package(f"packages/{name.removeprefix('acme-')}", name, dependencies=deps)
    repo.commit("workspace")
    return repo


def clone(source: GitRepo, name: str) -> GitRepo:
    target = GitRepo(source.root.parent / name)
    target.root.rmdir()
    subprocess.run(["git", "clone", "-q", str(source.root), str(target.root)], check=True,
                   env=source.env, capture_output=True)
    return target


def ran(repo: GitRepo) -> list[str]:
    path = repo.root / "events.txt"
    names = [line.split()[1] for line in path.read_text().splitlines()
             if line.startswith("start")] if path.exists() else []
    path.unlink(missing_ok=True)
    return sorted(names)


def run_json(capsys: Capsys, root: Path, *args: str) -> tuple[Result, dict[str, object]]:
    result = run_cli(capsys, root, *args, "--format", "json")
    return result, json.loads(result.stdout)


def origins(report: dict[str, object]) -> dict[str, object]:
    results = report["results"]
    assert isinstance(results, list)
    return {r["package"]: r["cache"] for r in results}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with turbo_server(tmp_path_factory.mktemp("turbo") / "storage") as started:
        yield started


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> str:
    """Credentials for the shared server; each test its own team, so none sees another's."""
    name = f"team_{request.node.name[:40]}"
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_TOKEN", TOKEN)
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_TEAM", name)
    monkeypatch.delenv("ORCHESTRATOR_REMOTE_CACHE_SIGNATURE_KEY", raising=False)
    return name


def test_a_fresh_clone_answers_from_the_remote_and_reruns_only_what_changed(
        repo: GitRepo, server: Server, team: str, capsys: Capsys) -> None:
    a = remote_repo(repo, server.url)
    first, report = run_json(capsys, a.root, "test", "--all")
    assert first.exit_code == 0, first.stderr
    assert ran(a) == sorted(CHAIN)
    assert set(origins(report).values()) == {None}
    assert report["remote"] == {"url": server.url, "read_only": False, "hits": 0,
                                "misses": 4, "errors": 0, "uploads": 4}
    assert len(list((server.storage / team).iterdir())) == 4  # uploaded before exit

    b = clone(a, "clone-b")
    second, report = run_json(capsys, b.root, "test", "--all")
    assert second.exit_code == 0, second.stderr
    assert ran(b) == []  # every package answered from the remote cache
    assert origins(report) == dict.fromkeys(CHAIN, "remote")
    assert {r["status"] for r in report["results"]} == {"cached"}  # type: ignore[attr-defined]
    assert "warning" not in second.stderr
    assert "remote cache " + server.url in second.stderr  # the summary line
    assert "4 hits, 0 misses, 0 errors, 0 uploads" in second.stderr

    _, report = run_json(capsys, b.root, "test", "--all")
    assert origins(report) == dict.fromkeys(CHAIN, "local")  # written locally on the way

    b.write("packages/b/src/acme_b/__init__.py", "CHANGED = True\n")
    fourth, report = run_json(capsys, b.root, "test", "--all")
    assert fourth.exit_code == 0
    assert ran(b) == ["acme-b", "acme-c"]  # exactly the affected set of the change
    assert origins(report) == {"acme-a": "local", "acme-b": None, "acme-c": None,
                               "acme-d": "local"}


def test_read_only_downloads_but_never_uploads(repo: GitRepo, server: Server, team: str,
                                               capsys: Capsys) -> None:
    a = remote_repo(repo)
    result, report = run_json(capsys, a.root, "test", "--all", "--remote-cache", server.url,
                              "--remote-cache-read-only")
    assert result.exit_code == 0
    assert report["remote"]["uploads"] == 0  # type: ignore[index]
    assert not (server.storage / team).exists()
    shutil.rmtree(a.root / ".orchestrator" / "cache")  # local hits are not uploaded
    run_cli(capsys, a.root, "test", "--all", "--remote-cache", server.url)  # fills it
    b = clone(a, "clone-b")
    _, report = run_json(capsys, b.root, "test", "--all", "--remote-cache", server.url,
                         "--remote-cache-read-only")
    assert origins(report) == dict.fromkeys(CHAIN, "remote")


def test_a_pull_request_from_a_fork_is_read_only(repo: GitRepo, server: Server, team: str,
                                                 capsys: Capsys, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"head": {"repo": {
        "full_name": "someone/fork", "fork": True}}}}))
    for var, value in (("GITHUB_ACTIONS", "true"), ("GITHUB_EVENT_NAME", "pull_request"),
                       ("GITHUB_EVENT_PATH", str(event)), ("GITHUB_REPOSITORY", "acme/mono"),
                       ("GITHUB_BASE_REF", "main")):
        monkeypatch.setenv(var, value)
    a = remote_repo(repo, server.url)
    result, report = run_json(capsys, a.root, "test", "--all")
    assert result.exit_code == 0
    assert report["remote"]["read_only"] is True  # type: ignore[index]
    assert not (server.storage / team).exists()


def test_failures_are_never_uploaded(repo: GitRepo, server: Server, team: str, capsys: Capsys,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIL", "acme-d")
    a = remote_repo(repo, server.url)
    result, report = run_json(capsys, a.root, "test", "--all")
    assert result.exit_code == 1
    assert report["remote"]["uploads"] == 3  # type: ignore[index]
    b = clone(a, "clone-b")
    monkeypatch.delenv("FAIL")
    _, report = run_json(capsys, b.root, "test", "--all")
    assert origins(report) == {"acme-a": "remote", "acme-b": "remote", "acme-c": "remote",
                               "acme-d": None}


def test_durations_travel_through_the_remote_cache(repo: GitRepo, server: Server, team: str,
                                                   capsys: Capsys,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLEEP_acme_d", "0.3")
    a = remote_repo(repo, server.url)
    for k in ("1", "2"):  # on main itself: they read the parent's (none), write HEAD's
        result = run_cli(capsys, a.root, "test", "--all", "--shard", f"{k}/2",
                         "--durations", "remote")
        assert result.exit_code == 0, result.stderr
    a.write("packages/d/notes.txt", "x\n")
    a.commit("next")  # its shards read what the first commit's shards stored
    plan = plan_run(Project(a.root), RunRequest("test", SelectionRequest("all"),
                                                shard=(1, 2), durations="remote"),
                    _remote(server))
    assert plan.durations_from_remote
    assert set(plan.durations) == set(CHAIN)
    assert plan.durations["acme-d"] >= 0.3  # the slow one is known, so it gets a shard alone
    assert [j.package for j in plan.jobs] == ["acme-d"]


def _remote(server: Server) -> object:
    from orchestrator.tasks.remote import open_remote

    return open_remote(server.url, read_only=True, environ=os.environ, warn=print)


def test_the_client_speaks_the_api_of_the_real_server(server: Server, team: str) -> None:
    from orchestrator.tasks.stores import credentials
    from orchestrator.tasks.turborepo import TurborepoStore

    store = TurborepoStore(server.url, credentials(os.environ))
    assert store.status() == "enabled"
    assert store.get("ab" * 32) is None
    assert store.exists("ab" * 32) is False
    store.put("ab" * 32, b"body", tag=None, duration_ms=1200)
    assert store.exists("ab" * 32) is True
    artifact = store.get("ab" * 32)
    assert artifact is not None and artifact.body == b"body"
    assert (server.storage / team / ("ab" * 32)).read_bytes() == b"body"


def test_outputs_travel_with_the_result(repo: GitRepo, server: Server, team: str,
                                        capsys: Capsys) -> None:
    a = remote_repo(repo, server.url)
    a.write("make.py", "import pathlib, sys\nout = pathlib.Path(sys.argv[1]) / 'sub'\n"
                       "out.mkdir()\n(out / sys.argv[2]).write_text(sys.argv[2])\n")
    config = (a.root / "pyproject.toml").read_text() + textwrap.dedent("""\
        [tool.orchestrator.tasks.make]
        command = ["{python}", "{root}/make.py", "{out}", "{name}.txt"]
        """)
    a.write("pyproject.toml", config)
    a.commit("a task with outputs")
    first, _ = run_json(capsys, a.root, "run", "make", "-p", "acme-d")
    assert first.exit_code == 0, first.stderr
    b = clone(a, "clone-b")
    _, report = run_json(capsys, b.root, "run", "make", "-p", "acme-d")
    assert origins(report) == {"acme-d": "remote"}
    assert report["results"][0]["outputs"] == ["sub/acme-d.txt"]  # type: ignore[index]
    assert (b.root / "dist" / "sub" / "acme-d.txt").read_text() == "acme-d.txt"


def test_shards_on_separate_machines_cover_the_selection_and_fill_the_cache(
        repo: GitRepo, server: Server, team: str, capsys: Capsys) -> None:
    """docs/ci.md's fan-out: N clones each run one shard against the shared cache."""
    a = remote_repo(repo, server.url)
    ran_by = {}
    for k in (1, 2, 3):
        shard = clone(a, f"shard-{k}")
        result, report = run_json(capsys, shard.root, "test", "--all", "--shard", f"{k}/3",
                                  "--durations", "remote")
        assert result.exit_code == 0, result.stderr
        ran_by[k] = ran(shard)
        assert report["shard"] == f"{k}/3"
    everything = [name for names in ran_by.values() for name in names]
    assert sorted(everything) == sorted(CHAIN)  # each package by exactly one shard
    later = clone(a, "later")
    _, report = run_json(capsys, later.root, "test", "--all")
    assert origins(report) == dict.fromkeys(CHAIN, "remote")
