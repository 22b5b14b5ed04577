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


def unfinished_below(project: Project, rgit: ReleaseGit) -> tuple[str, list[str]] | None:
    """The newest release commit below HEAD, and the tags it announces, when some of them
    are missing and apply can create them (apply stopped after its commit, and work went on
    on top of it). One whose tags no longer fit the configuration is history, not a job."""
    head = rgit.head()
    commit = rgit.last_release_commit(head)
    if commit is None or commit == head:
        return None
    tags = release_tags(rgit.message(commit)) or []
    if not unfinished(rgit, tags):
        return None
    try:
        check_announced(read_state(project, rgit, commit), tags)
        tags_already_made(rgit, commit, tags)
    except OrchestratorError:
        return None
    return commit, tags


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


def resume(project: Project, rgit: ReleaseGit, tags: list[str], *, push: bool,
           commit: str | None = None) -> ApplyResult:
    """Finish the release commit (HEAD's unless `commit` is given), which announces `tags`:
    create the missing ones (and push)."""
    release = commit or rgit.head()
    branch = ensure_ready(rgit)
    check_announced(read_state(project, rgit, release), tags)
    existing = tags_already_made(rgit, release, tags)
    remote = ensure_remote(rgit, branch) if push else None
    created = create_tags(rgit, release, [t for t in tags if t not in existing])
    if remote is not None:
        push_release(rgit, remote, branch, tags)
    notes = () if commit is None else (
        "run release apply again to release the commits made since the release commit",)
    return ApplyResult(release, tuple(created), tuple(existing), pushed=remote, resumed=True,
                       notes=notes)
