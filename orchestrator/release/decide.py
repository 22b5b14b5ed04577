"""Which packages get which version, and why: a pure function of in-memory data.

Git and files stay at the edge (`plan.py`): this module sees the packages, each one's last
release tag and own commits since, the requirements as written, the release settings and
the command-line options, and returns the releases in dependency order.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from packaging.version import Version

from orchestrator.errors import CycleError, OrchestratorError
from orchestrator.release import conventional
from orchestrator.release.conventional import Level
from orchestrator.release.model import Bump, Change, Options, Reason, Release, SpecifierEdit
from orchestrator.release.sites import Site
from orchestrator.release.tags import Tag, TagFormat
from orchestrator.release.vcs import Commit
from orchestrator.release.versions import next_after, parse_version, with_pre
from orchestrator.workspace.config import ReleaseConfig
from orchestrator.workspace.graph import PackageGraph
from orchestrator.workspace.model import ORDER_KINDS, SHIPPED_KINDS, Package

# dependent -> dependency -> its shipped requirements on it, as written
Requirements = Mapping[str, Mapping[str, Sequence[Site]]]


@dataclass(frozen=True)
class History:
    """What git says about one package: its newest release tag and its own commits since."""

    last: Tag | None = None
    commits: tuple[Commit, ...] = ()


@dataclass(frozen=True)
class Decision:
    releases: tuple[Release, ...]  # dependencies first
    notes: tuple[str, ...] = ()


@dataclass
class _Draft:
    """A release while the plan is being worked out (levels only ever rise)."""

    package: Package
    history: History
    current: Version | None
    bump: Bump | None = None
    reasons: list[Reason] = field(default_factory=list)
    edits: list[SpecifierEdit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    next: Version | None = None

    @property
    def last(self) -> Tag | None:
        return self.history.last


def decide(packages: Sequence[Package], histories: Mapping[str, History],
           requirements: Requirements, config: ReleaseConfig, options: Options) -> Decision:
    """Every release: own changes first, then dependents whose specifiers must move."""
    _check_bumps(packages, options)
    drafts = {p.name: _draft(p, histories.get(p.name, History())) for p in packages}
    for draft in drafts.values():
        _own_release(draft, options)
    graph = PackageGraph(packages)
    notes: list[str] = []
    _propagate(drafts, graph, requirements, config, options, notes)
    released = [n for n, d in drafts.items() if d.next is not None]
    _check_cycles(graph, released)
    order = graph.subgraph(released).order(ORDER_KINDS, purpose="order the release")
    tag_format = TagFormat(config.tag_format)
    return Decision(tuple(_release(drafts[n], tag_format, config.publish_services)
                          for n in order), tuple(notes))


def _check_bumps(packages: Sequence[Package], options: Options) -> None:
    names = {p.name for p in packages}
    for name in options.bumps:
        if name not in names:
            raise OrchestratorError(f"--bump names {name!r}, which is not a package here")


def _draft(package: Package, history: History) -> _Draft:
    if package.version is not None:
        current: Version | None = parse_version(package.version, package.pyproject)
    else:
        current = history.last.version if history.last else None
    return _Draft(package, history, current)


def _own_release(draft: _Draft, options: Options) -> None:
    """The package's own release, from its commits, tag and the options (DESIGN's table)."""
    forced = options.bumps.get(draft.package.name)
    if draft.last is None:
        _first_release(draft, forced, options)
        return
    commits = draft.history.commits
    draft.changes = [_change(c) for c in commits]
    level = forced or conventional.highest([conventional.parse(c.message).level
                                            for c in commits])
    if forced:
        draft.reasons.append(Reason("manual"))
    elif level is not None:
        draft.reasons.append(Reason("commits", tuple(f"{c.sha} {c.subject}" for c in commits)))
    _set_next(draft, level, options)


def _first_release(draft: _Draft, forced: Level | None, options: Options) -> None:
    """No tag yet: the current version as is (or bumped when forced), as a pre if asked."""
    current = draft.current or Version("0.1.0")
    draft.reasons.append(Reason("first-release"))
    if forced:
        draft.reasons.append(Reason("manual"))
        draft.bump = forced
        current = next_after(current, forced)
    else:
        draft.bump = "initial"
    if options.pre and not current.is_prerelease:
        current = with_pre(current, options.pre, None)
    draft.next = current


def _set_next(draft: _Draft, level: Level | None, options: Options) -> None:
    """Next version after the last tag: bump, pre-release step, promotion, or a hand-set one."""
    assert draft.last is not None
    last = draft.last.version
    if draft.current is not None and draft.current > last and level is not None:
        draft.bump, draft.next = "as-set", draft.current
        draft.reasons.append(Reason("version-set"))
    elif level is None and last.is_prerelease and options.pre is None:
        draft.bump, draft.next = "promote", next_after(last, "patch")
        draft.reasons.append(Reason("promotion"))
    elif level is not None:
        _bump(draft, last, level, options.pre)


def _bump(draft: _Draft, last: Version, level: Level, pre: str | None) -> None:
    final = next_after(last, level)
    if pre is not None:
        draft.bump, draft.next = "pre", with_pre(final, pre, last)
    else:  # below 1.0 a breaking change is a minor bump
        draft.bump, draft.next = ("minor" if level == "major" and last.major == 0 else level,
                                  final)


def _change(commit: Commit) -> Change:
    message = conventional.parse(commit.message)
    return Change(commit.sha, message.group, message.description, message.scope)


# -- dependents ----------------------------------------------------------------


def _propagate(drafts: dict[str, _Draft], graph: PackageGraph, requirements: Requirements,
               config: ReleaseConfig, options: Options, notes: list[str]) -> None:
    """Move dependents' specifiers that no longer admit a new version, transitively."""
    queue = [n for n, d in sorted(drafts.items()) if d.next is not None]
    while queue:
        name = queue.pop(0)
        version = drafts[name].next
        assert version is not None
        for dependent in graph.dependents(name, SHIPPED_KINDS):
            found = _tracking(requirements.get(dependent, {}).get(name, ()),
                              drafts[name].current)
            if _follow(drafts[dependent], name, version, found, config, options, notes):
                queue.append(dependent)


def _tracking(found: Sequence[Site], current: Version | None) -> list[Site]:
    """The sites that follow the dependency's releases.

    In a Poetry list of different constraints, an entry that already excluded the version
    being replaced is a deliberate pin for another environment (`^1.0` for an old Python
    beside `^2.0`): it is left as written.
    """
    return [s for s in found if not s.listed or current is None or s.admits(current)]


def _follow(draft: _Draft, dependency: str, version: Version, found: Sequence[Site],
            config: ReleaseConfig, options: Options, notes: list[str]) -> bool:
    """Edit and bump one dependent as the policy says; True when it is newly released."""
    stale = [s for s in found if not s.admits(version)]
    if config.dependents == "never" or (config.dependents == "out-of-range" and not stale):
        notes += [f"{draft.package.name}: {s.where} requires {dependency}{s.specifier}, which "
                  f"excludes {version} (dependents = never)" for s in stale]
        return False
    moved = stale if config.dependents == "out-of-range" else [s for s in found if s.specifier]
    for site in moved:
        _move(draft, dependency, site, version)
    edit = next((e for e in draft.edits if e.dependency == dependency), None)
    draft.reasons.append(Reason("dependency", via=dependency,
                                spec_from=edit.spec_from if edit else None,
                                spec_to=edit.spec_to if edit else None))
    if draft.next is not None:
        return False
    _bump_for_dependency(draft, options)
    return True


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


def _bump_for_dependency(draft: _Draft, options: Options) -> None:
    if draft.last is None:
        _first_release(draft, None, options)
    else:
        _set_next(draft, "patch", options)


def _check_cycles(graph: PackageGraph, released: list[str]) -> None:
    cycles = graph.subgraph(released).cycles(SHIPPED_KINDS)
    if cycles:
        raise CycleError(cycles[0], purpose="release these packages together")


def _release(draft: _Draft, tag_format: TagFormat, publish_services: bool) -> Release:
    package = draft.package
    assert draft.next is not None and draft.bump is not None
    return Release(
        name=package.name,
        path=package.path,
        pyproject=package.pyproject,
        kind=package.kind,
        current=str(draft.current) if draft.current is not None else None,
        next=str(draft.next),
        bump=draft.bump,
        tag=tag_format.render(package.name, draft.next),
        publish=package.kind == "library" or publish_services,
        dynamic=package.version is None,
        reasons=tuple(draft.reasons),
        edits=tuple(draft.edits),
        changes=tuple(draft.changes),
        version_files=tuple(posixpath.normpath(posixpath.join(package.path, f))
                            for f in package.settings.version_files),
        previous_tag=draft.last.name if draft.last else None,
    )
