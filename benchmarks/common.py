"""Shared benchmark machinery: generated repositories, alternating timed runs, medians.

Every contender is a subprocess started from the same interpreter, and contenders take
turns round by round (in a rotating order), so that drift in the machine's load falls
on all of them alike. Times are wall-clock seconds of the whole process.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
GENERATOR = HERE / "genrepo.py"
BASELINE = HERE / "baseline.py"


class BenchError(Exception):
    """A contender failed or a repository could not be generated."""


@dataclass(frozen=True)
class Contender:
    """A command to time; `prepare` runs before each timed run, outside the timing."""

    name: str
    argv: tuple[str, ...]
    prepare: Callable[[], None] | None = None


def common_parser(description: str) -> argparse.ArgumentParser:
    """Options every benchmark script takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--packages", type=int, nargs="+", default=[1000, 5000], metavar="N",
                        help="repository sizes to measure (default: 1000 5000)")
    parser.add_argument("--rounds", type=int, default=7, help="timed runs of each contender")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--commits", type=int, default=100,
                        help="commits of edits after the initial import")
    parser.add_argument("--workdir", type=Path,
                        default=Path(tempfile.gettempdir()) / "orchestrator-bench",
                        help="where generated repositories are kept and reused")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter every contender runs with (default: this one)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write results as JSON")
    return parser


def ensure_repo(workdir: Path, packages: int, seed: int, commits: int, python: str,
                generator: Path = GENERATOR) -> Path:
    """A generated repository, reused when the same generator already made it."""
    stamp = hashlib.sha256(generator.read_bytes()).hexdigest()[:16]
    tag = "" if generator == GENERATOR else f"-{stamp[:8]}"
    repo = workdir / f"repo-{packages}-s{seed}-c{commits}{tag}"
    marker = workdir / f"{repo.name}.done"
    if marker.is_file() and marker.read_text() == stamp and (repo / ".git").is_dir():
        return repo
    marker.unlink(missing_ok=True)
    run_checked([python, str(generator), str(repo), "--packages", str(packages),
                 "--seed", str(seed), "--commits", str(commits)])
    marker.write_text(stamp)
    return repo


# Contenders run as installed programs do: with their compiled bytecode kept and reused.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_checked(argv: Sequence[str], cwd: Path = PROJECT) -> bytes:
    """Run a command; a non-zero exit is a BenchError quoting its last line of stderr."""
    proc = subprocess.run(list(argv), cwd=cwd, capture_output=True, check=False,
                          env=ENVIRONMENT)
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"]
        raise BenchError(f"{' '.join(argv[:4])} ... exited {proc.returncode}: {lines[-1]}")
    return proc.stdout


def time_once(contender: Contender) -> float:
    if contender.prepare is not None:
        contender.prepare()
    start = time.perf_counter()
    run_checked(contender.argv)
    return time.perf_counter() - start


def alternate(contenders: Sequence[Contender], rounds: int) -> dict[str, list[float]]:
    """One untimed warm-up each, then `rounds` timed runs each, taking turns."""
    for contender in contenders:
        time_once(contender)
    times: dict[str, list[float]] = {c.name: [] for c in contenders}
    for round_number in range(rounds):
        shift = round_number % len(contenders)
        for contender in [*contenders[shift:], *contenders[:shift]]:
            times[contender.name].append(time_once(contender))
    return times


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator > 0 else float("inf")


def remove_state(repo: Path) -> Callable[[], None]:
    """A `prepare` step that deletes the tool's state directory (its parse cache)."""
    return lambda: shutil.rmtree(repo / ".orchestrator", ignore_errors=True)


def tool_argv(python: str, repo: Path, *args: str) -> tuple[str, ...]:
    return (python, "-m", "orchestrator", "-C", str(repo), *args)


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain left-aligned text table."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = [headers, ["-" * w for w in widths], *rows]
    cells = (zip(line, widths, strict=True) for line in lines)
    return "\n".join("  ".join(str(c).ljust(w) for c, w in line).rstrip() for line in cells)


def seconds(value: float) -> str:
    return f"{value:.3f}"


def times_ratio(value: float) -> str:
    return f"{value:.2f}x"


def write_json(path: Path | None, results: object) -> None:
    if path is not None:
        path.write_text(json.dumps(results, indent=2) + "\n")


def fail(error: BenchError) -> int:
    print(f"benchmark failed: {error}", file=sys.stderr)
    return 2
