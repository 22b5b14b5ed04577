"""The benchmark scripts: the generator makes a valid repository, and each script runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.conftest import REPO_ROOT

BENCH = REPO_ROOT / "benchmarks"


def run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(BENCH / name), *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "repo"
    proc = run_script("genrepo.py", str(out), "--packages", "30", "--commits", "8")
    assert proc.returncode == 0, proc.stderr
    assert "packages=30" in proc.stdout
    return out


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout


def test_generated_repository_lists_every_package(
    generated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, generated, "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    packages = json.loads(result.stdout)["packages"]
    assert len(packages) == 30
    kinds = {p["kind"] for p in packages}
    assert kinds == {"library", "service"}
    assert all(p["path"].startswith("services/") == (p["kind"] == "service") for p in packages)
    assert sum(1 for p in packages if p["dependencies"]) == 29  # all but the first library
    assert result.stderr == ""


def test_generated_graph_is_acyclic_and_clean(
    generated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, generated, "check", "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_generated_history_and_clean_worktree(generated: Path) -> None:
    assert git(generated, "rev-list", "--count", "HEAD").strip() == "9"
    assert git(generated, "status", "--porcelain") == ""


def test_generator_is_deterministic(generated: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    proc = run_script("genrepo.py", str(again), "--packages", "30", "--commits", "8")
    assert proc.returncode == 0, proc.stderr
    assert git(again, "rev-parse", "HEAD") == git(generated, "rev-parse", "HEAD")


def test_baseline_agrees_with_affected(generated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    proc = run_script("baseline.py", "affected", str(generated), "--base", "HEAD~5",
                      "--head", "HEAD")
    assert proc.returncode == 0, proc.stderr
    result = run_cli(capsys, generated, "affected", "--format", "json", "--base", "HEAD~5",
                     "--head", "HEAD")
    assert result.exit_code == 0, result.stderr
    assert json.loads(proc.stdout)["affected"] == json.loads(result.stdout)["affected"]


@pytest.mark.parametrize("script", ["bench_list.py", "bench_affected.py"])
def test_bench_script_runs_tiny(script: str, tmp_path: Path) -> None:
    extra = ["--range", "3"] if script == "bench_affected.py" else []
    proc = run_script(script, "--packages", "12", "--rounds", "1", "--commits", "4",
                      "--workdir", str(tmp_path), "--json", str(tmp_path / "out.json"), *extra)
    assert proc.returncode == 0, proc.stderr
    assert "tool/baseline" in proc.stdout
    medians = json.loads((tmp_path / "out.json").read_text())["12"]["medians"]
    assert {"tool-cold", "tool-warm", "baseline"} <= set(medians)
    assert all(value > 0 for value in medians.values())


def test_bench_affected_without_floor_says_so(tmp_path: Path) -> None:
    proc = run_script("bench_affected.py", "--packages", "8", "--rounds", "1", "--commits", "3",
                      "--range", "2", "--workdir", str(tmp_path),
                      "--floor", str(tmp_path / "missing.py"))
    assert proc.returncode == 0, proc.stderr
    assert "not found: comparing with the baseline only" in proc.stderr
    assert "floor" in proc.stdout.splitlines()[1]


@pytest.mark.remote
@pytest.mark.skipif(not (REPO_ROOT / ".orchestrator/remote-cache-server").is_dir(),
                    reason="needs turborepo-remote-cache (.ci/run installs it)")
def test_bench_remote_runs_tiny() -> None:
    proc = run_script("bench_remote.py", "--packages", "6", "--rounds", "1")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "6 packages, trivial task, -j 4, median of 1 rounds"
    assert any(line.startswith("remote hit ") for line in lines)
    assert "more than a local hit, per package" in lines[-1]


@pytest.mark.parametrize(("shape", "count"), [("hub", 17), ("folders", 40), ("libs", 12)])
def test_generator_shapes(shape: str, count: int, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / shape
    proc = run_script("genrepo.py", str(out), "--packages", str(count), "--shape", shape,
                      "--commits", "0")
    assert proc.returncode == 0, proc.stderr
    result = run_cli(capsys, out, "list", "--format", "json")
    assert result.exit_code == 0, result.stderr
    packages = {p["name"]: p for p in json.loads(result.stdout)["packages"]}
    assert len(packages) == count
    paths = [p["path"] for p in packages.values()]
    if shape == "hub":
        core = packages["agent-framework-core"]
        assert {d["name"] for d in core["dependencies"] if d["kind"] == "optional"} == \
            set(packages) - {"agent-framework-core"}
        assert any(path.startswith("python/packages/lab/") for path in paths)
    if shape == "folders":
        assert len({path.split("/")[0] for path in paths}) == 13  # 12 areas and services/
    if shape == "libs":
        assert sorted(paths)[:2] == ["core", "libs/l0001/pkg"]
        assert all({"acme-core"} <= {d["name"] for d in p["dependencies"]}
                   for p in packages.values() if p["name"] != "acme-core")


def test_bench_graph_runs_tiny(tmp_path: Path) -> None:
    proc = run_script("bench_graph.py", "--packages", "12", "--rounds", "1",
                      "--workdir", str(tmp_path), "--json", str(tmp_path / "out.json"))
    assert proc.returncode == 0, proc.stderr
    assert "format/json" in proc.stdout and "layout ms per 1k edges" in proc.stdout
    result = json.loads((tmp_path / "out.json").read_text())["12"]
    assert set(result["medians"]) == {"json", "svg", "html"}
    assert result["layout"] > 0 and result["edges"] > 0


STAND_IN_FLOOR = """\
import subprocess, sys
repo, args = sys.argv[1], sys.argv[2:]
refs = [args[args.index("--base") + 1], args[args.index("--head") + 1]]
names = subprocess.run([sys.executable, "-m", "orchestrator", "-q", "-C", repo, "affected",
                        "--format", "names", "--base", refs[0], "--head", refs[1]],
                       capture_output=True, text=True, check=True).stdout.split()
print(f"affected={len(names)}")
if "--list" in args:
    print("\\n".join(names))
"""


def test_bench_floor_runs_tiny(tmp_path: Path) -> None:
    floor = tmp_path / "floor.py"
    floor.write_text(STAND_IN_FLOOR)  # floor.py's command line, answered by the tool
    proc = run_script("bench_floor.py", "--floor", str(floor), "--generator",
                      str(BENCH / "genrepo.py"), "--packages", "12", "--run-packages", "12",
                      "--check-packages", "12", "--range", "2", "--ranges", "2", "--commits",
                      "4", "--rounds", "1", "--workdir", str(tmp_path),
                      "--json", str(tmp_path / "out.json"))
    assert proc.returncode == 0, proc.stderr
    assert "2/2" in proc.stdout  # every range answered alike
    results = json.loads((tmp_path / "out.json").read_text())
    assert set(results) == {"startup", "affected-12", "run", "check"}
    assert {"tool-cold", "tool-warm", "tool-new-head", "floor", "floor-cache"} == set(
        results["affected-12"]["medians"])
    assert set(results["run"]["medians"]) == {"run-one", "affected-head", "affected-worktree"}


def test_bench_toml_compares_parsers(generated: Path) -> None:
    proc = run_script("bench_toml.py", str(generated), "--parsers", "tomllib", "tomli",
                      "no_such_parser", "--rounds", "1")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "31 files"
    assert any(line.startswith("tomli ") and "same values and order: True" in line
               for line in lines)
    assert "no_such_parser: not installed" in lines
