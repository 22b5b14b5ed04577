"""SIGINT, SIGTERM and SIGHUP during `release apply`, at each step: either everything as it
was (files and index), or a release commit that the next apply finishes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orchestrator.release import apply as apply_module
from orchestrator.release.vcs import ReleaseGit
from tests.cli import run_cli
from tests.gitutil import GitRepo
from tests.release.conftest import with_every_kind_of_edit
from tests.release.test_apply import state

SIGNALS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]
WRITE_STEPS = [s for s in apply_module.STEPS if s != "commit"]


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
@pytest.mark.parametrize("step", WRITE_STEPS)
def test_a_signal_during_a_step_restores_files_and_index(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        step: str, signum: signal.Signals) -> None:
    repo = with_every_kind_of_edit(tmp_path)
    monkeypatch.setattr(apply_module, "find_uv", lambda: None)
    original = apply_module.STEPS[step]

    def signalled(work: apply_module.Work) -> None:
        original(work)
        os.kill(os.getpid(), signum)  # a real signal, delivered to this process
        time.sleep(5)  # never reached: the handler raises first

    monkeypatch.setitem(apply_module.STEPS, step, signalled)
    before = state(repo)
    result = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert result.exit_code == 128 + signum
    assert result.stderr == (f"orchestrator: release apply interrupted by {signum.name}: every "
                             "file was restored and nothing was committed\n")
    assert state(repo) == before


@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
def test_a_signal_after_the_release_commit_leaves_what_a_rerun_finishes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        signum: signal.Signals) -> None:
    repo = with_every_kind_of_edit(tmp_path)
    monkeypatch.setattr(apply_module, "find_uv", lambda: None)
    create = ReleaseGit.create_tag

    def signalled(self: ReleaseGit, tag: str, commit: str, message: str) -> None:
        create(self, tag, commit, message)
        os.kill(os.getpid(), signum)
        time.sleep(5)

    monkeypatch.setattr(ReleaseGit, "create_tag", signalled)
    result = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert result.exit_code == 128 + signum
    head = repo.git("rev-parse", "HEAD")
    assert f"interrupted by {signum.name} after the release commit {head[:12]}: run release " \
           "apply again" in result.stderr
    assert repo.git("status", "--porcelain") == ""
    monkeypatch.setattr(ReleaseGit, "create_tag", create)
    again = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert again.exit_code == 0 and "tagged t-util-v0.3.1" in again.stdout
    assert repo.git("rev-parse", "HEAD") == head


HOOK = """\
#!/bin/sh
touch "{started}"
sleep 3
"""


@pytest.mark.slow
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
def test_a_signal_to_apply_alone_while_git_commits_stops_git_and_restores(
        tmp_path: Path, signum: signal.Signals) -> None:
    """The signal reaches only the orchestrator (not git, not its hook): git and the hook are
    stopped and waited for, so no orphaned commit lands after the command gave up."""
    repo = with_every_kind_of_edit(tmp_path, lock=False)
    started = tmp_path / "hook-started"
    hook = repo.write(".git/hooks/pre-commit", HOOK.format(started=started))
    hook.chmod(0o755)
    before = state(repo)
    env = {**repo.env, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.Popen([sys.executable, "-m", "orchestrator", "release", "apply", "--yes"],
                            cwd=repo.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        for _ in range(400):
            if started.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert started.exists(), proc.communicate()
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 128 + signum, stderr
    assert f"interrupted by {signum.name}: every file was restored" in stderr
    time.sleep(3.5)  # what the hook would have taken had it been left running
    assert state(repo) == before


def _run_in_own_group(repo: GitRepo, marker: Path, signum: signal.Signals,
                      path: str | None = None) -> tuple[int, str]:
    """`release apply --yes` started as a terminal starts it (the leader of its own process
    group), signalled as a terminal signals it (the whole group) once `marker` appears."""
    env = {**repo.env, "PATH": f"{path + ':' if path else ''}{Path(sys.executable).parent}:"
                               f"{os.environ['PATH']}"}
    proc = subprocess.Popen([sys.executable, "-m", "orchestrator", "release", "apply", "--yes"],
                            cwd=repo.root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for _ in range(400):
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), proc.communicate()
        time.sleep(0.2)  # GitPython's cat-file helpers (and ours) are all running by now
        os.killpg(proc.pid, signum)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, stderr


@pytest.mark.slow
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
def test_a_signal_to_the_whole_group_while_git_commits_restores_everything(
        tmp_path: Path, signum: signal.Signals) -> None:
    """Ctrl-C in a terminal signals every process of the foreground group: the files, the
    index (the release edits are staged by then) and the tags are put back all the same."""
    repo = with_every_kind_of_edit(tmp_path, lock=False)
    started = tmp_path / "hook-started"
    hook = repo.write(".git/hooks/pre-commit", HOOK.format(started=started))
    hook.chmod(0o755)
    before = state(repo)
    status, stderr = _run_in_own_group(repo, started, signum)
    assert status == 128 + signum, stderr
    assert f"interrupted by {signum.name}: every file was restored" in stderr
    time.sleep(3.5)  # what the hook would have taken had it been left running
    assert state(repo) == before


SLOW_UV = """\
#!/bin/sh
touch "{started}"
sleep 5
"""


@pytest.mark.slow
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
def test_a_signal_to_the_whole_group_before_anything_is_staged_restores_everything(
        tmp_path: Path, signum: signal.Signals) -> None:
    repo = with_every_kind_of_edit(tmp_path)
    started = tmp_path / "uv-started"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    uv = bin_dir / "uv"
    uv.write_text(SLOW_UV.format(started=started))
    uv.chmod(0o755)
    before = state(repo)
    status, stderr = _run_in_own_group(repo, started, signum, path=str(bin_dir))
    assert status == 128 + signum, stderr
    assert f"interrupted by {signum.name}: every file was restored" in stderr
    assert state(repo) == before


POST_COMMIT = """\
#!/bin/sh
touch "{started}"
sleep 3
"""


@pytest.mark.slow
@pytest.mark.parametrize("signum", SIGNALS, ids=lambda s: s.name)
def test_a_signal_to_the_whole_group_after_the_commit_leaves_what_a_rerun_finishes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], signum: signal.Signals) -> None:
    repo = with_every_kind_of_edit(tmp_path, lock=False)
    started = tmp_path / "hook-started"
    hook = repo.write(".git/hooks/post-commit", POST_COMMIT.format(started=started))
    hook.chmod(0o755)
    status, stderr = _run_in_own_group(repo, started, signum)
    assert status == 128 + signum, stderr
    head = repo.git("rev-parse", "HEAD")
    assert f"interrupted by {signum.name} after the release commit {head[:12]}" in stderr
    assert repo.git("status", "--porcelain") == ""
    hook.unlink()
    again = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert again.exit_code == 0 and "tagged t-core-v1.3.0" in again.stdout, again.stderr
    assert repo.git("rev-parse", "HEAD") == head
