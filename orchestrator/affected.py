"""Affected packages: what a git range touches directly, and everything depending on it.

The result types below are the contract between the engine and its consumers (the
`changed`/`affected`/`why` commands, `graph --affected`, the task runner and audit).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from orchestrator.workspace import Workspace

ReasonType = Literal[
    "changed-files",
    "dependency",
    "global-file",
    "lockfile",
    "removed-dependency",
    "unreadable-base",
    "missing-base",
    "new-branch",
]
MissingBasePolicy = Literal["error", "all"]


@dataclass(frozen=True)
class Reason:
    """Why one package is affected."""

    type: ReasonType
    files: tuple[str, ...] = ()  # changed-files, global-file, lockfile
    via: str | None = None  # dependency, removed-dependency: the package it came through
    kind: str | None = None  # dependency: the edge kind(s) followed, e.g. "runtime"
    detail: str | None = None  # unreadable-base, missing-base, new-branch: the sentence

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        if self.files:
            data["files"] = list(self.files)
        if self.via is not None:
            data["via"] = self.via
        if self.kind is not None:
            data["kind"] = self.kind
        if self.detail is not None:
            data["detail"] = self.detail
        return data


@dataclass(frozen=True)
class AffectedResult:
    """The answer for one range; names are sorted everywhere."""

    base: str | None  # the ref as resolved from option/CI/config ("origin/main")
    head: str  # the ref given, or "HEAD" (with the working tree when not committed-only)
    merge_base: str | None  # None only when the base could not be found (policy "all")
    changed_files: tuple[str, ...]
    unowned_files: tuple[str, ...]
    global_files: tuple[str, ...]
    directly_changed: tuple[str, ...]
    affected: tuple[str, ...]
    removed: tuple[str, ...]
    reasons: Mapping[str, tuple[Reason, ...]]
    workspace: Workspace = field(compare=False, repr=False)  # HEAD's workspace
    includes_worktree: bool = False

    def to_json(self, *, dependents: bool = True) -> dict[str, Any]:
        """DESIGN's `affected --format json`; `changed` passes dependents=False."""
        affected = self.affected if dependents else self.directly_changed
        return {
            "base": self.base,
            "head": self.head,
            "merge_base": self.merge_base,
            "changed_files": list(self.changed_files),
            "unowned_files": list(self.unowned_files),
            "global_files": list(self.global_files),
            "directly_changed": list(self.directly_changed),
            "affected": list(affected),
            "removed": list(self.removed),
            "reasons": {
                name: [r.to_json() for r in self.reasons[name]
                       if dependents or r.type != "dependency"]
                for name in affected
                if name in self.reasons
            },
        }
