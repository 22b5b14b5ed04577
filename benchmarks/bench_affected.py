"""`orchestrator affected --format json` against the project's baseline and floor.py.

    python benchmarks/bench_affected.py --packages 1000 5000 --range 50 [--floor PATH]

Each size runs `affected --base HEAD~R --head HEAD` cold (the tool's `.orchestrator/`
deleted before each run) and warm (kept), alternating with benchmarks/baseline.py
(tomllib loop, `git diff --name-only`, reverse search; no cache) and, when the reference
floor script is there, floor.py without and with its own cache (cold and warm).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    BASELINE,
    PROJECT,
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

DEFAULT_FLOOR = PROJECT.parent / "shared" / "bench" / "floor.py"


def contenders(python: str, repo: Path, span: int, floor: Path | None,
               workdir: Path) -> list[Contender]:
    refs = ("--base", f"HEAD~{span}", "--head", "HEAD")
    tool = tool_argv(python, repo, "affected", "--format", "json", *refs)
    chosen = [
        Contender("tool-cold", tool, remove_state(repo)),
        Contender("tool-warm", tool),
        Contender("baseline", (python, str(BASELINE), "affected", str(repo), *refs)),
    ]
    if floor is not None:
        floor_cache = workdir / f"{repo.name}.floor-cache"
        chosen += [
            Contender("floor-cold", (python, str(floor), str(repo), *refs)),
            Contender("floor-warm", (python, str(floor), str(repo), *refs,
                                     "--cache", str(floor_cache))),
        ]
    return chosen


def rows(packages: int, medians: dict[str, float]) -> list[list[str]]:
    """Per cache mode: the tool, the baseline, and floor.py without and with its cache."""
    table = []
    for mode in ("cold", "warm"):
        tool = medians[f"tool-{mode}"]
        row = [str(packages), mode, seconds(tool), seconds(medians["baseline"]),
               times_ratio(ratio(tool, medians["baseline"]))]
        for floor in ("floor-cold", "floor-warm"):
            found = medians.get(floor)
            row += ["-", "-"] if found is None else [seconds(found),
                                                     times_ratio(ratio(tool, found))]
        table.append(row)
    return table


def floor_script(option: Path | None) -> Path | None:
    """The floor script to compare with, or None (with a message) when there is none."""
    path = option or DEFAULT_FLOOR
    if path.is_file():
        return path
    print(f"floor script {path} not found: comparing with the baseline only", file=sys.stderr)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = common_parser(__doc__.split("\n\n")[0])
    parser.add_argument("--range", dest="span", type=int, default=50, metavar="R",
                        help="measure HEAD~R...HEAD (default: 50)")
    parser.add_argument("--floor", type=Path, help=f"floor.py to compare with ({DEFAULT_FLOOR})")
    args = parser.parse_args(argv)
    if args.span > args.commits:
        parser.error("--range must not exceed --commits")
    args.workdir.mkdir(parents=True, exist_ok=True)
    floor = floor_script(args.floor)
    results: dict[str, Any] = {}
    table: list[list[str]] = []
    try:
        for packages in args.packages:
            repo = ensure_repo(args.workdir, packages, args.seed, args.commits, args.python)
            times = alternate(contenders(args.python, repo, args.span, floor, args.workdir),
                              args.rounds)
            medians = {name: median(values) for name, values in times.items()}
            results[str(packages)] = {"medians": medians, "times": times}
            table += rows(packages, medians)
    except BenchError as e:
        return fail(e)
    print(f"affected --format json over HEAD~{args.span}...HEAD, "
          f"median of {args.rounds} alternating runs (seconds)")
    print(render_table(["packages", "cache", "tool", "baseline", "tool/baseline", "floor",
                        "tool/floor", "floor+cache", "tool/floor+cache"], table))
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
