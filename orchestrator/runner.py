"""The parallel task engine: a pool of child processes, dependency order, cache, cleanup.

Each job runs as its own process group (a new session), so that stopping it also stops
whatever it started: on a failure with --fail-fast, or on Ctrl-C, every group gets SIGTERM,
then SIGKILL after a grace period, and no process is left behind.
"""

from __future__ import annotations

import os
import queue
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING, Literal, Protocol

from orchestrator import shard, tasks
from orchestrator.errors import CycleError
from orchestrator.model import ORDER_KINDS
from orchestrator.selection import Selection, SelectionRequest, select
from orchestrator.taskcache import CacheEntry, TaskCache, compute_keys, copy_outputs
from orchestrator.tasks import PYTEST_NO_TESTS, ResolvedTask

if TYPE_CHECKING:
    from orchestrator.context import Project
    from orchestrator.graph import PackageGraph

Status = Literal["passed", "failed", "cached", "skipped", "no-tests"]
SUCCESS: frozenset[str] = frozenset({"passed", "cached", "no-tests"})
GRACE_SECONDS = 5.0


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
class TaskResult:
    """How one package's task ended."""

    package: str
    status: Status
    duration: float  # seconds of this run (0 for cached and skipped)
    log: str  # relative to the root
    exit_code: int | None = None
    reason: str | None = None  # skipped: why; cached: when it originally took `measured`
    measured: float | None = None  # what it took when it really ran (cached: stored time)
    junit: str | None = None  # pytest's own JUnit file, when it wrote one
    outputs: tuple[str, ...] = ()


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


class Listener(Protocol):
    """What the display hears; called from the thread that runs `execute`."""

    def started(self, job: Job) -> None: ...

    def finished(self, job: Job, result: TaskResult) -> None: ...


class Silent:
    def started(self, job: Job) -> None:
        pass

    def finished(self, job: Job, result: TaskResult) -> None:
        pass


# -- planning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRequest:
    """Everything `run`, `test` and `build` were asked to do, as plain data."""

    task: str
    selection: SelectionRequest
    workers: int = 1
    shard: tuple[int, int] | None = None
    durations: Path | None = None
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


def plan_run(project: Project, request: RunRequest) -> Plan:
    """Selection, shard, task resolution, needed dependencies and cache keys."""
    workspace = project.workspace()
    definitions = tasks.definitions(workspace, request.task)
    chosen = select(project, request.selection)
    names = [n for n in chosen.names if n in definitions]
    if request.shard is not None:
        durations = shard.read_durations(request.durations) if request.durations else {}
        names = shard.pick(names, request.shard, durations)
    staging = project.state_dir / "out" / request.task
    out_dir = request.out_dir if request.out_dir is not None else project.root / "dist"
    resolved = {n: tasks.resolve(definitions[n], project.graph.packages[n], project.root,
                                 staging / n) for n in definitions}
    order = _OrderDependencies(project.graph)
    run = with_needed(names, resolved, order)
    keys = {}
    if request.use_cache:
        keys = compute_keys(project.git, workspace, project.graph, [resolved[n] for n in run])
    jobs = make_jobs(run, resolved, order, keys)
    cache_dir = request.cache_dir or project.state_dir / "cache" / "tasks"
    settings = RunSettings(
        root=project.root, log_dir=project.state_dir / "logs" / request.task, out_dir=out_dir,
        junit_dir=project.state_dir / "junit" / request.task, workers=max(1, request.workers),
        fail_fast=request.fail_fast, cache=TaskCache(cache_dir) if request.use_cache else None,
    )
    return Plan(request.task, tuple(jobs), chosen, settings)


class _OrderDependencies:
    """Transitive dependencies over the edges that order tasks, computed on demand."""

    def __init__(self, graph: PackageGraph):
        self.graph = graph
        self._memo: dict[str, set[str]] = {}

    def __call__(self, name: str) -> set[str]:
        if name not in self._memo:
            self._memo[name] = self.graph.all_dependencies([name], ORDER_KINDS)
        return self._memo[name]

    def cycle(self, name: str) -> list[str]:
        cycles = [c for c in self.graph.cycles(ORDER_KINDS) if name in c]
        return cycles[0] if cycles else [name]


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
            raise CycleError(dependencies.cycle(name),
                             purpose=f"run '{task.task}' in dependency order")
        jobs.append(Job(task, tuple(needs), keys.get(name), included_for))
    return jobs


# -- execution ------------------------------------------------------------------------------


class _Running:
    """A started child: its process, log file and start time."""

    def __init__(self, job: Job, proc: subprocess.Popen[bytes], log: IO[bytes], junit: Path | None):
        self.job = job
        self.proc = proc
        self.log = log
        self.junit = junit
        self.started = time.monotonic()


class Execution:
    """One run of a set of jobs; `run()` returns a result for every job."""

    def __init__(self, jobs: Sequence[Job], settings: RunSettings, listener: Listener):
        self.jobs = {job.package: job for job in jobs}
        self.pending = [job.package for job in jobs]
        self.settings = settings
        self.listener = listener
        self.results: dict[str, TaskResult] = {}
        self.running: dict[str, _Running] = {}
        self.done: queue.Queue[tuple[str, int]] = queue.Queue()
        self.stopped_by: str | None = None

    def run(self) -> list[TaskResult]:
        with _sigterm_as_interrupt():
            try:
                self._loop()
            except BaseException:
                self._stop_all()
                raise
        return [self.results[name] for name in self.jobs]

    def _loop(self) -> None:
        while self.pending or self.running:
            self._start_ready()
            if not self.running:
                continue
            try:
                name, code = self.done.get(timeout=0.2)
            except queue.Empty:
                continue
            self._finish(name, code)

    # -- starting

    def _start_ready(self) -> None:
        for name in list(self.pending):
            if len(self.running) >= self.settings.workers:
                return
            state = self._readiness(self.jobs[name])
            if state == "wait":
                continue
            self.pending.remove(name)
            if state == "go":
                self._start(self.jobs[name])
            else:
                self._record(self.jobs[name], self._skipped(name, state))

    def _readiness(self, job: Job) -> str:
        """'go', 'wait', or the reason it will never run."""
        if self.stopped_by is not None:
            return f"not started: --fail-fast after {self.stopped_by} failed"
        for need in job.needs:
            result = self.results.get(need)
            if result is None:
                return "wait"
            if result.status not in SUCCESS:
                what = "failed" if result.status == "failed" else "was skipped"
                return f"needs {need}, which {what}"
        return "go"

    def _start(self, job: Job) -> None:
        self.listener.started(job)
        entry = self._cached(job)
        if entry is not None:
            self._record(job, self._from_cache(job, entry))
            return
        log_path = self._log_path(job.package)
        log = log_path.open("wb")
        log.write(f"$ {shlex.join(job.task.argv)}\n# in {job.task.path}\n".encode())
        log.flush()
        argv, junit = self._argv(job)
        _prepare_out(job)
        try:
            proc = subprocess.Popen(
                argv, cwd=job.task.cwd, env={**self.settings.environ, **dict(job.task.env)},
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as e:
            log.write(f"cannot start {argv[0]}: {e.strerror}\n".encode())
            log.close()
            self._record(job, TaskResult(job.package, "failed", 0.0, self._rel(log_path), 127,
                                         f"cannot start {argv[0]}: {e.strerror}"))
            self._after_failure(job.package)
            return
        self.running[job.package] = _Running(job, proc, log, junit)
        threading.Thread(target=self._wait, args=(job.package, proc), daemon=True).start()

    def _wait(self, name: str, proc: subprocess.Popen[bytes]) -> None:
        self.done.put((name, proc.wait()))

    def _argv(self, job: Job) -> tuple[list[str], Path | None]:
        """The command, with a JUnit file requested from pytest so results can be merged."""
        argv = list(job.task.argv)
        if not job.task.is_pytest or any(a.startswith("--junitxml") for a in argv):
            return argv, None
        junit = self.settings.junit_dir / f"{job.package}.xml"
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.unlink(missing_ok=True)
        return [*argv, f"--junitxml={junit}"], junit

    # -- finishing

    def _finish(self, name: str, code: int) -> None:
        running = self.running.pop(name)
        running.log.close()
        job = running.job
        status = _status(job.task, code)
        junit = running.junit if running.junit is not None and running.junit.exists() else None
        outputs = self._collect_outputs(job) if status in SUCCESS else ()
        duration = time.monotonic() - running.started
        result = TaskResult(name, status, duration, self._rel(self._log_path(name)), code,
                            measured=duration, junit=self._rel(junit) if junit else None,
                            outputs=outputs)
        if status in SUCCESS:
            self._store(job, result, junit)
        self._record(job, result)
        if status == "failed":
            self._after_failure(name)

    def _after_failure(self, name: str) -> None:
        if self.settings.fail_fast and self.stopped_by is None:
            self.stopped_by = name
            self._stop_all()

    def _stop_all(self) -> None:
        """Stop every running group; what was running is recorded as skipped."""
        running = list(self.running.values())
        terminate([r.proc for r in running], self.settings.grace)
        for item in running:
            self.running.pop(item.job.package, None)
            item.log.close()
            reason = f"stopped: --fail-fast after {self.stopped_by} failed" \
                if self.stopped_by else "interrupted"
            self._record(item.job, self._skipped(item.job.package, reason))

    def _record(self, job: Job, result: TaskResult) -> None:
        self.results[job.package] = result
        self.listener.finished(job, result)

    def _skipped(self, name: str, reason: str) -> TaskResult:
        return TaskResult(name, "skipped", 0.0, self._rel(self._log_path(name)), reason=reason)

    # -- cache and outputs

    def _cached(self, job: Job) -> CacheEntry | None:
        cache = self.settings.cache
        return cache.get(job.key) if cache is not None and job.key is not None else None

    def _from_cache(self, job: Job, entry: CacheEntry) -> TaskResult:
        """Replay the stored log, restore outputs and pytest's report, as if it had run."""
        log = self._log_path(job.package)
        if entry.log.exists():
            shutil.copyfile(entry.log, log)
        outputs = copy_outputs(entry.outputs, self.settings.out_dir) if job.task.uses_out else []
        junit = None
        if (entry.directory / "junit.xml").exists():
            target = self.settings.junit_dir / f"{job.package}.xml"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry.directory / "junit.xml", target)
            junit = self._rel(target)
        return TaskResult(job.package, "cached", 0.0, self._rel(log), 0,
                          reason=f"cached {entry.status}", measured=entry.duration, junit=junit,
                          outputs=tuple(outputs))

    def _store(self, job: Job, result: TaskResult, junit: Path | None) -> None:
        cache = self.settings.cache
        if cache is None or job.key is None:
            return
        record = {"task": job.task.task, "package": job.package, "status": result.status,
                  "duration": round(result.duration, 3)}
        out = job.task.out if job.task.uses_out else None
        cache.put(job.key, record, self._log_path(job.package), out, junit)

    def _collect_outputs(self, job: Job) -> tuple[str, ...]:
        if not job.task.uses_out:
            return ()
        return tuple(copy_outputs(job.task.out, self.settings.out_dir))

    # -- paths

    def _log_path(self, name: str) -> Path:
        self.settings.log_dir.mkdir(parents=True, exist_ok=True)
        return self.settings.log_dir / f"{name}.log"

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.settings.root).as_posix()
        except ValueError:
            return str(path)


def execute(jobs: Sequence[Job], settings: RunSettings,
            listener: Listener | None = None) -> list[TaskResult]:
    """Run every job (or answer it from the cache); a result per job, in job order."""
    return Execution(jobs, settings, listener or Silent()).run()


def _status(task: ResolvedTask, code: int) -> Status:
    if code == 0:
        return "passed"
    if code == PYTEST_NO_TESTS and task.is_pytest:
        return "no-tests"
    return "failed"


def _prepare_out(job: Job) -> None:
    if job.task.uses_out:
        shutil.rmtree(job.task.out, ignore_errors=True)
        job.task.out.mkdir(parents=True, exist_ok=True)


# -- process groups -------------------------------------------------------------------------


def terminate(procs: Sequence[subprocess.Popen[bytes]], grace: float) -> None:
    """SIGTERM every group, wait up to `grace` for them to go, then SIGKILL what is left."""
    for proc in procs:
        _signal_group(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_group_alive(p) for p in procs):
        time.sleep(0.02)
    for proc in procs:
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _group_alive(proc: subprocess.Popen[bytes]) -> bool:
    proc.poll()
    return bool(group_members(proc.pid))


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of a process group; read from /proc where there is one."""
    proc_dir = Path("/proc")
    if not proc_dir.is_dir():
        try:
            os.killpg(pgid, 0)
            return [pgid]
        except (ProcessLookupError, PermissionError):
            return []
    members = []
    for entry in proc_dir.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(entry / "stat")
            if fields is not None and fields[0] != "Z" and fields[2] == str(pgid):
                members.append(int(entry.name))
    return members


def _stat_fields(path: Path) -> list[str] | None:
    """state, ppid, pgrp, ... from /proc/PID/stat (the name may contain spaces)."""
    try:
        text = path.read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split(" ")


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """A CI runner cancels with SIGTERM: clean up exactly as for Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
