"""Which BASE a range starts from: the option, what CI says, the configured base, or main.

CI systems know the right base better than any default: a pull request's target branch, or
the commit a push moved the branch from. Reading it here lets `affected` work in CI with no
options at all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal, NamedTuple

from orchestrator.errors import OrchestratorError
from orchestrator.gitrepo import Git

BaseSource = Literal[
    "option", "github-pull-request", "github-push", "gitlab-merge-request", "config", "default"
]
ZERO_SHA = "0" * 40


class BaseChoice(NamedTuple):
    """The BASE of a range and where it came from.

    `new_branch` is a push that created its branch: there is no previous commit to compare
    with, so every package is affected.
    """

    ref: str
    source: BaseSource
    new_branch: bool = False

    def remedy(self) -> str:
        """What a user changes when this BASE is wrong, by where it came from."""
        return {
            "option": "or check the ref given to --base",
            "config": "or change `base` in [tool.orchestrator], or pass --base REF",
            "default": "or pass --base REF",
        }.get(self.source, "or pass --base REF to override what CI says")


def choose_base(
    git: Git, option: str | None, configured: str | None, environ: Mapping[str, str]
) -> BaseChoice:
    """DESIGN's order: the option; CI (GitHub, then GitLab); the configured base; main."""
    if option:
        return BaseChoice(option, "option")
    from_ci = github_base(git, environ) or gitlab_base(environ)
    if from_ci is not None:
        return from_ci
    if configured:
        return BaseChoice(configured, "config")
    if git.resolve("origin/main") is not None:
        return BaseChoice("origin/main", "default")
    return BaseChoice("main", "default")


def github_base(git: Git, environ: Mapping[str, str]) -> BaseChoice | None:
    """A pull request's base branch, or the `before` commit of a push."""
    branch = environ.get("GITHUB_BASE_REF", "")
    if branch:
        remote = f"origin/{branch}"
        if git.resolve(remote) is None and git.resolve(branch) is not None:
            return BaseChoice(branch, "github-pull-request")
        return BaseChoice(remote, "github-pull-request")
    if environ.get("GITHUB_EVENT_NAME") == "push" and environ.get("GITHUB_EVENT_PATH"):
        return _push_base(environ["GITHUB_EVENT_PATH"])
    return None


def _push_base(event_path: str) -> BaseChoice:
    before = _read_event(event_path).get("before")
    if not isinstance(before, str) or not before:
        raise OrchestratorError(
            f"the GitHub push event {event_path} (GITHUB_EVENT_PATH) has no 'before' commit",
            hint="pass --base REF explicitly",
        )
    if before.strip("0") == "":
        return BaseChoice(before, "github-push", new_branch=True)
    return BaseChoice(before, "github-push")


def _read_event(event_path: str) -> dict[str, object]:
    """The push event payload; unreadable is an error, never a silent fallback."""
    try:
        with open(event_path, "rb") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise OrchestratorError(
            f"cannot read the GitHub event payload {event_path} (GITHUB_EVENT_PATH): {e}",
            hint="pass --base REF explicitly",
        ) from e
    if not isinstance(data, dict):
        raise OrchestratorError(
            f"the GitHub event payload {event_path} (GITHUB_EVENT_PATH) is not a JSON object",
            hint="pass --base REF explicitly",
        )
    return data


def gitlab_base(environ: Mapping[str, str]) -> BaseChoice | None:
    """A merge request pipeline's diff base commit."""
    sha = environ.get("CI_MERGE_REQUEST_DIFF_BASE_SHA", "")
    return BaseChoice(sha, "gitlab-merge-request") if sha else None
