"""TOML parsers against the standard library's, on the same files: speed, values, order.

    python benchmarks/bench_toml.py REPO [--parsers tomllib tomli rtoml ...] [--rounds 5]
        [--corpus DIR]

Times `loads` over every `pyproject.toml` under REPO (read once, parsed `--rounds` times,
median), and checks each parser's values and key order against `tomllib`. With
`--corpus DIR` (toml-test's `tests/` folder), it also counts, over the TOML 1.0 cases that
are UTF-8, the documents a parser accepts that `tomllib` rejects and the values it reads
differently. Parsers that are not installed are skipped with a note.
"""

from __future__ import annotations

import argparse
import importlib
import math
import statistics
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

Loads = Callable[[str], Any]


def comparable(value: Any) -> Any:
    """A value compared as TOML means it: NaN equal to NaN, key order kept."""
    if isinstance(value, float) and math.isnan(value):
        return "nan"
    if isinstance(value, dict):
        return [(k, comparable(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return (type(value).__name__, value)


def speed(loads: Loads, texts: list[str], rounds: int) -> float:
    """Seconds per file, median of `rounds` passes after an untimed one."""
    for text in texts:
        loads(text)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            loads(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times) / len(texts)


def agrees(loads: Loads, texts: list[str]) -> bool:
    return all(comparable(loads(t)) == comparable(tomllib.loads(t)) for t in texts)


def conformance(loads: Loads, corpus: Path) -> tuple[int, int]:
    """(invalid documents accepted, valid documents read differently) over TOML 1.0."""
    accepted = different = 0
    for name in (corpus / "files-toml-1.0.0").read_text().split():
        if not name.endswith(".toml"):
            continue
        try:
            text = (corpus / name).read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        try:
            expected: Any = comparable(tomllib.loads(text))
        except tomllib.TOMLDecodeError:
            expected = None
        try:
            found: Any = comparable(loads(text))
        except Exception:  # noqa: S112 - any rejection is one: nothing to count
            continue
        accepted += expected is None
        different += expected is not None and found != expected
    return accepted, different


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--parsers", nargs="+", default=["tomllib", "tomli", "rtoml",
                                                         "pytomlpp"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", type=Path)
    args = parser.parse_args(argv)
    texts = [p.read_text("utf-8") for p in sorted(args.repo.rglob("pyproject.toml"))]
    print(f"{len(texts)} files")
    base = speed(tomllib.loads, texts, args.rounds)
    for name in args.parsers:
        try:
            module = importlib.import_module(name)
        except ImportError:
            print(f"{name}: not installed")
            continue
        loads: Loads = module.loads
        per_file = speed(loads, texts, args.rounds)
        line = (f"{name} {getattr(module, '__version__', '')}: {per_file * 1e6:.1f} us/file, "
                f"{base / per_file:.2f}x tomllib, same values and order: {agrees(loads, texts)}")
        if args.corpus is not None:
            accepted, different = conformance(loads, args.corpus)
            line += f", TOML 1.0 invalid accepted: {accepted}, read differently: {different}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
