"""The change set on real repositories: exact paths, merge bases, working tree, shallow clones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orchestrator.changes.diff import MissingBaseError, collect_changes
from orchestrator.errors import GitError
from orchestrator.gitrepo import Git
from tests.gitutil import GitRepo, make_repo


def changes(repo: GitRepo, base: str = "main", head: str | None = None,
            committed_only: bool = False) -> tuple[str, ...]:
    return collect_changes(Git(repo.root), base, head, committed_only=committed_only).files


@pytest.fixture
def branched(repo: GitRepo) -> GitRepo:
    """main with one commit, and a feature branch checked out from it."""
    repo.write("a/one.py", "1\n")
    repo.write("b/two.py", "2\n")
    repo.commit("base")
    repo.git("checkout", "-q", "-b", "feature")
    return repo


def test_odd_paths_are_exact(branched: GitRepo) -> None:
    names = ["a/with space.py", "a/naïve café.py", "a/new\nline.py", 'a/"quoted".py']
    for name in names:
        branched.write(name, "x\n")
    branched.commit("odd")
    assert changes(branched, head="HEAD") == tuple(sorted(names))


def test_deleted_files_and_both_sides_of_a_move_count(branched: GitRepo) -> None:
    branched.git("mv", "a/one.py", "b/one.py")
    branched.remove("b/two.py")
    branched.commit("move and delete")
    assert changes(branched, head="HEAD") == ("a/one.py", "b/one.py", "b/two.py")


def test_working_tree_counts_staged_unstaged_and_untracked(branched: GitRepo) -> None:
    branched.write("a/one.py", "changed, unstaged\n")
    branched.write("b/staged.py", "new\n")
    branched.git("add", "b/staged.py")
    branched.write("b/untracked.py", "new\n")
    branched.write(".gitignore", "*.log\n")
    branched.write("b/ignored.log", "noise\n")
    assert changes(branched) == (".gitignore", "a/one.py", "b/staged.py", "b/untracked.py")


def test_committed_only_and_explicit_head_ignore_the_working_tree(branched: GitRepo) -> None:
    branched.write("b/two.py", "committed\n")
    branched.commit("edit")
    branched.write("a/one.py", "dirty\n")
    branched.write("a/untracked.py", "dirty\n")
    branched.git("add", "a/untracked.py")
    assert changes(branched, committed_only=True) == ("b/two.py",)
    assert changes(branched, head="HEAD") == ("b/two.py",)
    assert changes(branched, head="feature") == ("b/two.py",)


def test_base_that_moved_on_uses_the_merge_base(branched: GitRepo) -> None:
    branched.write("a/feature.py", "f\n")
    branched.commit("feature work")
    branched.git("checkout", "-q", "main")
    branched.write("b/main-only.py", "m\n")
    branched.commit("main moved on")
    branched.git("checkout", "-q", "feature")
    # Two-dot (main..feature as a diff) would also report b/main-only.py as deleted.
    assert changes(branched, head="HEAD") == ("a/feature.py",)


def test_merge_commits_on_the_branch(branched: GitRepo) -> None:
    branched.write("a/feature.py", "f\n")
    branched.commit("feature work")
    branched.git("checkout", "-q", "main")
    branched.write("b/main-only.py", "m\n")
    branched.commit("main moved on")
    branched.git("checkout", "-q", "feature")
    branched.git("merge", "-q", "--no-edit", "main")
    # After merging main in, the merge base is main's tip: only the branch's own work remains.
    assert changes(branched, head="HEAD") == ("a/feature.py",)
    result = collect_changes(Git(branched.root), "main", "HEAD", committed_only=True)
    assert result.merge_base == branched.git("rev-parse", "main")


def test_base_equal_to_head_is_an_empty_range(branched: GitRepo) -> None:
    result = collect_changes(Git(branched.root), "HEAD", "HEAD", committed_only=False)
    assert result.files == ()
    assert result.merge_base == result.head_commit


def test_unknown_refs_are_errors_naming_them(branched: GitRepo) -> None:
    with pytest.raises(MissingBaseError, match="'nope'"):
        changes(branched, base="nope")
    with pytest.raises(GitError, match="'nope'") as error:
        changes(branched, head="nope")
    assert not isinstance(error.value, MissingBaseError)


def test_shallow_clone_without_the_merge_base_fails_with_a_hint(
    branched: GitRepo, tmp_path: Path
) -> None:
    branched.write("a/feature.py", "f\n")
    branched.commit("feature work")
    branched.git("checkout", "-q", "main")
    branched.write("b/main.py", "m\n")
    branched.commit("main moved on")
    clone = GitRepo(tmp_path / "clone")
    clone.root.rmdir()
    branched.git("clone", "-q", "--depth", "1", "--no-single-branch", "-b", "feature",
                 f"file://{branched.root}", str(clone.root))
    with pytest.raises(MissingBaseError, match="too shallow") as error:
        changes(clone, base="origin/main", head="HEAD")
    assert error.value.hint is not None
    assert "fetch-depth: 0" in error.value.hint


def test_submodule_pointer_change_is_a_changed_path(tmp_path: Path) -> None:
    inner = make_repo(tmp_path, {"lib.py": "1\n"}, name="inner")
    first = inner.commit("one")
    outer = make_repo(tmp_path, {"pkg/pyproject.toml": "[project]\nname='p'\n"}, name="outer")
    outer.git("-c", "protocol.file.allow=always", "submodule", "add", "-q",
              f"file://{inner.root}", "pkg/vendor")
    outer.commit("add submodule")
    inner.write("lib.py", "2\n")
    inner.commit("two")
    sub = GitRepo(outer.root / "pkg" / "vendor")
    sub.git("fetch", "-q")
    sub.git("checkout", "-q", "origin/main")
    outer.commit("bump submodule")
    assert first != sub.git("rev-parse", "HEAD")
    assert changes(outer, base="HEAD~1", head="HEAD") == ("pkg/vendor",)


UNKNOWABLE = ["@{u}", "@{push}", "HEAD@{999}", "nosuch@{u}"]


def test_a_ref_git_cannot_look_up_resolves_to_nothing(
        branched: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """`cat-file --batch-check` fails as a whole on such a name (no upstream, a reflog entry
    past the end): the other refs asked with it still resolve, in one process when all can."""
    import subprocess

    runs: list[list[str]] = []
    real = subprocess.run

    def counting(argv: list[str], *args: object, **kwargs: object) -> object:
        runs.append(argv)
        return real(argv, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(subprocess, "run", counting)
    git = Git(branched.root)
    git.resolve_all(["HEAD", "main"])
    assert len(runs) == 1
    git.resolve_all(["HEAD~0", *UNKNOWABLE])
    head = branched.git("rev-parse", "HEAD")
    assert [git.resolve(ref) for ref in ("HEAD~0", *UNKNOWABLE)] == [head, None, None, None, None]
    assert git.tree_ids([head, "@{u}"]) == {head: branched.git("rev-parse", "HEAD^{tree}"),
                                            "@{u}": None}


@pytest.mark.parametrize("ref", UNKNOWABLE)
def test_a_base_git_cannot_look_up_is_a_missing_base(branched: GitRepo, ref: str) -> None:
    with pytest.raises(MissingBaseError, match=f"base ref '{re.escape(ref)}' does not exist"):
        changes(branched, base=ref)


@pytest.mark.parametrize(("ref", "kind"), [("HEAD^{tree}", "tree"), ("HEAD:a/one.py", "blob")])
def test_a_tree_or_blob_named_as_a_base_or_head_is_said_to_be_one(
        branched: GitRepo, ref: str, kind: str) -> None:
    with pytest.raises(GitError, match=f"^base ref '{re.escape(ref)}' names a {kind}, not a "
                                       "commit$") as raised:
        changes(branched, base=ref)
    assert not isinstance(raised.value, MissingBaseError)  # it exists: nothing to fetch
    with pytest.raises(GitError, match=f"^head ref '{re.escape(ref)}' names a {kind}"):
        changes(branched, head=ref)
    branched.git("tag", "-a", "-m", "a tag of a tree", "treetag", "HEAD^{tree}")
    with pytest.raises(GitError, match=r"^base ref 'treetag' names a tree, not a commit$"):
        changes(branched, base="treetag")


def test_an_orphan_branch_is_named_not_called_an_empty_repository(branched: GitRepo) -> None:
    branched.git("checkout", "-q", "--orphan", "newroot")
    with pytest.raises(GitError) as raised:
        changes(branched)
    assert raised.value.message == ("HEAD is on branch 'newroot', which has no commits yet "
                                    "(other branches have commits)")
    assert raised.value.hint == ("commit something on it first, or check out a branch that has "
                                 "commits, or pass --head REF")
    assert changes(branched, base="main", head="feature") == ()
