"""BASE resolution: option, GitHub pull request and push, GitLab merge request, config, main."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator.changes.refs import BaseChoice, choose_base
from orchestrator.errors import OrchestratorError
from orchestrator.gitrepo import Git
from tests.gitutil import GitRepo


@pytest.fixture
def git(repo: GitRepo) -> Git:
    repo.write("a.txt", "a\n")
    repo.commit("one")
    return Git(repo.root)


def push_event(tmp_path: Path, before: str) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"before": before, "after": "f" * 40}))
    return {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push",
            "GITHUB_EVENT_PATH": str(event), "GITHUB_BASE_REF": ""}


def test_option_wins_over_everything(git: Git) -> None:
    env = {"GITHUB_BASE_REF": "develop", "CI_MERGE_REQUEST_DIFF_BASE_SHA": "abc"}
    assert choose_base(git, "v1.0", "origin/dev", env) == BaseChoice("v1.0", "option")


def test_github_pull_request_prefers_the_remote_branch(git: Git, repo: GitRepo) -> None:
    env = {"GITHUB_ACTIONS": "true", "GITHUB_BASE_REF": "main", "GITHUB_EVENT_NAME": "pull_request"}
    # No remote-tracking ref here: the local branch stands in.
    assert choose_base(git, None, None, env) == BaseChoice("main", "github-pull-request")
    repo.git("update-ref", "refs/remotes/origin/main", "HEAD")
    fresh = Git(repo.root)
    assert choose_base(fresh, None, None, env) == BaseChoice("origin/main", "github-pull-request")


def test_github_pull_request_on_an_unknown_branch_names_the_remote_ref(git: Git) -> None:
    env = {"GITHUB_BASE_REF": "release/2.x"}
    assert choose_base(git, None, None, env).ref == "origin/release/2.x"


def test_github_push_uses_before(git: Git, tmp_path: Path) -> None:
    choice = choose_base(git, None, "main", push_event(tmp_path, "a" * 40))
    assert choice == BaseChoice("a" * 40, "github-push")


def test_github_push_of_a_new_branch_means_everything(git: Git, tmp_path: Path) -> None:
    choice = choose_base(git, None, None, push_event(tmp_path, "0" * 40))
    assert choice.new_branch and choice.source == "github-push"


def test_unreadable_event_payload_is_an_error(git: Git, tmp_path: Path) -> None:
    env = push_event(tmp_path, "x")
    Path(env["GITHUB_EVENT_PATH"]).write_text("{not json")
    with pytest.raises(OrchestratorError, match="event payload"):
        choose_base(git, None, None, env)


@pytest.mark.parametrize("payload", ["{}", "[1, 2]", '{"before": null}', '{"before": 5}'])
def test_a_push_event_without_a_before_commit_is_an_error(git: Git, tmp_path: Path,
                                                          payload: str) -> None:
    env = push_event(tmp_path, "x")
    Path(env["GITHUB_EVENT_PATH"]).write_text(payload)
    with pytest.raises(OrchestratorError, match="GITHUB_EVENT_PATH"):
        choose_base(git, None, None, env)


def test_gitlab_merge_request_diff_base(git: Git) -> None:
    env = {"GITLAB_CI": "true", "CI_MERGE_REQUEST_DIFF_BASE_SHA": "b" * 40}
    assert choose_base(git, None, None, env) == BaseChoice("b" * 40, "gitlab-merge-request")


def test_configured_base_then_origin_main_then_main(git: Git, repo: GitRepo) -> None:
    assert choose_base(git, None, "develop", {}) == BaseChoice("develop", "config")
    assert choose_base(git, None, None, {}) == BaseChoice("main", "default")
    repo.git("update-ref", "refs/remotes/origin/main", "HEAD")
    assert choose_base(Git(repo.root), None, None, {}) == BaseChoice("origin/main", "default")
