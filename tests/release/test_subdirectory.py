"""A release of a workspace that is a folder of its repository (python/ beside js/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.gitutil import GitRepo, make_repo
from tests.release.conftest import Index, hatch_package


@pytest.fixture
def polyglot(tmp_path: Path, pypi: Index) -> GitRepo:
    repo = make_repo(tmp_path)
    repo.write("js/package.json", "{}\n")
    repo.write("python/pyproject.toml", '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
               f'[tool.orchestrator.release]\nrepository-url = "{pypi.url}"\n')
    hatch_package(repo, "python/packages/core", "sub-core", "1.0.0")
    hatch_package(repo, "python/packages/app", "sub-app", "2.0.0", ["sub-core>=1.0,<1.1"])
    repo.commit("initial")
    return repo


def test_plan_apply_and_publish_in_a_folder_of_the_repository(
        capsys: pytest.CaptureFixture[str], polyglot: GitRepo, pypi: Index,
        credentials: None) -> None:
    python = polyglot.root / "python"
    assert run_cli(capsys, python, "release", "init").exit_code == 0
    polyglot.write("js/index.js", "1\n")
    polyglot.commit("feat: a web change, outside the workspace")
    assert "nothing to release" in run_cli(capsys, python, "release", "plan").stdout.lower()
    polyglot.write("python/packages/core/src/sub_core/more.py", "X = 1\n")
    polyglot.commit("feat: more core")
    applied = run_cli(capsys, python, "release", "apply", "--yes")
    assert applied.exit_code == 0, applied.stderr
    assert sorted(polyglot.git("tag").split()) == [
        "sub-app-v2.0.0", "sub-app-v2.0.1", "sub-core-v1.0.0", "sub-core-v1.1.0"]
    changed = polyglot.git("show", "--name-only", "--format=", "HEAD").split()
    assert "python/packages/core/pyproject.toml" in changed
    published = run_cli(capsys, python, "release", "publish")
    assert published.exit_code == 0, published.stderr + published.stdout
    assert [f for f in pypi.files() if f.startswith("sub_core-1.1.0")]
