"""Properties of affected-ness on random graphs and change sets, checked against a plain
breadth-first search written here (not the engine's own closure)."""

from __future__ import annotations

import json
import tempfile
from collections import deque
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator.changes.affected import compute_affected, propagate
from orchestrator.changes.ownership import attribute
from orchestrator.context import Project
from orchestrator.workspace.catalog import Catalog
from orchestrator.workspace.config import Config
from orchestrator.workspace.discovery import Workspace
from orchestrator.workspace.graph import PackageGraph
from orchestrator.workspace.model import EDGE_KINDS, Dependency, EdgeKind, Package
from tests.gitutil import GitRepo

Edges = list[tuple[int, int, EdgeKind]]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, Edges]:
    """n packages and typed edges between them; self-loops dropped, cycles allowed."""
    n = draw(st.integers(min_value=1, max_value=10))
    pairs = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(EDGE_KINDS))
    edges = [e for e in draw(st.lists(pairs, max_size=3 * n)) if e[0] != e[1]]
    return n, edges


def name(i: int) -> str:
    return f"pkg-{i}"


def path(i: int) -> str:
    # Some packages nest inside others, so ownership must pick the deepest directory.
    return f"libs/p{i}" if i % 3 else f"libs/p{i - 1}/sub{i}" if i else "libs/p0"


def packages(n: int, edges: Edges) -> list[Package]:
    deps: dict[int, list[Dependency]] = {i: [] for i in range(n)}
    for source, target, kind in edges:
        deps[source].append(Dependency(name(target), "", kind))
    return [Package(name(i), "1.0", path(i), "library", tuple(deps[i])) for i in range(n)]


def expected(n: int, edges: Edges, files: list[str]) -> set[str]:
    """Deepest owner by longest directory prefix, then breadth-first over reverse edges."""
    owners = set()
    for file in files:
        candidates = [i for i in range(n) if file.startswith(path(i) + "/")]
        if candidates:
            owners.add(max(candidates, key=lambda i: len(path(i))))
    dependents: dict[int, set[int]] = {i: set() for i in range(n)}
    for source, target, _kind in edges:
        dependents[target].add(source)
    seen, queue = set(owners), deque(owners)
    while queue:
        for up in dependents[queue.popleft()]:
            if up not in seen:
                seen.add(up)
                queue.append(up)
    return {name(i) for i in seen}


@st.composite
def change_sets(draw: st.DrawFn, n: int) -> list[str]:
    targets = st.one_of(st.integers(0, n - 1).map(lambda i: f"{path(i)}/src/m.py"),
                        st.just("README.md"), st.just("libs/loose.py"))
    return sorted(set(draw(st.lists(targets, max_size=5))))


@given(data=st.data(), graph=graphs())
@settings(max_examples=200, deadline=None)
def test_affected_is_exactly_the_dependent_closure(data: st.DataObject,
                                                   graph: tuple[int, Edges]) -> None:
    n, edges = graph
    files = data.draw(change_sets(n))
    workspace = Workspace(Path("."), Config(global_files=()), Catalog.of(packages(n, edges)))
    found = attribute(files, workspace, workspace)
    seeds = {owner: [] for owner in found.owned}
    result = propagate(PackageGraph(workspace.packages), seeds)
    want = expected(n, edges, files)
    assert set(result) == want  # contains every directly changed package, and nothing else
    pkg_graph = PackageGraph(workspace.packages)
    for package in result:  # closed under dependents
        assert set(pkg_graph.dependents(package)) <= set(result)
    assert set(found.owned) <= set(result)


def write_workspace(repo: GitRepo, n: int, edges: Edges) -> None:
    for package in packages(n, edges):
        groups = {k: [d.name for d in package.dependencies if d.kind == k] for k in EDGE_KINDS}
        repo.write(f"{package.path}/pyproject.toml", "\n".join([
            "[project]", f'name = "{package.name}"', 'version = "1.0"',
            f"dependencies = {json.dumps(groups['runtime'])}",
            f"[project.optional-dependencies]\nx = {json.dumps(groups['optional'])}",
            f"[dependency-groups]\ndev = {json.dumps(groups['group'])}",
            f"[build-system]\nrequires = {json.dumps(groups['build'])}",
            "[tool.uv.sources]",
            *(f"{s} = {{ workspace = true }}" for s in sorted(set(groups["source"]))), ""]))


@given(data=st.data(), graph=graphs())
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_engine_on_real_repositories_matches_the_search(data: st.DataObject,
                                                        graph: tuple[int, Edges]) -> None:
    n, edges = graph
    files = data.draw(change_sets(n))
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo(Path(tmp) / "repo").init()
        write_workspace(repo, n, edges)
        repo.commit("workspace")
        for file in files:
            repo.write(file, "changed\n")
        result = compute_affected(Project(repo.root), base="HEAD")
    assert set(result.affected) == expected(n, edges, files)
    assert set(result.directly_changed) <= set(result.affected)

