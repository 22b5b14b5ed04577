"""`release init`: adopt a repository whose versions were released elsewhere.

Each package (or release group) with no release tag yet gets the tag of its current version
at HEAD, or at `--at REF`; no file changes and nothing is published. Later plans then count
changes from there instead of releasing every package as new.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.context import Project
from orchestrator.errors import OrchestratorError
from orchestrator.release.model import Skipped
from orchestrator.release.state import ReleaseState, ensure_full_history, read_state
from orchestrator.release.tags import tag_name_problem
from orchestrator.release.vcs import ReleaseGit


@dataclass(frozen=True)
class Baseline:
    """What `release init` did at one commit."""

    commit: str
    created: tuple[tuple[str, str], ...] = ()  # (tag, what it releases)
    tagged: tuple[tuple[str, str], ...] = ()  # (unit, its existing newest tag)
    skipped: tuple[Skipped, ...] = ()


def init(project: Project, at: str | None) -> Baseline:
    """Tag every untagged unit's current version at `at` (default HEAD)."""
    ensure_full_history(project.git, "release init")
    rgit = ReleaseGit(project.git)
    commit = rgit.head() if at is None else project.git.resolve(at)
    if commit is None:
        raise OrchestratorError(f"--at {at!r} names no commit here")
    state = read_state(project, rgit, commit)
    wanted = planned_tags(state)
    for tag, _ in wanted:
        existing = rgit.tag_commit(tag)
        if existing is not None and existing != commit:
            raise OrchestratorError(f"tag {tag} already exists on another commit "
                                    f"({existing[:12]}); nothing was tagged",
                                    hint="delete it, or run release init --at that commit")
    created = [(t, w) for t, w in wanted if rgit.tag_commit(t) is None]
    for tag, _ in created:
        rgit.create_tag(tag, commit, f"Release {tag} (baseline: released before this "
                                     "repository was tagged)")
    tagged = tuple((u.name, last.name) for u in state.units
                   if (last := state.last[u.name]) is not None)
    return Baseline(commit, tuple(created), tagged, state.skipped)


def planned_tags(state: ReleaseState) -> list[tuple[str, str]]:
    """(tag, what it releases) for each unit without a tag, after checking every name."""
    wanted = []
    for unit in state.units:
        if state.last[unit.name] is not None:
            continue
        version = state.current[unit.members[0]].version
        tag = unit.tag(version)
        problem = tag_name_problem(tag)
        if problem is not None:
            raise OrchestratorError(f"tag-format {unit.template!r} makes the tag {tag!r} for "
                                    f"{unit.name}, which git refuses: {problem}")
        wanted.append((tag, f"{', '.join(unit.members)} {version}"))
    return wanted


def render(result: Baseline) -> str:
    lines = [f"tagged {tag} ({what}) at {result.commit[:12]}" for tag, what in result.created]
    lines += [f"{name}: already released ({tag})" for name, tag in result.tagged]
    lines += [f"warning: {s.name} ({s.path}) not tagged: {s.reason}" for s in result.skipped]
    if not result.created:
        lines.insert(0, "Nothing to tag: every package that can be read has a release tag.")
    return "\n".join(lines) + "\n"
