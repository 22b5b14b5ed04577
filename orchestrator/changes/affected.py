"""Affected packages: what a git range touches directly, and everything depending on it.

The result types below are the contract between the engine and its consumers (the
`changed`/`affected`/`why` commands, `graph --affected`, the task runner and audit).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from orchestrator.changes.diff import ChangeSet, MissingBaseError, collect_changes, head_commit
from orchestrator.changes.ownership import attribute, task_global_files, unreadable_at_base
from orchestrator.changes.refs import BaseChoice, choose_base
from orchestrator.errors import ConfigError, OrchestratorError
from orchestrator.workspace.discovery import Workspace
from orchestrator.workspace.graph import PackageGraph, package_name
from orchestrator.workspace.model import EDGE_KINDS, EdgeKind
from orchestrator.workspace.names import LOCK_FILE, PYPROJECT, canonical
from orchestrator.workspace.snapshot import read_regular

if TYPE_CHECKING:
    from orchestrator.context import Project

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
    change: str | None = None  # lockfile: what changed in it ("soupsieve 2.6 → 2.7")

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
        if self.change is not None:
            data["change"] = self.change
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
    base_source: str = "option"  # option, github-pull-request, github-push, ..., default
    head_commit: str | None = None
    followed_kinds: tuple[str, ...] = EDGE_KINDS  # the edge kinds dependents are found over

    def package_paths(self, names: tuple[str, ...]) -> list[tuple[str, str]]:
        """(name, path) of each of `names` at HEAD."""
        return [(name, self.workspace.by_name[name].path) for name in names]

    def listed_reasons(self, *, dependents: bool = True) -> dict[str, list[Reason]]:
        """The reasons the JSON lists, by package; `changed` (dependents=False) leaves out
        dependents and dependency reasons."""
        affected = self.affected if dependents else self.directly_changed
        return {name: [r for r in self.reasons[name] if dependents or r.type != "dependency"]
                for name in affected if name in self.reasons}

    def to_json(self, *, dependents: bool = True, reasons: bool = True) -> dict[str, Any]:
        """DESIGN's `affected --format json`; `changed` passes dependents=False. Without
        `reasons`, all but them (a renderer that writes them itself)."""
        affected = self.affected if dependents else self.directly_changed
        data: dict[str, Any] = {
            "base": self.base,
            "head": self.head,
            "merge_base": self.merge_base,
            "changed_files": list(self.changed_files),
            "unowned_files": list(self.unowned_files),
            "global_files": list(self.global_files),
            "directly_changed": list(self.directly_changed),
            "affected": list(affected),
            "removed": list(self.removed),
            "affected_kinds": list(self.followed_kinds),
        }
        if reasons:
            data["reasons"] = {name: [r.to_json() for r in found] for name, found
                               in self.listed_reasons(dependents=dependents).items()}
        return data


# Order in which a package's reasons are listed, and in which `why` picks a chain's start.
REASON_ORDER: tuple[ReasonType, ...] = (
    "changed-files", "removed-dependency", "lockfile", "global-file", "unreadable-base",
    "missing-base", "new-branch", "dependency",
)
Seeds = dict[str, list[Reason]]


def compute_affected(
    project: Project,
    *,
    base: str | None = None,
    head: str | None = None,
    committed_only: bool = False,
    on_missing_base: MissingBasePolicy = "error",
    environ: Mapping[str, str] | None = None,
    task: str | None = None,
    head_option: bool = True,
) -> AffectedResult:
    """Which packages BASE...HEAD touches, directly or through dependencies, and why.

    With a `task`, the files its own `global-files` name (as each package's override of the
    task says, on either side) affect the packages that run it, as global files would.

    With no `head`, the working tree (and untracked files) is the HEAD side unless
    `committed_only`. A missing BASE or too shallow a history raises MissingBaseError unless
    `on_missing_base` is "all", which answers every package. `head_option`: the command
    takes --head, which a hint may then suggest.
    """
    worktree = head is None and not committed_only
    project.git.resolve_all([head or "HEAD", *([base] if base else [])])  # one process
    head_sha = head_commit(project.git, head, head_option=head_option)
    head_ws = project.workspace(None if worktree else head_sha)
    env = os.environ if environ is None else environ
    choice = choose_base(project.git, base, head_ws.config.base, env)
    if choice.new_branch:
        detail = f"the push created this branch (before {choice.ref[:12]})"
        return _everything(choice, head or "HEAD", head_ws, Reason("new-branch", detail=detail))
    try:
        changes = collect_changes(project.git, choice.ref, head, committed_only=committed_only)
    except MissingBaseError as e:
        if on_missing_base != "all":
            raise MissingBaseError(e.message, hint=f"{e.hint}, {choice.remedy()}",
                                   detail=e.detail) from e
        reason = Reason("missing-base", detail=e.message)
        return _everything(choice, head or "HEAD", head_ws, reason)
    return _from_changes(project, choice, changes, head_ws, task)


def _everything(choice: BaseChoice, head: str, workspace: Workspace,
                reason: Reason) -> AffectedResult:
    names = tuple(workspace.catalog)
    return AffectedResult(
        base=choice.ref, head=head, merge_base=None, changed_files=(), unowned_files=(),
        global_files=(), directly_changed=names, affected=names, removed=(),
        reasons={name: (reason,) for name in names}, workspace=workspace,
        base_source=choice.source,
    )


def _from_changes(project: Project, choice: BaseChoice, changes: ChangeSet,
                  head_ws: Workspace, task: str | None) -> AffectedResult:
    base_ws, seeds = _base_workspace(project, changes, head_ws)
    attribution = attribute(changes.files, head_ws, base_ws)
    for name, files in attribution.owned.items():
        _add(seeds, name, Reason("changed-files", files=files))
    if attribution.global_files:
        for name in head_ws.catalog:
            _add(seeds, name, Reason("global-file", files=attribution.global_files))
    if task is not None:
        for name, files in task_global_files(task, changes.files, head_ws, base_ws).items():
            _add(seeds, name, Reason("global-file", files=files))
    for name, why_text in unreadable_at_base(head_ws, base_ws).items():
        _add(seeds, name, Reason("unreadable-base", detail=why_text))
    kinds = head_ws.config.affected_kinds
    removed = _removed(base_ws, head_ws, seeds, kinds)
    if LOCK_FILE in changes.files:
        _lock_reasons(project, changes, head_ws, seeds)
    graph = project.graph_at(None if changes.worktree else changes.head_commit)
    reasons = propagate(graph.followed(kinds), seeds)
    return AffectedResult(
        base=choice.ref, head=changes.head, merge_base=changes.merge_base,
        changed_files=changes.files, unowned_files=attribution.unowned,
        global_files=attribution.global_files, directly_changed=tuple(sorted(seeds)),
        affected=tuple(sorted(reasons)), removed=removed, reasons=reasons,
        workspace=head_ws, includes_worktree=changes.worktree, base_source=choice.source,
        head_commit=changes.head_commit, followed_kinds=kinds,
    )


def _base_workspace(project: Project, changes: ChangeSet,
                    head_ws: Workspace) -> tuple[Workspace, Seeds]:
    """The merge base's workspace, read leniently (an unreadable member pyproject.toml is
    recorded). When no pyproject.toml changed it is HEAD's, exactly, so it is not read
    again; when it cannot be read at all, every package is affected.

    It is derived from HEAD's only when HEAD is a commit: what is stored for a commit must
    come from commits, and the working tree can differ from one where no diff says so (a
    linked pyproject.toml is read through on disk, never in a commit)."""
    if not any(_is_pyproject(f) for f in changes.files) and not (
            changes.worktree and any(_is_pyproject(f) for f in project.git.index_flags().links)):
        return head_ws, {}
    near = None if changes.worktree else (head_ws, frozenset(changes.files))
    try:
        return project.workspace(changes.merge_base, strict=False, near=near), {}
    except ConfigError as e:
        reason = Reason("unreadable-base", detail=e.message)
        return head_ws, {name: [reason] for name in head_ws.catalog}


def _is_pyproject(path: str) -> bool:
    return path == PYPROJECT or path.endswith("/" + PYPROJECT)


def _add(seeds: Seeds, name: str, reason: Reason) -> None:
    seeds.setdefault(name, []).append(reason)


def _removed(base_ws: Workspace, head_ws: Workspace, seeds: Seeds,
             kinds: Sequence[EdgeKind]) -> tuple[str, ...]:
    """Packages gone at HEAD; their dependents at the merge base that still exist are seeds."""
    removed = sorted(set(base_ws.by_name) - set(head_ws.by_name))
    if removed:
        base_graph = PackageGraph(base_ws.catalog).followed(kinds)
        for name in removed:
            for dependent in base_graph.dependents(name):
                if dependent in head_ws.by_name:
                    _add(seeds, dependent, Reason("removed-dependency", via=name))
    return tuple(removed)


def _lock_reasons(project: Project, changes: ChangeSet, head_ws: Workspace,
                  seeds: Seeds) -> None:
    """Members whose locked closure differs; everything when a side cannot be read."""
    from orchestrator.workspace.lockfile import compare_locks

    before, after = _lock_bytes(project, changes)
    members = list(head_ws.catalog)
    side = "in the working tree" if changes.worktree else "at HEAD"
    comparison = compare_locks(before, after, members, head_side=side, store=project.locks,
                               kinds=head_ws.config.affected_kinds)
    if comparison.unreadable is not None:
        reason = Reason("lockfile", files=(LOCK_FILE,), detail=comparison.unreadable)
        for name in members:
            _add(seeds, name, reason)
        return
    for name, change in sorted(comparison.changed.items()):
        _add(seeds, name, Reason("lockfile", files=(LOCK_FILE,), change=change))


def _lock_bytes(project: Project, changes: ChangeSet) -> tuple[bytes | None, bytes | None]:
    base_spec = project.git.spec(changes.merge_base, LOCK_FILE)
    head_spec = project.git.spec(changes.head_commit, LOCK_FILE)
    blobs = project.git.read_blobs([base_spec] if changes.worktree else [base_spec, head_spec])
    if not changes.worktree:
        return blobs.get(base_spec), blobs.get(head_spec)
    try:
        return blobs.get(base_spec), read_regular(project.root / LOCK_FILE, LOCK_FILE)
    except FileNotFoundError:
        return blobs.get(base_spec), None
    except OSError as e:
        raise OrchestratorError(f"cannot read {LOCK_FILE}: {e.strerror}") from e


def propagate(graph: PackageGraph,
              seeds: Mapping[str, Sequence[Reason]]) -> dict[str, tuple[Reason, ...]]:
    """Seeds and all their dependents over every edge kind, each with its reasons."""
    affected = set(seeds) | graph.all_dependents(seeds)
    reasons: dict[str, tuple[Reason, ...]] = {}
    for name in sorted(affected):
        # Dependencies come sorted, and sort after every other reason.
        through = [_through(d, kinds) for d, kinds in graph.dependency_kinds(name)
                   if d in affected]
        own = seeds.get(name)
        reasons[name] = (*sorted(own, key=_reason_key), *through) if own else tuple(through)
    return reasons


@cache
def _through(dependency: str, kinds: tuple[str, ...]) -> Reason:
    """One shared instance per edge reached: dependents of a widely used package repeat it."""
    return Reason("dependency", via=dependency, kind=",".join(kinds))


def _reason_key(reason: Reason) -> tuple[int, str, tuple[str, ...]]:
    return REASON_ORDER.index(reason.type), reason.via or "", reason.files


class Chain(NamedTuple):
    """How a change reaches a package: a starting reason, then packages each depending on
    the one before (with the edge kinds followed)."""

    start: Reason
    steps: tuple[tuple[str, str | None], ...]  # (package, edge kinds from the previous one)


def why(result: AffectedResult, package: str) -> Chain | None:
    """The shortest chain from a change to `package`, or None when it is not affected."""
    name = canonical(package)
    if name in result.removed:
        return None
    package_name(package, result.workspace.by_name, "why")
    if name not in result.affected:
        return None
    graph = PackageGraph(result.workspace.catalog).followed(
        result.workspace.config.affected_kinds)
    path = graph.dependent_paths(result.directly_changed, name) or [name]
    steps: list[tuple[str, str | None]] = [(path[0], None)]
    for previous, current in itertools.pairwise(path):
        edge = graph.edge(current, previous)
        steps.append((current, ",".join(edge.kinds) if edge is not None else None))
    start = _first_cause(result.reasons[path[0]])
    return Chain(start, tuple(steps))


def _first_cause(reasons: Iterable[Reason]) -> Reason:
    return min((r for r in reasons if r.type != "dependency"), key=_reason_key)
