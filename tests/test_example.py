"""The example monorepo is a uv workspace uv accepts, and its lock drives `affected`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.conftest import REPO_ROOT
from tests.gitutil import GitRepo

UV = Path(sys.executable).parent / "uv"


def test_the_lock_is_current_for_uv_itself(tmp_path: Path) -> None:
    proc = subprocess.run([str(UV), "lock", "--check", "--offline"], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=False,
                          env={"PATH": "/usr/bin:/bin", "UV_CACHE_DIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr


@pytest.fixture
def clone(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "clone")
    subprocess.run(["git", "clone", "-q", str(REPO_ROOT), str(repo.root)], check=True,
                   env=repo.env)
    return repo


def bump(lock: Path, name: str) -> None:
    text = lock.read_text()
    pattern = re.compile(rf'(name = "{name}"\nversion = ")([^"]+)"')
    assert pattern.search(text), name
    lock.write_text(pattern.sub(lambda m: f'{m.group(1)}{m.group(2)}.post1"', text, count=1))


def test_a_dev_tool_bump_in_the_lock_affects_the_members_that_use_it(
        capsys: pytest.CaptureFixture[str], clone: GitRepo) -> None:
    bump(clone.root / "uv.lock", "pytest")
    answer = json.loads(run_cli(capsys, clone.root, "affected", "--base", "HEAD",
                                "--format", "json").stdout)
    assert len(answer["affected"]) == 10
    assert answer["reasons"]["acme-log"][0]["change"].startswith("pytest ")


def test_a_bump_of_the_tool_s_own_dependency_affects_no_example_package(
        capsys: pytest.CaptureFixture[str], clone: GitRepo) -> None:
    bump(clone.root / "uv.lock", "click")
    answer = json.loads(run_cli(capsys, clone.root, "affected", "--base", "HEAD",
                                "--format", "json").stdout)
    assert answer["changed_files"] == ["uv.lock"] and answer["affected"] == []
