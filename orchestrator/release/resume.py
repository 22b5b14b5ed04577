"""Finishing a release commit: a rerun of apply on it creates the tags it announces that are
missing (and pushes when asked), and never a tag the release did not plan."""

from __future__ import annotations

from orchestrator.context import Project
from orchestrator.errors import OrchestratorError
from orchestrator.release.model import ApplyResult
from orchestrator.release.state import ReleaseState, read_state
from orchestrator.release.tagging import create_tags, ensure_ready, ensure_remote, push_release
from orchestrator.release.tags import tag_name_problem
from orchestrator.release.units import Unit
from orchestrator.release.vcs import ReleaseGit, release_tags


def announced_tags(rgit: ReleaseGit) -> list[str] | None:
    """The tags HEAD's release commit announces; None when HEAD is no release commit."""
    return release_tags(rgit.message(rgit.head()))


def unfinished(rgit: ReleaseGit, tags: list[str]) -> bool:
    return any(rgit.tag_commit(tag) is None for tag in tags)


def check_announced(state: ReleaseState, tags: list[str]) -> None:
    """Refuse, before creating any, a tag that is no release of a package at HEAD."""
    for tag in tags:
        problem = tag_name_problem(tag)
        if problem is None and not any(_is_release_of(u, tag, state) for u in state.units):
            problem = ("under the configured tag-format it is no tag of a package's version "
                       "at this commit")
        if problem is not None:
            raise OrchestratorError(
                f"the release commit {state.commit[:12]} names the tag {tag!r}, which release "
                f"apply will not create: {problem}",
                hint="check tag-format in [tool.orchestrator.release], then tag the release "
                     "commit by hand, or undo it (`git reset --keep HEAD~1`) and apply again")


def _is_release_of(unit: Unit, tag: str, state: ReleaseState) -> bool:
    """Whether `tag` is `unit`'s tag at the version it has at this commit."""
    version = unit.match(tag)
    if version is None:
        return False
    current = state.current[unit.members[0]]
    # A version git tags make is the tag's own: the release commit cannot say it.
    return current.source.kind == "vcs" or current.version == version


def tags_already_made(rgit: ReleaseGit, head: str, tags: list[str]) -> list[str]:
    """Those of `tags` that exist, after refusing one that names another commit."""
    existing = []
    for tag in tags:
        at = rgit.tag_commit(tag)
        if at is not None and at != head:
            raise OrchestratorError(f"tag {tag} already exists on another commit ({at[:12]})")
        if at is not None:
            existing.append(tag)
    return existing


def resume(project: Project, rgit: ReleaseGit, tags: list[str], *, push: bool) -> ApplyResult:
    """Finish HEAD's release commit, which announces `tags`: create the missing ones (and
    push)."""
    head = rgit.head()
    branch = ensure_ready(rgit)
    check_announced(read_state(project, rgit, head), tags)
    existing = tags_already_made(rgit, head, tags)
    remote = ensure_remote(rgit, branch) if push else None
    created = create_tags(rgit, head, [t for t in tags if t not in existing])
    if remote is not None:
        push_release(rgit, remote, branch, tags)
    return ApplyResult(head, tuple(created), tuple(existing), pushed=remote, resumed=True)
