"""Child process groups: stopping a task stops everything it started, and nothing is left
behind (a CI runner's SIGTERM is handled like Ctrl-C)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType


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
def sigterm_as_interrupt() -> Iterator[None]:
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
