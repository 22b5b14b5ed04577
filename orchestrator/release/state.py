"""What a commit says about releases: its release units, each one's newest tag reachable
from it, each package's current version read from its source of truth, and which packages
cannot be planned, and why.

Everything is read from git objects (the commit's tree and its tags), never from the working
tree or the index, so it answers the same in any checkout, or in none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from orchestrator.context import Project
from orchestrator.errors import ConfigError, OrchestratorError
from orchestrator.gitrepo import Git
from orchestrator.release.model import Current, Skipped
from orchestrator.release.tags import Tag
from orchestrator.release.units import Unit, release_units
from orchestrator.release.vcs import ReleaseGit
from orchestrator.workspace.discovery import Workspace
from orchestrator.workspace.snapshot import CommitSnapshot
from orchestrator.workspace.versioning import Found, Reading, Unreadable, read_versions

SHALLOW_HINT = ("fetch the whole history and the tags: on GitHub Actions set `fetch-depth: 0` "
                "and `fetch-tags: true` on actions/checkout, elsewhere run "
                "`git fetch --unshallow --tags`")


@dataclass(frozen=True)
class ReleaseState:
    commit: str
    workspace: Workspace
    snapshot: CommitSnapshot
    units: tuple[Unit, ...]  # those that can be planned
    last: Mapping[str, Tag | None]  # unit name -> its newest tag reachable from the commit
    current: Mapping[str, Current]  # package -> its version now, for those units' members
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()


def ensure_full_history(git: Git, command: str) -> None:
    """Refuse a shallow clone before any tag is read: no tag would be reachable, so every
    package would look never released."""
    if git.is_shallow():
        raise OrchestratorError(f"{command}: this is a shallow clone, so the release tags and "
                                "history it needs are missing", hint=SHALLOW_HINT)


def read_state(project: Project, rgit: ReleaseGit, commit: str) -> ReleaseState:
    """Units, tags and versions at `commit`."""
    workspace = project.workspace(commit)
    snapshot = CommitSnapshot(project.git, commit)
    units = release_units(workspace.packages, workspace.config)
    tags = rgit.tags_merged(commit)
    last = {u.name: u.newest(tags) for u in units}
    readings = read_versions(snapshot, workspace.packages)
    plannable, current, skipped, notes = [], {}, [], []
    for unit in units:
        found = _unit_versions(unit, readings, last[unit.name], workspace)
        if isinstance(found, list):
            skipped += found
            continue
        plannable.append(unit)
        current.update(found)
        notes += _below_tag(unit, found, last[unit.name])
    return ReleaseState(commit, workspace, snapshot, tuple(plannable), last, current,
                        tuple(sorted(skipped, key=lambda s: s.name)), tuple(notes))


def _unit_versions(unit: Unit, readings: Mapping[str, Reading], last: Tag | None,
                   workspace: Workspace) -> dict[str, Current] | list[Skipped]:
    """The unit's members at their one current version, or each skipped with the reason."""
    parsed = {m: _parse(readings[m]) for m in unit.members}
    problems = {m: p for m, p in parsed.items() if isinstance(p, str)}
    if problems:
        return _skip_all(unit, problems, workspace)
    written = {m: v for m, v in parsed.items() if isinstance(v, Version)}
    if len(set(written.values())) > 1:
        listed = ", ".join(f"{m} {v} ({workspace.by_name[m].path})" for m, v in written.items())
        raise ConfigError(f"the release group {unit.name!r} has members at different "
                          f"versions: {listed}; set them to one version",
                          hint="members of a group share one version and one tag")
    version = next(iter(written.values()), None) or (last.version if last else None)
    if version is None:  # every version is made from tags, and there is none
        source = readings[unit.members[0]]
        assert isinstance(source, Found)
        reason = (f"its version comes from git tags ({source.source.describe}) and no tag of "
                  f"the format {unit.template!r} is reachable from HEAD")
        return _skip_all(unit, dict.fromkeys(unit.members, reason), workspace)
    return {m: Current(version, _found(readings[m]).source) for m in unit.members}


def _parse(reading: Reading) -> Version | str | None:
    """The version as written; None when tags make it; the reason when it cannot be read."""
    if isinstance(reading, Unreadable):
        return f"its version cannot be read: {reading.reason}"
    if reading.text is None:
        return None
    try:
        return Version(reading.text)
    except InvalidVersion:
        return (f"its version {reading.text!r} ({reading.source.describe}) is not a PEP 440 "
                "version")


def _found(reading: Reading) -> Found:
    assert isinstance(reading, Found)
    return reading


def _skip_all(unit: Unit, problems: Mapping[str, str], workspace: Workspace) -> list[Skipped]:
    """Every member of the unit skipped: a group is released whole or not at all."""
    first = sorted(problems)[0]
    return [Skipped(m, workspace.by_name[m].path, problems.get(m) or (
        f"its release group {unit.name!r} cannot be planned: {first} {problems[first]}"))
        for m in unit.members]


def _below_tag(unit: Unit, found: Mapping[str, Current], last: Tag | None) -> list[str]:
    version = next(iter(found.values())).version
    if last is None or version >= last.version:
        return []
    return [f"{unit.name}: its version {version} is below its last release tag {last.name}; "
            "the next release counts from the tag"]
