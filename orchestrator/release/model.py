"""The release plan as data: each package's new version, why, and the edits it brings.

`plan` prints a `ReleasePlan` and `apply` carries out exactly that object, so the two
cannot disagree.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from packaging.version import Version

from orchestrator.release import conventional
from orchestrator.release.conventional import Level
from orchestrator.workspace.versioning import VersionSource

Bump = Literal["major", "minor", "patch", "pre", "promote", "initial", "as-set"]
ReasonType = Literal["commits", "dependency", "first-release", "promotion", "manual",
                     "version-set", "group"]


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
    group: str | None = None  # "group": the release group that brought it along

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        if self.commits:
            data["commits"] = list(self.commits)
        if self.group is not None:
            data["group"] = self.group
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
    pyproject: str  # the package's pyproject.toml, from the root
    kind: str
    current: str | None
    next: str
    bump: Bump
    tag: str
    publish: bool
    source: VersionSource  # where the version is written (a bump edits exactly that)
    reasons: tuple[Reason, ...]
    edits: tuple[SpecifierEdit, ...] = ()
    changes: tuple[Change, ...] = ()
    version_files: tuple[str, ...] = ()
    previous_tag: str | None = None
    group: str | None = None  # the release group it is released with

    @property
    def changelog(self) -> str:
        """The package's CHANGELOG.md, beside its pyproject.toml."""
        return posixpath.join(posixpath.dirname(self.pyproject), "CHANGELOG.md")

    def to_json(self) -> dict[str, Any]:
        data = {"name": self.name, "path": self.path, "current": self.current,
                "next": self.next, "bump": self.bump, "tag": self.tag, "publish": self.publish,
                "reasons": [r.to_json() for r in self.reasons]}
        return data if self.group is None else {**data, "group": self.group}


@dataclass(frozen=True)
class Skipped:
    """A package the plan leaves out because its version cannot be read, and why."""

    name: str
    path: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class Current:
    """A package's version now, as its source of truth says (or its last tag, for a
    version git tags make), and where it is written."""

    version: Version
    source: VersionSource


@dataclass(frozen=True)
class PlanWarning:
    """Something that makes `apply` do other than the plan shows: a tag it would make that
    exists already (apply refuses), or a release commit below HEAD still missing tags (apply
    finishes that first)."""

    kind: Literal["tag-exists", "unfinished-release"]
    message: str
    commit: str
    tag: str
    name: str | None = None  # the package, for a tag that exists

    def to_json(self) -> dict[str, str]:
        data = {"kind": self.kind, "tag": self.tag, "commit": self.commit,
                "message": self.message}
        return data if self.name is None else {**data, "name": self.name}


@dataclass(frozen=True)
class ReleasePlan:
    head: str
    releases: tuple[Release, ...]  # dependencies first
    notes: tuple[str, ...] = ()
    lock_file: bool = False  # a root uv.lock exists and must follow the new versions
    skipped: tuple[Skipped, ...] = ()
    untagged: tuple[str, ...] = ()  # packages that have no release tag yet
    warnings: tuple[PlanWarning, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"packages": [r.to_json() for r in self.releases],
                "skipped": [s.to_json() for s in self.skipped],
                "warnings": [w.to_json() for w in self.warnings]}

    @property
    def tags(self) -> list[str]:
        """The tags the release makes, each once (a group's members share one)."""
        return list(dict.fromkeys(r.tag for r in self.releases))

    def get(self, name: str) -> Release | None:
        return next((r for r in self.releases if r.name == name), None)


@dataclass(frozen=True)
class ApplyResult:
    """What one `release apply` run did."""

    commit: str
    created: tuple[str, ...]  # tags made by this run
    existing: tuple[str, ...] = ()  # tags of the release that were already there
    pushed: str | None = None  # the remote pushed to
    notes: tuple[str, ...] = ()
    resumed: bool = False
    skipped: tuple[Skipped, ...] = ()  # packages the plan left out, and why


@dataclass(frozen=True)
class Options:
    """What the command line asks of a plan: forced levels and a pre-release label."""

    bumps: Mapping[str, Level] = field(default_factory=dict)
    pre: str | None = None
