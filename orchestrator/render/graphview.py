"""What `graph` draws: a selection of the package graph with affected state and folder groups.

Pure functions over PackageGraph, shared by every renderer, so that `--focus`, `--kind` and
`--only-affected` mean the same thing in a terminal tree, a Mermaid comment and the HTML view.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from orchestrator.workspace.graph import package_name
from orchestrator.workspace.model import ALL_KINDS, EdgeKind

if TYPE_CHECKING:
    from orchestrator.changes.affected import AffectedResult, Reason
    from orchestrator.workspace.graph import PackageGraph

AffectState = Literal["changed", "global", "dependency"]
AFFECT_STATES: tuple[AffectState, ...] = ("changed", "global", "dependency")

# The colour a package gets follows its strongest reason: its own files first, then
# repository-wide causes, then being reached through a dependency.
_STATE_OF_REASON: dict[str, AffectState] = {
    "changed-files": "changed",
    "unreadable-base": "changed",
    "global-file": "global",
    "lockfile": "global",
    "missing-base": "global",
    "new-branch": "global",
    "dependency": "dependency",
    "removed-dependency": "dependency",
}


@dataclass(frozen=True, eq=False)
class GraphView:
    """The packages and edges to draw, and what the drawing should say about them."""

    graph: PackageGraph
    focus: tuple[str, ...] = ()
    reverse: bool = False
    depth: int | None = None
    show_affected: bool = False  # --affected: unaffected packages are drawn muted
    reasons: Mapping[str, tuple[Reason, ...]] = field(default_factory=dict)
    directly_changed: frozenset[str] = frozenset()

    @property
    def names(self) -> list[str]:
        return self.graph.names

    @cached_property
    def affected(self) -> frozenset[str]:
        return frozenset(self.reasons)

    def state(self, name: str) -> AffectState | None:
        """How `name` is affected (None when it is not)."""
        reasons = self.reasons.get(name)
        if reasons is None:
            return None
        if name in self.directly_changed and not any(
            _STATE_OF_REASON.get(r.type) == "global" for r in reasons
        ):
            return "changed"
        return state_of(reasons)

    def folder(self, name: str) -> str:
        """The folder whose box `name` is drawn in (see `box_folders`)."""
        return self._folders[name]

    @cached_property
    def _folders(self) -> dict[str, str]:
        return box_folders({n: folder_of(p.path) for n, p in self.graph.packages.items()})

    def groups(self) -> dict[str, list[str]]:
        """Folder -> the packages drawn in its box, both sorted."""
        found: dict[str, list[str]] = {}
        for name in self.names:
            found.setdefault(self.folder(name), []).append(name)
        return dict(sorted(found.items()))


def state_of(reasons: Iterable[Reason]) -> AffectState:
    """The strongest state among `reasons` (changed, then global, then dependency)."""
    states = {_STATE_OF_REASON.get(r.type, "global") for r in reasons}
    return next((s for s in AFFECT_STATES if s in states), "dependency")


def folder_of(path: str) -> str:
    """The folder a package sits in: `packages/http-client` -> `packages`; top level -> ``."""
    return "" if path == "." else posixpath.dirname(path)


def box_folders(folders: Mapping[str, str]) -> dict[str, str]:
    """Package -> the folder whose box it is drawn in: its own folder, unless no other
    package lives under that folder, then the nearest folder above that holds two or more
    (never above the top-level folder). Two hundred `libs/lNNN/pkg` are one `libs/` box,
    not two hundred boxes of one."""
    count: dict[str, int] = {}
    for folder in folders.values():
        for above in _ancestors(folder):
            count[above] = count.get(above, 0) + 1
    found = {}
    for name, folder in folders.items():
        chosen = folder
        for above in _ancestors(folder):
            chosen = above
            if count[above] >= 2:
                break
        found[name] = chosen
    return found


def _ancestors(folder: str) -> list[str]:
    """`a/b/c` -> [`a/b/c`, `a/b`, `a`]; the top level -> []."""
    parts = folder.split("/") if folder else []
    return ["/".join(parts[:i]) for i in range(len(parts), 0, -1)]


def folder_label(folder: str) -> str:
    return f"{folder}/" if folder else "./"


def select(
    graph: PackageGraph,
    *,
    focus: Sequence[str] = (),
    depth: int | None = None,
    reverse: bool = False,
    kinds: Collection[EdgeKind] = ALL_KINDS,
    affected: AffectedResult | None = None,
    only_affected: bool = False,
) -> GraphView:
    """Narrow `graph` to what the options ask for.

    Edge kinds filter edges, not packages. `focus` keeps the focused packages and what lies
    within `depth` steps of them (dependencies and dependents; dependents only with
    `reverse`); `depth` alone counts from the top of the tree. `only_affected` drops the rest.
    """
    if set(kinds) != set(ALL_KINDS):
        graph = graph.restricted(kinds)
    names = focus_names(graph, focus)
    if names or depth is not None:
        graph = graph.subgraph(graph.neighbourhood(names or tree_roots(graph, reverse),
                                                   depth, reverse))
    reasons = _reasons(graph, affected)
    if only_affected:
        graph = graph.subgraph(reasons)
    return GraphView(
        graph=graph,
        focus=tuple(names),
        reverse=reverse,
        depth=depth,
        show_affected=affected is not None,
        reasons={n: r for n, r in reasons.items() if n in graph},
        directly_changed=frozenset(affected.directly_changed) if affected else frozenset(),
    )


def focus_names(graph: PackageGraph, focus: Sequence[str]) -> list[str]:
    """Canonical names of the `--focus` packages; an unknown one is an error naming it."""
    names = []
    for raw in focus:
        name = package_name(raw, graph.names, "--focus")
        if name not in names:
            names.append(name)
    return names


def tree_roots(graph: PackageGraph, reverse: bool = False) -> list[str]:
    """Where a tree starts: packages nothing depends on (with `reverse`, packages that
    depend on nothing), plus one package of every cycle no such root reaches."""
    reach = graph.all_dependents if reverse else graph.all_dependencies
    above = graph.dependencies if reverse else graph.dependents
    roots = [n for n in graph.names if not above(n)]
    reached = set(roots) | reach(roots)
    for name in graph.names:
        if name not in reached:  # only on a cycle: start from its first member
            roots.append(name)
            reached |= {name} | reach([name])
    return roots


def _reasons(graph: PackageGraph,
             affected: AffectedResult | None) -> dict[str, tuple[Reason, ...]]:
    if affected is None:
        return {}
    return {n: tuple(affected.reasons.get(n, ())) for n in affected.affected if n in graph}
