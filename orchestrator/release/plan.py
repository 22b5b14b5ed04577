"""The release plan: which packages get which version, and why, read from HEAD alone.

`plan` prints it and `apply` carries out exactly this object, so the two cannot disagree.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from packaging.version import Version

from orchestrator.config import DependentsPolicy
from orchestrator.errors import CycleError, OrchestratorError
from orchestrator.globs import FilePatterns
from orchestrator.graph import PackageGraph
from orchestrator.metadata import canonical
from orchestrator.model import ORDER_KINDS, SHIPPED_KINDS, Package
from orchestrator.release import conventional
from orchestrator.release.conventional import Level
from orchestrator.release.sites import Site, sites
from orchestrator.release.tags import Tag, TagFormat
from orchestrator.release.vcs import Commit, ReleaseGit
from orchestrator.release.versions import next_after, parse_version, with_pre
from orchestrator.snapshot import Snapshot
from orchestrator.tomlfile import parse_toml
from orchestrator.workspace import Workspace

Bump = Literal["major", "minor", "patch", "pre", "promote", "initial", "as-set"]
ReasonType = Literal["commits", "dependency", "first-release", "promotion", "manual",
                     "version-set"]


@dataclass(frozen=True)
class Change:
    """A commit as the changelog shows it."""

    sha: str
    group: conventional.Group
    description: str
    scope: str | None = None


@dataclass(frozen=True)
class SpecifierEdit:
    """A requirement of this package on `dependency`, moved so it admits the new version."""

    dependency: str
    where: str
    old: str
    new: str
    spec_from: str
    spec_to: str


@dataclass(frozen=True)
class Reason:
    type: ReasonType
    commits: tuple[str, ...] = ()
    via: str | None = None
    spec_from: str | None = None
    spec_to: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        if self.commits:
            data["commits"] = list(self.commits)
        if self.via is not None:
            data["via"] = self.via
            data["specifier"] = (None if self.spec_from is None
                                 else {"from": self.spec_from, "to": self.spec_to})
        return data


@dataclass(frozen=True)
class Release:
    """One package's new version."""

    name: str
    path: str
    kind: str
    current: str | None
    next: str
    bump: Bump
    tag: str
    publish: bool
    dynamic: bool
    reasons: tuple[Reason, ...]
    edits: tuple[SpecifierEdit, ...] = ()
    changes: tuple[Change, ...] = ()
    version_files: tuple[str, ...] = ()
    previous_tag: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": self.path, "current": self.current,
                "next": self.next, "bump": self.bump, "tag": self.tag, "publish": self.publish,
                "reasons": [r.to_json() for r in self.reasons]}


@dataclass(frozen=True)
class ReleasePlan:
    head: str
    releases: tuple[Release, ...]  # dependencies first
    notes: tuple[str, ...] = ()
    lock_file: bool = False  # a root uv.lock exists and must follow the new versions

    def to_json(self) -> dict[str, Any]:
        return {"packages": [r.to_json() for r in self.releases]}

    def get(self, name: str) -> Release | None:
        return next((r for r in self.releases if r.name == name), None)


@dataclass(frozen=True)
class Options:
    bumps: Mapping[str, Level] = field(default_factory=dict)
    pre: str | None = None


@dataclass
class _Draft:
    """A release while the plan is being worked out (levels only ever rise)."""

    package: Package
    last: Tag | None
    current: Version | None
    level: Level | None = None
    bump: Bump | None = None
    reasons: list[Reason] = field(default_factory=list)
    edits: list[SpecifierEdit] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    next: Version | None = None


def make_plan(workspace: Workspace, snapshot: Snapshot, rgit: ReleaseGit, head: str,
              options: Options) -> ReleasePlan:
    """Work out every release from HEAD's packages, tags and history."""
    config = workspace.config.release
    tag_format = TagFormat(config.tag_format)
    _check_bumps(workspace, options)
    tags = rgit.tags_merged(head)
    drafts = {p.name: _draft(p, tag_format.newest(tags, p.name)) for p in workspace.packages}
    notes: list[str] = []
    for draft in drafts.values():
        _decide(draft, workspace, rgit, head, options, notes)
    graph = PackageGraph(workspace.packages)
    _propagate(drafts, graph, snapshot, config.dependents, options, notes)
    released = [n for n, d in drafts.items() if d.next is not None]
    _check_cycles(graph, released)
    order = graph.subgraph(released).order(ORDER_KINDS, purpose="order the release")
    return ReleasePlan(
        head=head,
        releases=tuple(_release(drafts[n], tag_format, config.publish_services) for n in order),
        notes=tuple(notes),
        lock_file=snapshot.read("uv.lock") is not None,
    )


def _check_bumps(workspace: Workspace, options: Options) -> None:
    for name in options.bumps:
        if workspace.get(name) is None:
            raise OrchestratorError(f"--bump names {name!r}, which is not a package here")


def _draft(package: Package, last: Tag | None) -> _Draft:
    if package.version is not None:
        current: Version | None = parse_version(package.version, package.pyproject)
    else:
        current = last.version if last else None
    return _Draft(package, last, current)


def _decide(draft: _Draft, workspace: Workspace, rgit: ReleaseGit, head: str, options: Options,
            notes: list[str]) -> None:
    """The package's own release, from its commits, tag and the options (DESIGN's table)."""
    package, last = draft.package, draft.last
    forced = options.bumps.get(package.name)
    if last is None:
        _first_release(draft, forced, options)
        return
    commits = _own_commits(rgit, workspace, package, last.name, head)
    draft.changes = [_change(c) for c in commits]
    messages = [conventional.parse(c.message) for c in commits]
    level = forced or conventional.highest([m.level for m in messages])
    if forced:
        draft.reasons.append(Reason("manual"))
    elif level is not None:
        draft.reasons.append(Reason("commits", tuple(f"{c.sha} {c.subject}"
                                                     for c in commits)))
    _set_next(draft, level, options, notes)


def _first_release(draft: _Draft, forced: Level | None, options: Options) -> None:
    current = draft.current or Version("0.1.0")
    draft.reasons.append(Reason("first-release"))
    if forced:
        draft.reasons.append(Reason("manual"))
        draft.level, draft.bump = forced, forced
        current = next_after(current, forced)
    else:
        draft.bump = "initial"
    if options.pre and not current.is_prerelease:
        current = with_pre(current, options.pre, None)
    draft.next = current


def _set_next(draft: _Draft, level: Level | None, options: Options, notes: list[str]) -> None:
    """Next version after the last tag: bump, pre-release step, promotion, or a hand-set one."""
    assert draft.last is not None
    last = draft.last.version
    current = draft.current or last
    if current > last and level is not None:
        draft.level, draft.bump, draft.next = level, "as-set", current
        draft.reasons.append(Reason("version-set"))
        return
    if level is None:
        if last.is_prerelease and options.pre is None:
            draft.bump, draft.next = "promote", next_after(last, "patch")
            draft.reasons.append(Reason("promotion"))
        return
    draft.level = level
    if level == "major" and last.major == 0:
        level = "minor"  # below 1.0 a breaking change is a minor bump
    final = next_after(last, level)
    if options.pre is not None:
        draft.bump, draft.next = "pre", with_pre(final, options.pre, last)
    else:
        draft.bump, draft.next = level, final


def _own_commits(rgit: ReleaseGit, workspace: Workspace, package: Package, since: str,
                 head: str) -> list[Commit]:
    """Commits since the tag that changed a file this package owns and does not ignore.

    Release commits never count: their version and changelog edits are the release itself.
    """
    ignore = FilePatterns(package.settings.ignore, f"{package.pyproject} ignore")
    prefix = "" if package.path == "." else package.path + "/"

    def counts(path: str) -> bool:
        owner = workspace.owner(path)
        return owner is not None and owner.name == package.name and not ignore.match(
            path[len(prefix):])

    return [c for c in rgit.commits(since, head, package.path)
            if not c.is_release and any(counts(f) for f in c.files)]


def _change(commit: Commit) -> Change:
    message = conventional.parse(commit.message)
    return Change(commit.sha, message.group, message.description, message.scope)


# -- dependents ----------------------------------------------------------------


def _propagate(drafts: dict[str, _Draft], graph: PackageGraph, snapshot: Snapshot,
               policy: DependentsPolicy, options: Options, notes: list[str]) -> None:
    """Move dependents' specifiers that no longer admit a new version, transitively."""
    queue = [n for n, d in sorted(drafts.items()) if d.next is not None]
    docs: dict[str, dict[str, Any]] = {}
    while queue:
        name = queue.pop(0)
        version = drafts[name].next
        assert version is not None
        for dependent in graph.dependents(name, SHIPPED_KINDS):
            draft = drafts[dependent]
            doc = docs.setdefault(dependent, _doc(snapshot, draft.package))
            if _follow(draft, name, version, sites(doc, name), policy, notes, options):
                queue.append(dependent)


def _doc(snapshot: Snapshot, package: Package) -> dict[str, Any]:
    data = snapshot.read(package.pyproject)
    return parse_toml(data or b"", package.pyproject)


def _follow(draft: _Draft, dependency: str, version: Version, found: list[Site],
            policy: DependentsPolicy, notes: list[str], options: Options) -> bool:
    """Edit and bump one dependent; True when it is newly released."""
    stale = [s for s in found if not s.admits(version)]
    if policy == "never" or (policy == "out-of-range" and not stale):
        for site in stale:
            notes.append(f"{draft.package.name}: {site.where} requires {dependency}"
                         f"{site.specifier}, which excludes {version} (dependents = never)")
        return False
    moved = stale if policy == "out-of-range" else [s for s in found if s.specifier]
    for site in moved:
        new_text, new_spec = site.moved_to(version)
        if new_text != site.text:
            draft.edits.append(SpecifierEdit(dependency, site.where, site.text, new_text,
                                             site.specifier, new_spec))
    edit = next((e for e in draft.edits if e.dependency == dependency), None)
    draft.reasons.append(Reason("dependency", via=dependency,
                                spec_from=edit.spec_from if edit else None,
                                spec_to=edit.spec_to if edit else None))
    if draft.next is not None:
        return False
    _bump_for_dependency(draft, options)
    return True


def _bump_for_dependency(draft: _Draft, options: Options) -> None:
    if draft.last is None:
        _first_release(draft, None, options)
        return
    draft.level = "patch"
    _set_next(draft, "patch", options, [])


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


def parse_bumps(values: tuple[str, ...]) -> dict[str, Level]:
    """`--bump PKG=LEVEL` options as a mapping of normalised names."""
    bumps: dict[str, Level] = {}
    for value in values:
        name, sep, level = value.partition("=")
        if not sep or level not in ("major", "minor", "patch"):
            raise OrchestratorError(f"--bump {value!r} must be PKG=major, PKG=minor or PKG=patch")
        bumps[canonical(name.strip())] = level  # type: ignore[assignment]
    return bumps

