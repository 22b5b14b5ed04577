"""Task runner benchmark: parallel speed-up and the runner's own overhead per task.

Generates a synthetic repository of N packages (plain files + git, a chain-free graph so
every task can start at once), then measures in one run:

- a task that sleeps 0.2 s, with `-j 1` and `-j 4` (the speed-up should be at least 3x);
- a trivial task (`true`) through `orchestrator run` against launching the same commands
  directly one after another (the difference per task is the runner's overhead);
- the trivial task answered entirely from the cache.

    .venv/bin/python benchmarks/bench_runner.py [--packages 200] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT_PYPROJECT = """\
[tool.orchestrator]
members = ["packages/*"]

[tool.orchestrator.tasks]
nap = "sleep 0.2"
noop = "true"
"""


def generate(root: Path, count: int) -> list[Path]:
    """N small packages; every fifth depends on the previous one (edges, but no order)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(ROOT_PYPROJECT)
    directories = []
    for i in range(count):
        name = f"pkg-{i:04d}"
        directory = root / "packages" / name
        (directory / "src" / name.replace("-", "_")).mkdir(parents=True)
        deps = f'["pkg-{i - 1:04d}"]' if i % 5 and i else "[]"
        (directory / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\nversion = "1.0.0"\ndependencies = {deps}\n')
        (directory / "src" / name.replace("-", "_") / "__init__.py").write_text(f"N = {i}\n")
        directories.append(directory)
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "init"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return directories


def orchestrator(root: Path, *args: str) -> float:
    """Wall time of one `orchestrator` run, started as a user would (a new interpreter)."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "orchestrator", "-C", str(root), "-q", *args],
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"orchestrator {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}")
    return elapsed


def direct(directories: list[Path], argv: list[str]) -> float:
    """The same commands launched one after another, with no runner at all."""
    start = time.perf_counter()
    for directory in directories:
        subprocess.run(argv, cwd=directory, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="generate into DIR and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "repo"
        directories = generate(root, args.packages)
        n = len(directories)
        orchestrator(root, "list")  # warm the parse cache like any second command would
        serial = orchestrator(root, "run", "nap", "--all", "--no-cache", "-j", "1")
        parallel = orchestrator(root, "run", "nap", "--all", "--no-cache", "-j", "4")
        print(f"{n} packages, task sleeps 0.2 s")
        print(f"  -j 1: {serial:6.2f} s")
        print(f"  -j 4: {parallel:6.2f} s   speed-up {serial / parallel:.2f}x (want >= 3x)")
        bare = direct(directories, ["true"])
        runner = orchestrator(root, "run", "noop", "--all", "--no-cache", "-j", "1")
        overhead = (runner - bare) / n * 1000
        print(f"trivial task ('true'), -j 1, {n} packages")
        print(f"  launched directly:   {bare:6.2f} s")
        print(f"  orchestrator run:    {runner:6.2f} s   overhead {overhead:.1f} ms/task "
              f"(want <= 30 ms)")
        orchestrator(root, "run", "noop", "--all", "-j", "4")
        cached = orchestrator(root, "run", "noop", "--all", "-j", "4")
        print(f"  all cached (-j 4):   {cached:6.2f} s   ({cached / n * 1000:.1f} ms/task)")
        ok = serial / parallel >= 3 and overhead <= 30
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
