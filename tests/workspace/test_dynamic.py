"""Dynamic dependencies: setuptools files read as edges; a backend asked when opted in."""

from __future__ import annotations

import json

import pytest

from orchestrator.context import Project
from tests.cli import run_cli
from tests.gitutil import GitRepo

SETUPTOOLS = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"
[project]
name = "acme-b"
version = "1.0"
dynamic = ["dependencies", "optional-dependencies"]
[tool.setuptools.dynamic]
dependencies = {file = ["requirements.txt"]}
optional-dependencies.extra = {file = ["extra.txt"]}
"""


@pytest.fixture
def files(repo: GitRepo) -> GitRepo:
    repo.package("packages/a", "acme-a")
    repo.package("packages/c", "acme-c")
    repo.write("packages/b/pyproject.toml", SETUPTOOLS)
    repo.write("packages/b/requirements.txt", "# runtime\nacme-a>=1.0  # the core\n-r more.txt\n")
    repo.write("packages/b/more.txt", "requests\n")
    repo.write("packages/b/extra.txt", "acme-c\n")
    repo.commit("setuptools reads dependencies from files")
    return repo


def test_setuptools_requirement_files_are_edges(
        capsys: pytest.CaptureFixture[str], files: GitRepo) -> None:
    listed = json.loads(run_cli(capsys, files.root, "list", "--format", "json").stdout)
    b = next(p for p in listed["packages"] if p["name"] == "acme-b")
    assert [(d["name"], d["kind"], d["specifier"]) for d in b["dependencies"]] == [
        ("acme-a", "runtime", ">=1.0"), ("acme-c", "optional", "")]
    assert run_cli(capsys, files.root, "check").stdout.startswith("3 packages checked: 0 error")


def test_a_change_to_a_requirement_file_moves_the_edge_on_both_sides(
        capsys: pytest.CaptureFixture[str], files: GitRepo) -> None:
    files.write("packages/b/requirements.txt", "requests\n")
    files.commit("b no longer needs a")
    files.write("packages/a/src/acme_a/more.py", "X = 1\n")
    result = run_cli(capsys, files.root, "affected", "--base", "HEAD", "--format", "json")
    assert json.loads(result.stdout)["affected"] == ["acme-a"]
    base = Project(files.root).workspace(files.git("rev-parse", "HEAD~1"))
    assert [d.name for d in base.by_name["acme-b"].dependencies] == ["acme-a", "acme-c"]


def test_a_missing_requirement_file_is_an_error(
        capsys: pytest.CaptureFixture[str], files: GitRepo) -> None:
    (files.root / "packages/b/extra.txt").unlink()
    result = run_cli(capsys, files.root, "list")
    assert result.exit_code == 2
    assert "tool.setuptools.dynamic.optional-dependencies.extra names packages/b/extra.txt, " \
           "which is not in the repository" in result.stderr


HOOK = """\
from hatchling.metadata.plugin.interface import MetadataHookInterface


class Hook(MetadataHookInterface):
    def update(self, metadata):
        metadata["dependencies"] = ["acme-a>=1.0", "requests"]
"""
HATCH = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
[project]
name = "acme-hooked"
version = "1.0"
dynamic = ["dependencies"]
[tool.hatch.metadata.hooks.custom]
[tool.hatch.build.targets.wheel]
packages = ["src/acme_hooked"]
"""


@pytest.fixture
def hooked(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    monkeypatch.setenv("ORCHESTRATOR_BUILD_ISOLATION", "0")  # hatchling is installed here
    repo.package("packages/a", "acme-a")
    repo.write("packages/hooked/pyproject.toml", HATCH)
    repo.write("packages/hooked/hatch_build.py", HOOK)
    repo.write("packages/hooked/src/acme_hooked/__init__.py", "")
    repo.commit("dependencies only a metadata hook knows")
    return repo


def edges(capsys: pytest.CaptureFixture[str], repo: GitRepo) -> list[str]:
    listed = json.loads(run_cli(capsys, repo.root, "list", "--format", "json").stdout)
    package = next(p for p in listed["packages"] if p["name"] == "acme-hooked")
    return [d["name"] for d in package["dependencies"]]


def test_without_the_setting_the_check_warns(
        capsys: pytest.CaptureFixture[str], hooked: GitRepo) -> None:
    assert edges(capsys, hooked) == []
    assert "set resolve-dynamic = true" in run_cli(capsys, hooked.root, "check").stdout


def test_resolve_dynamic_asks_the_backend_once(
        capsys: pytest.CaptureFixture[str], hooked: GitRepo) -> None:
    hooked.write("pyproject.toml", "[tool.orchestrator]\nresolve-dynamic = true\n")
    assert edges(capsys, hooked) == ["acme-a"]
    cached = list((hooked.root / ".orchestrator/cache/dynamic").glob("*.json"))
    assert len(cached) == 1
    cached[0].write_text("[]")  # the cached answer is used: the backend is not asked again
    assert edges(capsys, hooked) == []
    hooked.write("packages/hooked/hatch_build.py", HOOK + "\n")
    assert edges(capsys, hooked) == ["acme-a"]  # a changed file asks again
    assert "dynamic-dependencies" not in run_cli(capsys, hooked.root, "check").stdout


def test_a_backend_that_fails_is_reported(
        capsys: pytest.CaptureFixture[str], hooked: GitRepo) -> None:
    hooked.write("pyproject.toml", "[tool.orchestrator]\nresolve-dynamic = true\n")
    hooked.write("packages/hooked/hatch_build.py", "raise SystemExit('broken hook')\n")
    check = run_cli(capsys, hooked.root, "check")
    assert check.exit_code == 1
    assert "error   unresolved-dynamic: packages/hooked/pyproject.toml: its build backend " \
           "could not tell its dynamic dependencies" in check.stdout


def test_a_clause_on_the_placeholder_version_is_not_kept(
        capsys: pytest.CaptureFixture[str], hooked: GitRepo) -> None:
    """Hooks such as uv-dynamic-versioning's write `=={{ version }}`; the backend is asked
    with a placeholder version, so that clause says nothing about the repository."""
    hooked.package("packages/b", "acme-b")
    hooked.write("packages/hooked/hatch_build.py", HOOK.replace(
        '["acme-a>=1.0", "requests"]',
        '["acme-a==" + __import__("os").environ["UV_DYNAMIC_VERSIONING_BYPASS"], '
        '"acme-b>=1.0,!=" + __import__("os").environ["UV_DYNAMIC_VERSIONING_BYPASS"]]'))
    hooked.write("pyproject.toml", "[tool.orchestrator]\nresolve-dynamic = true\n")
    listed = json.loads(run_cli(capsys, hooked.root, "list", "--format", "json").stdout)
    package = next(p for p in listed["packages"] if p["name"] == "acme-hooked")
    assert [(d["name"], d["specifier"]) for d in package["dependencies"]] == [
        ("acme-a", ""), ("acme-b", ">=1.0")]
