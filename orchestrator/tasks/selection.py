"""Which packages a task runs in: all, the affected ones, or named ones, widened on request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from orchestrator.workspace.graph import package_name

if TYPE_CHECKING:
    from orchestrator.changes.affected import AffectedResult
    from orchestrator.context import Project
    from orchestrator.workspace.graph import PackageGraph

SelectionMode = Literal["all", "affected", "packages"]


@dataclass(frozen=True)
class SelectionRequest:
    """The selection options of `run`, `test` and `build`."""

    mode: SelectionMode
    packages: tuple[str, ...] = ()
    base: str | None = None
    with_dependencies: bool = False
    with_dependents: bool = False


@dataclass(frozen=True)
class Selection:
    """The chosen package names (sorted) and, for --affected, the answer they came from."""

    names: tuple[str, ...]
    affected: AffectedResult | None = None


def select(project: Project, request: SelectionRequest, task: str | None = None) -> Selection:
    """Apply a request to the working tree's workspace and graph (the affected engine
    discovers the same working tree through the project, so it is read once). With a
    `task`, its own `global-files` count for --affected too."""
    graph = project.graph
    affected = None
    if request.mode == "all":
        names = set(graph.names)
    elif request.mode == "affected":
        from orchestrator.changes.diff import NoCommitError

        try:
            affected = compute(project, request.base, task)
        except NoCommitError as e:
            raise NoCommitError(e.message, hint=f"{e.hint}, or select packages with --all or "
                                "-p/--package", detail=e.detail) from e
        names = set(affected.affected) & set(graph.names)
    else:
        names = set(named(graph, request.packages))
    return Selection(tuple(sorted(widen(graph, names, request))), affected)


def widen(graph: PackageGraph, names: set[str], request: SelectionRequest) -> set[str]:
    """Add dependencies and dependents over every edge kind, as affected-ness does."""
    wider = set(names)
    if request.with_dependencies:
        wider |= graph.all_dependencies(names)
    if request.with_dependents:
        wider |= graph.all_dependents(names)
    return wider


def named(graph: PackageGraph, names: tuple[str, ...]) -> list[str]:
    """`-p` values as package names; an unknown one is an error with a suggestion."""
    return [package_name(name, graph.names, "-p/--package") for name in names]


def compute(project: Project, base: str | None, task: str | None = None) -> AffectedResult:
    """The affected engine's answer for BASE...working tree (what the tasks will run on)."""
    from orchestrator.changes.affected import compute_affected

    result: AffectedResult = compute_affected(project, base=base, task=task, head_option=False)
    return result


@dataclass(frozen=True)
class Audit:
    """Failures of a full run set against what --affected would have selected."""

    base: str | None
    merge_base: str | None
    affected: tuple[str, ...]
    failed: tuple[str, ...]
    missed: tuple[str, ...]  # failed, yet the affected selection would have skipped them

    @property
    def safe(self) -> bool:
        return not self.missed

    def to_json(self) -> dict[str, object]:
        return {"base": self.base, "merge_base": self.merge_base, "affected": list(self.affected),
                "failed": list(self.failed), "missed": list(self.missed), "safe": self.safe}


def audit(result: AffectedResult, failed: set[str]) -> Audit:
    """Which failures the affected selection for the same base would not have run."""
    return Audit(result.base, result.merge_base, result.affected, tuple(sorted(failed)),
                 tuple(sorted(failed - set(result.affected))))
