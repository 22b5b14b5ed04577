"""The branch, tags and remote of a release: what is checked before the release commit, and
the tags and push that follow it (by apply, or by a rerun that finishes a release)."""

from __future__ import annotations

from orchestrator.errors import FailedError, OrchestratorError
from orchestrator.release.model import ReleasePlan
from orchestrator.release.vcs import ReleaseGit


def ensure_ready(rgit: ReleaseGit) -> str:
    """The current branch, after refusing a detached HEAD or a dirty working tree."""
    branch = rgit.branch()
    if branch is None:
        raise OrchestratorError("HEAD is detached: check out the branch to release from")
    dirty = rgit.git.dirty_paths()
    if dirty:
        raise OrchestratorError(
            f"the working tree has uncommitted changes ({', '.join(sorted(dirty)[:3])}"
            f"{', ...' if len(dirty) > 3 else ''}): commit or stash them before releasing")
    return branch


def ensure_tags_free(rgit: ReleaseGit, plan: ReleasePlan) -> None:
    for release in plan.releases:
        if rgit.tag_commit(release.tag) is not None:
            raise OrchestratorError(
                f"tag {release.tag} already exists: {release.name} {release.next} was released "
                "before; bump past it (--bump) or delete the tag")


def ensure_remote(rgit: ReleaseGit, branch: str) -> str:
    """The remote to push to, after making sure it exists, answers, and has nothing HEAD
    lacks."""
    remote = rgit.remote_of(branch)
    if not rgit.has_remote(remote):
        raise OrchestratorError(
            f"there is no {remote!r} remote to push {branch} to: add one with "
            f"`git remote add {remote} URL`, or leave out --push")
    try:
        upstream = rgit.fetch(remote, branch)
    except OrchestratorError as e:
        raise OrchestratorError(f"{e.message}: check that {remote} is reachable, or leave out "
                                "--push") from e
    if upstream is not None and not rgit.is_ancestor(upstream, rgit.head()):
        raise OrchestratorError(
            f"{remote}/{branch} has commits that {branch} lacks: pull them, then run "
            "release apply again")
    return remote


def create_tags(rgit: ReleaseGit, commit_sha: str, tags: list[str]) -> list[str]:
    """Annotated tags on the release commit; a failure leaves a rerun to finish them."""
    created = []
    for tag in tags:
        try:
            rgit.create_tag(tag, commit_sha, f"Release {tag}")
        except OrchestratorError as e:
            raise FailedError(
                f"could not create tag {tag} ({e.message}); the release commit "
                f"{commit_sha[:12]} exists: run release apply again to create the missing tags"
            ) from e
        created.append(tag)
    return created


def push_release(rgit: ReleaseGit, remote: str, branch: str, tags: list[str]) -> None:
    refused = rgit.push(remote, branch, tags)
    if refused is not None:
        raise FailedError(
            f"{remote} refused the push of {branch} and its tags ({refused}); nothing was "
            "pushed and the release commit and tags are only local",
            hint=f"if {remote}/{branch} moved on, delete the local release tags, reset {branch} "
                 "to before the release commit, pull, and run release apply again")
