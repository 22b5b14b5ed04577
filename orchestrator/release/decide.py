"""Which packages get which version, and why: a pure function of in-memory data.

Git and files stay at the edge (`plan.py`): this module sees the packages, the release units
(a group, or a package alone) that can be planned with each one's current version and last
tag, each package's own commits since, the requirements as written, the release settings
and the command-line options, and returns the releases in dependency order. No plan lowers
a version or a dependent's lower bound: that is checked on every plan before it is returned.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from packaging.version import Version

from orchestrator.errors import FailedError, OrchestratorError
from orchestrator.release import conventional
from orchestrator.release.conventional import Level
from orchestrator.release.model import (
    Bump,
    Change,
    Current,
    Options,
    Reason,
    Release,
    SpecifierEdit,
)
from orchestrator.release.sites import Site, specifier_floor, style_of
from orchestrator.release.tags import Tag
from orchestrator.release.units import Unit
from orchestrator.release.vcs import Commit
from orchestrator.release.versions import next_after, with_pre
from orchestrator.workspace.graph import PackageGraph
from orchestrator.workspace.model import ORDER_KINDS, SHIPPED_KINDS, EdgeKind, Package
from orchestrator.workspace.releaseconfig import ReleaseConfig

# dependent -> dependency -> its shipped requirements on it, as written
Requirements = Mapping[str, Mapping[str, Sequence[Site]]]


@dataclass(frozen=True)
class History:
    """What git says about one package: its unit's newest release tag and its own commits
    since."""

    last: Tag | None = None
    commits: tuple[Commit, ...] = ()


@dataclass(frozen=True)
class Decision:
    releases: tuple[Release, ...]  # dependencies first
    notes: tuple[str, ...] = ()


class LoweringError(FailedError):
    """A plan would lower a version or a lower bound: a bug, never a plan to carry out."""


@dataclass(eq=False)  # one object per unit, shared by its members' drafts
class _Unit:
    """A unit's version while the plan is worked out (levels only ever rise)."""

    unit: Unit
    current: Version
    last: Tag | None
    bump: Bump | None = None
    next: Version | None = None


@dataclass
class _Draft:
    """One package's part of its unit's release: its reasons, edits and changes."""

    package: Package
    current: Current
    unit: _Unit
    commits: tuple[Commit, ...]
    reasons: list[Reason] = field(default_factory=list)
    edits: list[SpecifierEdit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)


def decide(packages: Sequence[Package], units: Sequence[Unit], current: Mapping[str, Current],
           histories: Mapping[str, History], requirements: Requirements,
           config: ReleaseConfig, options: Options, *,
           order_kinds: Collection[EdgeKind] = ORDER_KINDS) -> Decision:
    """Every release: own changes first, then dependents whose specifiers must move.

    `units` are those that can be planned, `current` has a version for each of their members;
    a package in no unit is not planned, and only noted when a new version excludes it.
    """
    drafts = _drafts(packages, units, current, histories)
    _check_bumps(packages, drafts, options)
    for unit, members in _by_unit(drafts).items():
        _own_release(unit, members, options)
    graph = PackageGraph(packages)
    notes: list[str] = []
    _propagate(drafts, graph, requirements, config, options, notes)
    released = [n for n, d in drafts.items() if d.unit.next is not None]
    # A cycle only matters where it leaves no order (`order-kinds`): propagation visits
    # each unit once, so an [all] extra that closes a loop is released like anything else.
    order = graph.subgraph(released).order(order_kinds, purpose="order the release")
    releases = tuple(_release(drafts[n], config.publish_services) for n in order)
    check_never_lower(releases)
    return Decision(releases, tuple(notes))


def _drafts(packages: Sequence[Package], units: Sequence[Unit], current: Mapping[str, Current],
            histories: Mapping[str, History]) -> dict[str, _Draft]:
    by_name = {p.name: p for p in packages}
    drafts = {}
    for unit in units:
        first = unit.members[0]
        shared = _Unit(unit, current[first].version, histories.get(first, History()).last)
        for member in unit.members:
            drafts[member] = _Draft(by_name[member], current[member], shared,
                                    histories.get(member, History()).commits)
    return drafts


def _by_unit(drafts: Mapping[str, _Draft]) -> dict[_Unit, list[_Draft]]:
    grouped: dict[_Unit, list[_Draft]] = {}
    for draft in drafts.values():
        grouped.setdefault(draft.unit, []).append(draft)
    return grouped


def _check_bumps(packages: Sequence[Package], drafts: Mapping[str, _Draft],
                 options: Options) -> None:
    names = {p.name for p in packages}
    for name in options.bumps:
        if name not in names:
            raise OrchestratorError(f"--bump names {name!r}, which is not a package here")
        if name not in drafts:
            raise OrchestratorError(f"--bump names {name}, whose version cannot be read, so it "
                                    "cannot be released (release plan says why)")


def _own_release(unit: _Unit, members: list[_Draft], options: Options) -> None:
    """The unit's own release, from its members' commits, its tag and the options
    (DESIGN's table); a group takes the highest level of its members."""
    forced = conventional.highest([options.bumps.get(m.package.name) for m in members])
    if unit.last is None:
        _first_release(unit, members, forced, options)
        _manual(members, options)
        return
    levels = []
    for member in members:
        member.changes = [_change(c) for c in member.commits]
        level = conventional.highest([conventional.parse(c.message).level
                                      for c in member.commits])
        levels.append(level)
        if level is not None and member.package.name not in options.bumps:
            member.reasons.append(Reason("commits", tuple(f"{c.sha} {c.subject}"
                                                          for c in member.commits)))
    _manual(members, options)
    _set_next(unit, members, forced or conventional.highest(levels), options)


def _manual(members: list[_Draft], options: Options) -> None:
    for member in members:
        if member.package.name in options.bumps:
            member.reasons.append(Reason("manual"))


def _for_all(members: list[_Draft], reason: Reason) -> None:
    for member in members:
        member.reasons.append(reason)


def _first_release(unit: _Unit, members: list[_Draft], forced: Level | None,
                   options: Options) -> None:
    """No tag yet: the current version as is (or bumped when forced), as a pre if asked."""
    version = unit.current
    _for_all(members, Reason("first-release"))
    unit.bump = forced or "initial"
    if forced:
        version = next_after(version, forced)
    if options.pre and not version.is_prerelease:
        if not forced:
            raise OrchestratorError(
                f"--pre {options.pre}: {unit.unit.name} has no release tag yet and its version "
                f"{version} is final, so a pre-release of it would be below it",
                hint=f"set its version to the pre-release to make (such as "
                     f"{with_pre(version, options.pre, None)}), bump it (--bump "
                     f"{members[0].package.name}=patch), or tag {version} as released with "
                     "`orchestrator release init`")
        version = with_pre(version, options.pre, None)
    unit.next = version


def _set_next(unit: _Unit, members: list[_Draft], level: Level | None,
              options: Options) -> None:
    """Next version after the last tag: bump, pre-release step, promotion, or a hand-set one."""
    assert unit.last is not None
    last = unit.last.version
    promote = level is None and last.is_prerelease and options.pre is None
    if level is None and not promote:
        return
    if unit.current > last:  # set by hand above the tag: released as it is, never below
        unit.bump, unit.next = "as-set", unit.current
        _for_all(members, Reason("version-set"))
    elif promote:
        unit.bump, unit.next = "promote", next_after(last, "patch")
        _for_all(members, Reason("promotion"))
    else:
        assert level is not None
        _bump(unit, last, level, options.pre)


def _bump(unit: _Unit, last: Version, level: Level, pre: str | None) -> None:
    final = next_after(last, level)
    if pre is not None:
        unit.bump, unit.next = "pre", with_pre(final, pre, last)
    else:  # below 1.0 a breaking change is a minor bump
        unit.bump, unit.next = ("minor" if level == "major" and last.major == 0 else level,
                                final)


def _change(commit: Commit) -> Change:
    message = conventional.parse(commit.message)
    return Change(commit.sha, message.group, message.description, message.scope)


# -- dependents ----------------------------------------------------------------


def _propagate(drafts: dict[str, _Draft], graph: PackageGraph, requirements: Requirements,
               config: ReleaseConfig, options: Options, notes: list[str]) -> None:
    """Move dependents' specifiers that no longer admit a new version, transitively; a
    dependent in a group brings its whole group along."""
    queue = [n for n, d in sorted(drafts.items()) if d.unit.next is not None]
    while queue:
        name = queue.pop(0)
        version = drafts[name].unit.next
        assert version is not None
        for dependent in graph.dependents(name, SHIPPED_KINDS):
            found = requirements.get(dependent, {}).get(name, ())
            if dependent not in drafts:
                notes += [f"{dependent}: {s.where} requires {name}{s.specifier}, which excludes "
                          f"{version}; {dependent} is not planned (its version cannot be read)"
                          for s in found if not s.admits(version)]
                continue
            target = drafts[dependent]
            sites = _tracking(found, drafts[name].unit.current)
            if _follow(target, name, version, sites, config, notes):
                members = [d for d in drafts.values() if d.unit is target.unit]
                _bump_for_dependency(target.unit, members, options)
                queue += [m.package.name for m in members]


def _tracking(found: Sequence[Site], current: Version) -> list[Site]:
    """The sites that follow the dependency's releases.

    In a Poetry list of different constraints, an entry that already excluded the version
    being replaced is a deliberate pin for another environment (`^1.0` for an old Python
    beside `^2.0`): it is left as written.
    """
    return [s for s in found if not s.listed or s.admits(current)]


def _follow(draft: _Draft, dependency: str, version: Version, found: Sequence[Site],
            config: ReleaseConfig, notes: list[str]) -> bool:
    """Edit one dependent as the policy says; True when its unit must now be released."""
    name = draft.package.name
    above = [s for s in found if (f := s.floor()) is not None and f > version]
    notes += [f"{name}: {s.where} requires {dependency}{s.specifier}, above its new version "
              f"{version}; left as written (a lower bound never goes down)" for s in above]
    movable = [s for s in found if s not in above]
    stale = [s for s in movable if not s.admits(version)]
    if config.dependents == "never" or (config.dependents == "out-of-range" and not stale):
        notes += [f"{name}: {s.where} requires {dependency}{s.specifier}, which excludes "
                  f"{version} (dependents = never)" for s in stale]
        return False
    moved = stale if config.dependents == "out-of-range" else [s for s in movable
                                                                 if s.specifier]
    for site in moved:
        _move(draft, dependency, site, version)
    edit = next((e for e in draft.edits if e.dependency == dependency), None)
    draft.reasons.append(Reason("dependency", via=dependency,
                                spec_from=edit.spec_from if edit else None,
                                spec_to=edit.spec_to if edit else None))
    return draft.unit.next is None


def _move(draft: _Draft, dependency: str, site: Site, version: Version) -> None:
    """Record the edit that makes `site` admit `version`, in the style it is written in."""
    try:
        new_text, new_spec = site.moved_to(version)
    except OrchestratorError as e:
        raise OrchestratorError(
            f"{draft.package.pyproject}: [{site.where}] {dependency}: {e.message}; edit it by "
            f"hand so that it admits {version}, commit, and plan again") from e
    if new_text != site.text:
        draft.edits.append(SpecifierEdit(dependency, site.where, site.text, new_text,
                                         site.specifier, new_spec))


def _bump_for_dependency(unit: _Unit, members: list[_Draft], options: Options) -> None:
    if unit.last is None:
        _first_release(unit, members, None, options)
    else:
        _set_next(unit, members, "patch", options)


def _release(draft: _Draft, publish_services: bool) -> Release:
    package, unit = draft.package, draft.unit
    assert unit.next is not None and unit.bump is not None
    reasons = draft.reasons or ([Reason("group", group=unit.unit.name)] if unit.unit.group
                                else [])
    return Release(
        name=package.name,
        path=package.path,
        pyproject=package.pyproject,
        kind=package.kind,
        current=str(draft.current.version),
        next=str(unit.next),
        bump=unit.bump,
        tag=unit.unit.tag(unit.next),
        publish=package.kind == "library" or publish_services,
        source=draft.current.source,
        reasons=tuple(reasons),
        edits=tuple(draft.edits),
        changes=tuple(draft.changes),
        version_files=tuple(posixpath.normpath(posixpath.join(package.path, f))
                            for f in package.settings.version_files),
        previous_tag=unit.last.name if unit.last else None,
        group=unit.unit.name if unit.unit.group else None,
    )


# -- the invariant -------------------------------------------------------------


def check_never_lower(releases: Sequence[Release]) -> None:
    """No version below the current one or the last tag, no lower bound moved down."""
    for release in releases:
        new = Version(release.next)
        if release.current is not None and new < Version(release.current):
            raise LoweringError(f"internal error: the plan would release {release.name} at "
                                f"{new}, below its current version {release.current}")
        for edit in release.edits:
            before = specifier_floor(edit.spec_from, style_of(edit.where))
            after = specifier_floor(edit.spec_to, style_of(edit.where))
            if before is not None and (after is None or after < before):
                raise LoweringError(
                    f"internal error: the plan would lower {release.name}'s requirement on "
                    f"{edit.dependency} from {edit.spec_from!r} to {edit.spec_to!r}")
