"""What a person watching a run sees: a live view on a terminal, plain lines in CI.

On a terminal, rich shows one line per running package with its elapsed time and a progress
bar with counts. Off a terminal every event is a timestamped line; on GitHub Actions each
finished package's log is folded into a `::group::`. Every run ends with a summary table
and the log tails of the failures.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from orchestrator.tasks.plan import Job
from orchestrator.tasks.reports import counts, tail
from orchestrator.tasks.runner import MOVED, TaskResult

if TYPE_CHECKING:
    from orchestrator.tasks.remote import RemoteStats
    from orchestrator.tasks.selection import Audit

STYLES = {"passed": "green", "failed": "bold red", "cached": "cyan", "skipped": "yellow",
          "no-tests": "magenta"}


class Display:
    """Plain timestamped lines (the base for every display)."""

    def __init__(self, stream: TextIO, root: Path, task: str, *, verbosity: int = 0):
        self.stream = stream
        self.root = root
        self.task = task
        self.verbosity = verbosity
        self.total = 0
        self.clock = time.monotonic()

    def begin(self, jobs: Sequence[Job]) -> None:
        self.total = len(jobs)
        self.clock = time.monotonic()
        if self.verbosity >= 0:
            self._line(f"{self.task}: {len(jobs)} package{'s' if len(jobs) != 1 else ''}")

    def started(self, job: Job) -> None:
        if self.verbosity >= 0:
            self._line(f"start    {job.package}")

    def finished(self, job: Job, result: TaskResult) -> None:
        if self.verbosity >= 0:
            self._line(f"{result.status:<9}{job.package}{_detail(result)}")
        if self.verbosity > 0:
            self._output(_indent(tail(self.root, result, lines=10_000)))

    def end(self, results: Sequence[TaskResult], audit: Audit | None = None,
            remote: RemoteStats | None = None) -> None:
        self._print(summary_text(results))
        self._closing(results, audit, remote)

    def _closing(self, results: Sequence[TaskResult], audit: Audit | None,
                 remote: RemoteStats | None) -> None:
        self._failures(results)
        self._print(unstored_text(results))
        if audit is not None:
            self._print(audit_text(audit))
        if remote is not None:
            self._print(remote_text(remote))
        self._print(totals(results, time.monotonic() - self.clock))

    def close(self) -> None:
        """Stop anything live (also on Ctrl-C)."""

    def _failures(self, results: Sequence[TaskResult]) -> None:
        for result in results:
            if result.status == "failed":
                self._print(f"\n--- {result.package} failed (exit {result.exit_code}), "
                            f"log {result.log}, last lines:")
                self._output(tail(self.root, result))

    def _output(self, text: str) -> None:
        """Lines a task printed: shown as they are (the GitHub display fences them)."""
        self._print(text)

    def _line(self, text: str) -> None:
        self._print(f"[{time.strftime('%H:%M:%S')}] {text}")

    def _print(self, text: str) -> None:
        if text:
            self.stream.write(text + "\n")
            self.stream.flush()


class GitHubDisplay(Display):
    """GitHub Actions: each package's log in a foldable group, failures as annotations."""

    def started(self, job: Job) -> None:
        """Nothing: a group must hold one package's lines only, so it is written at the end."""

    def finished(self, job: Job, result: TaskResult) -> None:
        self._print(f"::group::{_data(f'{result.status} {job.package}{_detail(result)}')}")
        self._output(tail(self.root, result, lines=100_000))
        self._print("::endgroup::")
        if result.status == "failed":
            title = _property(f"{self.task} failed in {job.package}")
            self._print(f"::error title={title}::" + _data(
                f"exit code {result.exit_code}, see the group above or {result.log}"))


    def _output(self, text: str) -> None:
        """A task's output is not trusted: it must not be able to issue workflow commands,
        so every echo of it is fenced by a stop-commands token it cannot guess."""
        if text:
            token = secrets.token_hex(16)
            self._print(f"::stop-commands::{token}\n{text}\n::{token}::")


def _data(text: str) -> str:
    """A workflow command's message, escaped as GitHub Actions reads it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """A workflow command's property value, escaped as GitHub Actions reads it."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class LiveDisplay(Display):
    """A rich live view: running packages with elapsed time, and a progress bar."""

    def __init__(self, stream: TextIO, root: Path, task: str, *, verbosity: int = 0,
                 color: bool = True):
        super().__init__(stream, root, task, verbosity=verbosity)
        from rich.console import Console

        self.console = Console(file=stream, no_color=not color, highlight=False)
        self.running: dict[str, float] = {}
        self.results: list[TaskResult] = []
        self.live: Any = None

    def begin(self, jobs: Sequence[Job]) -> None:
        from rich.live import Live

        self.total = len(jobs)
        self.clock = time.monotonic()
        self.live = Live(get_renderable=self._render, console=self.console,
                         refresh_per_second=8, transient=True)
        self.live.start()

    def started(self, job: Job) -> None:
        self.running[job.package] = time.monotonic()

    def finished(self, job: Job, result: TaskResult) -> None:
        self.running.pop(job.package, None)
        self.results.append(result)
        if self.verbosity >= 0 and self.live is not None:
            style = STYLES[result.status]
            self.live.console.print(f"[{style}]{result.status:<9}[/]{job.package}"
                                    f"{_detail(result)}", markup=True)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def end(self, results: Sequence[TaskResult], audit: Audit | None = None,
            remote: RemoteStats | None = None) -> None:
        self.close()
        self.console.print(self._table(results))
        self._closing(results, audit, remote)

    def _render(self) -> Any:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        now = time.monotonic()
        grid = Table.grid(padding=(0, 2))
        for name, start in sorted(self.running.items()):
            grid.add_row(f"[bold]{name}[/]", f"{now - start:5.1f}s")
        bar = Table.grid(padding=(0, 1))
        done = len(self.results)
        bar.add_row(ProgressBar(total=max(self.total, 1), completed=done, width=40),
                    f"{done}/{self.total}", _counts_text(self.results),
                    f"{now - self.clock:.1f}s")
        return Group(grid, bar)

    def _table(self, results: Sequence[TaskResult]) -> Any:
        from rich.table import Table

        table = Table(title=f"{self.task}", title_justify="left")
        for column in ("package", "result", "duration", "cached"):
            table.add_column(column, justify="right" if column == "duration" else "left")
        for r in sorted(results, key=lambda r: r.package):
            table.add_row(r.package, f"[{STYLES[r.status]}]{r.status}[/]", _seconds(r),
                          r.cache or "")
        return table


def make_display(stream: TextIO, root: Path, task: str, *, terminal: bool, github: bool,
                 verbosity: int, color: bool) -> Display:
    """The right display for where the output goes."""
    if github:
        return GitHubDisplay(stream, root, task, verbosity=verbosity)
    if terminal:
        return LiveDisplay(stream, root, task, verbosity=verbosity, color=color)
    return Display(stream, root, task, verbosity=verbosity)


def summary_text(results: Sequence[TaskResult]) -> str:
    """The summary table as aligned plain text."""
    rows = [("package", "result", "duration", "cached")]
    rows += [(r.package, r.status, _seconds(r), r.cache or "")
             for r in sorted(results, key=lambda r: r.package)]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(widths[i]) if i != 2 else cell.rjust(widths[i])
                       for i, cell in enumerate(row)).rstrip() for row in rows]
    return "\n" + "\n".join(lines)


def unstored_text(results: Sequence[TaskResult]) -> str:
    """Results that passed but were kept out of the cache, and why (known only once the
    working tree was looked at again, after their line was shown)."""
    lines = [f"{r.package}: {r.reason}" for r in results if r.reason == MOVED]
    return "\n" + "\n".join(lines) if lines else ""


def totals(results: Sequence[TaskResult], elapsed: float) -> str:
    return f"\n{_counts_text(results) or 'nothing to run'} in {elapsed:.1f}s"


def audit_text(audit: Audit) -> str:
    """What --audit found: failures the affected selection for BASE would have skipped."""
    if not audit.failed:
        return f"\naudit: no failures, nothing for the selection against {audit.base} to miss"
    if audit.safe:
        return (f"\naudit: every failure is in the affected selection against {audit.base} "
                f"({len(audit.affected)} packages): the selection was safe")
    return (f"\naudit: the affected selection against {audit.base} would have skipped "
            f"these failures: {', '.join(audit.missed)}")


def remote_text(stats: RemoteStats) -> str:
    """One line on what the remote cache did."""
    mode = ", read-only" if stats.read_only else ""
    return (f"\nremote cache {stats.where}{mode}: {_plural(stats.hits, 'hit')}, "
            f"{_plural(stats.misses, 'miss')}, {_plural(stats.errors, 'error')}, "
            f"{_plural(stats.uploads, 'upload')}")


def _plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word}"
    return f"{count} {word}es" if word.endswith("s") else f"{count} {word}s"


def _counts_text(results: Sequence[TaskResult]) -> str:
    return ", ".join(f"{n} {status}" for status, n in counts(results).items() if n)


def _seconds(result: TaskResult) -> str:
    if result.status == "skipped":
        return ""
    if result.status == "cached" and result.measured is not None:
        return f"({result.measured:.2f}s)"
    return f"{result.duration:.2f}s"


def _detail(result: TaskResult) -> str:
    if result.status == "skipped":
        return f" ({result.reason})"
    if result.status == "cached":
        return " (remote)" if result.cache == "remote" else ""
    if result.reason is not None:
        return f" {result.duration:.2f}s ({result.reason})"
    return f" {result.duration:.2f}s"


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" for line in text.splitlines())
