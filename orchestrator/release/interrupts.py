"""SIGINT, SIGTERM and SIGHUP during a release: one exception for all three, and children
that stop with us.

While a release changes the repository, each of the three signals raises `Interrupted` in
the main thread, so the code that undoes a step runs whichever arrived. Child processes (git
and its hooks, uv) start in their own session: a terminal's Ctrl-C reaches only this
process, which stops them, waits for them, and only then decides what to restore — a child
can never finish on its own after we have given up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import NamedTuple

from orchestrator.errors import OrchestratorError

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
STOP_GRACE = 10.0  # seconds a child has to exit after SIGTERM before SIGKILL


class Interrupted(BaseException):
    """One of SIGNALS arrived (a BaseException, like KeyboardInterrupt: nothing may
    swallow it)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


class Stopped(OrchestratorError):
    """A command a signal stopped, after it put things back: the exit status a shell gives a
    process that signal ended."""

    def __init__(self, message: str, signum: int):
        super().__init__(message)
        self.exit_code = 128 + signum


class Guard:
    """Turns SIGNALS into `Interrupted`; `held()` keeps them from cutting short what must
    finish (putting files back).

    The handler raises wherever the main thread is, which may be a finalizer (`__del__`)
    that Python lets no exception out of: every signal is also remembered, and `check()`
    raises it at the points where going on would be wrong (before each step, before the
    commit)."""

    def __init__(self) -> None:
        self._holding = 0
        self.received: int | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
        if not self._holding:
            raise Interrupted(signum)

    def check(self) -> None:
        """Raise `Interrupted` if a signal arrived and was not acted on."""
        if self.received is not None and not self._holding:
            raise Interrupted(self.received)

    @contextmanager
    def held(self) -> Iterator[None]:
        self._holding += 1
        try:
            yield
        finally:
            self._holding -= 1


@contextmanager
def interruptible() -> Iterator[Guard]:
    """While inside, SIGINT, SIGTERM and SIGHUP raise `Interrupted` (in the main thread;
    elsewhere signals cannot be handled and this changes nothing)."""
    guard = Guard()
    if threading.current_thread() is not threading.main_thread():
        yield guard
        return
    previous = {s: signal.signal(s, guard.handle) for s in SIGNALS}
    try:
        yield guard
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class Ran(NamedTuple):
    status: int
    stdout: str
    stderr: str


def run_child(argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> Ran:
    """Run a command in its own session and wait; if we are interrupted meanwhile, stop it
    (SIGTERM to its whole process group, then SIGKILL) and wait for it before going on."""
    proc = subprocess.Popen(argv, cwd=cwd, env=None if env is None else dict(env),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate()
    except BaseException:
        stop(proc)
        raise
    return Ran(proc.returncode, stdout, stderr)


def stop(proc: subprocess.Popen[str]) -> None:
    """End a child started by `run_child`, and everything it started, and reap it."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, None)):
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
