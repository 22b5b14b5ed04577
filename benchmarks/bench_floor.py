"""The tool against floor.py, the least work that answers `affected`, and its own fixed costs.

    python benchmarks/bench_floor.py --floor PATH [--generator PATH] [--packages 3000 10000]
        [--range 50] [--ranges 72] [--run-packages 1000] [--check-packages 3000] [--rounds 9]

Four measurements, each a set of contenders timed in alternating rounds (medians):

- affected: `affected --format json --base HEAD~R --head HEAD`, cold (the state directory
  deleted before each run) and warm, against floor.py without and with its cache; then the
  names the tool answers on --ranges ranges of R commits are checked against floor.py's.
- run: `run test -p ONE --format json` with every result cached (a trivial test command,
  filled once), against warm `affected` on the same repository, with --head HEAD and with
  the working tree (which `run` reads).
- check: `check` run again (its caches warm), against floor.py without its cache.
- startup: `--help` and `--version` against `python -c pass`.

Settings are given with --config (`global-files = []`, as the floor has no global files),
so the generated repositories are not changed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    GENERATOR,
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
    run_checked,
    seconds,
    times_ratio,
    tool_argv,
    write_json,
)

# Where the reference scripts are kept beside a checkout (the nearest `shared/bench` above).
SHARED = next((p / "shared" / "bench" for p in PROJECT.parents
               if (p / "shared" / "bench").is_dir()), PROJECT.parent / "shared" / "bench")
SETTINGS = "global-files = []\n"
RUN_SETTINGS = SETTINGS + '\n[tasks.test]\ncommand = ["true"]\n'


def affected_contenders(python: str, repo: Path, config: Path, span: int,
                        floor: Path, cache: Path) -> list[Contender]:
    refs = ("--base", f"HEAD~{span}", "--head", "HEAD")
    tool = tool_argv(python, repo, "--config", str(config), "affected", "--format", "json",
                     *refs)
    return [
        Contender("tool-cold", tool, remove_state(repo)),
        Contender("tool-warm", tool),
        Contender("tool-new-head", tool, forget_head(repo)),
        Contender("floor", (python, str(floor), str(repo), *refs)),
        Contender("floor-cache", (python, str(floor), str(repo), *refs, "--cache", str(cache))),
    ]


def forget_head(repo: Path) -> Callable[[], None]:
    """A `prepare` step: HEAD's stored workspace removed, the others kept, as after a new
    commit (the run derives HEAD's from the one stored last, through `git diff-tree`)."""
    tree = run_checked(("git", "-C", str(repo), "rev-parse", "HEAD^{tree}")).decode().strip()
    stored = repo / ".orchestrator" / "cache" / "workspaces"

    def remove() -> None:
        for path in stored.glob(f"{tree}*"):
            path.unlink()
    return remove


def same_answers(python: str, repo: Path, config: Path, span: int, ranges: int,
                 floor: Path) -> int:
    """How many of `ranges` ranges the tool and floor.py answer alike (names compared)."""
    alike = 0
    for start in range(ranges):
        refs = ("--base", f"HEAD~{start + span}", "--head", f"HEAD~{start}")
        ours = run_checked(tool_argv(python, repo, "-q", "--config", str(config), "affected",
                                     "--format", "names", *refs)).decode().split()
        theirs = run_checked((python, str(floor), str(repo), *refs, "--list")).decode()
        alike += ours == theirs.splitlines()[1:]
    return alike


def run_contenders(python: str, repo: Path, config: Path, span: int) -> list[Contender]:
    one = sorted(p.name for p in (repo / "packages").iterdir())[0]
    common = ("-q", "--config", str(config))
    refs = ("--base", f"HEAD~{span}")
    return [
        Contender("run-one", tool_argv(python, repo, *common, "run", "test", "-p", one,
                                       "--format", "json")),
        Contender("affected-head", tool_argv(python, repo, *common, "affected", "--format",
                                             "json", *refs, "--head", "HEAD")),
        Contender("affected-worktree", tool_argv(python, repo, *common, "affected",
                                                 "--format", "json", *refs)),
    ]


def fill_task_cache(python: str, repo: Path, config: Path) -> None:
    """Run the trivial test task everywhere once, so that every result is cached."""
    marker = repo.parent / f"{repo.name}.tasks-filled"
    if marker.is_file():
        return
    run_checked(tool_argv(python, repo, "-q", "--config", str(config), "run", "test", "--all",
                          "-j", "2"))
    marker.write_text("filled\n")


def check_contenders(python: str, repo: Path, config: Path, floor: Path,
                     span: int) -> list[Contender]:
    return [
        Contender("check", tool_argv(python, repo, "--config", str(config), "check")),
        Contender("floor", (python, str(floor), str(repo), "--base", f"HEAD~{span}",
                            "--head", "HEAD")),
    ]


def startup_contenders(python: str) -> list[Contender]:
    return [
        Contender("python -c pass", (python, "-c", "pass")),
        Contender("--help", (python, "-m", "orchestrator", "--help")),
        Contender("--version", (python, "-m", "orchestrator", "--version")),
    ]


def measure(contenders: list[Contender], rounds: int) -> dict[str, Any]:
    times = alternate(contenders, rounds)
    return {"medians": {n: median(v) for n, v in times.items()}, "times": times}


def main(argv: list[str] | None = None) -> int:
    parser = common_parser(__doc__.split("\n\n")[0])
    parser.set_defaults(packages=[3000, 10000], rounds=9, commits=150)
    parser.add_argument("--floor", type=Path, default=SHARED / "floor.py")
    parser.add_argument("--generator", type=Path,
                        default=SHARED / "genrepo.py" if (SHARED / "genrepo.py").is_file()
                        else GENERATOR)
    parser.add_argument("--range", dest="span", type=int, default=50, metavar="R")
    parser.add_argument("--ranges", type=int, default=72, help="ranges whose answers are checked")
    parser.add_argument("--run-packages", type=int, default=1000)
    parser.add_argument("--check-packages", type=int, default=3000)
    parser.add_argument("--only", nargs="+", default=["affected", "run", "check", "startup"],
                        choices=["affected", "run", "check", "startup"])
    args = parser.parse_args(argv)
    if not args.floor.is_file():
        parser.error(f"floor script {args.floor} not found: pass --floor PATH")
    if args.span + args.ranges > args.commits:
        parser.error("--range plus --ranges must not exceed --commits")
    args.workdir.mkdir(parents=True, exist_ok=True)
    config = args.workdir / "settings.toml"
    config.write_text(SETTINGS)
    run_config = args.workdir / "settings-run.toml"
    run_config.write_text(RUN_SETTINGS)
    try:
        results = sections(args, config, run_config)
    except BenchError as e:
        return fail(e)
    write_json(args.json, results)
    return 0


def repo_of(args: Any, packages: int) -> Path:
    return ensure_repo(args.workdir, packages, args.seed, args.commits, args.python,
                       args.generator)


def sections(args: Any, config: Path, run_config: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    py, span = args.python, args.span
    if "startup" in args.only:
        results["startup"] = found = measure(startup_contenders(py), args.rounds)
        m = found["medians"]
        print(f"start-up, median of {args.rounds} alternating runs (seconds)")
        print(render_table(["command", "seconds", "/ python -c pass"], [
            [n, seconds(v), times_ratio(ratio(v, m["python -c pass"]))] for n, v in m.items()]))
    if "affected" in args.only:
        rows = []
        for packages in args.packages:
            repo = repo_of(args, packages)
            cache = args.workdir / f"{repo.name}.floor-cache"
            found = measure(affected_contenders(py, repo, config, span, args.floor, cache),
                            args.rounds)
            found["alike"] = same_answers(py, repo, config, span, args.ranges, args.floor)
            results[f"affected-{packages}"] = found
            m = found["medians"]
            rows.append([str(packages), seconds(m["tool-cold"]), seconds(m["floor"]),
                         times_ratio(ratio(m["tool-cold"], m["floor"])),
                         seconds(m["tool-warm"]), seconds(m["floor-cache"]),
                         times_ratio(ratio(m["tool-warm"], m["floor-cache"])),
                         seconds(m["tool-new-head"]),
                         times_ratio(ratio(m["tool-new-head"], m["floor-cache"])),
                         f"{found['alike']}/{args.ranges}"])
        print(f"affected --format json over HEAD~{span}...HEAD, median of {args.rounds} "
              "alternating runs (seconds)")
        print(render_table(["packages", "cold", "floor", "cold/floor", "warm", "floor+cache",
                            "warm/floor+cache", "new head", "new head/floor+cache",
                            "same answers"], rows))
    if "run" in args.only:
        repo = repo_of(args, args.run_packages)
        fill_task_cache(py, repo, run_config)
        results["run"] = found = measure(run_contenders(py, repo, run_config, span),
                                         args.rounds)
        m = found["medians"]
        print(f"run test -p ONE --format json, every result cached, {args.run_packages} "
              "packages (seconds)")
        print(render_table(["command", "seconds", "run / this"], [
            [n, seconds(v), times_ratio(ratio(m["run-one"], v))] for n, v in m.items()]))
    if "check" in args.only:
        repo = repo_of(args, args.check_packages)
        run_checked(tool_argv(py, repo, "--config", str(config), "check"))  # fills its caches
        results["check"] = found = measure(
            check_contenders(py, repo, config, args.floor, span), args.rounds)
        m = found["medians"]
        print(f"check run again, {args.check_packages} packages (seconds)")
        print(render_table(["check", "floor", "check/floor"], [
            [seconds(m["check"]), seconds(m["floor"]), times_ratio(ratio(m["check"],
                                                                          m["floor"]))]]))
    return results


if __name__ == "__main__":
    sys.exit(main())
