"""The example monorepo released to a real index, then installed back from it alone."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.conftest import REPO_ROOT
from tests.gitutil import make_repo
from tests.release.conftest import EXAMPLE_SKIP, Index

pytestmark = [pytest.mark.index, pytest.mark.slow, pytest.mark.usefixtures("credentials")]


def test_example_monorepo_publishes_and_installs_together(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pypi: Index) -> None:
    repo = make_repo(tmp_path)
    for part in ("packages", "services"):
        shutil.copytree(REPO_ROOT / part, repo.root / part, ignore=EXAMPLE_SKIP)
    repo.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*", "services/*"]\n'
                                 f'[tool.orchestrator.release]\nrepository-url = "{pypi.url}"\n'
                                 "publish-services = true\n")
    repo.commit("initial")
    applied = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert applied.exit_code == 0, applied.stderr
    assert "tagged acme-api-v" in applied.stdout
    published = run_cli(capsys, repo.root, "release", "publish")
    assert published.exit_code == 0, published.stdout + published.stderr
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = subprocess.run(
        [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check",
         "--no-cache-dir", "--index-url", pypi.simple, "acme-api"],
        capture_output=True, text=True, check=False)
    assert pip.returncode == 0, pip.stderr
    listed = subprocess.run([str(venv / "bin/python"), "-m", "pip", "list", "--format=freeze"],
                            capture_output=True, text=True, check=True).stdout
    for name in ("acme-api", "acme-db", "acme-http", "acme-signing", "acme-log",
                 "acme-config"):
        assert f"{name}==" in listed
    imported = subprocess.run([str(venv / "bin/python"), "-c", "import acme_api, acme_db"],
                              capture_output=True, text=True, check=False)
    assert imported.returncode == 0, imported.stderr
