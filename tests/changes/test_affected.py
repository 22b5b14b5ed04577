"""The affected engine on real repositories: ownership on both sides, policy, removals, why."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from orchestrator.changes.affected import AffectedResult, Reason, compute_affected, why
from orchestrator.changes.diff import MissingBaseError
from orchestrator.context import Project
from orchestrator.errors import ConfigError, OrchestratorError
from tests.gitutil import GitRepo


def affected(repo: GitRepo, **options: Any) -> AffectedResult:
    options.setdefault("base", "main")
    return compute_affected(Project(repo.root), **options)


@pytest.fixture
def mono(repo: GitRepo) -> GitRepo:
    """log <- db <- api, and an unrelated package; a feature branch checked out."""
    repo.package("packages/log", "acme-log")
    repo.package("packages/db", "acme-db", dependencies=["acme-log>=1"])
    repo.package("services/api", "acme-api", dependencies=["acme-db"])
    repo.package("packages/other", "acme-other")
    repo.write("README.md", "# mono\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def test_change_affects_owner_and_transitive_dependents(mono: GitRepo) -> None:
    mono.write("packages/log/src/acme_log/core.py", "x = 1\n")
    result = affected(mono)
    assert result.directly_changed == ("acme-log",)
    assert result.affected == ("acme-api", "acme-db", "acme-log")
    assert result.reasons["acme-log"] == (
        Reason("changed-files", files=("packages/log/src/acme_log/core.py",)),
    )
    assert result.reasons["acme-db"] == (Reason("dependency", via="acme-log", kind="runtime"),)
    assert result.head == "HEAD" and result.includes_worktree


def test_file_moved_between_packages_affects_both(mono: GitRepo) -> None:
    mono.write("packages/other/src/acme_other/util.py", "u = 1\n")
    mono.commit("util")
    mono.git("branch", "-f", "main")
    mono.git("mv", "packages/other/src/acme_other/util.py", "packages/db/src/acme_db/util.py")
    mono.commit("move util")
    result = affected(mono, head="HEAD")
    assert set(result.directly_changed) == {"acme-db", "acme-other"}


def test_package_directory_renamed_with_the_same_name(mono: GitRepo) -> None:
    (mono.root / "libs").mkdir()
    mono.git("mv", "packages/db", "libs/database")
    mono.commit("rename directory")
    result = affected(mono, head="HEAD")
    assert result.directly_changed == ("acme-db",)
    assert result.affected == ("acme-api", "acme-db")
    assert result.removed == ()
    files = result.reasons["acme-db"][0].files
    assert "packages/db/pyproject.toml" in files and "libs/database/pyproject.toml" in files


def test_removed_package_affects_its_remaining_dependents(mono: GitRepo) -> None:
    mono.remove("packages/log")
    mono.commit("drop log")  # acme-db still lists acme-log, now an external name
    result = affected(mono, head="HEAD")
    assert result.removed == ("acme-log",)
    assert result.reasons["acme-db"][0] == Reason("removed-dependency", via="acme-log")
    assert result.affected == ("acme-api", "acme-db")
    chain = why(result, "acme-api")
    assert chain is not None and chain.start.type == "removed-dependency"


def test_new_nested_package_takes_files_from_its_parent(mono: GitRepo) -> None:
    mono.write("packages/db/plugins/pg/src/pg.py", "p = 1\n")
    mono.commit("plugin code")
    mono.git("branch", "-f", "main")
    mono.write("packages/db/plugins/pg/pyproject.toml", '[project]\nname = "acme-db-pg"\n')
    result = affected(mono)
    # The parent owned those files at the base; the new package owns them now.
    assert result.directly_changed == ("acme-db", "acme-db-pg")
    assert result.reasons["acme-db"][0].files == ("packages/db/plugins/pg/pyproject.toml",)


def test_delete_only_change(mono: GitRepo) -> None:
    mono.remove("packages/other/src/acme_other/__init__.py")
    mono.commit("delete")
    assert affected(mono, head="HEAD").affected == ("acme-other",)


def test_untracked_and_staged_files_count(mono: GitRepo) -> None:
    mono.write("packages/other/new.py", "n\n")
    mono.write("packages/log/staged.py", "s\n")
    mono.git("add", "packages/log/staged.py")
    assert affected(mono).directly_changed == ("acme-log", "acme-other")
    assert affected(mono, committed_only=True).affected == ()


def test_explicit_head_never_mixes_in_dirt(mono: GitRepo) -> None:
    mono.write("packages/other/src/acme_other/__init__.py", "committed = 1\n")
    mono.commit("edit other")
    mono.write("packages/log/src/acme_log/__init__.py", "dirty = 1\n")
    mono.write("packages/db/untracked.py", "dirty\n")
    result = affected(mono, head="HEAD")
    assert result.affected == ("acme-other",)
    assert not result.includes_worktree


def test_odd_paths_are_attributed(mono: GitRepo) -> None:
    for name in ("with space.py", "ünïcödé.py", "new\nline.py"):
        mono.write(f"packages/other/docs/{name}", "x\n")
    result = affected(mono)
    assert result.affected == ("acme-other",)
    assert "packages/other/docs/new\nline.py" in result.reasons["acme-other"][0].files


def test_base_equal_to_head_is_empty(mono: GitRepo) -> None:
    result = affected(mono, base="HEAD", head="HEAD")
    assert result.affected == () and result.changed_files == ()
    assert result.merge_base == mono.git("rev-parse", "HEAD")


def test_cycle_is_handled(repo: GitRepo) -> None:
    repo.package("a", "pkg-a", dependencies=["pkg-b"])
    repo.package("b", "pkg-b", extra='[dependency-groups]\ndev = ["pkg-c"]\n')
    repo.package("c", "pkg-c", dependencies=["pkg-a"])
    repo.package("d", "pkg-d", dependencies=["pkg-a"])
    repo.commit("cycle")
    repo.write("b/x.py", "x\n")
    result = affected(repo, base="HEAD")
    assert result.affected == ("pkg-a", "pkg-b", "pkg-c", "pkg-d")
    chain = why(result, "pkg-d")
    assert chain is not None
    assert chain.steps == (("pkg-b", None), ("pkg-a", "runtime"), ("pkg-d", "runtime"))


def test_unowned_files_affect_nothing_unless_global(mono: GitRepo) -> None:
    mono.write("README.md", "# changed\n")
    result = affected(mono)
    assert result.affected == () and result.unowned_files == ("README.md",)
    mono.write("conftest.py", "")
    result = affected(mono)
    assert result.global_files == ("conftest.py",)
    assert result.affected == ("acme-api", "acme-db", "acme-log", "acme-other")
    assert result.reasons["acme-other"] == (Reason("global-file", files=("conftest.py",)),)


def test_uv_settings_beside_the_root_affect_every_package(mono: GitRepo) -> None:
    """uv.toml holds what [tool.uv] would (indexes, exclude-newer, constraints): how every
    package resolves, lock file or not."""
    mono.write("uv.toml", 'exclude-newer = "2026-01-01T00:00:00Z"\n')
    result = affected(mono)
    assert result.global_files == ("uv.toml",)
    assert len(result.affected) == 4


def test_global_files_are_read_from_both_sides(mono: GitRepo) -> None:
    mono.write("pyproject.toml", '[tool.orchestrator]\nglobal-files = ["/ci/**"]\n')
    mono.commit("configure")
    mono.git("branch", "-f", "main")
    # The change drops ci/** from global-files and edits ci/: the base still says global.
    mono.write("pyproject.toml", "[tool.orchestrator]\nglobal-files = []\n")
    mono.write("ci/script.sh", "echo\n")
    result = affected(mono)
    assert result.global_files == ("ci/script.sh",)
    assert len(result.affected) == 4


def test_ignore_exempts_only_when_both_sides_agree(mono: GitRepo) -> None:
    mono.package("packages/other", "acme-other",
                 extra='[tool.orchestrator]\nignore = ["docs/**"]\n')
    mono.commit("ignore docs")
    mono.git("branch", "-f", "main")
    mono.write("packages/other/docs/guide.md", "words\n")
    mono.commit("docs")
    assert affected(mono, head="HEAD").affected == ()
    # Removing the ignore in the same change cannot exempt the change itself.
    mono.package("packages/other", "acme-other")
    mono.write("packages/other/docs/guide.md", "more words\n")
    result = affected(mono)
    assert result.reasons["acme-other"][0].files == (
        "packages/other/docs/guide.md", "packages/other/pyproject.toml")


def test_unreadable_base_pyproject_is_a_reason_not_a_failure(mono: GitRepo) -> None:
    mono.write("packages/other/pyproject.toml", "[project\nname = broken\n")
    mono.commit("broken")
    mono.git("branch", "-f", "main")
    mono.package("packages/other", "acme-other")
    result = affected(mono)
    assert Reason("unreadable-base", detail=result.reasons["acme-other"][1].detail) in (
        result.reasons["acme-other"])
    assert "packages/other/pyproject.toml" in (result.reasons["acme-other"][1].detail or "")


def test_invalid_pyproject_at_head_is_an_error_naming_file_and_line(mono: GitRepo) -> None:
    mono.write("packages/db/pyproject.toml", '[project]\nname = "acme-db"\nversion = \n')
    with pytest.raises(ConfigError, match=r"packages/db/pyproject.toml.*line 3"):
        affected(mono)


def test_missing_base_fails_closed_or_selects_everything(mono: GitRepo) -> None:
    with pytest.raises(MissingBaseError, match="'origin/nope'"):
        affected(mono, base="origin/nope")
    result = affected(mono, base="origin/nope", on_missing_base="all")
    assert len(result.affected) == 4 and result.merge_base is None
    assert result.reasons["acme-api"][0].type == "missing-base"


def test_new_branch_push_selects_everything(mono: GitRepo, tmp_path: Any) -> None:
    event = tmp_path / "event.json"
    event.write_text('{"before": "0000000000000000000000000000000000000000"}')
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push",
               "GITHUB_EVENT_PATH": str(event)}
    result = compute_affected(Project(mono.root), environ=environ)
    assert len(result.affected) == 4
    assert result.reasons["acme-log"][0].type == "new-branch"


def test_why_for_unaffected_and_unknown_packages(mono: GitRepo) -> None:
    mono.write("packages/db/x.py", "x\n")
    result = affected(mono)
    assert why(result, "acme-other") is None
    with pytest.raises(OrchestratorError, match="'acme-nope'"):
        why(result, "acme-nope")
    chain = why(result, "ACME_API")
    assert chain is not None
    assert chain.start.files == ("packages/db/x.py",)


def _count_git(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []
    real: Callable[..., Any] = subprocess.run

    def counting(argv: list[str], *args: Any, **kwargs: Any) -> Any:
        calls.append(list(argv))
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    return calls


def test_few_git_processes_per_query(mono: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    mono.package("packages/log", "acme-log", version="2.0.0")
    mono.write("uv.lock", "version = 1\n")
    mono.commit("bump")
    calls = _count_git(monkeypatch)
    affected(mono, head="HEAD")  # both sides read from git objects, lock file compared
    # HEAD's tree is listed; the merge base's is derived from it, reading only the changed
    # pyproject.toml: one cat-file per side, one for the lock file (refs and tree ids are
    # looked up with --batch-check, no contents).
    assert sum(1 for c in calls if "ls-tree" in c) == 1
    assert sum(1 for c in calls if "--batch" in c) <= 3, [(c[3:6]) for c in calls]
    assert len(calls) <= 9, calls
    calls.clear()
    affected(mono, head="HEAD")  # again: both sides' workspaces are stored by their trees
    assert [c[3:5] for c in calls if "--batch" in c or "ls-tree" in c] == [
        ["cat-file", "--batch"]], "only the lock file is read"
    calls.clear()
    mono.write("packages/db/x.py", "dirty\n")
    affected(mono, base="HEAD")  # HEAD from disk, no pyproject.toml changed: base not re-read
    assert len(calls) <= 6, [c[3:5] for c in calls]


def test_affected_imports_no_heavy_library(mono: GitRepo) -> None:
    mono.write("packages/log/x.py", "x\n")
    script = (
        "import sys\n"
        "from orchestrator.cli.main import main\n"
        "try:\n"
        "    main(['-q', 'affected', '--base', 'main', '--format', 'json'])\n"
        "except SystemExit as e:\n"
        "    assert not e.code, e.code\n"
        "heavy = {'networkx', 'git', 'rich', 'tomlkit'} & set(sys.modules)\n"
        "sys.stderr.write(repr(sorted(heavy)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], cwd=mono.root, capture_output=True,
                          text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "[]"
    assert '"acme-api"' in proc.stdout


def test_a_global_pattern_counts_inside_a_package_too(mono: GitRepo) -> None:
    """What `global-files` names affects every package wherever it lies: a package's own
    file named there is the user's word that everything reads it."""
    mono.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*", "services/*"]\n'
                                 'global-files = ["/packages/log/shared.cfg"]\n')
    mono.write("packages/log/shared.cfg", "a = 1\n")
    mono.commit("shared settings")
    mono.write("packages/log/shared.cfg", "a = 2\n")
    result = compute_affected(Project(mono.root), base="HEAD")
    assert result.global_files == ("packages/log/shared.cfg",)
    assert set(result.affected) == set(Project(mono.root).workspace().by_name)
