"""`orchestrator build` makes artifacts an index user can install: internal requirements
from a path or a workspace are pinned to the repository's versions, in a throwaway copy."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.gitutil import make_repo
from tests.release.conftest import ROOT, hatch_package

POETRY_PATH = """\
[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"

[tool.poetry]
name = "b-metrics"
version = "0.9.1"
description = ""
authors = []
packages = [{ include = "b_metrics", from = "src" }]

[tool.poetry.dependencies]
python = ">=3.11"
b-log = { path = "../log", develop = true }
"""


def requires(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        text = archive.read(name).decode()
    return [line for line in text.splitlines() if line.startswith("Requires-Dist:")]


@pytest.mark.slow
def test_build_pins_path_and_workspace_requirements_unless_asked_to_keep_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORCHESTRATOR_BUILD_ISOLATION", "0")
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT)
    hatch_package(repo, "libs/log", "b-log", "0.4.0")
    repo.write("libs/metrics/pyproject.toml", POETRY_PATH)
    repo.write("libs/metrics/src/b_metrics/__init__.py", "")
    hatch_package(repo, "libs/util", "b-util", "0.3.0", ["b-log"],
                  extra='\n[tool.uv.sources]\nb-log = { workspace = true }\n')
    repo.commit("initial")
    out = tmp_path / "dist"
    result = run_cli(capsys, repo.root, "build", "-p", "b-metrics", "-p", "b-util", "--out",
                     str(out), "--no-cache")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert requires(out / "b_metrics-0.9.1-py3-none-any.whl") == [
        "Requires-Dist: b-log (>=0.4.0)"]
    assert requires(out / "b_util-0.3.0-py3-none-any.whl") == ["Requires-Dist: b-log>=0.4.0"]
    assert repo.git("status", "--porcelain") == ""  # pinned in a copy, never in the tree
    kept = tmp_path / "kept"
    result = run_cli(capsys, repo.root, "build", "-p", "b-metrics", "--out", str(kept),
                     "--keep-local-references")
    assert result.exit_code == 0, result.stdout + result.stderr
    [line] = requires(kept / "b_metrics-0.9.1-py3-none-any.whl")
    assert line.startswith("Requires-Dist: b-log @ file://")
