"""Executing a planned run: a pool of child processes started in dependency order, results
from and into the cache, failures skipping what needed them.

Each job runs as its own process group (a new session), so that stopping it also stops
whatever it started: on a failure with --fail-fast, or on Ctrl-C, every group is stopped
(see processes.py) and no process is left behind.
"""

from __future__ import annotations

import functools
import queue
import shlex
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal, Protocol

from orchestrator.errors import OrchestratorError
from orchestrator.tasks.cache import CacheEntry, copy_outputs
from orchestrator.tasks.definitions import PYTEST_NO_TESTS, ResolvedTask
from orchestrator.tasks.plan import Job, RunSettings, file_stem
from orchestrator.tasks.processes import sigterm_as_interrupt, terminate
from orchestrator.tasks.stores import task_environment

if TYPE_CHECKING:
    from orchestrator.tasks.remote import Lookup

Status = Literal["passed", "failed", "cached", "skipped", "no-tests"]
Origin = Literal["local", "remote"]
SUCCESS: frozenset[str] = frozenset({"passed", "cached", "no-tests"})
MOVED = "inputs changed during the run: not cached"
VERIFY_EVERY = 1.0  # seconds between two looks at the working tree for finished results


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
    cache: Origin | None = None  # where a cached result came from


class Listener(Protocol):
    """What the display hears; called from the thread that runs `execute`."""

    def started(self, job: Job) -> None: ...

    def finished(self, job: Job, result: TaskResult) -> None: ...


class Silent:
    def started(self, job: Job) -> None:
        pass

    def finished(self, job: Job, result: TaskResult) -> None:
        pass


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
        # a process's exit code, or None when a remote lookup for the package answered
        self.done: queue.Queue[tuple[str, int | None]] = queue.Queue()
        self.stopped_by: str | None = None
        self.lookups: dict[str, Future[Lookup]] = {}
        self.unverified: list[tuple[TaskResult, Job]] = []  # passed, not yet stored
        self.verified_at = time.monotonic()
        self.verify_cost = 0.0

    def run(self) -> list[TaskResult]:
        with sigterm_as_interrupt():
            try:
                self._look_up()
                self._loop()
                self._verify(final=True)
            except BaseException:
                self._stop_all()
                if self.settings.remote is not None:
                    self.settings.remote.close()
                raise
        if self.settings.remote is not None:
            self.settings.remote.finish()
        return [self.results[name] for name in self.jobs]

    def _loop(self) -> None:
        while self.pending or self.running:
            self._start_ready()
            if not self.running and not self._looking_up():
                continue
            try:
                event = self.done.get(timeout=0.2)
            except queue.Empty:
                continue
            self._finish_all(self._drain(event))

    def _drain(self, event: tuple[str, int | None]) -> list[tuple[str, int]]:
        """The processes that ended, this event and every one already queued after it."""
        events = [event]
        while not self.done.empty():
            events.append(self.done.get_nowait())
        return [(name, code) for name, code in events if code is not None]

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
        lookup = self.lookups.get(job.package)
        if lookup is not None and not lookup.done():
            return "wait"
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
                argv, cwd=job.task.cwd, env=task_environment(self.settings.environ,
                                                              job.task.env),
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
        code = proc.wait()
        terminate([proc], self.settings.grace)  # what it left running in its group goes too
        self.done.put((name, code))

    def _argv(self, job: Job) -> tuple[list[str], Path | None]:
        """The command, with a JUnit file requested from pytest so results can be merged."""
        argv = list(job.task.argv)
        if not job.task.is_pytest or any(a.startswith("--junitxml") for a in argv):
            return argv, None
        junit = self.settings.junit_dir / f"{file_stem(job.package)}.xml"
        junit.parent.mkdir(parents=True, exist_ok=True)
        junit.unlink(missing_ok=True)
        return [*argv, f"--junitxml={junit}"], junit

    # -- finishing

    def _finish_all(self, ended: list[tuple[str, int]]) -> None:
        """Results of processes that ended. What passed waits to be stored until its inputs
        are seen to still give the key it ran under (see `_verify`)."""
        for result, job in (self._finish(name, code) for name, code in ended):
            if result.status in SUCCESS and job.key is not None:
                self.unverified.append((result, job))
            self._record(job, result)
            if result.status == "failed":
                self._after_failure(job.package)
        self._verify(final=False)

    def _verify(self, *, final: bool) -> None:
        """Store the results whose inputs still hash to their key; the others are reported
        as moved. One look at the working tree serves every result waiting, and looks are
        spaced (at least VERIFY_EVERY seconds, and five times what the last one took), so a
        run of many quick tasks does not spend its time reading the tree."""
        now = time.monotonic()
        due = now - self.verified_at >= max(VERIFY_EVERY, 5 * self.verify_cost)
        if not self.unverified or not (final or due):
            return
        waiting, self.unverified = self.unverified, []
        moved = self._moved([job for _, job in waiting])
        self.verified_at, self.verify_cost = time.monotonic(), time.monotonic() - now
        for result, job in waiting:
            if job.package in moved:
                self.results[job.package] = replace(result, reason=MOVED)
            else:
                self._store(job, result)

    def _finish(self, name: str, code: int) -> tuple[TaskResult, Job]:
        running = self.running.pop(name)
        running.log.close()
        job = running.job
        status = _status(job.task, code)
        junit = running.junit if running.junit is not None and running.junit.exists() else None
        outputs = self._collect_outputs(job) if status in SUCCESS else ()
        duration = time.monotonic() - running.started
        return TaskResult(name, status, duration, self._rel(self._log_path(name)), code,
                          measured=duration, junit=self._rel(junit) if junit else None,
                          outputs=outputs), job

    def _moved(self, jobs: list[Job]) -> set[str]:
        """The packages whose inputs no longer hash to the key they ran under."""
        rekey = self.settings.rekey
        if not jobs or rekey is None or self.settings.cache is None:
            return set()
        try:
            now = rekey([job.task for job in jobs])
        except OrchestratorError:
            return {job.package for job in jobs}  # the tree cannot be read: store nothing
        return {job.package for job in jobs if now.get(job.package) != job.key}

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

    def _look_up(self) -> None:
        """Ask the remote cache, in start order, for every key the local cache lacks."""
        remote, cache = self.settings.remote, self.settings.cache
        if remote is None or cache is None:
            return
        for job in self.jobs.values():
            if job.key is not None and cache.get(job.key) is None:
                answered = functools.partial(self.done.put, (job.package, None))
                self.lookups[job.package] = remote.fetch(job.key, cache, answered,
                                                         (job.task.task, job.package))

    def _looking_up(self) -> bool:
        return any(not self.lookups[n].done() for n in self.pending if n in self.lookups)

    def _cached(self, job: Job) -> CacheEntry | None:
        cache = self.settings.cache
        return cache.get(job.key) if cache is not None and job.key is not None else None

    def _origin(self, job: Job) -> Origin:
        lookup = self.lookups.get(job.package)
        return "remote" if lookup is not None and lookup.result() == "hit" else "local"

    def _from_cache(self, job: Job, entry: CacheEntry) -> TaskResult:
        """Replay the stored log, restore outputs and pytest's report, as if it had run."""
        log = self._log_path(job.package)
        if entry.log.exists():
            shutil.copyfile(entry.log, log)
        outputs = copy_outputs(entry.outputs, self.settings.out_dir) if job.task.uses_out else []
        junit = None
        if (entry.directory / "junit.xml").exists():
            target = self.settings.junit_dir / f"{file_stem(job.package)}.xml"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(entry.directory / "junit.xml", target)
            junit = self._rel(target)
        return TaskResult(job.package, "cached", 0.0, self._rel(log), 0,
                          reason=f"cached {entry.status}", measured=entry.duration, junit=junit,
                          outputs=tuple(outputs), cache=self._origin(job))

    def _store(self, job: Job, result: TaskResult) -> None:
        cache = self.settings.cache
        if cache is None or job.key is None:
            return
        record = {"task": job.task.task, "package": job.package, "status": result.status,
                  "duration": round(result.duration, 3)}
        out = job.task.out if job.task.uses_out else None
        junit = self.settings.root / result.junit if result.junit else None
        entry = cache.put(job.key, record, self._log_path(job.package), out, junit)
        if entry is not None and self.settings.remote is not None:
            self.settings.remote.upload(job.key, entry, result.duration)

    def _collect_outputs(self, job: Job) -> tuple[str, ...]:
        if not job.task.uses_out:
            return ()
        return tuple(copy_outputs(job.task.out, self.settings.out_dir))

    # -- paths

    def _log_path(self, name: str) -> Path:
        self.settings.log_dir.mkdir(parents=True, exist_ok=True)
        return self.settings.log_dir / f"{file_stem(name)}.log"

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
