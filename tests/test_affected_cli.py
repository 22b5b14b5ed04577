"""`changed`, `affected` and `why` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.gitutil import GitRepo

Capsys = pytest.CaptureFixture[str]


@pytest.fixture
def mono(repo: GitRepo) -> GitRepo:
    """log <- db <- auth <- api, and an unrelated package; db's pool.py edited on a branch."""
    repo.package("packages/log", "acme-log")
    repo.package("packages/db", "acme-db", dependencies=["acme-log"])
    repo.package("packages/auth", "acme-auth", dependencies=["acme-db>=1"])
    repo.package("services/api", "acme-api", dependencies=["acme-auth", "acme-log"])
    repo.package("packages/other", "acme-other")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    repo.write("packages/db/src/acme_db/pool.py", "size = 5\n")
    repo.commit("pool")
    return repo


def test_affected_names(capsys: Capsys, mono: GitRepo) -> None:
    result = run_cli(capsys, mono.root, "affected", "--base", "main")
    assert result.exit_code == 0
    assert result.stdout == "acme-api\nacme-auth\nacme-db\n"
    assert "3 of 5 packages affected by 1 changed file" in result.stderr


def test_quiet_says_only_what_was_asked(capsys: Capsys, mono: GitRepo) -> None:
    result = run_cli(capsys, mono.root, "-q", "affected", "--base", "main", "--format", "paths")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == "services/api\npackages/auth\npackages/db\n"


def test_affected_json_follows_the_design_shape(capsys: Capsys, mono: GitRepo) -> None:
    mono.write("README.md", "hello\n")
    result = run_cli(capsys, mono.root, "affected", "--base", "main", "--format", "json")
    data = json.loads(result.stdout)
    assert list(data) == ["base", "head", "merge_base", "changed_files", "unowned_files",
                          "global_files", "directly_changed", "affected", "removed",
                          "affected_kinds", "reasons"]
    assert data["base"] == "main" and data["head"] == "HEAD"
    assert data["merge_base"] == mono.git("rev-parse", "main")
    assert data["changed_files"] == ["README.md", "packages/db/src/acme_db/pool.py"]
    assert data["unowned_files"] == ["README.md"] and data["global_files"] == []
    assert data["directly_changed"] == ["acme-db"]
    assert data["affected"] == ["acme-api", "acme-auth", "acme-db"]
    assert data["reasons"]["acme-db"] == [
        {"type": "changed-files", "files": ["packages/db/src/acme_db/pool.py"]}]
    assert data["reasons"]["acme-auth"] == [{"type": "dependency", "via": "acme-db",
                                             "kind": "runtime"}]


def test_changed_json_has_no_dependents(capsys: Capsys, mono: GitRepo) -> None:
    result = run_cli(capsys, mono.root, "changed", "--base", "main", "--format", "json")
    data = json.loads(result.stdout)
    assert data["affected"] == data["directly_changed"] == ["acme-db"]
    assert list(data["reasons"]) == ["acme-db"]
    names = run_cli(capsys, mono.root, "changed", "--base", "main")
    assert names.stdout == "acme-db\n"


def test_github_matrix_and_empty_matrix(capsys: Capsys, mono: GitRepo) -> None:
    result = run_cli(capsys, mono.root, "affected", "--base", "main", "--head", "HEAD",
                     "--format", "github-matrix")
    assert json.loads(result.stdout)["include"][0] == {"package": "acme-api",
                                                       "path": "services/api"}
    empty = run_cli(capsys, mono.root, "affected", "--base", "HEAD", "--format", "github-matrix")
    assert (empty.exit_code, empty.stdout) == (0, '{"include":[]}\n')


def test_github_output_appends_matrix_packages_any(
    capsys: Capsys, mono: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "github_output"
    output.write_text("earlier=1\n")
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    result = run_cli(capsys, mono.root, "affected", "--base", "main", "--github-output")
    assert result.exit_code == 0
    lines = dict(line.split("=", 1) for line in output.read_text().splitlines())
    assert lines["earlier"] == "1"
    assert json.loads(lines["packages"]) == ["acme-api", "acme-auth", "acme-db"]
    assert len(json.loads(lines["matrix"])["include"]) == 3
    assert lines["any"] == "true" and lines["count"] == "3"
    run_cli(capsys, mono.root, "affected", "--base", "HEAD", "--github-output")
    assert output.read_text().splitlines()[-2:] == ["any=false", "count=0"]


def test_github_output_needs_the_variable(capsys: Capsys, mono: GitRepo) -> None:
    result = run_cli(capsys, mono.root, "affected", "--base", "main", "--github-output")
    assert result.exit_code == 2
    assert "GITHUB_OUTPUT" in result.stderr and result.stdout == ""


def test_why_prints_the_chain(capsys: Capsys, mono: GitRepo) -> None:
    result = run_cli(capsys, mono.root, "why", "acme-api", "--base", "main")
    assert result.exit_code == 0
    assert result.stdout == ("packages/db/src/acme_db/pool.py → acme-db → "
                             "acme-auth (runtime) → acme-api (runtime)\n")


def test_why_not_affected_and_unknown(capsys: Capsys, mono: GitRepo) -> None:
    result = run_cli(capsys, mono.root, "why", "acme-other", "--base", "main")
    merge_base = mono.git("rev-parse", "--short=7", "main")
    assert result.exit_code == 0
    assert result.stdout.startswith(
        f"acme-other is not affected by this change (base main, merge base {merge_base}")
    unknown = run_cli(capsys, mono.root, "why", "acme-nope", "--base", "main")
    assert unknown.exit_code == 2 and "acme-nope" in unknown.stderr
    assert "Traceback" not in unknown.stderr


def test_why_a_removed_package_says_it_was_removed(capsys: Capsys, mono: GitRepo) -> None:
    mono.remove("packages/log")
    result = run_cli(capsys, mono.root, "why", "acme-log", "--base", "main")
    assert result.exit_code == 0
    assert result.stdout.startswith("acme-log was removed by this change (base main")
    assert result.stdout.endswith("packages that depended on it: acme-api, acme-db\n")


def test_why_global_file_says_so(capsys: Capsys, mono: GitRepo) -> None:
    mono.write("conftest.py", "")
    result = run_cli(capsys, mono.root, "why", "acme-other", "--base", "main")
    assert result.stdout == "conftest.py (a global file: every package is affected) → acme-other\n"


def test_unknown_refs_exit_2_naming_them(capsys: Capsys, mono: GitRepo) -> None:
    base = run_cli(capsys, mono.root, "affected", "--base", "origin/gone")
    assert base.exit_code == 2 and "'origin/gone'" in base.stderr and base.stdout == ""
    assert "hint:" in base.stderr
    head = run_cli(capsys, mono.root, "affected", "--base", "main", "--head", "nope",
                   "--on-missing-base", "all")
    assert head.exit_code == 2 and "'nope'" in head.stderr
    a_range = run_cli(capsys, mono.root, "affected", "--base", "main..feature")
    assert a_range.exit_code == 2 and "'main..feature'" in a_range.stderr


def test_on_missing_base_all(capsys: Capsys, mono: GitRepo) -> None:
    result = run_cli(capsys, mono.root, "affected", "--base", "origin/gone",
                     "--on-missing-base", "all", "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["merge_base"] is None and len(data["affected"]) == 5
    assert data["reasons"]["acme-other"][0]["type"] == "missing-base"


def test_shallow_clone_exits_2_with_fetch_depth_hint(
    capsys: Capsys, mono: GitRepo, tmp_path: Path
) -> None:
    mono.git("checkout", "-q", "main")
    mono.write("packages/other/x.py", "main moved on\n")
    mono.commit("main moves")
    clone = tmp_path / "clone"
    mono.git("clone", "-q", "--depth", "1", "--no-single-branch", "-b", "feature",
             f"file://{mono.root}", str(clone))
    result = run_cli(capsys, clone, "affected")  # the default base: origin/main
    assert result.exit_code == 2
    assert "too shallow" in result.stderr and "fetch-depth: 0" in result.stderr


def test_invalid_head_pyproject_exit_2(capsys: Capsys, mono: GitRepo) -> None:
    mono.write("packages/db/pyproject.toml", "[project\n")
    result = run_cli(capsys, mono.root, "affected", "--base", "main")
    assert result.exit_code == 2
    assert "packages/db/pyproject.toml" in result.stderr and "line 1" in result.stderr


def test_the_tools_own_state_never_counts_as_a_change(capsys: Capsys, mono: GitRepo) -> None:
    """Caches and logs in .orchestrator/ must not make packages affected, even in a repository
    whose .gitignore does not mention them."""
    first = run_cli(capsys, mono.root, "affected", "--base", "feature")
    assert (mono.root / ".orchestrator").is_dir()
    again = run_cli(capsys, mono.root, "affected", "--base", "feature", "--format", "json")
    assert first.stdout == ""
    assert json.loads(again.stdout)["changed_files"] == []


def test_a_sparse_checkout_still_sees_every_package(capsys: Capsys, mono: GitRepo) -> None:
    """Packages outside the sparse cone are still in the tree: their changes count."""
    mono.git("sparse-checkout", "set", "--no-cone", "/pyproject.toml", "/packages/other/")
    assert not (mono.root / "packages/db/pyproject.toml").exists()
    names = run_cli(capsys, mono.root, "list", "--format", "names")
    assert names.stdout.split() == ["acme-api", "acme-auth", "acme-db", "acme-log", "acme-other"]
    result = run_cli(capsys, mono.root, "affected", "--base", "main")
    assert result.stdout == "acme-api\nacme-auth\nacme-db\n"
