"""`orchestrator list --format json` against a plain tomllib loop, cold and warm.

    python benchmarks/bench_list.py --packages 1000 5000 [--rounds 7]

Cold runs delete the repository's `.orchestrator/` (the parse cache) before each run;
warm runs keep it. The baseline (benchmarks/baseline.py list) has no cache, so the same
runs of it serve both ratios.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    BASELINE,
    BenchError,
    Contender,
    alternate,
    common_parser,
    ensure_repo,
    fail,
    median,
    ratio,
    remove_state,
    render_table,
    seconds,
    times_ratio,
    tool_argv,
    write_json,
)


def contenders(python: str, repo: Path) -> list[Contender]:
    tool = tool_argv(python, repo, "list", "--format", "json")
    return [
        Contender("tool-cold", tool, remove_state(repo)),
        Contender("tool-warm", tool),
        Contender("baseline", (python, str(BASELINE), "list", str(repo))),
    ]


def measure(python: str, repo: Path, rounds: int) -> dict[str, Any]:
    times = alternate(contenders(python, repo), rounds)
    medians = {name: median(values) for name, values in times.items()}
    return {"medians": medians, "times": times}


def rows(packages: int, medians: dict[str, float]) -> list[list[str]]:
    base = medians["baseline"]
    return [
        [str(packages), mode, seconds(medians[f"tool-{mode}"]), seconds(base),
         times_ratio(ratio(medians[f"tool-{mode}"], base))]
        for mode in ("cold", "warm")
    ]


def main(argv: list[str] | None = None) -> int:
    args = common_parser(__doc__.split("\n\n")[0]).parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    table: list[list[str]] = []
    try:
        for packages in args.packages:
            repo = ensure_repo(args.workdir, packages, args.seed, args.commits, args.python)
            results[str(packages)] = measure(args.python, repo, args.rounds)
            table += rows(packages, results[str(packages)]["medians"])
    except BenchError as e:
        return fail(e)
    print(f"list --format json, median of {args.rounds} alternating runs (seconds)")
    print(render_table(["packages", "cache", "tool", "baseline", "tool/baseline"], table))
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
