"""Executing a planned run: a pool of child processes started in dependency order, results
from and into the cache, failures skipping what needed them.

Each job runs as its own process group (a new session), so that stopping it also stops
whatever it started: on a failure with --fail-fast, or on Ctrl-C, every group is stopped
(see processes.py) and no process is left behind.
"""

from __future__ import annotations

import queue
import shlex
import shutil
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, Protocol

from orchestrator.tasks.cache import CacheEntry, copy_outputs
from orchestrator.tasks.definitions import PYTEST_NO_TESTS, ResolvedTask
from orchestrator.tasks.plan import Job, RunSettings
from orchestrator.tasks.processes import sigterm_as_interrupt, terminate

Status = Literal["passed", "failed", "cached", "skipped", "no-tests"]
SUCCESS: frozenset[str] = frozenset({"passed", "cached", "no-tests"})


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
        self.done: queue.Queue[tuple[str, int]] = queue.Queue()
        self.stopped_by: str | None = None

    def run(self) -> list[TaskResult]:
        with sigterm_as_interrupt():
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
        code = proc.wait()
        terminate([proc], self.settings.grace)  # what it left running in its group goes too
        self.done.put((name, code))

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
