"""A workspace in a folder of a polyglot repository: found as uv finds it, and alone in scope."""

from __future__ import annotations

import json

import pytest

from tests.cli import run_cli
from tests.gitutil import GitRepo
from tests.workspace.test_lockfile import lock


@pytest.fixture
def polyglot(repo: GitRepo) -> GitRepo:
    """Python under python/ (a uv workspace with its own lock and tool files) beside js/."""
    repo.write("README.md", "# a product\n")
    repo.write("js/package.json", '{"name": "web"}\n')
    repo.write("python/pyproject.toml", '[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    repo.write("python/dev-requirements.txt", "pytest==8.0\n")
    repo.write("python/tox.ini", "[tox]\n")
    repo.write("python/uv.lock", lock())
    for name, deps in (("web", []), ("cli", ["acme-web"]), ("plain", [])):
        repo.package(f"python/packages/{name}", f"acme-{name}", dependencies=deps)
    repo.commit("initial")
    return repo


def affected(capsys: pytest.CaptureFixture[str], directory: object) -> dict[str, object]:
    result = run_cli(capsys, directory, "affected", "--base", "HEAD",  # type: ignore[arg-type]
                     "--format", "json")
    assert result.exit_code == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_the_nearest_declared_workspace_is_the_root(
        capsys: pytest.CaptureFixture[str], polyglot: GitRepo) -> None:
    for directory in ("python", "python/packages/cli", "python/packages/cli/src"):
        result = run_cli(capsys, polyglot.root / directory, "config", "--format", "json")
        assert json.loads(result.stdout)["root"] == str(polyglot.root / "python")
        listed = run_cli(capsys, polyglot.root / directory, "list", "--format", "json")
        assert [p["path"] for p in json.loads(listed.stdout)["packages"]] == [
            "packages/cli", "packages/plain", "packages/web"]


def test_without_a_declaration_the_git_root_is_the_root(
        capsys: pytest.CaptureFixture[str], repo: GitRepo) -> None:
    repo.package("libs/a", "acme-a", extra="[tool.orchestrator]\nignore = ['*.md']\n")
    repo.commit("a package whose own table is not a root's")
    result = run_cli(capsys, repo.root / "libs/a", "config", "--format", "json")
    assert json.loads(result.stdout)["root"] == str(repo.root)


def test_global_files_are_relative_to_the_workspace_root(
        capsys: pytest.CaptureFixture[str], polyglot: GitRepo) -> None:
    polyglot.write("python/dev-requirements.txt", "pytest==8.1\n")
    answer = affected(capsys, polyglot.root / "python")
    assert answer["global_files"] == ["dev-requirements.txt"]
    assert answer["affected"] == ["acme-cli", "acme-plain", "acme-web"]


def test_changes_outside_the_workspace_never_count(
        capsys: pytest.CaptureFixture[str], polyglot: GitRepo) -> None:
    polyglot.write("js/package.json", '{"name": "web", "version": "2"}\n')
    polyglot.write("README.md", "# changed\n")
    polyglot.write("js/new.txt", "untracked\n")
    answer = affected(capsys, polyglot.root / "python")
    assert (answer["changed_files"], answer["affected"]) == ([], [])


def test_the_lock_file_is_read_at_the_workspace_root(
        capsys: pytest.CaptureFixture[str], polyglot: GitRepo) -> None:
    polyglot.write("python/uv.lock", lock(requests="2.32.0"))
    polyglot.commit("bump requests")
    result = run_cli(capsys, polyglot.root / "python", "affected", "--base", "HEAD~1",
                     "--head", "HEAD", "--format", "json")
    answer = json.loads(result.stdout)
    assert answer["changed_files"] == ["uv.lock"]
    assert answer["affected"] == ["acme-cli", "acme-web"]


def test_a_committed_range_reads_the_workspace_subtree(
        capsys: pytest.CaptureFixture[str], polyglot: GitRepo) -> None:
    polyglot.write("python/packages/web/src/acme_web/more.py", "X = 1\n")
    polyglot.write("js/index.js", "1\n")
    polyglot.commit("web and js")
    result = run_cli(capsys, polyglot.root / "python", "affected", "--base", "HEAD~1",
                     "--head", "HEAD", "--format", "json")
    answer = json.loads(result.stdout)
    assert answer["changed_files"] == ["packages/web/src/acme_web/more.py"]
    assert answer["affected"] == ["acme-cli", "acme-web"]


def test_relative_output_paths_are_relative_to_the_c_directory(
        capsys: pytest.CaptureFixture[str], polyglot: GitRepo, tmp_path: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    elsewhere = polyglot.root.parent / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    python = polyglot.root / "python"
    polyglot.write("python/pyproject.toml", '[tool.uv.workspace]\nmembers = ["packages/*"]\n'
                   '[tool.orchestrator.tasks]\nhello = "python -c pass"\n')
    graph = run_cli(capsys, python, "graph", "--format", "dot", "-o", "out/graph.dot")
    assert graph.exit_code == 0, graph.stderr
    run = run_cli(capsys, python, "run", "hello", "--junit", "out/junit.xml", "--cache-dir",
                  "out/cache", "--write-durations", "out/durations.json")
    assert run.exit_code == 0, run.stderr
    assert sorted(p.name for p in (python / "out").iterdir()) == [
        "cache", "durations.json", "graph.dot", "junit.xml"]
    assert list(elsewhere.iterdir()) == []
