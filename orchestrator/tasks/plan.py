"""Planning a run: which packages, which of their dependencies must run first, the jobs
in start order with their cache keys, and where logs and outputs go."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from orchestrator.errors import CycleError, OrchestratorError
from orchestrator.tasks import definitions, shard
from orchestrator.tasks.cache import TaskCache
from orchestrator.tasks.definitions import ResolvedTask
from orchestrator.tasks.keys import compute_keys
from orchestrator.tasks.selection import Selection, SelectionRequest, select
from orchestrator.workspace.model import EdgeKind

if TYPE_CHECKING:
    from orchestrator.context import Project
    from orchestrator.tasks.remote import RemoteCache
    from orchestrator.workspace.graph import PackageGraph

Rekey = Callable[[Sequence[ResolvedTask]], Mapping[str, str]]

GRACE_SECONDS = 5.0
NAME_BYTES = 100  # file names are limited (255 bytes on most systems): leave room to spare


def file_stem(package: str) -> str:
    """A package's name as a file name: itself when short, else a prefix and a digest (any
    valid name may be thousands of characters long)."""
    if len(package.encode()) <= NAME_BYTES:
        return package
    return f"{package[:64]}-{hashlib.sha256(package.encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Job:
    """One package's task, the jobs it must wait for, and its cache key."""

    task: ResolvedTask
    needs: tuple[str, ...] = ()
    key: str | None = None
    included_for: tuple[str, ...] = ()  # not selected: run because these need it first

    @property
    def package(self) -> str:
        return self.task.package


@dataclass(frozen=True)
class RunSettings:
    """How to execute: pool size, where logs, outputs and pytest reports go, the cache."""

    root: Path
    log_dir: Path
    out_dir: Path
    junit_dir: Path
    workers: int = 1
    fail_fast: bool = False
    cache: TaskCache | None = None
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    grace: float = GRACE_SECONDS
    remote: RemoteCache | None = None
    rekey: Rekey | None = None  # the keys the working tree gives now (inputs that moved)


@dataclass(frozen=True)
class RunRequest:
    """Everything `run`, `test` and `build` were asked to do, as plain data."""

    task: str
    selection: SelectionRequest
    workers: int = 1
    shard: tuple[int, int] | None = None
    durations: Path | Literal["remote"] | None = None
    use_cache: bool = True
    cache_dir: Path | None = None
    fail_fast: bool = False
    out_dir: Path | None = None


@dataclass(frozen=True)
class Plan:
    """The jobs of one run, in start order, and how to execute them."""

    task: str
    jobs: tuple[Job, ...]
    selection: Selection
    settings: RunSettings
    durations: Mapping[str, float] = field(default_factory=dict)  # what shards balanced by
    durations_from_remote: bool = False
    shard: tuple[int, int] | None = None


def plan_run(project: Project, request: RunRequest, remote: RemoteCache | None = None) -> Plan:
    """Selection, shard, task resolution, needed dependencies and cache keys; `remote` is
    the remote cache the run reads and fills (with the local one only)."""
    workspace = project.workspace()
    per_package = definitions.definitions(workspace, request.task)
    chosen = select(project, request.selection, request.task)
    _check_named_have_task(request, per_package)
    names = [n for n in chosen.names if n in per_package]
    durations = _durations(project, request, remote) if request.shard is not None else {}
    if request.shard is not None:
        names = shard.pick(names, request.shard, durations)
    staging = project.state_dir / "out" / request.task
    out_dir = request.out_dir if request.out_dir is not None else project.root / "dist"
    resolved = _Resolved(lambda n: definitions.resolve(
        per_package[n], project.graph.packages[n], project.root, staging / file_stem(n)),
        per_package)
    order = _OrderDependencies(project.graph, workspace.config.order_kinds)
    run = with_needed(names, resolved, order)
    keys = {}
    if request.use_cache:
        keys = compute_keys(project.git, workspace, project.graph, [resolved[n] for n in run],
                            project.locks, fresh=False)
    jobs = make_jobs(run, resolved, order, keys)
    cache_dir = request.cache_dir or project.state_dir / "cache" / "tasks"
    settings = RunSettings(
        root=project.root, log_dir=project.state_dir / "logs" / request.task, out_dir=out_dir,
        junit_dir=project.state_dir / "junit" / request.task, workers=max(1, request.workers),
        fail_fast=request.fail_fast, cache=TaskCache(cache_dir) if request.use_cache else None,
        remote=remote if request.use_cache else None,
        rekey=lambda tasks: compute_keys(project.git, workspace, project.graph, tasks,
                                         project.locks),
    )
    return Plan(request.task, tuple(jobs), chosen, settings, durations,
                request.durations == "remote", request.shard)


class _Resolved(Mapping[str, ResolvedTask]):
    """Each package's task, resolved when first asked for: a run of a few packages in a
    large workspace resolves only those."""

    def __init__(self, make: Callable[[str], ResolvedTask], names: Mapping[str, object]):
        self._make, self._names = make, names
        self._done: dict[str, ResolvedTask] = {}

    def __getitem__(self, name: str) -> ResolvedTask:
        if name not in self._done:
            if name not in self._names:
                raise KeyError(name)
            self._done[name] = self._make(name)
        return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def _durations(project: Project, request: RunRequest,
               remote: RemoteCache | None) -> dict[str, float]:
    """What shards balance by: a file, the remote cache, or nothing (by count)."""
    if request.durations is None:
        return {}
    if request.durations != "remote":
        return shard.read_durations(request.durations)
    if remote is None:
        raise OrchestratorError("--durations remote needs a remote cache",
                                hint="set remote-cache in [tool.orchestrator] or pass "
                                     "--remote-cache URL")
    from orchestrator.tasks import balance

    commit = balance.read_commit(project, request.selection.base)
    return balance.read(remote, request.task, commit) if commit else {}


def _check_named_have_task(request: RunRequest, per_package: Mapping[str, object]) -> None:
    """A package named with -p that does not define the task is a mistake, not a no-op."""
    from orchestrator.workspace.names import canonical

    missing = [p for p in request.selection.packages if canonical(p) not in per_package]
    if missing:
        raise OrchestratorError(
            f"package '{missing[0]}' has no task '{request.task}'",
            hint="define it in its [tool.orchestrator.tasks] or in the root's",
        )


class _OrderDependencies:
    """Transitive dependencies over the edges that order tasks, computed on demand."""

    def __init__(self, graph: PackageGraph, kinds: Collection[EdgeKind]):
        self.graph = graph
        self.kinds = kinds  # `order-kinds`: by default runtime, optional and build
        self._memo: dict[str, set[str]] = {}

    def __call__(self, name: str) -> set[str]:
        if name not in self._memo:
            self._memo[name] = self.graph.all_dependencies([name], self.kinds)
        return self._memo[name]

    def cycle_error(self, name: str, task: str) -> CycleError:
        """The cycle through `name`, each step with the kinds it takes."""
        cycles = [c for c in self.graph.cycles(self.kinds) if name in c]
        return self.graph.cycle_error(cycles[0] if cycles else [name], self.kinds,
                                      f"run '{task}' in dependency order")


def with_needed(selected: Sequence[str], resolved: Mapping[str, ResolvedTask],
                dependencies: Callable[[str], set[str]]) -> dict[str, tuple[str, ...]]:
    """Every package to run -> the selected ones that need it (empty when selected itself).

    A task with needs-dependencies brings its dependencies' run of the same task along,
    transitively, so a single package or a shard can still build.
    """
    included: dict[str, set[str]] = {n: set() for n in selected if n in resolved}
    stack = list(included)
    while stack:
        name = stack.pop()
        if not resolved[name].needs_dependencies:
            continue
        for dep in sorted(dependencies(name)):
            if dep in resolved and dep not in included:
                included[dep] = included[name] or {name}
                stack.append(dep)
    return {n: tuple(sorted(v)) for n, v in sorted(included.items())}


def make_jobs(names: Mapping[str, tuple[str, ...]], resolved: Mapping[str, ResolvedTask],
              dependencies: _OrderDependencies, keys: Mapping[str, str]) -> list[Job]:
    """Jobs in start order; a task that needs its dependencies waits for those that run."""
    jobs = []
    for name, included_for in names.items():
        task = resolved[name]
        needs = sorted(d for d in dependencies(name) if d in names) \
            if task.needs_dependencies else []
        if name in needs:
            raise dependencies.cycle_error(name, task.task)
        jobs.append(Job(task, tuple(needs), keys.get(name), included_for))
    return jobs
