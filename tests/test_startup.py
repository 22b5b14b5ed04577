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


# -- --help and --version, answered before click is imported ------------------------------

QUICK = """
import json, sys
from orchestrator.cli.quick import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def quick_run(*args: str, columns: str | None = None) -> tuple[str, set[str]]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is not None:
        env["COLUMNS"] = columns
    proc = subprocess.run([sys.executable, "-c", QUICK, *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return proc.stdout, set(json.loads(proc.stderr.strip().splitlines()[-1]))


def click_output(*args: str) -> str:
    from click.testing import CliRunner

    from orchestrator.cli.main import Settings, cli

    result = CliRunner().invoke(cli, list(args), prog_name="orchestrator", obj=Settings())
    assert result.exit_code == 0
    return result.output


@pytest.mark.parametrize("args", [("--help",), ("-h",), ("--version",)])
def test_help_and_version_are_clicks_text_without_click(args: tuple[str, ...],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")  # click wraps at 78 from 80 columns up
    out, modules = quick_run(*args, columns="120")
    expected = click_output(*args)
    assert out == expected, "orchestrator/cli/quick.py HELP must be, exactly:\n" + expected
    assert "click" not in modules and "dataclasses" not in modules


def test_a_narrow_terminal_gets_clicks_own_wrapping() -> None:
    from orchestrator.cli.quick import HELP

    out, modules = quick_run("--help", columns="60")
    assert "click" in modules
    assert out != HELP and max(len(line) for line in out.splitlines()) <= 60


def test_anything_else_goes_to_click() -> None:
    out, modules = quick_run("config", "--help")
    assert "click" in modules
    assert out.startswith("Usage: orchestrator config")


# -- a warm affected reads stored workspaces: no metadata reader, few git processes -----

COUNTING = """
import json, subprocess, sys
calls = []
real = subprocess.run
def counting(argv, *a, **k):
    calls.append(list(argv))
    return real(argv, *a, **k)
subprocess.run = counting
from orchestrator.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps({"modules": sorted(sys.modules), "git": [c[3:5] for c in calls]}),
      file=sys.stderr)
"""


def test_a_warm_affected_imports_no_reader_and_starts_three_git_processes(
        small_repo: Path) -> None:
    args = ("-C", str(small_repo), "affected", "--format", "json", "--base", "HEAD~0",
            "--head", "HEAD")
    report = {}
    for _ in range(2):  # cold, then warm
        proc = subprocess.run([sys.executable, "-c", COUNTING, *args], cwd=REPO_ROOT,
                              capture_output=True, text=True, check=True)
        report = json.loads(proc.stderr.strip().splitlines()[-1])
    modules = set(report["modules"])
    assert not {"orchestrator.workspace.metadata", "orchestrator.workspace.lockfile",
                "packaging", "tomllib"} & modules
    # Both refs and HEAD's tree in one batch, the merge base, the diff.
    assert report["git"] == [["cat-file", "--batch-check"], ["merge-base", report["git"][1][1]],
                             ["diff", "--name-status"]]
