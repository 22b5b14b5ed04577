"""What drawing adds to `orchestrator graph`: `--format svg` and `html` against `json`.

    python benchmarks/bench_graph.py --packages 500 2000 5000 [--rounds 5]

All three read the same workspace (warm parse cache) and build the same selection; svg
also lays it out and writes the markup, html writes the data its page lays out. The budget
is that drawing adds at most max(1 s, the time of json) to json, measured in the same run;
the table says whether each size keeps it. A second table times the layout alone, in a
process of its own (median of `--rounds`), per 1,000 edges: it should stay about level as
the repository grows, the layout's cost being about linear in the edges.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    BenchError,
    Contender,
    alternate,
    common_parser,
    ensure_repo,
    fail,
    median,
    ratio,
    render_table,
    run_checked,
    seconds,
    times_ratio,
    tool_argv,
    write_json,
)

FORMATS = ("json", "svg", "html")
LAYOUT_TIMER = """
import statistics, sys, time
from pathlib import Path
from orchestrator.context import Project
from orchestrator.render.graphview import select
from orchestrator.render.svg import layout_of
view = select(Project(Path(sys.argv[1])).graph)
runs = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    layout_of(view)
    runs.append(time.perf_counter() - start)
print(statistics.median(runs))
"""


def contenders(python: str, repo: Path, out: Path) -> list[Contender]:
    return [Contender(fmt, tool_argv(python, repo, "graph", "--format", fmt, "-o",
                                     str(out / f"graph.{fmt}")))
            for fmt in FORMATS]


def measure(python: str, repo: Path, rounds: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        times = alternate(contenders(python, repo, out), rounds)
        sizes = {fmt: (out / f"graph.{fmt}").stat().st_size for fmt in FORMATS}
        edges = len(json.loads((out / "graph.json").read_text())["edges"])
    return {"medians": {name: median(v) for name, v in times.items()}, "times": times,
            "bytes": sizes, "edges": edges}


def layout_seconds(python: str, repo: Path, rounds: int) -> float:
    """The layout alone (what `--format svg` adds to reading the workspace)."""
    return float(run_checked([python, "-c", LAYOUT_TIMER, str(repo), str(rounds)]))


def rows(packages: int, result: dict[str, Any]) -> list[list[str]]:
    medians, base = result["medians"], result["medians"]["json"]
    budget = max(1.0, base)
    found = []
    for fmt in ("svg", "html"):
        added = medians[fmt] - base
        found.append([
            f"{packages:,}", f"{result['edges']:,}", fmt, seconds(base), seconds(medians[fmt]),
            seconds(added), times_ratio(ratio(medians[fmt], base)), seconds(budget),
            "yes" if added <= budget else "NO", f"{result['bytes'][fmt] / 1e6:.2f}"])
    return found


def layout_row(packages: int, result: dict[str, Any]) -> list[str]:
    per_edge = result["layout"] / result["edges"] * 1000
    return [f"{packages:,}", f"{result['edges']:,}", seconds(result["layout"]),
            f"{per_edge * 1000:.1f}"]


HEADERS = ["packages", "edges", "format", "json s", "format s", "added s", "format/json",
           "budget s", "within", "file MB"]


def main(argv: list[str] | None = None) -> int:
    parser = common_parser(__doc__.split("\n\n")[0])
    parser.set_defaults(packages=[500, 2000, 5000], rounds=5, commits=0)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    table: list[list[str]] = []
    layouts: list[list[str]] = []
    try:
        for packages in args.packages:
            repo = ensure_repo(args.workdir, packages, args.seed, args.commits, args.python)
            run_checked(tool_argv(args.python, repo, "list", "--format", "names"))  # warm cache
            result = measure(args.python, repo, args.rounds)
            result["layout"] = layout_seconds(args.python, repo, args.rounds)
            results[str(packages)] = result
            table += rows(packages, result)
            layouts.append(layout_row(packages, result))
    except BenchError as e:
        return fail(e)
    print(f"graph -o FILE, median of {args.rounds} alternating runs, warm parse cache")
    print(render_table(HEADERS, table))
    print(f"\nthe layout alone, median of {args.rounds} runs in one process")
    print(render_table(["packages", "edges", "layout s", "layout ms per 1k edges"], layouts))
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
