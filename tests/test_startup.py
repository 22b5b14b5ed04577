"""Start-up stays light: common commands never import the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.gitutil import GitRepo

HEAVY = ("networkx", "git", "tomlkit", "rich.live")

# Runs the real entry point, then reports which modules were loaded, on stderr.
WRAPPER = """
import json, sys
from orchestrator.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    code = e.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def loaded_modules(*args: str) -> tuple[int, set[str], str]:
    proc = subprocess.run([sys.executable, "-c", WRAPPER, *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=True)
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    return report["code"] or 0, set(report["modules"]), proc.stdout


def heavy(modules: set[str]) -> list[str]:
    return [m for m in HEAVY if m in modules]


@pytest.fixture
def small_repo(repo: GitRepo) -> Path:
    repo.write("pyproject.toml", '[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    repo.package("packages/core", "acme-core")
    repo.package("packages/app", "acme-app", dependencies=["acme-core>=1.0"])
    repo.commit("two packages")
    return repo.root


def test_help_imports_nothing_heavy() -> None:
    code, modules, out = loaded_modules("--help")
    assert code == 0
    assert "affected" in out
    assert heavy(modules) == []


def test_list_json_imports_nothing_heavy(small_repo: Path) -> None:
    code, modules, out = loaded_modules("-C", str(small_repo), "list", "--format", "json")
    assert code == 0
    assert [p["name"] for p in json.loads(out)["packages"]] == ["acme-app", "acme-core"]
    assert heavy(modules) == []
    assert "orchestrator.cli.workspace_cmds" in modules  # the command ran in this process


def test_affected_json_imports_nothing_heavy(small_repo: Path) -> None:
    code, modules, out = loaded_modules("-C", str(small_repo), "affected", "--format", "json",
                                        "--base", "HEAD", "--head", "HEAD")
    assert code == 0, out
    assert json.loads(out)["affected"] == []
    assert heavy(modules) == []
