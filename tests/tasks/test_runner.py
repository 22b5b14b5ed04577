from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from orchestrator.context import Project
from orchestrator.errors import CycleError
from orchestrator.tasks.plan import RunRequest, plan_run
from orchestrator.tasks.runner import TaskResult, execute
from orchestrator.tasks.selection import SelectionRequest
from tests.gitutil import GitRepo

# Appends "start NAME" / "end NAME" to an events file: order is read from the file, not clocks.
RECORD = """\
import os, sys, time
name, events = sys.argv[1], sys.argv[2]
def note(word):
    with open(events, "a") as f:
        f.write(f"{word} {name}\\n")
note("start")
time.sleep(float(os.environ.get("SLEEP_" + name.replace("-", "_"), "0")))
note("end")
sys.exit(1 if name in os.environ.get("FAIL", "").split(",") else 0)
"""
CHAIN = {"acme-a": [], "acme-b": ["acme-a"], "acme-c": ["acme-b"], "acme-d": []}


def task_repo(repo: GitRepo, packages: dict[str, list[str]] | None = None,
              tasks: str = "", extra: dict[str, str] | None = None) -> Project:
    """A workspace whose `rec` task records its start and end in `events.txt`."""
    repo.write("pyproject.toml", textwrap.dedent("""\
        [tool.orchestrator.tasks.rec]
        command = ["{python}", "{root}/record.py", "{name}", "{root}/events.txt"]
        needs-dependencies = true
        """) + textwrap.dedent(tasks))
    repo.write("record.py", RECORD)
    repo.write(".gitignore", "events.txt\ndist/\n")
    for name, deps in (packages or CHAIN).items():
        repo.package(f"packages/{name.removeprefix('acme-')}", name, dependencies=deps,
                     extra=(extra or {}).get(name, ""))
    repo.commit()
    return Project(repo.root)


def run(project: Project, task: str = "rec", *, names: tuple[str, ...] = (), jobs: int = 4,
        fail_fast: bool = False, cache: bool = False) -> dict[str, TaskResult]:
    mode = "packages" if names else "all"
    plan = plan_run(project, RunRequest(task, SelectionRequest(mode, names), workers=jobs,
                                        fail_fast=fail_fast, use_cache=cache))
    return {r.package: r for r in execute(plan.jobs, plan.settings)}


def events(project: Project) -> list[str]:
    path = project.root / "events.txt"
    return path.read_text().splitlines() if path.exists() else []


def test_a_dependent_never_starts_before_the_dependency_it_needs(repo: GitRepo,
                                                                 monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    monkeypatch.setenv("SLEEP_acme_a", "0.3")
    project = task_repo(repo)
    results = run(project, jobs=4)
    assert {r.status for r in results.values()} == {"passed"}
    seen = events(project)
    assert seen.index("end acme-a") < seen.index("start acme-b")
    assert seen.index("end acme-b") < seen.index("start acme-c")
    assert sorted(seen) == sorted(f"{w} {n}" for n in CHAIN for w in ("start", "end"))


def test_tasks_without_needs_do_not_wait(repo: GitRepo) -> None:
    free = '[tool.orchestrator.tasks.free]\ncommand = "{python} -c pass"\n'
    project = task_repo(repo, tasks=free)
    plan = plan_run(project, RunRequest("free", SelectionRequest("all"), use_cache=False))
    assert all(job.needs == () for job in plan.jobs)
    needing = plan_run(project, RunRequest("rec", SelectionRequest("all"), use_cache=False))
    assert {j.package: j.needs for j in needing.jobs}["acme-c"] == ("acme-a", "acme-b")


def test_selected_package_brings_the_dependencies_it_needs(repo: GitRepo) -> None:
    project = task_repo(repo)
    results = run(project, names=("acme-c",))
    assert sorted(results) == ["acme-a", "acme-b", "acme-c"]
    plan = plan_run(project, RunRequest("rec", SelectionRequest("packages", ("acme-c",)),
                                        use_cache=False))
    assert {j.package: j.included_for for j in plan.jobs}["acme-a"] == ("acme-c",)


def test_failure_skips_the_dependents_that_needed_it(repo: GitRepo,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIL", "acme-a")
    project = task_repo(repo)
    results = run(project)
    assert results["acme-a"].status == "failed"
    assert results["acme-a"].exit_code == 1
    assert results["acme-b"].status == "skipped"
    assert results["acme-b"].reason == "needs acme-a, which failed"
    assert results["acme-c"].reason == "needs acme-a, which failed"
    assert results["acme-d"].status == "passed"
    assert "start acme-b" not in events(project)


def test_fail_fast_stops_running_and_pending_tasks(repo: GitRepo,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIL", "acme-a")
    monkeypatch.setenv("SLEEP_acme_a", "0.2")
    monkeypatch.setenv("SLEEP_acme_d", "60")
    project = task_repo(repo, {"acme-a": [], "acme-d": [], "acme-e": [], "acme-f": []})
    results = run(project, jobs=2, fail_fast=True)
    assert results["acme-a"].status == "failed"
    assert results["acme-d"].status == "skipped"
    assert results["acme-d"].reason == "stopped: --fail-fast after acme-a failed"
    assert results["acme-e"].reason == "not started: --fail-fast after acme-a failed"
    assert "end acme-d" not in events(project)


def test_logs_are_written_per_package(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIL", "acme-d")
    project = task_repo(repo, tasks='[tool.orchestrator.tasks.say]\n'
                                    'command = ["{python}", "-c", "print(\'hello from\', '
                                    '__import__(\'os\').getcwd())"]\n')
    results = run(project, "say")
    assert results["acme-b"].log == ".orchestrator/logs/say/acme-b.log"
    log = (project.root / results["acme-b"].log).read_text()
    assert f"hello from {project.root / 'packages/b'}" in log


def test_a_missing_program_is_a_failure_with_its_reason(repo: GitRepo) -> None:
    project = task_repo(repo, tasks='[tool.orchestrator.tasks.nope]\ncommand = "no-such-tool-x"\n')
    results = run(project, "nope", names=("acme-a",))
    assert results["acme-a"].status == "failed"
    assert "cannot start no-such-tool-x" in (results["acme-a"].reason or "")


def test_pytest_no_tests_collected_is_not_a_failure(repo: GitRepo) -> None:
    project = task_repo(repo, {"acme-a": [], "acme-b": []})
    repo.write("packages/a/tests/test_a.py", "def test_one():\n    assert True\n")
    repo.write("packages/b/tests/helper.py", "")
    results = run(project, "test")
    assert results["acme-a"].status == "passed"
    assert results["acme-a"].junit == ".orchestrator/junit/test/acme-a.xml"
    assert results["acme-b"].status == "no-tests"
    assert results["acme-b"].exit_code == 5


def test_outputs_written_to_out_are_collected_and_restored_from_cache(repo: GitRepo) -> None:
    script = "import pathlib,sys; pathlib.Path(sys.argv[1], sys.argv[2] + '.whl').write_text('w')"
    project = task_repo(repo, tasks=f'[tool.orchestrator.tasks.pack]\n'
                                    f'command = ["{{python}}", "-c", "{script}", "{{out}}", '
                                    f'"{{name}}"]\n')
    first = run(project, "pack", cache=True)
    assert first["acme-a"].outputs == ("acme-a.whl",)
    assert sorted(p.name for p in (project.root / "dist").iterdir())[:2] == ["acme-a.whl",
                                                                             "acme-b.whl"]
    for item in (project.root / "dist").iterdir():
        item.unlink()
    second = run(project, "pack", cache=True)
    assert second["acme-a"].status == "cached"
    assert (project.root / "dist" / "acme-a.whl").read_text() == "w"


def test_a_cycle_over_order_edges_is_an_error_for_tasks_that_need_order(repo: GitRepo) -> None:
    project = task_repo(repo, {"acme-a": ["acme-b"], "acme-b": ["acme-a"]})
    with pytest.raises(CycleError, match=r"acme-a -> acme-b \(runtime\) -> acme-a \(runtime\)"):
        plan_run(project, RunRequest("rec", SelectionRequest("all"), use_cache=False))


def test_results_come_back_in_job_order(repo: GitRepo) -> None:
    project = task_repo(repo)
    assert list(run(project, jobs=1)) == ["acme-a", "acme-b", "acme-c", "acme-d"]


def test_processes_a_task_leaves_behind_are_stopped(repo: GitRepo, tmp_path: Path) -> None:
    pid_file = tmp_path / "daemon.pid"
    script = tmp_path / "leave.py"
    script.write_text(
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(p.pid))\n"
    )
    repo.write("pyproject.toml", "[tool.orchestrator.tasks]\n"
                                 f'leave = ["{{python}}", "{script}"]\n')
    repo.package("packages/a", "acme-a")
    repo.commit()
    plan = plan_run(Project(repo.root), RunRequest("leave", SelectionRequest("all"),
                                                   use_cache=False))
    (result,) = execute(plan.jobs, plan.settings)
    assert result.status == "passed"
    daemon = int(pid_file.read_text())
    stat = Path(f"/proc/{daemon}/stat")
    alive = stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    assert not alive
