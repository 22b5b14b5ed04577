"""ReleaseGit on real repositories: GitPython's object model and git's own words."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.errors import GitError
from orchestrator.gitrepo import Git
from orchestrator.release.vcs import ReleaseGit
from tests.gitutil import GitRepo, make_repo


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    repo = make_repo(tmp_path)
    repo.write("libs/ünï code/a.py", "X = 1\n")
    repo.commit("feat: first")
    repo.git("tag", "-a", "-m", "annotated", "a-v1.0.0")
    repo.git("tag", "b-v1.0.0")
    repo.write("libs/ünï code/a.py", "X = 2\n")
    repo.commit("fix: second")
    return repo


def test_tags_and_their_commits(repo: GitRepo) -> None:
    rgit = ReleaseGit(Git(repo.root))
    first = repo.git("rev-parse", "HEAD~1")
    assert rgit.tag_commit("a-v1.0.0") == rgit.tag_commit("b-v1.0.0") == first
    assert rgit.tag_commit("missing") is None
    assert rgit.tag_commit("../../HEAD") is None  # never read as a path inside .git
    assert rgit.tags_at(first) == ["a-v1.0.0", "b-v1.0.0"]
    assert rgit.tags_at(rgit.head()) == []
    assert sorted(rgit.tags_merged(rgit.head())) == ["a-v1.0.0", "b-v1.0.0"]
    assert rgit.is_ancestor(first, rgit.head()) and not rgit.is_ancestor(rgit.head(), first)
    assert not rgit.is_ancestor("0" * 40, rgit.head())


def test_commits_since_a_tag_keep_paths_exact(repo: GitRepo) -> None:
    rgit = ReleaseGit(Git(repo.root))
    [commit] = rgit.commits("a-v1.0.0", rgit.head(), "libs/ünï code")
    assert commit.subject == "fix: second" and commit.files == ("libs/ünï code/a.py",)
    assert rgit.branch() == "main" and rgit.remote_of("main") == "origin"
    assert rgit.message(rgit.head()) == "fix: second\n"


def test_a_refused_tag_is_reported_in_gits_words(repo: GitRepo) -> None:
    rgit = ReleaseGit(Git(repo.root))
    rgit.create_tag("c-v1.0.0", rgit.head(), "Release c-v1.0.0")
    assert repo.git("cat-file", "-t", "c-v1.0.0") == "tag"
    with pytest.raises(GitError) as error:
        rgit.create_tag("c-v1.0.0", rgit.head(), "again")
    assert error.value.message == "cannot create tag c-v1.0.0 (tag 'c-v1.0.0' already exists)"


def test_git_runs_as_gitrepo_runs_it(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    rgit = ReleaseGit(Git(repo.root))
    assert rgit._run("config", "core.quotepath").stdout == "false"
    environment = rgit.repo.git.environment()
    assert environment["LC_ALL"] == "C" and environment["GIT_TERMINAL_PROMPT"] == "0"
    assert environment["GIT_OPTIONAL_LOCKS"] == "0"
    with pytest.raises(GitError, match=r"cannot fetch from nowhere \('nowhere' does not"):
        rgit.fetch("nowhere", "main")
