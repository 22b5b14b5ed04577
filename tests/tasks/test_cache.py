from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from orchestrator.context import Project
from orchestrator.tasks.cache import TaskCache
from orchestrator.tasks.keys import LockClosures, worktree_ids
from orchestrator.tasks.plan import RunRequest, plan_run
from orchestrator.tasks.selection import SelectionRequest
from tests.gitutil import GitRepo

ROOT = """\
[tool.orchestrator.tasks.test]
command = "{python} -m pytest"
env = {MODE = "$TEST_MODE"}
[tool.orchestrator.tasks.lint]
command = "ruff check ."
global-files = ["/ruff.toml"]
"""


def lock(version: str) -> str:
    return textwrap.dedent(f"""\
        version = 1
        [[package]]
        name = "acme-a"
        version = "1.0.0"
        source = {{ editable = "packages/a" }}
        dependencies = [{{ name = "requests" }}]
        [[package]]
        name = "acme-b"
        version = "1.0.0"
        source = {{ editable = "packages/b" }}
        dependencies = [{{ name = "acme-a" }}]
        [[package]]
        name = "acme-c"
        version = "1.0.0"
        source = {{ editable = "packages/c" }}
        [[package]]
        name = "requests"
        version = "{version}"
        source = {{ registry = "https://pypi.org/simple" }}
        dependencies = [{{ name = "idna" }}]
        [[package]]
        name = "idna"
        version = "3.7"
        source = {{ registry = "https://pypi.org/simple" }}
        """)


@pytest.fixture
def project(repo: GitRepo) -> Project:
    repo.write("pyproject.toml", ROOT)
    repo.write("uv.lock", lock("2.31.0"))
    repo.package("packages/a", "acme-a")
    repo.package("packages/b", "acme-b", dependencies=["acme-a"])
    repo.package("packages/c", "acme-c")
    repo.commit()
    return Project(repo.root)


def keys(root: Path, task: str = "test", config: Path | None = None) -> dict[str, str]:
    plan = plan_run(Project(root, config), RunRequest(task, SelectionRequest("all")))
    return {job.package: job.key or "" for job in plan.jobs}


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


def test_nothing_changed_same_keys(project: Project) -> None:
    assert keys(project.root) == keys(project.root)


def test_changed_file_content_invalidates_it_and_its_dependents(project: Project,
                                                                repo: GitRepo) -> None:
    before = keys(project.root)
    repo.write("packages/a/src/acme_a/__init__.py", "X = 1\n")
    assert changed(before, keys(project.root)) == ["acme-a", "acme-b"]  # b through its key


def test_committed_and_uncommitted_content_give_one_key(project: Project, repo: GitRepo) -> None:
    repo.write("packages/c/new.py", "Y = 2\n")
    untracked = keys(project.root)
    repo.commit()
    assert keys(project.root) == untracked


def test_dependency_over_a_group_edge_counts(project: Project, repo: GitRepo) -> None:
    repo.package("packages/c", "acme-c", extra='[dependency-groups]\ndev = ["acme-a"]\n')
    before = keys(project.root)
    repo.write("packages/a/src/acme_a/extra.py", "")
    assert changed(before, keys(project.root)) == ["acme-a", "acme-b", "acme-c"]


def test_global_file_invalidates_everything(project: Project, repo: GitRepo) -> None:
    before = keys(project.root)
    repo.write("conftest.py", "# shared fixtures\n")
    assert changed(before, keys(project.root)) == ["acme-a", "acme-b", "acme-c"]


def test_unowned_file_that_is_not_global_changes_nothing(project: Project, repo: GitRepo) -> None:
    before = keys(project.root)
    repo.write("README.md", "# notes\n")
    assert changed(before, keys(project.root)) == []


def test_task_global_file_invalidates_only_its_task(project: Project, repo: GitRepo) -> None:
    test_before, lint_before = keys(project.root), keys(project.root, "lint")
    repo.write("ruff.toml", "line-length = 100\n")
    assert changed(test_before, keys(project.root)) == []
    assert changed(lint_before, keys(project.root, "lint")) == ["acme-a", "acme-b", "acme-c"]


def test_uv_lock_closure_invalidates_only_its_users(project: Project, repo: GitRepo) -> None:
    before = keys(project.root)
    repo.write("uv.lock", lock("2.32.0"))
    assert changed(before, keys(project.root)) == ["acme-a", "acme-b"]


def test_environment_variable_the_task_reads(project: Project,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_MODE", "fast")
    before = keys(project.root)
    monkeypatch.setenv("TEST_MODE", "slow")
    assert changed(before, keys(project.root)) == ["acme-a", "acme-b", "acme-c"]
    monkeypatch.setenv("UNRELATED_VARIABLE", "x")
    monkeypatch.setenv("TEST_MODE", "fast")
    assert changed(before, keys(project.root)) == []


def test_task_definition(project: Project, tmp_path: Path) -> None:
    # An outside --config file changes the definition and nothing else the key reads.
    config = tmp_path / "outside.toml"
    config.write_text(ROOT)
    test, lint = keys(project.root, config=config), keys(project.root, "lint", config=config)
    config.write_text(ROOT.replace("{python} -m pytest", "{python} -m pytest -q"))
    assert changed(test, keys(project.root, config=config)) == ["acme-a", "acme-b", "acme-c"]
    assert changed(lint, keys(project.root, "lint", config=config)) == []


def test_python_version(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    before = keys(project.root)
    monkeypatch.setattr(platform, "python_version", lambda: "3.99.0")
    assert changed(before, keys(project.root)) == ["acme-a", "acme-b", "acme-c"]


def test_another_program_first_on_path_is_another_key(
        project: Project, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`ruff` (the lint task's program) found elsewhere on PATH, or changed in place."""
    first, second = tmp_path / "one", tmp_path / "two"
    for directory in (first, second):
        directory.mkdir()
        (directory / "ruff").write_text("#!/bin/sh\nexit 0\n")
        (directory / "ruff").chmod(0o755)
    monkeypatch.setenv("PATH", f"{first}:{os.environ['PATH']}")
    before = keys(project.root, "lint")
    monkeypatch.setenv("PATH", f"{second}:{os.environ['PATH']}")
    assert changed(before, keys(project.root, "lint")) == ["acme-a", "acme-b", "acme-c"]
    monkeypatch.setenv("PATH", f"{first}:{os.environ['PATH']}")
    assert changed(before, keys(project.root, "lint")) == []
    (first / "ruff").write_text("#!/bin/sh\nexit 1\n")  # upgraded in place
    assert changed(before, keys(project.root, "lint")) == ["acme-a", "acme-b", "acme-c"]


def test_a_program_is_read_once_while_its_stat_data_holds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    from orchestrator.tasks.keys import Programs

    tool = tmp_path / "bin" / "tool"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    job = type("Job", (), {"argv": ("tool",), "env": (("PATH", str(tool.parent)),),
                           "cwd": tmp_path})()
    store = tmp_path / "programs.marshal"
    first = Programs(store)
    known = first.identity(job)  # type: ignore[arg-type]
    first.save()
    reads: list[object] = []
    real = hashlib.file_digest
    monkeypatch.setattr(hashlib, "file_digest", lambda *a: reads.append(a) or real(*a))
    assert Programs(store).identity(job) == known and reads == []  # type: ignore[arg-type]
    tool.write_text("#!/bin/sh\nexit 1\n")
    assert Programs(store).identity(job) != known and len(reads) == 1  # type: ignore[arg-type]


def test_another_interpreter_of_one_version_is_another_key(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    before = keys(project.root)
    monkeypatch.setattr(sys, "prefix", "/elsewhere/venv")
    assert changed(before, keys(project.root)) == ["acme-a", "acme-b", "acme-c"]


def test_ignored_files_a_task_names_count(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.orchestrator.tasks.gen]\ncommand = "true"\n'
                                 'inputs = ["/data/**"]\nglobal-files = ["/.env"]\n')
    repo.write(".gitignore", "data/\n.env\n")
    repo.package("packages/a", "acme-a")
    repo.commit()
    repo.write("data/gen.txt", "ok\n")
    repo.write(".env", "MODE=ok\n")
    before = keys(repo.root, "gen")
    repo.write("data/gen.txt", "bad\n")
    middle = keys(repo.root, "gen")
    assert changed(before, middle) == ["acme-a"]
    repo.write(".env", "MODE=bad\n")
    assert changed(middle, keys(repo.root, "gen")) == ["acme-a"]


def test_a_global_file_inside_a_package_counts_everywhere(project: Project,
                                                          repo: GitRepo) -> None:
    repo.write("pyproject.toml", ROOT.replace('"/ruff.toml"', '"/packages/c/shared.cfg"'))
    repo.write("packages/c/shared.cfg", "ok\n")
    repo.commit()
    before = keys(project.root, "lint")
    repo.write("packages/c/shared.cfg", "bad\n")
    assert changed(before, keys(project.root, "lint")) == ["acme-a", "acme-b", "acme-c"]


def test_unreadable_lock_counts_for_every_member() -> None:
    closures = LockClosures(b"not = [toml")
    assert closures("acme-a") == closures("acme-b")
    assert closures("acme-a")[0].startswith("unreadable:")


def test_lock_closure_is_transitive() -> None:
    closures = LockClosures(lock("2.31.0").encode())
    packages = {c.split("|")[1] for c in closures("acme-a") if c.startswith("package|")}
    assert {"idna", "requests"} <= packages
    assert not any("requests" in c for c in closures("acme-c"))


def test_worktree_ids_use_one_listing_and_hash_dirty_files(project: Project,
                                                           repo: GitRepo) -> None:
    ids = worktree_ids(project.git)
    assert ids["packages/a/pyproject.toml"] == "100644 " + repo.git(
        "rev-parse", "HEAD:packages/a/pyproject.toml")
    repo.write("packages/a/untracked.py", "")
    (repo.root / "packages/c/src/acme_c/__init__.py").unlink()
    ids = worktree_ids(project.git)
    assert ids["packages/a/untracked.py"] == "100644 e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert ids["packages/c/src/acme_c/__init__.py"] == "deleted"


def test_concurrent_writers_leave_one_whole_entry(tmp_path: Path) -> None:
    cache = TaskCache(tmp_path / "cache")
    log = tmp_path / "log"
    log.write_text("output\n")
    key = "ab" * 32

    def store(i: int) -> None:
        cache.put(key, {"task": "t", "package": "p", "status": "passed", "duration": i}, log,
                  None)

    threads = [threading.Thread(target=store, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    entry = cache.get(key)
    assert entry is not None
    assert entry.log.read_text() == "output\n"
    assert json.loads((entry.directory / "entry.json").read_text())["status"] == "passed"
    assert [p.name for p in (tmp_path / "cache" / "ab").iterdir()] == [key]  # no temp left


def test_corrupt_entry_is_a_miss(tmp_path: Path) -> None:
    cache = TaskCache(tmp_path)
    (tmp_path / "cd" / ("cd" * 32)).mkdir(parents=True)
    (tmp_path / "cd" / ("cd" * 32) / "entry.json").write_text("{torn")
    assert cache.get("cd" * 32) is None


def test_global_files_a_named_root_owns_invalidate_every_package(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[project]\nname = "monorepo"\nversion = "1"\n'
                                 '[tool.orchestrator]\nmembers = ["**"]\n')
    repo.write("conftest.py", "A = 1\n")
    repo.package("packages/a", "acme-a")
    repo.commit()
    before = keys(repo.root)
    repo.write("conftest.py", "A = 2\n")  # owned by the named root, and global
    assert changed(before, keys(repo.root)) == ["acme-a", "monorepo"]


def test_a_mode_change_invalidates_the_package(project: Project, repo: GitRepo) -> None:
    before = keys(project.root)
    (repo.root / "packages/c/src/acme_c/__init__.py").chmod(0o755)
    assert changed(before, keys(project.root)) == ["acme-c"]
    repo.commit("chmod")
    committed = keys(project.root)
    assert changed(before, committed) == ["acme-c"]


def test_a_dirty_submodule_is_never_answered_from_the_cache(project: Project, repo: GitRepo,
                                                            tmp_path: Path) -> None:
    from tests.gitutil import make_repo

    sub = make_repo(tmp_path, name="sub")
    sub.write("a.txt", "1\n")
    sub.commit("one")
    sub.write("a.txt", "2\n")
    sub.commit("two")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.root),
             "packages/c/vendor/sub")
    repo.commit("submodule")
    before = keys(project.root)
    assert keys(project.root) == before
    inner = repo.root / "packages/c/vendor/sub"
    subprocess.run(["git", "checkout", "-q", "HEAD~1"], cwd=inner, check=True)
    moved = keys(project.root)
    assert changed(before, moved) == ["acme-c"]
    assert keys(project.root) == moved  # a moved pointer is a stable key
    (inner / "a.txt").write_text("edited\n")
    assert keys(project.root)["acme-c"] != keys(project.root)["acme-c"]


@pytest.mark.parametrize("flag", ["--skip-worktree", "--assume-unchanged"])
def test_files_git_no_longer_watches_are_keyed_by_their_content_on_disk(
        project: Project, repo: GitRepo, flag: str) -> None:
    before = keys(project.root)
    repo.git("update-index", flag, "packages/a/src/acme_a/__init__.py")
    assert keys(project.root) == before  # the flag alone changes nothing
    repo.write("packages/a/src/acme_a/__init__.py", "BROKEN = 1 / 0\n")
    assert repo.git("status", "--porcelain") == ""  # git itself no longer sees the edit
    assert changed(before, keys(project.root)) == ["acme-a", "acme-b"]


def test_a_skip_worktree_file_a_sparse_checkout_left_out_keeps_its_key(
        project: Project, repo: GitRepo) -> None:
    before = keys(project.root)
    repo.git("update-index", "--skip-worktree", "packages/c/src/acme_c/__init__.py")
    (repo.root / "packages/c/src/acme_c/__init__.py").unlink()
    assert keys(project.root) == before
