"""Remote cache benchmark: what a remote hit costs against a local hit, per package.

Generates N packages with a trivial task, starts `turborepo-remote-cache` (npm) on
127.0.0.1 with local storage, fills it once, then times in alternating rounds:

- local hit: every package answered from the local cache (no remote cache configured);
- local hit, remote configured: the same, with `--remote-cache` (nothing to ask it);
- remote hit: the local cache deleted before each run, so every package is downloaded,
  verified, unpacked and written locally.

    .venv/bin/python benchmarks/bench_remote.py [--packages 200] [--rounds 5]

The server comes from `.orchestrator/remote-cache-server` (what .ci/run installs), or
`--server PATH`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_runner import generate
from common import (
    PROJECT,
    BenchError,
    Contender,
    alternate,
    fail,
    median,
    render_table,
    tool_argv,
)

SERVER = PROJECT / ".orchestrator/remote-cache-server/node_modules/.bin/turborepo-remote-cache"
TOKEN = "bench-token"  # noqa: S105 - the throwaway local server's token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(binary: Path, storage: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "TURBO_TOKEN": TOKEN,
           "STORAGE_PROVIDER": "local", "STORAGE_PATH": str(storage),
           "STORAGE_PATH_USE_TMP_FOLDER": "false", "LOG_LEVEL": "warn"}
    proc = subprocess.Popen([str(binary)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            status = f"{url}/v8/artifacts/status"  # http://127.0.0.1, built above
            urllib.request.urlopen(status, timeout=1).close()  # noqa: S310
            return proc, url
        except urllib.error.HTTPError:
            return proc, url
        except OSError:
            time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    raise BenchError("turborepo-remote-cache did not start")


def measure(root: Path, url: str, python: str, rounds: int) -> dict[str, float]:
    cache = root / ".orchestrator" / "cache"
    run = ("run", "noop", "--all", "-j", "4")
    quiet = ("-q",)  # a global option: before the command
    contenders = [
        Contender("local hit", tool_argv(python, root, *quiet, *run)),
        Contender("local hit, remote configured",
                  tool_argv(python, root, *quiet, *run, "--remote-cache", url)),
        Contender("remote hit", tool_argv(python, root, *quiet, *run, "--remote-cache", url),
                  prepare=lambda: shutil.rmtree(cache, ignore_errors=True)),
    ]
    return {name: median(times) for name, times in alternate(contenders, rounds).items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--server", type=Path, default=SERVER)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    if not args.server.exists():
        return fail(BenchError(f"no server at {args.server} (see .ci/run)"))
    os.environ.update(ORCHESTRATOR_REMOTE_CACHE_TOKEN=TOKEN,
                      ORCHESTRATOR_REMOTE_CACHE_TEAM="team_bench")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        generate(root, args.packages)
        proc, url = start_server(args.server, Path(tmp) / "storage")
        try:
            fill = subprocess.run(tool_argv(args.python, root, "run", "noop", "--all",
                                            "--remote-cache", url), capture_output=True,
                                  check=False)
            if fill.returncode != 0:
                return fail(BenchError(fill.stderr.decode(errors="replace")))
            times = measure(root, url, args.python, args.rounds)
        except BenchError as e:
            return fail(e)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    report(times, args.packages, args.rounds)
    return 0


def report(times: dict[str, float], packages: int, rounds: int) -> None:
    local = times["local hit"]
    rows = [[name, f"{value:.3f}", f"{value / packages * 1000:.2f}",
             f"{value / local:.2f}x"] for name, value in times.items()]
    print(f"{packages} packages, trivial task, -j 4, median of {rounds} rounds")
    print(render_table(["run", "seconds", "ms/package", "vs local hit"], rows))
    extra = (times["remote hit"] - local) / packages * 1000
    print(f"a remote hit costs {extra:.2f} ms more than a local hit, per package")


if __name__ == "__main__":
    sys.exit(main())
