from __future__ import annotations

import json
import re

import pytest

from orchestrator.render.listing import MIN_DEPENDS_WIDTH, package_json, render_table
from orchestrator.workspace.model import Dependency, Package
from tests.cli import run_cli
from tests.gitutil import GitRepo
from tests.render.helpers import hub_graph


def test_json_gives_one_entry_per_name_and_kind() -> None:
    package = Package("a", "1.0", "packages/a", "library", (
        Dependency("b", ">=1", "group", "test"), Dependency("b", "", "group", "lint"),
        Dependency("b", "<3", "group", "docs"), Dependency("b", ">=1", "runtime"),
        Dependency("c", "", "group", "test"), Dependency("c", "", "group", "lint")))
    assert package_json(package)["dependencies"] == [
        {"name": "b", "specifier": ">=1,<3", "kind": "group"},
        {"name": "b", "specifier": ">=1", "kind": "runtime"},
        {"name": "c", "specifier": "", "kind": "group"},
    ]


def test_two_groups_with_one_package_are_one_entry(capsys: pytest.CaptureFixture[str],
                                                   repo: GitRepo) -> None:
    repo.package("packages/b", "b")
    repo.package("packages/a", "a", extra="""
        [dependency-groups]
        test = ["b>=1", "pytest"]
        lint = ["b>=1", "ruff"]
    """)
    repo.commit("initial")
    result = run_cli(capsys, repo.root, "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (a,) = [p for p in json.loads(result.stdout)["packages"] if p["name"] == "a"]
    assert a["dependencies"] == [{"name": "b", "specifier": ">=1", "kind": "group"}]


def test_the_table_folds_to_the_width_between_entries() -> None:
    packages = tuple(p for p in hub_graph().packages.values())
    text = render_table(packages, width=140)
    lines = text.splitlines()
    assert all(len(line) <= 140 for line in lines)
    start = lines[0].index("depends on")
    entries = " ".join(line[start:] for line in lines[2:]).replace(",", " ").split()
    assert "integration-39" in entries and "(optional)" in entries  # none cut in two
    assert len(render_table(packages).splitlines()) == len(packages) + 2  # unfolded


def test_a_narrow_terminal_still_gets_whole_entries() -> None:
    """Too narrow for the other columns: the list keeps MIN_DEPENDS_WIDTH and whole names."""
    packages = tuple(p for p in hub_graph().packages.values())
    lines = render_table(packages, width=40).splitlines()
    start = lines[0].index("depends on")
    cells = [line[start:].rstrip(",") for line in lines[2:]]
    assert all(len(cell) <= MIN_DEPENDS_WIDTH for cell in cells)
    assert all(re.fullmatch(r"(core|integration-\d\d)( \(optional\))?", c) for c in cells), cells


def test_list_follows_the_terminal_width(capsys: pytest.CaptureFixture[str], repo: GitRepo,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    names = [f"dependency-number-{i:02d}" for i in range(30)]
    for name in names:
        repo.package(f"packages/{name}", name)
    repo.package("services/app", "app", dependencies=names)
    repo.commit("initial")
    monkeypatch.setenv("COLUMNS", "100")
    result = run_cli(capsys, repo.root, "list")
    assert result.exit_code == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    assert sum(1 for line in result.stdout.splitlines() if "dependency-number" in line) > 31
