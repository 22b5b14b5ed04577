"""The release plan as data: each package's new version, why, and the edits it brings.

`plan` prints a `ReleasePlan` and `apply` carries out exactly that object, so the two
cannot disagree.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from orchestrator.release import conventional
from orchestrator.release.conventional import Level

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
    pyproject: str  # the package's pyproject.toml, from the root
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

    @property
    def changelog(self) -> str:
        """The package's CHANGELOG.md, beside its pyproject.toml."""
        return posixpath.join(posixpath.dirname(self.pyproject), "CHANGELOG.md")

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
class ApplyResult:
    """What one `release apply` run did."""

    commit: str
    created: tuple[str, ...]  # tags made by this run
    existing: tuple[str, ...] = ()  # tags of the release that were already there
    pushed: str | None = None  # the remote pushed to
    notes: tuple[str, ...] = ()
    resumed: bool = False


@dataclass(frozen=True)
class Options:
    """What the command line asks of a plan: forced levels and a pre-release label."""

    bumps: Mapping[str, Level] = field(default_factory=dict)
    pre: str | None = None
