from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.gitutil import GitRepo
from tests.tasks.test_runner import task_repo

Capsys = pytest.CaptureFixture[str]


def test_failure_exits_1_and_shows_the_log_tail(repo: GitRepo, capsys: Capsys,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIL", "acme-b")
    task_repo(repo)
    result = run_cli(capsys, repo.root, "run", "rec", "-j", "2")
    assert result.exit_code == 1
    assert "failed   acme-b" in result.stdout
    assert "skipped  acme-c (needs acme-b, which failed)" in result.stdout
    assert "--- acme-b failed (exit 1), log .orchestrator/logs/rec/acme-b.log" in result.stdout
    assert "end acme-b" not in result.stdout  # the log tail follows, with the command line
    assert "record.py acme-b" in result.stdout
    assert "2 passed, 1 failed, 1 skipped" in result.stdout
    assert result.stderr == ""


def test_second_run_is_answered_from_the_cache(repo: GitRepo, capsys: Capsys) -> None:
    task_repo(repo)
    first = run_cli(capsys, repo.root, "run", "rec", "--format", "json")
    assert first.exit_code == 0
    assert {r["status"] for r in json.loads(first.stdout)["results"]} == {"passed"}
    second = run_cli(capsys, repo.root, "run", "rec", "--format", "json")
    assert {r["status"] for r in json.loads(second.stdout)["results"]} == {"cached"}
    assert "4 cached" in second.stderr  # the human view goes to stderr with --format json
    repo.write("packages/b/src/acme_b/__init__.py", "CHANGED = True\n")
    third = json.loads(run_cli(capsys, repo.root, "run", "rec", "--format", "json").stdout)
    statuses = {r["package"]: r["status"] for r in third["results"]}
    assert statuses == {"acme-a": "cached", "acme-b": "passed", "acme-c": "passed",
                        "acme-d": "cached"}
    fresh = run_cli(capsys, repo.root, "run", "rec", "--no-cache", "--format", "json")
    assert {r["status"] for r in json.loads(fresh.stdout)["results"]} == {"passed"}


def test_unknown_task_exits_2_listing_known_tasks(repo: GitRepo, capsys: Capsys) -> None:
    task_repo(repo)
    result = run_cli(capsys, repo.root, "run", "lint")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "orchestrator: unknown task 'lint'; known tasks: build, rec, test\n")
    assert result.stdout == ""


def test_selection_options_exclude_each_other(repo: GitRepo, capsys: Capsys) -> None:
    task_repo(repo)
    result = run_cli(capsys, repo.root, "run", "rec", "--all", "-p", "acme-a")
    assert result.exit_code == 2
    assert "choose one of --all, --affected and -p/--package" in result.stderr


def test_test_runs_the_affected_packages_by_default(repo: GitRepo, capsys: Capsys) -> None:
    task_repo(repo, tasks='[tool.orchestrator.tasks.test]\n'
                          'command = ["{python}", "{root}/record.py", "{name}", '
                          '"{root}/events.txt"]\n')
    repo.git("branch", "base")
    repo.write("packages/b/src/acme_b/__init__.py", "CHANGED = True\n")
    result = run_cli(capsys, repo.root, "test", "--base", "base", "--format", "json")
    assert result.exit_code == 0
    assert [r["package"] for r in json.loads(result.stdout)["results"]] == ["acme-b", "acme-c"]


def test_junit_merges_pytest_results(repo: GitRepo, capsys: Capsys, tmp_path: Path) -> None:
    task_repo(repo, {"acme-a": [], "acme-b": []})
    repo.write("packages/a/tests/test_a.py", "def test_one():\n    assert True\n\n"
                                             "def test_two():\n    assert 1 == 2\n")
    junit = tmp_path / "report.xml"
    result = run_cli(capsys, repo.root, "run", "test", "--junit", str(junit))
    assert result.exit_code == 1
    suites = {s.get("name"): s for s in ET.parse(junit).getroot()}  # noqa: S314 - our own
    assert [c.get("name") for c in suites["acme-a"].iter("testcase")] == ["test_one", "test_two"]
    assert suites["acme-a"].get("failures") == "1"
    assert suites["acme-b"].find("testcase/skipped") is not None  # no tests: exit 5
    assert "no-tests acme-b" in result.stdout


def test_audit_reports_a_failure_the_selection_would_skip(repo: GitRepo, capsys: Capsys,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAIL", "acme-d")  # planted where the change does not reach
    task_repo(repo)
    repo.git("branch", "base")
    repo.write("packages/b/src/acme_b/__init__.py", "CHANGED = True\n")
    result = run_cli(capsys, repo.root, "run", "rec", "--all", "--audit", "--base", "base",
                     "--format", "json")
    assert result.exit_code == 1
    audit = json.loads(result.stdout)["audit"]
    assert audit["affected"] == ["acme-b", "acme-c"]
    assert audit["missed"] == ["acme-d"]
    assert "the affected selection against base would have skipped these failures: acme-d" \
        in result.stderr


def test_shards_from_the_cli_cover_the_selection(repo: GitRepo, capsys: Capsys,
                                                tmp_path: Path) -> None:
    task_repo(repo, {f"acme-{c}": [] for c in "abcdefg"})
    durations = tmp_path / "durations.json"  # every shard is given the same file
    known = {f"acme-{c}": 1.0 for c in "bcdefg"} | {"acme-a": 6.0}
    durations.write_text(json.dumps({"durations": known}))
    seen = []
    for k in (1, 2, 3):
        written = tmp_path / f"new-{k}.json"
        result = run_cli(capsys, repo.root, "run", "rec", "--shard", f"{k}/3", "--durations",
                         str(durations), "--write-durations", str(written), "--no-cache",
                         "--format", "json")
        assert result.exit_code == 0
        seen.append([r["package"] for r in json.loads(result.stdout)["results"]])
        assert sorted(json.loads(written.read_text())["durations"]) == seen[-1]
    flat = [n for shard in seen for n in shard]
    assert sorted(flat) == [f"acme-{c}" for c in "abcdefg"]
    assert len(flat) == len(set(flat))
    assert ["acme-a"] in seen  # the slow one has a shard to itself


def test_no_path_or_placeholder_value_reaches_a_shell(repo: GitRepo, capsys: Capsys) -> None:
    task_repo(repo, {}, tasks='[tool.orchestrator.tasks.echo]\n'
                              'command = "echo {name} {path} ; touch pwned-0"\n')
    directory = "packages/x$(touch pwned-1);touch pwned-2`touch pwned-3`"
    repo.package(directory, "acme-x")
    repo.commit()
    result = run_cli(capsys, repo.root, "run", "echo", "--no-cache")
    assert result.exit_code == 0
    log = (repo.root / ".orchestrator/logs/echo/acme-x.log").read_text()
    assert f"acme-x {directory} ; touch pwned-0" in log  # echoed literally, one argv each
    created = [p for p in repo.root.rglob("pwned*")]
    assert created == []


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2] != "Z"


HANG = """\
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(f"{child.pid}")
import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(120)
"""


def _default_sigint() -> None:
    """A test started in the background inherits SIGINT ignored, and Python keeps an
    ignored SIGINT ignored: the command under test must see Ctrl-C as a terminal sends it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads process states from /proc")
def test_ctrl_c_stops_every_child_process_group(repo: GitRepo, tmp_path: Path) -> None:
    task_repo(repo, {"acme-a": [], "acme-b": []},
              tasks='[tool.orchestrator.tasks.hang]\n'
                    'command = ["{python}", "{root}/hang.py", "{root}/pid-{name}"]\n')
    repo.write("hang.py", HANG)
    out = tmp_path / "out.txt"
    children: list[int] = []
    grandchildren: list[int] = []
    with out.open("wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "orchestrator", "-C", str(repo.root),
                                 "run", "hang", "-j", "2", "--no-cache"],
                                stdout=sink, stderr=subprocess.STDOUT,
                                preexec_fn=_default_sigint)
        try:
            pid_files = [repo.root / "pid-acme-a", repo.root / "pid-acme-b"]
            deadline = time.monotonic() + 60
            while not all(p.exists() for p in pid_files) and time.monotonic() < deadline:
                time.sleep(0.05)
            grandchildren = [int(p.read_text()) for p in pid_files if p.exists()]
            children = [int(line.split()[0]) for line in subprocess.run(
                ["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True, text=True,
                check=False).stdout.split()]
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=30)
        finally:  # never leave processes behind, whatever fails
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            left = [pid for pid in children + grandchildren if _alive(pid)]
            for pid in left:
                os.kill(pid, signal.SIGKILL)
    assert (len(children), len(grandchildren)) == (2, 2)
    assert code == 130
    assert "skipped  acme-a (interrupted)" in out.read_text()
    assert left == []


def test_github_actions_gets_a_log_group_per_package(repo: GitRepo, capsys: Capsys,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("FAIL", "acme-a")
    task_repo(repo, {"acme-a": [], "acme-d": []})
    result = run_cli(capsys, repo.root, "run", "rec")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("::group::failed acme-a"))
    # The log is fenced so that what a task prints cannot act as a workflow command.
    assert lines[start + 1].startswith("::stop-commands::")
    token = lines[start + 1].removeprefix("::stop-commands::")
    assert len(token) == 32
    assert lines[start + 2].startswith("$ ")  # the command line heads the folded log
    end = lines.index(f"::{token}::", start)
    assert lines[end + 1] == "::endgroup::"
    assert any(line.startswith("::error title=rec failed in acme-a::exit code 1")
               for line in lines)
    assert any(line.startswith("::group::passed acme-d") for line in lines)


@pytest.mark.parametrize("content", ['[1, 2]', '"text"', '{"results": 5}', '{"results": [5]}'])
def test_a_malformed_durations_file_is_a_clear_error(repo: GitRepo, capsys: Capsys,
                                                      tmp_path: Path, content: str) -> None:
    task_repo(repo)
    durations = tmp_path / "durations.json"
    durations.write_text(content)
    result = run_cli(capsys, repo.root, "run", "rec", "--shard", "1/2", "--durations",
                     str(durations))
    assert result.exit_code == 2
    assert f"durations file {durations}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("option", ["--junit", "--write-durations", "--out", "--cache-dir"])
def test_unwritable_outputs_are_refused_before_any_task_runs(
    repo: GitRepo, capsys: Capsys, tmp_path: Path, option: str
) -> None:
    task_repo(repo)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    command = "build" if option == "--out" else "run"
    args = [command] if command == "build" else [command, "rec"]
    result = run_cli(capsys, repo.root, *args, option, str(blocker / "inside"))
    assert result.exit_code == 2
    assert f"cannot use {blocker / 'inside'} as {option}" in result.stderr
    assert not (repo.root / ".orchestrator" / "logs").exists()  # nothing ran


def test_empty_shard_and_misplaced_base_are_usage_errors(repo: GitRepo, capsys: Capsys) -> None:
    task_repo(repo)
    assert run_cli(capsys, repo.root, "run", "rec", "--shard", "").exit_code == 2
    misplaced = run_cli(capsys, repo.root, "run", "rec", "-p", "acme-a", "--base", "nope")
    assert misplaced.exit_code == 2
    assert "--base applies to --affected and --audit only" in misplaced.stderr


def test_a_named_package_without_the_task_is_an_error(repo: GitRepo, capsys: Capsys) -> None:
    task_repo(repo)
    repo.package("packages/z", "acme-z", extra='[tool.orchestrator.tasks]\nonly-z = "true"\n')
    result = run_cli(capsys, repo.root, "run", "only-z", "-p", "acme-a")
    assert result.exit_code == 2
    assert "package 'acme-a' has no task 'only-z'" in result.stderr


def test_a_3000_character_package_name_runs_and_is_cached(repo: GitRepo, capsys: Capsys,
                                                         tmp_path: Path) -> None:
    name = "acme-" + "x" * 2995
    repo.write("packages/long/pyproject.toml", f'[project]\nname = "{name}"\nversion = "1"\n')
    task_repo(repo, packages={"acme-a": []})
    first = run_cli(capsys, repo.root, "run", "rec", "--format", "json", "--junit",
                    str(tmp_path / "junit.xml"))
    assert first.exit_code == 0, first.stderr
    results = {r["package"]: r for r in json.loads(first.stdout)["results"]}
    assert results[name]["status"] == "passed"
    assert (repo.root / results[name]["log"]).is_file()  # a shortened, still unique, file
    again = run_cli(capsys, repo.root, "run", "rec", "--format", "json")
    assert {r["status"] for r in json.loads(again.stdout)["results"]} == {"cached"}


def test_more_shards_than_packages_is_valid_and_no_count_crashes(repo: GitRepo,
                                                                 capsys: Capsys) -> None:
    task_repo(repo)
    first = run_cli(capsys, repo.root, "run", "rec", "--shard", "1/99999999999999999999",
                    "--format", "json")
    assert first.exit_code == 0, first.stderr
    assert [r["package"] for r in json.loads(first.stdout)["results"]] == ["acme-a"]
    empty = run_cli(capsys, repo.root, "run", "rec", "--shard", "7/99999999999999999999",
                    "--format", "json")
    assert empty.exit_code == 0
    assert json.loads(empty.stdout)["results"] == []


EDITS_ITSELF = """\
import os, sys
from pathlib import Path
if sys.argv[1] == "acme-b" and os.environ.get("EDIT"):
    Path("src/acme_b/__init__.py").write_text("EDITED = True\\n")
"""


def test_a_file_edited_during_the_run_keeps_the_result_out_of_the_cache(
        repo: GitRepo, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    task_repo(repo, tasks="""\
        [tool.orchestrator.tasks.edit]
        command = ["{python}", "{root}/edit.py", "{name}"]
        """)
    repo.write("edit.py", EDITS_ITSELF)
    repo.commit()
    monkeypatch.setenv("EDIT", "1")
    first = run_cli(capsys, repo.root, "run", "edit", "--format", "json")
    assert first.exit_code == 0
    results = {r["package"]: r for r in json.loads(first.stdout)["results"]}
    assert results["acme-b"]["status"] == "passed"
    assert results["acme-b"]["reason"] == "inputs changed during the run: not cached"
    assert "reason" not in results["acme-a"]
    assert "inputs changed during the run" in first.stderr
    # Back to the content the run started from: what ran on the edit must not answer for it.
    monkeypatch.delenv("EDIT")
    repo.git("checkout", "--", "packages/b/src/acme_b/__init__.py")
    second = json.loads(run_cli(capsys, repo.root, "run", "edit", "--format", "json").stdout)
    statuses = {r["package"]: r["status"] for r in second["results"]}
    assert statuses == {"acme-a": "cached", "acme-b": "passed", "acme-c": "passed",
                        "acme-d": "cached"}  # acme-c depends on acme-b: its key moved too


@pytest.mark.parametrize(("args", "message"), [
    (["--remote-cache", "ftp://cache.example/"], "must start with http://, https:// or s3://"),
    (["--remote-cache", "https://user:hunter2@cache.example/"], "must not carry credentials"),
    (["--remote-cache-read-only"], "need a remote cache"),
    (["--shard", "1/2", "--durations", "remote"], "need a remote cache"),
    (["--cache-dir", "s3://bucket/x"], "--cache-dir is a local directory"),
])
def test_remote_cache_options_are_checked_before_anything_runs(
        repo: GitRepo, capsys: Capsys, args: list[str], message: str) -> None:
    task_repo(repo)
    result = run_cli(capsys, repo.root, "run", "rec", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "hunter2" not in result.stderr
    assert not (repo.root / "events.txt").exists()
    assert not (repo.root / "s3:").exists()


def test_a_bad_remote_cache_setting_names_the_key(repo: GitRepo, capsys: Capsys) -> None:
    task_repo(repo)
    config = (repo.root / "pyproject.toml").read_text()
    repo.write("pyproject.toml", '[tool.orchestrator]\nremote-cache = 3\n' + config)
    result = run_cli(capsys, repo.root, "run", "rec")
    assert result.exit_code == 2
    assert "pyproject.toml [tool.orchestrator] remote-cache must be a string" in result.stderr


def test_config_shows_the_remote_cache(repo: GitRepo, capsys: Capsys) -> None:
    task_repo(repo)
    config = (repo.root / "pyproject.toml").read_text()
    repo.write("pyproject.toml",
               '[tool.orchestrator]\nremote-cache = "s3://bucket/ci"\n' + config)
    shown = json.loads(run_cli(capsys, repo.root, "config", "--format", "json").stdout)
    assert shown["settings"]["remote-cache"] == {"value": "s3://bucket/ci",
                                                 "from": "pyproject.toml"}
