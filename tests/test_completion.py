"""Shell completion: scripts for bash, zsh and fish, and package and task names completed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.cli import run_cli
from tests.gitutil import GitRepo


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_a_script_for_each_shell(
        capsys: pytest.CaptureFixture[str], repo: GitRepo, shell: str) -> None:
    result = run_cli(capsys, repo.root, "completion", shell)
    assert result.exit_code == 0
    assert "_ORCHESTRATOR_COMPLETE" in result.stdout


def complete(repo: GitRepo, *words: str) -> list[str]:
    """What bash would offer after `orchestrator WORDS` (the last word being completed)."""
    env = {**os.environ, "_ORCHESTRATOR_COMPLETE": "bash_complete",
           "COMP_WORDS": " ".join(["orchestrator", "-C", str(repo.root), *words]),
           "COMP_CWORD": str(len(words) + 2)}
    proc = subprocess.run([sys.executable, "-m", "orchestrator"], env=env, capture_output=True,
                          text=True, check=False)
    assert proc.stderr == ""
    return [line.split(",", 1)[1] for line in proc.stdout.splitlines() if "," in line]


@pytest.fixture
def two(repo: GitRepo) -> GitRepo:
    repo.write("pyproject.toml", '[tool.orchestrator.tasks]\nlint = "ruff check ."\n')
    repo.package("packages/db", "acme-db")
    repo.package("packages/data", "acme-data")
    repo.commit("two packages")
    return repo


def test_package_and_task_names_complete(two: GitRepo) -> None:
    assert complete(two, "why", "acme-d") == ["acme-data", "acme-db"]
    assert complete(two, "test", "-p", "acme-db") == ["acme-db"]
    assert complete(two, "run", "") == ["build", "lint", "test"]
    assert complete(two, "release", "plan", "--bump", "acme-db=m") == [
        "acme-db=major", "acme-db=minor"]


def test_a_broken_workspace_completes_nothing_quietly(two: GitRepo) -> None:
    two.write("pyproject.toml", "not toml [")
    assert complete(two, "why", "acme-d") == []
