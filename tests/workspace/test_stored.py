"""Workspaces stored by tree id (workspace/stored.py): whatever order commits are read in,
each stored, loaded or derived from another through `git diff-tree`, and the working tree
derived from HEAD's through git's stat data, the answer is exactly a cold discovery's."""

from __future__ import annotations

import tempfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator.context import Project
from orchestrator.errors import ConfigError
from orchestrator.gitrepo import Git
from orchestrator.workspace.discovery import Workspace, discover
from orchestrator.workspace.snapshot import CommitSnapshot, WorktreeSnapshot
from orchestrator.workspace.stored import WorkspaceStore
from tests.gitutil import GitRepo
from tests.workspace.test_rediscover import ROOTS, Op, apply, ops, package

FLAGS = ("--assume-unchanged", "--skip-worktree")
UV = '[tool.uv.workspace]\nmembers = ["packages/*"]\n'


def cold(repo: GitRepo, commit: str | None, strict: bool) -> Workspace | str:
    git = Git(repo.root)
    snapshot = WorktreeSnapshot(git) if commit is None else CommitSnapshot(git, commit)
    try:
        return discover(snapshot, repo.root, strict=strict)
    except ConfigError as e:
        return e.message


def warm(repo: GitRepo, commit: str | None, strict: bool) -> Workspace | str:
    """A new process's answer: a fresh Project over whatever is stored by now."""
    try:
        return Project(repo.root).workspace(commit, strict=strict)
    except ConfigError as e:
        return e.message


def same(found: Workspace | str, expected: Workspace | str) -> None:
    assert found == expected
    if isinstance(found, Workspace) and isinstance(expected, Workspace):
        assert found.findings == expected.findings
        assert found.unreadable == expected.unreadable
        assert found.packages == expected.packages


def flag(repo: GitRepo, op: Op, which: int, edit: bool) -> None:
    """Mark a tracked pyproject.toml assume-unchanged or skip-worktree, and maybe edit it on
    disk afterwards: git's stat data no longer says it changed."""
    path = f"{('packages/a', 'packages/b', 'services/c')[op[1] % 3]}/pyproject.toml"
    if repo.git("ls-files", "--", path):
        repo.git("update-index", FLAGS[which], "--", path)
        if edit:
            package(repo, path.rsplit("/", 1)[0], "zz", ["a"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(root=st.sampled_from(ROOTS), history=st.lists(st.lists(ops, max_size=4), min_size=1,
                                                      max_size=4),
       order=st.randoms(use_true_random=False), dirty=st.lists(ops, max_size=3),
       flagged=st.lists(st.tuples(ops, st.integers(0, 1), st.booleans()), max_size=2),
       strict=st.booleans())
def test_random_histories_answer_as_cold_discovery(
        root: str, history: list[list[Op]], order: object, dirty: list[Op],
        flagged: list[tuple[Op, int, bool]], strict: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo(Path(tmp) / "repo").init()
        repo.write("pyproject.toml", root)
        commits = []
        for step in history:
            for op in step:
                apply(repo, op)
            commits.append(repo.commit("step"))
        for op in dirty:
            apply(repo, op)
        for op, which, edit in flagged:
            flag(repo, op, which, edit)
        visits = [*commits, None, *commits, None]
        order.shuffle(visits)  # type: ignore[attr-defined]
        for commit in visits:
            same(warm(repo, commit, strict), cold(repo, commit, strict))
            same(warm(repo, commit, not strict), cold(repo, commit, not strict))


def test_deleting_the_state_directory_makes_a_run_cold(repo: GitRepo) -> None:
    repo.write("pyproject.toml", UV)
    package(repo, "packages/a", "a", [])
    head = repo.commit("one")
    Project(repo.root).workspace(head)
    stored = repo.root / ".orchestrator" / "cache" / "workspaces"
    assert any(p.suffix == ".workspace" for p in stored.iterdir())
    import shutil

    shutil.rmtree(repo.root / ".orchestrator")
    assert Project(repo.root).store.latest() is None


def test_a_subdirectory_workspace_stores_its_own_tree(repo: GitRepo) -> None:
    repo.write("README.md", "top\n")
    repo.write("py/pyproject.toml", UV)
    package(repo, "py/packages/a", "a", [])
    head = repo.commit("one")
    project = Project(repo.root / "py")
    assert project.root == repo.root / "py"
    found = project.workspace(head)
    assert list(found.by_name) == ["a"]
    tree = repo.git("rev-parse", f"{head}:py")
    assert (repo.root / "py/.orchestrator/cache/workspaces" / f"{tree}.workspace").is_file()
    assert Project(repo.root / "py").workspace(head) == found


@pytest.mark.parametrize("damage", ["truncate", "flip", "foreign", "shape"])
def test_a_damaged_or_foreign_store_is_a_miss(repo: GitRepo, damage: str) -> None:
    import marshal

    repo.write("pyproject.toml", UV)
    package(repo, "packages/a", "a", [])
    package(repo, "packages/b", "b", ["a"])
    head = repo.commit("two")
    expected = Project(repo.root).workspace(head)
    directory = repo.root / ".orchestrator" / "cache" / "workspaces"
    for path in directory.iterdir():
        data = path.read_bytes()
        if damage == "truncate":
            data = data[: len(data) // 2]
        elif damage == "flip":  # inside a package's record: the checksum must catch it
            at = data.index(b"packages/b") + 3
            data = data[:at] + b"X" + data[at + 1:]
        elif damage == "foreign":
            _, check, body = marshal.loads(data)  # noqa: S302 - the test's own file
            data = marshal.dumps(((0, "other-python"), check, body))
        else:
            body = marshal.dumps(("not", "a", "workspace"))
            version = marshal.loads(data)[0]  # noqa: S302 - the test's own file
            data = marshal.dumps((version, zlib.crc32(body), body))
        path.write_bytes(data)
    assert Project(repo.root).workspace(head) == expected


def test_a_config_file_is_part_of_the_key(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("pyproject.toml", ROOTS[0])
    package(repo, "packages/a", "a", [])
    package(repo, "services/c", "c", ["a"])
    head = repo.commit("two")
    config = tmp_path / "settings.toml"
    config.write_text('services = ["services/*"]\n')
    first = Project(repo.root, config).workspace(head)
    config.write_text('services = ["nothing/*"]\n')
    second = Project(repo.root, config).workspace(head)
    assert first.by_name["c"].kind == "service" and second.by_name["c"].kind == "library"
    assert WorkspaceStore(None).suffix == ""


def test_an_unstattable_member_is_read_so_its_error_is_reported(
        repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_fail_closed import deny

    repo.write("pyproject.toml", UV)
    package(repo, "packages/a", "a", [])
    repo.commit("one")
    Project(repo.root).workspace()  # stores HEAD's: git's stat data says nothing changed
    deny(monkeypatch, repo.root / "packages/a")
    with pytest.raises(ConfigError, match=r"cannot read packages/a/pyproject\.toml"):
        Project(repo.root).workspace()


def test_a_merge_base_is_stored_as_its_commit_holds_it(
        repo: GitRepo, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`affected` over the working tree reads the merge base; what it stores for that commit
    is the commit's, even where the working tree differs from HEAD unseen by any diff."""
    from orchestrator.changes import diff
    from tests.cli import run_cli

    repo.write("pyproject.toml", UV)
    package(repo, "packages/a", "a", [])
    package(repo, "packages/b", "b", ["a"])
    base = repo.commit("one")
    package(repo, "packages/c", "c", [])
    repo.commit("two")
    repo.git("update-index", "--assume-unchanged", "packages/b/pyproject.toml")
    package(repo, "packages/b", "b", ["c"])
    monkeypatch.setattr(diff, "hidden_edits", lambda git: [])  # a change set that misses it
    assert run_cli(capsys, repo.root, "affected", "--base", "HEAD~1").exit_code == 0
    same(warm(repo, base, False), cold(repo, base, False))
