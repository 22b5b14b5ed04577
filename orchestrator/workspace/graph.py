"""The internal dependency graph: named operations over packages and typed edges.

Edges point from a dependent to its dependency ("A depends on B" is A -> B). Closures are
plain breadth-first searches over adjacency kept here; networkx is imported only for the
algorithms that need it (cycles, orders, node-link data), because importing it costs more
than a whole affected query.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

from orchestrator.errors import CycleError, OrchestratorError
from orchestrator.workspace.catalog import Catalog
from orchestrator.workspace.model import ALL_KINDS, EDGE_KINDS, Dependency, EdgeKind, Package
from orchestrator.workspace.names import canonical

if TYPE_CHECKING:
    import networkx as nx


def package_name(raw: str, known: Collection[str], option: str) -> str:
    """A package name as a user typed it (`option` says where), normalised; one that is not
    a package is an error with the nearest name as a suggestion, wherever it was read."""
    name = canonical(raw)
    if name in known:
        return name
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    raise OrchestratorError(
        f"{option} names '{raw}', which is not a package of the workspace",
        hint=f"did you mean '{close[0]}'?" if close
        else "`orchestrator list --format names` shows the package names")


class Edge(NamedTuple):
    """All declarations of one dependent -> dependency pair."""

    source: str
    target: str
    kinds: tuple[EdgeKind, ...]
    specifiers: tuple[tuple[EdgeKind, str], ...]

    def has_kind(self, kinds: Collection[EdgeKind]) -> bool:
        return any(k in kinds for k in self.kinds)

    def only(self, kinds: Collection[EdgeKind]) -> Edge:
        """This edge as far as `kinds` go."""
        return Edge(self.source, self.target, tuple(k for k in self.kinds if k in kinds),
                    tuple((k, s) for k, s in self.specifiers if k in kinds))


class _Adjacency(dict[str, dict[str, Edge]]):
    """Each node's edges, made on first use (a warm run walks a small part of the graph)."""

    def __init__(self, make: Callable[[str], dict[str, Edge]], nodes: Mapping[str, object]):
        super().__init__()
        self._make, self._nodes = make, nodes

    def __missing__(self, name: str) -> dict[str, Edge]:
        if name not in self._nodes:
            raise KeyError(name)
        edges = self[name] = self._make(name)
        return edges


class PackageGraph:
    """Packages as nodes, their internal requirements as typed edges.

    Built over a Catalog, nodes and edges are made as they are visited; a closure over
    every edge kind reads only names.
    """

    def __init__(self, packages: Iterable[Package] | Catalog):
        catalog = packages if isinstance(packages, Catalog) else Catalog.of(packages)
        self.packages: Mapping[str, Package] = catalog
        self._catalog: Catalog | None = catalog  # None once edges were filtered
        self._out: dict[str, dict[str, Edge]] = _Adjacency(
            lambda name: _edges_of(catalog[name], catalog), catalog)
        self._in: dict[str, dict[str, Edge]] = _Adjacency(
            lambda name: {s: self._out[s][name] for s in catalog.dependents[name]}, catalog)

    # -- nodes and edges -----------------------------------------------------

    def __contains__(self, name: object) -> bool:
        return name in self.packages

    def __len__(self) -> int:
        return len(self.packages)

    @property
    def names(self) -> list[str]:
        return list(self.packages)

    def edges(self, kinds: Collection[EdgeKind] = ALL_KINDS) -> list[Edge]:
        return [
            edge
            for source in self.packages
            for _, edge in sorted(self._out[source].items())
            if edge.has_kind(kinds)
        ]

    def edge(self, source: str, target: str) -> Edge | None:
        return self._out[source].get(target) if source in self.packages else None

    # -- neighbourhoods ------------------------------------------------------

    def dependencies(self, name: str, kinds: Collection[EdgeKind] = ALL_KINDS) -> list[str]:
        """Direct dependencies of `name` over edges of `kinds`."""
        return [t for t, e in sorted(self._out[name].items()) if e.has_kind(kinds)]

    def dependency_kinds(self, name: str) -> Sequence[tuple[str, tuple[EdgeKind, ...]]]:
        """Direct dependencies of `name`, sorted, with the kinds of each edge (as stored
        with a catalog: no objects made)."""
        if self._catalog is None:
            return [(t, e.kinds) for t, e in sorted(self._out[name].items())]
        return self._catalog.edge_kinds[name]

    def dependents(self, name: str, kinds: Collection[EdgeKind] = ALL_KINDS) -> list[str]:
        """Direct dependents of `name` over edges of `kinds`."""
        return [s for s, e in sorted(self._in[name].items()) if e.has_kind(kinds)]

    def all_dependencies(self, names: Iterable[str],
                         kinds: Collection[EdgeKind] = ALL_KINDS) -> set[str]:
        """Everything `names` depend on, transitively (`names` excluded unless on a cycle)."""
        if self._catalog is not None and set(kinds) >= ALL_KINDS:
            return _reach(names, self._catalog.dependency_names, self._catalog)
        return self._closure(names, self._out, kinds)

    def all_dependents(self, names: Iterable[str],
                       kinds: Collection[EdgeKind] = ALL_KINDS) -> set[str]:
        """Everything that depends on `names`, transitively (cycles are fine)."""
        if self._catalog is not None and set(kinds) >= ALL_KINDS:
            return _reach(names, self._catalog.dependents.__getitem__, self._catalog)
        return self._closure(names, self._in, kinds)

    def _closure(self, names: Iterable[str], adjacency: dict[str, dict[str, Edge]],
                 kinds: Collection[EdgeKind]) -> set[str]:
        seen: set[str] = set()
        queue = deque(n for n in names if n in self.packages)
        while queue:
            for neighbour, edge in adjacency[queue.popleft()].items():
                if neighbour not in seen and edge.has_kind(kinds):
                    seen.add(neighbour)
                    queue.append(neighbour)
        return seen

    def dependent_paths(self, sources: Iterable[str], target: str,
                        kinds: Collection[EdgeKind] = ALL_KINDS) -> list[str] | None:
        """The shortest chain source -> dependent -> ... -> target, or None."""
        parent: dict[str, str | None] = {s: None for s in sources if s in self.packages}
        queue = deque(parent)
        while queue:
            node = queue.popleft()
            if node == target:
                chain = [node]
                while (previous := parent[chain[-1]]) is not None:
                    chain.append(previous)
                return chain[::-1]
            for neighbour, edge in sorted(self._in[node].items()):
                if neighbour not in parent and edge.has_kind(kinds):
                    parent[neighbour] = node
                    queue.append(neighbour)
        return None

    # -- shapes --------------------------------------------------------------

    def subgraph(self, names: Iterable[str]) -> PackageGraph:
        keep = set(names)
        sub = PackageGraph([])
        sub._catalog = None
        sub.packages = {n: p for n, p in self.packages.items() if n in keep}
        sub._out = {n: {t: e for t, e in self._out[n].items() if t in keep} for n in sub.packages}
        sub._in = {n: {s: e for s, e in self._in[n].items() if s in keep} for n in sub.packages}
        return sub

    def followed(self, kinds: Collection[EdgeKind]) -> PackageGraph:
        """The graph a walk over `kinds` sees (`affected-kinds`). Leaving `optional` edges
        out keeps what a requirement asks of an extra: `acme-core[all]` installs core's
        `all` extra, so its packages are still reached through it."""
        if set(kinds) >= ALL_KINDS:
            return self
        graph = self if "optional" in kinds else self._with_extras_installed()
        return graph.restricted(kinds)

    def _with_extras_installed(self) -> PackageGraph:
        extras = {name: _extra_members(package) for name, package in self.packages.items()}
        return PackageGraph([
            replace(package, dependencies=package.dependencies + added)
            if (added := _installed_through_extras(package, extras)) else package
            for package in self.packages.values()])

    def restricted(self, kinds: Collection[EdgeKind]) -> PackageGraph:
        """The same packages with only the edges of `kinds`."""
        sub = self.subgraph(self.packages)
        sub._out = {n: {t: e.only(kinds) for t, e in out.items() if e.has_kind(kinds)}
                    for n, out in sub._out.items()}
        sub._in = {n: {s: e.only(kinds) for s, e in inc.items() if e.has_kind(kinds)}
                   for n, inc in sub._in.items()}
        return sub

    def neighbourhood(self, focus: Iterable[str], depth: int | None,
                      reverse: bool = False) -> set[str]:
        """`focus` and what lies within `depth` steps of it (dependencies; dependents too
        when not `reverse`-only), unbounded when depth is None."""
        keep = set(focus)
        for adjacency in ((self._in,) if reverse else (self._out, self._in)):
            frontier = set(focus)
            step = 0
            while frontier and (depth is None or step < depth):
                frontier = {n for f in frontier for n in adjacency[f]} - keep
                keep |= frontier
                step += 1
        return keep

    # -- order and cycles (networkx) -----------------------------------------

    def to_networkx(self, kinds: Collection[EdgeKind] = ALL_KINDS) -> nx.DiGraph:
        import networkx as nx

        graph = nx.DiGraph()
        for name, package in self.packages.items():
            graph.add_node(name, version=package.version, path=package.path, kind=package.kind)
        for edge in self.edges(kinds):
            graph.add_edge(edge.source, edge.target, kinds=list(edge.kinds),
                           specifiers=dict(edge.specifiers))
        return graph

    def cycles(self, kinds: Collection[EdgeKind] = ALL_KINDS) -> list[list[str]]:
        """One cycle per strongly connected component that has one, each rotated to
        start at its smallest name, sorted."""
        if self._acyclic(kinds):
            return []  # the usual answer, without importing networkx
        import networkx as nx

        graph = self.to_networkx(kinds)
        found = []
        for component in nx.strongly_connected_components(graph):
            if len(component) == 1:
                continue
            start = min(component)
            sub = graph.subgraph(component)
            cycle = nx.find_cycle(sub, start)
            nodes = [u for u, _v in cycle]
            pivot = nodes.index(min(nodes))
            found.append(nodes[pivot:] + nodes[:pivot])
        return sorted(found)

    def _acyclic(self, kinds: Collection[EdgeKind]) -> bool:
        """No cycle over edges of `kinds` (Kahn's algorithm over names and edge kinds)."""
        wanted = set(kinds)
        targets = {name: [t for t, found in self.dependency_kinds(name)
                          if wanted.intersection(found)] for name in self.packages}
        waiting = dict.fromkeys(targets, 0)
        for found in targets.values():
            for target in found:
                waiting[target] += 1
        ready = [name for name, count in waiting.items() if count == 0]
        done = 0
        while ready:
            done += 1
            for target in targets[ready.pop()]:
                waiting[target] -= 1
                if waiting[target] == 0:
                    ready.append(target)
        return done == len(targets)

    def generations(self, kinds: Collection[EdgeKind], *, purpose: str) -> list[list[str]]:
        """Layers in which every package comes after all its dependencies over `kinds`."""
        import networkx as nx

        graph = self.to_networkx(kinds).reverse(copy=False)
        try:
            return [sorted(layer) for layer in nx.topological_generations(graph)]
        except nx.NetworkXUnfeasible:
            raise self.cycle_error(self.cycles(kinds)[0], kinds, purpose) from None

    def cycle_error(self, cycle: list[str], kinds: Collection[EdgeKind],
                    purpose: str) -> CycleError:
        """A cycle that leaves no order over `kinds`, each step with the kinds it takes, and
        the setting that chooses them (an `[all]` extra naming every integration makes one
        over `optional` edges)."""
        edges = [self.edge(a, b) for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True)]
        steps = ["+".join(k for k in e.kinds if k in kinds) for e in edges if e is not None]
        followed = ", ".join(k for k in EDGE_KINDS if k in kinds)
        return CycleError(cycle, purpose=purpose,
                          kinds=steps if len(steps) == len(cycle) else None,
                          hint=f"an order follows {followed} edges: `order-kinds` in "
                          "[tool.orchestrator] can leave out a kind this cycle needs")

    def order(self, kinds: Collection[EdgeKind], *, purpose: str) -> list[str]:
        """Dependencies first: a deterministic topological order."""
        return [name for layer in self.generations(kinds, purpose=purpose) for name in layer]

    def node_link(self, affected: Collection[str] = ()) -> dict[str, Any]:
        """networkx node-link data (DESIGN's `graph --format json`)."""
        import networkx as nx

        graph = self.to_networkx()
        for name in graph.nodes:
            graph.nodes[name]["affected"] = name in affected
        data: dict[str, Any] = nx.node_link_data(graph, edges="edges")
        return data


def _reach(names: Iterable[str], neighbours: Callable[[str], Iterable[str]],
           nodes: Collection[str]) -> set[str]:
    """Breadth-first over names alone: every neighbour is followed."""
    seen: set[str] = set()
    queue = deque(n for n in names if n in nodes)
    while queue:
        for neighbour in neighbours(queue.popleft()):
            if neighbour not in seen and neighbour in nodes:
                seen.add(neighbour)
                queue.append(neighbour)
    return seen


def _extra_members(package: Package) -> dict[str, list[Dependency]]:
    """Each extra of a package (normalised), with its internal dependencies."""
    found: dict[str, list[Dependency]] = {}
    for dep in package.dependencies:
        if dep.kind == "optional" and dep.where.startswith(_EXTRAS):
            found.setdefault(canonical(dep.where.removeprefix(_EXTRAS)), []).append(dep)
    return found


_EXTRAS = "project.optional-dependencies."


def _installed_through_extras(package: Package, extras: Mapping[str, dict[str, list[Dependency]]]
                              ) -> tuple[Dependency, ...]:
    """Edges to what the extras a package asks of its dependencies bring, transitively, each
    of the kind of the requirement that asked."""
    added: dict[tuple[str, EdgeKind], Dependency] = {}
    queue = [(d.name, d.extras, d.kind, d.where) for d in package.dependencies if d.extras]
    while queue:
        target, wanted, kind, where = queue.pop()
        for extra in wanted:
            for dep in extras.get(target, {}).get(extra, []):
                if dep.name == package.name or (dep.name, kind) in added:
                    continue
                added[dep.name, kind] = Dependency(dep.name, dep.specifier, kind,
                                                   f"{where} ({target}[{extra}])", dep.extras)
                queue.append((dep.name, dep.extras, kind, where))
    return tuple(added.values())


def _edges_of(package: Package, internal: Mapping[str, Package]) -> dict[str, Edge]:
    kinds: dict[str, list[EdgeKind]] = {}
    specs: dict[str, dict[EdgeKind, str]] = {}
    for dep in package.dependencies:
        if dep.name not in internal:
            continue
        if dep.kind not in kinds.setdefault(dep.name, []):
            kinds[dep.name].append(dep.kind)
        if dep.specifier and dep.kind not in specs.setdefault(dep.name, {}):
            specs[dep.name][dep.kind] = dep.specifier
        specs.setdefault(dep.name, {})
    return {
        target: Edge(
            package.name,
            target,
            tuple(k for k in EDGE_KINDS if k in kinds[target]),
            tuple(sorted(specs[target].items(), key=lambda kv: EDGE_KINDS.index(kv[0]))),
        )
        for target in sorted(kinds)
    }
