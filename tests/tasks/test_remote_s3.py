"""The remote cache in an S3-compatible bucket (moto's server mode, started by the tests)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.gitutil import GitRepo
from tests.tasks.servers import Server, s3_environment, s3_server
from tests.tasks.test_remote_cache import CHAIN, clone, origins, ran, remote_repo, run_json

pytestmark = pytest.mark.remote
Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def s3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    pytest.importorskip("obstore")
    with s3_server(tmp_path / "moto") as server:
        for var, value in s3_environment(server).items():
            monkeypatch.setenv(var, value)
        monkeypatch.delenv("ORCHESTRATOR_REMOTE_CACHE_SIGNATURE_KEY", raising=False)
        yield server


def test_a_fresh_clone_answers_from_the_bucket(repo: GitRepo, s3: Server,
                                               capsys: Capsys) -> None:
    a = remote_repo(repo, "s3://cache/ci/tasks")
    first, report = run_json(capsys, a.root, "test", "--all")
    assert first.exit_code == 0, first.stderr
    assert report["remote"]["uploads"] == 4  # type: ignore[index]
    b = clone(a, "clone-b")
    second, report = run_json(capsys, b.root, "test", "--all")
    assert second.exit_code == 0
    assert ran(b) == []
    assert origins(report) == dict.fromkeys(CHAIN, "remote")
    assert "warning" not in second.stderr


def test_signed_artifacts_in_the_bucket_are_verified(repo: GitRepo, s3: Server, capsys: Capsys,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_SIGNATURE_KEY", "one-key")
    a = remote_repo(repo, "s3://cache/signed")
    run_json(capsys, a.root, "test", "--all")
    b = clone(a, "clone-b")
    monkeypatch.setenv("ORCHESTRATOR_REMOTE_CACHE_SIGNATURE_KEY", "another-key")
    result, report = run_json(capsys, b.root, "test", "--all")
    assert result.exit_code == 0
    assert ran(b) == sorted(CHAIN)  # no artifact verifies under another key
    assert report["remote"]["misses"] == 4  # type: ignore[index]
    assert "has a signature that does not match" in result.stderr


def test_an_unreachable_bucket_is_a_warning(repo: GitRepo, s3: Server, capsys: Capsys,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    s3.stop()
    a = remote_repo(repo, "s3://cache/gone")
    result, report = run_json(capsys, a.root, "test", "--all")
    assert result.exit_code == 0
    assert ran(a) == sorted(CHAIN)
    assert report["remote"]["errors"] >= 1  # type: ignore[index]
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith("orchestrator: warning: remote cache s3://cache/gone: ")


def test_without_the_extra_an_s3_url_names_it(repo: GitRepo, capsys: Capsys,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "obstore", None)  # what an install without it gives
    remote_repo(repo, "s3://cache/x")
    result = run_cli(capsys, repo.root, "test", "--all")
    assert result.exit_code == 2
    assert "an s3:// remote cache needs the orchestrator[s3] extra" in result.stderr
    assert "pip install 'orchestrator[s3]'" in result.stderr
    assert "Traceback" not in result.stderr
