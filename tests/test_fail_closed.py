"""Where the truth is unknown, the answer is an error or more packages, never fewer.

Each test builds a real repository shaped like the hostile case, and asserts what a user
sees through the real entry point.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli import Result, run_cli
from tests.gitutil import GitRepo

ROOT = '[tool.orchestrator]\nmembers = ["packages/*"]\n'


@pytest.fixture
def chain(repo: GitRepo) -> GitRepo:
    """config <- log <- db, committed; `log` declares config with a typo'd operator."""
    repo.write("pyproject.toml", ROOT)
    repo.package("packages/config", "acme-config")
    repo.package("packages/log", "acme-log", dependencies=["acme-config=>1.0"])
    repo.package("packages/db", "acme-db", dependencies=["acme-log>=1.0"])
    repo.commit("initial")
    return repo


def names(result: Result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


def test_a_requirement_packaging_rejects_still_gives_its_edge(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.write("packages/config/src/acme_config/more.py", "X = 1\n")
    affected = run_cli(capsys, chain.root, "affected", "--base", "HEAD")
    assert names(affected) == ["acme-config", "acme-db", "acme-log"]
    why = run_cli(capsys, chain.root, "why", "acme-log", "--base", "HEAD")
    assert "acme-config → acme-log" in why.stdout
    check = run_cli(capsys, chain.root, "check")
    assert check.exit_code == 1
    assert "error   invalid-requirement" in check.stdout and "'acme-config=>1.0'" in check.stdout


def test_a_cached_result_is_not_reused_across_a_kept_edge(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.write("pyproject.toml", ROOT + '[tool.orchestrator.tasks]\nhello = "python -c pass"\n')
    chain.commit("a task")
    first = run_cli(capsys, chain.root, "run", "hello", "-p", "acme-log", "--format", "json")
    assert json.loads(first.stdout)["results"][0]["status"] == "passed"
    chain.write("packages/config/src/acme_config/more.py", "X = 1\n")
    second = run_cli(capsys, chain.root, "run", "hello", "-p", "acme-log", "--format", "json")
    assert json.loads(second.stdout)["results"][0]["status"] == "passed"  # ran, not cached


def test_a_requirement_whose_name_cannot_be_read_stops_every_command(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.package("packages/log", "acme-log", dependencies=[">=1.0"])
    for args in (("affected", "--base", "HEAD"), ("list",), ("check",), ("graph",)):
        result = run_cli(capsys, chain.root, *args)
        assert result.exit_code == 2, args
        assert result.stderr.startswith("orchestrator: packages/log/pyproject.toml: "
                                        "project.dependencies: cannot read a project name in "
                                        "'>=1.0'")


def test_an_unreadable_base_pyproject_affects_its_package(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.package("packages/db", "acme-db", dependencies=[3])  # type: ignore[list-item]
    chain.commit("broken")
    chain.package("packages/db", "acme-db", dependencies=["acme-log>=1.0"])
    chain.commit("fixed")
    result = run_cli(capsys, chain.root, "affected", "--base", "HEAD~1", "--format", "json")
    answer = json.loads(result.stdout)
    assert answer["affected"] == ["acme-db"]


@pytest.mark.parametrize(("root", "message", "hint"), [
    ('[tool.orchestrator]\nmembers = ["pakages/*"]\n',
     "pyproject.toml [tool.orchestrator] members: 'pakages/*' matches no directory with a "
     "pyproject.toml", "hint: did you mean 'packages/*'?"),
    ('[tool.uv.workspace]\nmembers = ["packages/*", "libs/*"]\n',
     "pyproject.toml [tool.uv.workspace] members: 'libs/*' matches no directory with a "
     "pyproject.toml", "hint: patterns are relative"),
    ('[tool.orchestrator]\nmembers = []\n',
     "pyproject.toml [tool.orchestrator] members is empty, so the workspace has no packages",
     "hint: list the package"),
])
def test_a_member_pattern_that_matches_nothing_is_an_error(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, root: str, message: str,
        hint: str) -> None:
    chain.write("pyproject.toml", root)
    for args in (("affected", "--base", "HEAD"), ("test",), ("check",)):
        result = run_cli(capsys, chain.root, *args)
        assert (result.exit_code, result.stdout) == (2, ""), args
        first, second = result.stderr.splitlines()
        assert first == f"orchestrator: {message}" and second.startswith(hint)


def test_a_pattern_only_the_merge_base_lacks_is_not_an_error(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, tmp_path: Path) -> None:
    config = tmp_path / "orchestrator.toml"
    config.write_text('members = ["packages/*", "services/*"]\n')
    chain.package("services/api", "acme-api", dependencies=["acme-db"])
    chain.commit("a service")
    result = run_cli(capsys, chain.root, "--config", str(config), "affected", "--base", "HEAD~1")
    assert names(result) == ["acme-api"]


def deny(monkeypatch: pytest.MonkeyPatch, prefix: Path) -> None:
    """Make every path under `prefix` unreadable, as permissions would for a normal user
    (the tests may run as root, which permission bits do not stop)."""
    import os

    stat, read_bytes, os_open = os.stat, Path.read_bytes, os.open

    def check(path: object) -> None:
        if str(path).startswith(str(prefix)):
            raise PermissionError(13, "Permission denied", str(path))

    def denied_stat(path: str, *args: object, **kwargs: object) -> os.stat_result:
        check(path)
        return stat(path, *args, **kwargs)  # type: ignore[arg-type]

    def denied_read(path: Path) -> bytes:
        check(path)
        return read_bytes(path)

    def denied_open(path: str, *args: object, **kwargs: object) -> int:
        check(path)
        return os_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "stat", denied_stat)
    monkeypatch.setattr(os, "open", denied_open)
    monkeypatch.setattr(Path, "read_bytes", denied_read)


@pytest.mark.parametrize("denied", ["packages/log/pyproject.toml", "packages/log"])
def test_an_unreadable_pyproject_is_an_error_not_a_removed_package(
        capsys: pytest.CaptureFixture[str], chain: GitRepo,
        monkeypatch: pytest.MonkeyPatch, denied: str) -> None:
    deny(monkeypatch, chain.root / denied)
    for args in (("affected", "--base", "HEAD", "--format", "json"), ("list",)):
        result = run_cli(capsys, chain.root, *args)
        assert (result.exit_code, result.stdout) == (2, ""), args
        assert result.stderr.startswith(
            "orchestrator: cannot read packages/log/pyproject.toml: Permission denied")


@pytest.mark.parametrize("root", [ROOT, '[tool.uv.workspace]\nmembers = ["packages/*"]\n'])
def test_an_invalid_name_in_a_configured_member_is_an_error(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, root: str) -> None:
    chain.write("pyproject.toml", root)
    chain.package("packages/log", "acme-log ", dependencies=["acme-config>=1.0"])
    for args in (("affected", "--base", "HEAD"), ("list",), ("check",)):
        result = run_cli(capsys, chain.root, *args)
        assert (result.exit_code, result.stdout) == (2, ""), args
        assert result.stderr.startswith("orchestrator: packages/log/pyproject.toml: 'acme-log ' "
                                        "is not a valid project name\n")


def test_an_invalid_name_found_by_the_fallback_is_a_warning(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.write("pyproject.toml", "")
    chain.write("templates/new/pyproject.toml", '[project]\nname = "<REPLACE ME>"\n')
    assert "acme-log" in names(run_cli(capsys, chain.root, "list", "--format", "names"))
    check = run_cli(capsys, chain.root, "check")
    assert check.exit_code == 1  # the typo'd requirement; the placeholder is only a warning
    assert "warning invalid-name: templates/new/pyproject.toml: '<REPLACE ME>'" in check.stdout


def test_every_duplicate_name_is_named_at_once(
        capsys: pytest.CaptureFixture[str], repo: GitRepo) -> None:
    for directory in ("libs/a", "examples/a", "libs/b", "examples/b", "templates/b"):
        repo.package(directory, "acme-" + directory[-1])
    result = run_cli(capsys, repo.root, "list")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        "orchestrator: 2 package names are used more than once: 'acme-a' in examples/a and "
        "libs/a; 'acme-b' in examples/b, libs/b and templates/b")
    assert "members" in result.stderr.splitlines()[1]


def unfenced(lines: list[str]) -> list[str]:
    """The lines GitHub Actions would read as workflow commands: those outside every
    `::stop-commands::TOKEN` ... `::TOKEN::` fence."""
    found, token = [], None
    for line in lines:
        if token is not None:
            token = None if line == f"::{token}::" else token
        elif line.startswith("::stop-commands::"):
            token = line.removeprefix("::stop-commands::")
        else:
            found.append(line)
    return found


@pytest.mark.parametrize("verbosity", [(), ("-v",)])
def test_task_output_never_issues_a_github_workflow_command(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, monkeypatch: pytest.MonkeyPatch,
        verbosity: tuple[str, ...]) -> None:
    chain.write("pyproject.toml", ROOT + '[tool.orchestrator.tasks.evil]\ncommand = ["{python}", '
                '"-c", "print(\'::error file=x::injected\'); raise SystemExit(1)"]\n')
    chain.commit("a task that prints a workflow command")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_cli(capsys, chain.root, *verbosity, "run", "evil", "-p", "acme-config")
    assert result.exit_code == 1
    assert "::error file=x::injected" in result.stdout
    assert [line for line in unfenced(result.stdout.splitlines()) if "injected" in line] == []


@pytest.mark.parametrize(("table", "message"), [
    ('[tool.orchestrator.tasks]\n"../../../../tmp/x" = "true"\n',
     "pyproject.toml [tool.orchestrator] tasks: '../../../../tmp/x' is not a valid task name"),
    ('[tool.orchestrator.tasks]\ntest = 1\n',
     "pyproject.toml [tool.orchestrator] tasks.test must be a command (a string or a list of "
     "strings) or a table of task settings"),
])
def test_a_task_is_validated_where_it_is_read(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, table: str, message: str) -> None:
    chain.write("pyproject.toml", ROOT + table)
    result = run_cli(capsys, chain.root, "run", "../../../../tmp/x")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == f"orchestrator: {message}"


def test_a_package_task_name_is_validated_too(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.package("packages/db", "acme-db", extra='[tool.orchestrator.tasks]\n"a/b" = "true"\n')
    result = run_cli(capsys, chain.root, "list")
    assert result.exit_code == 2
    assert "packages/db/pyproject.toml [tool.orchestrator] tasks: 'a/b' is not a valid task " \
           "name" in result.stderr


def test_a_task_named_on_the_command_line_is_validated(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    result = run_cli(capsys, chain.root, "run", "../x")
    assert result.exit_code == 2
    assert "'../x' is not a valid task name" in result.stderr
    assert not (chain.root.parent / "x").exists()


def test_a_deeply_nested_value_is_an_error_not_a_crash(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.write("packages/log/pyproject.toml",
                '[project]\nname = "acme-log"\nversion = "1"\nx = ' + "[" * 600 + "]" * 600)
    result = run_cli(capsys, chain.root, "list")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith("orchestrator: packages/log/pyproject.toml nests arrays or "
                                    "tables too deeply to be read")


@pytest.mark.parametrize(("args", "message"), [
    (("why", "acme-lg", "--base", "HEAD"), "why names 'acme-lg'"),
    (("graph", "--focus", "acme-lg"), "--focus names 'acme-lg'"),
    (("run", "test", "-p", "acme-lg"), "-p/--package names 'acme-lg'"),
])
def test_every_place_a_package_is_named_suggests_the_nearest(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, args: tuple[str, ...],
        message: str) -> None:
    result = run_cli(capsys, chain.root, *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"orchestrator: {message}, which is not a package of the workspace",
        "hint: did you mean 'acme-log'?"]


@pytest.mark.parametrize(("args", "remedy"), [
    (("--base", "nosuchref"), "or check the ref given to --base"),
    ((), "or pass --base REF"),
])
def test_a_missing_base_hint_fits_where_the_base_came_from(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, args: tuple[str, ...],
        remedy: str) -> None:
    chain.git("branch", "-m", "trunk")  # neither origin/main nor main exists
    result = run_cli(capsys, chain.root, "affected", *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1] == f"hint: fetch it (e.g. git fetch origin), {remedy}"


def test_z_ends_each_name_or_path_with_nul(
        capsys: pytest.CaptureFixture[str], repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*"]\n')
    repo.package("packages/two\nlines", "acme-odd")
    repo.package("packages/plain", "acme-plain")
    repo.commit("initial")
    repo.write("packages/two\nlines/src/acme_odd/more.py", "X = 1\n")
    paths = run_cli(capsys, repo.root, "affected", "--base", "HEAD", "--format", "paths", "-z")
    assert (paths.exit_code, paths.stdout) == (0, "packages/two\nlines\0")
    listed = run_cli(capsys, repo.root, "list", "--format", "names", "-z")
    assert listed.stdout == "acme-odd\0acme-plain\0"
    changed = run_cli(capsys, repo.root, "changed", "--base", "HEAD", "-z")
    assert changed.stdout == "acme-odd\0"
    refused = run_cli(capsys, repo.root, "affected", "--base", "HEAD", "--format", "json", "-z")
    assert refused.exit_code == 2 and "-z applies to --format names and paths" in refused.stderr


@pytest.mark.parametrize("text", ['[project]\nname = "x"\n', "[tool.ruff]\nline-length = 1\n"])
def test_a_config_file_without_the_table_says_so(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, tmp_path: Path, text: str) -> None:
    config = tmp_path / "other.toml"
    config.write_text(text)
    result = run_cli(capsys, chain.root, "--config", str(config), "list")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"orchestrator: {config} has no [tool.orchestrator] table")


def test_a_committed_symlinked_pyproject_is_named_as_one(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    import os

    chain.write("shared/log.toml", (chain.root / "packages/log/pyproject.toml").read_text())
    (chain.root / "packages/log/pyproject.toml").unlink()
    os.symlink("../../shared/log.toml", chain.root / "packages/log/pyproject.toml")
    chain.commit("share the log package's metadata")
    assert "acme-log" in names(run_cli(capsys, chain.root, "list", "--format", "names"))
    result = run_cli(capsys, chain.root, "affected", "--base", "HEAD", "--head", "HEAD")
    assert result.exit_code == 2
    head = chain.git("rev-parse", "HEAD")
    assert result.stderr.splitlines()[0] == (
        f"orchestrator: packages/log/pyproject.toml is a symbolic link to "
        f"'../../shared/log.toml' at {head}; git stores the link, not the file it points to")


def test_a_package_inside_a_submodule_is_warned_about(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, tmp_path: Path) -> None:
    from tests.gitutil import make_repo

    other = make_repo(tmp_path, name="vendored")
    other.package(".", "acme-vendored")
    other.commit("a package of its own")
    chain.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(other.root),
              "packages/vendored")
    chain.commit("vendor a package")
    check = run_cli(capsys, chain.root, "check")
    assert "warning submodule: packages/vendored is a git submodule: packages inside it are " \
           "not members" in check.stdout


@pytest.mark.parametrize("flag", ["--assume-unchanged", "--skip-worktree"])
def test_an_edit_git_is_told_not_to_look_at_still_counts(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, flag: str) -> None:
    chain.git("update-index", flag, "packages/config/src/acme_config/__init__.py")
    assert run_cli(capsys, chain.root, "affected", "--base", "HEAD").stdout == ""
    chain.write("packages/config/src/acme_config/__init__.py", "BROKEN = True\n")
    assert chain.git("status", "--porcelain") == ""  # git itself does not see the edit
    result = run_cli(capsys, chain.root, "affected", "--base", "HEAD")
    assert names(result) == ["acme-config", "acme-db", "acme-log"]


@pytest.mark.parametrize("gone", ["packages/log/pyproject.toml", "packages/log"])
def test_a_deleted_file_git_is_told_not_to_look_at_is_a_removal(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, gone: str) -> None:
    import shutil

    chain.git("update-index", "--assume-unchanged", "packages/log/pyproject.toml")
    (shutil.rmtree if gone == "packages/log" else Path.unlink)(chain.root / gone)
    result = run_cli(capsys, chain.root, "affected", "--base", "HEAD", "--format", "json")
    found = json.loads(result.stdout)
    assert (found["removed"], found["affected"]) == (["acme-log"], ["acme-db"])


def test_a_file_left_off_by_skip_worktree_is_read_from_the_index(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.git("update-index", "--skip-worktree", "packages/log/pyproject.toml")
    (chain.root / "packages/log/pyproject.toml").unlink()
    assert run_cli(capsys, chain.root, "affected", "--base", "HEAD").stdout == ""
    assert "acme-log" in names(run_cli(capsys, chain.root, "list", "--format", "names"))


@pytest.mark.parametrize("root", ['tool = 1\n', '[tool]\norchestrator = "packages/*"\n'])
def test_settings_of_the_wrong_type_are_an_error_not_the_defaults(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, root: str) -> None:
    chain.write("pyproject.toml", root)
    result = run_cli(capsys, chain.root, "list")
    assert (result.exit_code, result.stderr) == (
        2, "orchestrator: pyproject.toml: [tool.orchestrator] must be a table\n")


def test_a_services_pattern_that_matches_nothing_is_reported(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.package("services/api", "acme-api")
    chain.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*", "services/*"]\n'
                                  'services = ["servces/*"]\n')
    check = run_cli(capsys, chain.root, "check")
    assert "warning unmatched-services: pyproject.toml [tool.orchestrator] services: " \
           "'servces/*' matches no package (did you mean 'services/*'?)" in check.stdout


def test_a_workspace_without_packages_lists_nothing(
        capsys: pytest.CaptureFixture[str], repo: GitRepo) -> None:
    repo.write("README.md", "# nothing here yet\n")
    repo.commit("empty")
    result = run_cli(capsys, repo.root, "list")
    assert result.exit_code == 0 and "Traceback" not in result.stderr


def test_a_name_ending_in_a_newline_is_not_valid(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.write("packages/log/pyproject.toml",
                '[project]\nname = "acme-log\\n"\nversion = "1.0"\n')
    result = run_cli(capsys, chain.root, "affected", "--base", "HEAD")
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.startswith(
        "orchestrator: packages/log/pyproject.toml: 'acme-log\\n' is not a valid project name")


@pytest.mark.parametrize("where", ["--config", "member"])
def test_a_device_or_fifo_is_named_not_read_forever(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, tmp_path: Path, where: str) -> None:
    import os

    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    for target, shown in ((Path("/dev/zero"), "/dev/zero"), (fifo, str(fifo))):
        if where == "--config":
            result = run_cli(capsys, chain.root, "--config", str(target), "list")
            expected = f"orchestrator: config file {shown} is not a regular file"
        else:
            link = chain.root / "packages/zero/pyproject.toml"
            link.parent.mkdir(exist_ok=True)
            link.unlink(missing_ok=True)
            link.symlink_to(target)
            result = run_cli(capsys, chain.root, "list")
            expected = "orchestrator: packages/zero/pyproject.toml is not a regular file"
        assert result.exit_code == 2
        assert result.stderr.startswith(expected)


def test_a_config_file_whose_table_is_not_one_says_so(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, tmp_path: Path) -> None:
    config = tmp_path / "settings.toml"
    config.write_text("[tool]\norchestrator = 5\n")
    result = run_cli(capsys, chain.root, "--config", str(config), "config")
    assert (result.exit_code, result.stderr) == (
        2, f"orchestrator: {config}: [tool.orchestrator] must be a table\n")


@pytest.mark.parametrize("args", [
    ("changed", "--base", "HEAD", "--head", ""),
    ("affected", "--base", " "),
    ("list", "--at", ""),
    ("-C", "", "list"),
    ("--config", "", "list"),
    ("run", "-p", "acme-config", "--cache-dir", "", "test"),
])
def test_an_empty_value_is_an_error_not_the_default(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, args: tuple[str, ...]) -> None:
    chain.write("packages/db/new.py", "X = 1\n")  # what `--head ''` used to drop unsaid
    result = run_cli(capsys, chain.root, *args)
    assert (result.exit_code, result.stdout) == (2, "")
    message, hint = result.stderr.splitlines()
    assert message.startswith("orchestrator: Invalid value for '")
    assert message.endswith(" names nothing") and hint.startswith("hint: see 'orchestrator")
    assert not (chain.root / "7b").exists()


def test_an_empty_configured_base_is_an_error(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.write("pyproject.toml", ROOT + 'base = ""\n')
    result = run_cli(capsys, chain.root, "affected")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        2, "orchestrator: pyproject.toml [tool.orchestrator] base is empty")


@pytest.mark.parametrize("args", [("graph", "--depth", "-1"), ("graph", "--format", "bogus"),
                                  ("completion", "tcsh"), ("list", "--nope")])
def test_a_usage_error_is_one_sentence_and_a_hint(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, args: tuple[str, ...]) -> None:
    result = run_cli(capsys, chain.root, *args)
    assert result.exit_code == 2
    message, hint = result.stderr.splitlines()
    assert message.startswith("orchestrator: ") and "Usage" not in result.stderr
    assert hint == f"hint: see 'orchestrator {args[0]} --help'"


def test_a_package_bumped_two_ways_is_an_error(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    result = run_cli(capsys, chain.root, "release", "plan", "--bump", "acme-db=major",
                     "--bump", "acme_db=minor")
    assert (result.exit_code, result.stderr.splitlines()[0]) == (
        2, "orchestrator: --bump is given twice for acme_db, as major and as minor")


def test_an_empty_members_glob_is_an_error(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["", "packages/*"]\n')
    result = run_cli(capsys, chain.root, "list")
    assert (result.exit_code, result.stderr) == (
        2, "orchestrator: pyproject.toml [tool.orchestrator] members: a members glob is empty\n"
           'hint: write "." for the workspace root\n')


def test_a_durations_file_that_cannot_be_merged_into_stops_the_run_before_it_starts(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, tmp_path: Path) -> None:
    durations = tmp_path / "durations.json"
    durations.write_text("not json\n")
    result = run_cli(capsys, chain.root, "run", "-p", "acme-config", "--write-durations",
                     str(durations), "test")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"orchestrator: cannot read durations file {durations}")
    assert not (chain.root / ".orchestrator" / "logs").exists()


@pytest.mark.parametrize("ref", ["@{u}", "@{push}", "HEAD@{999}", "nosuch@{u}"])
def test_a_ref_git_cannot_look_up_is_a_ref_that_does_not_exist(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, ref: str) -> None:
    chain.git("checkout", "-q", "-b", "feature")  # no upstream, no remote to push to
    changed = run_cli(capsys, chain.root, "changed", "--base", ref)
    assert (changed.exit_code, changed.stdout) == (2, "")
    assert changed.stderr.splitlines() == [
        f"orchestrator: base ref '{ref}' does not exist in this clone",
        "hint: fetch it (e.g. git fetch origin), or check the ref given to --base"]
    everything = run_cli(capsys, chain.root, "affected", "--on-missing-base", "all",
                         "--base", ref, "--format", "json")
    answer = json.loads(everything.stdout)
    assert answer["affected"] == ["acme-config", "acme-db", "acme-log"]
    assert answer["reasons"]["acme-db"] == [
        {"type": "missing-base", "detail": f"base ref '{ref}' does not exist in this clone"}]
    head = run_cli(capsys, chain.root, "changed", "--base", "main", "--head", ref)
    assert (head.exit_code, head.stderr.splitlines()[0]) == (
        2, f"orchestrator: head ref '{ref}' does not exist")
    at = run_cli(capsys, chain.root, "list", "--at", ref)
    assert (at.exit_code, at.stderr.splitlines()[0]) == (
        2, f"orchestrator: --at names '{ref}', which is not a commit in this repository")


@pytest.mark.parametrize(("ref", "kind"), [
    ("HEAD^{tree}", "tree"), ("HEAD:pyproject.toml", "blob")])
def test_a_tree_or_blob_is_said_to_be_one_not_missing(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, ref: str, kind: str) -> None:
    object_id = chain.git("rev-parse", ref)
    for args, named in [(("changed", "--base", object_id), f"base ref '{object_id}' names"),
                        (("affected", "--on-missing-base", "all", "--base", ref),
                         f"base ref '{ref}' names"),
                        (("changed", "--base", "HEAD", "--head", ref), f"head ref '{ref}' names"),
                        (("list", "--at", ref), f"--at names '{ref}', which is")]:
        result = run_cli(capsys, chain.root, *args)
        assert (result.exit_code, result.stdout) == (2, ""), args
        assert result.stderr.splitlines()[0] == f"orchestrator: {named} a {kind}, not a commit"


def test_an_orphan_branch_is_named_with_a_hint_each_command_can_take(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    chain.git("checkout", "-q", "--orphan", "newroot")
    message = ("orchestrator: HEAD is on branch 'newroot', which has no commits yet (other "
               "branches have commits)")
    hint = "hint: commit something on it first, or check out a branch that has commits"
    changed = run_cli(capsys, chain.root, "changed", "--base", "main")
    assert changed.exit_code == 2
    assert changed.stderr.splitlines() == [message, f"{hint}, or pass --head REF"]
    tested = run_cli(capsys, chain.root, "test", "--affected")
    assert tested.exit_code == 2
    assert tested.stderr.splitlines() == [
        message, f"{hint}, or select packages with --all or -p/--package"]
    release = run_cli(capsys, chain.root, "release", "plan")
    assert release.exit_code == 2 and release.stderr.splitlines()[0] == message


def test_a_repository_without_commits_gets_a_hint_each_command_can_take(
        capsys: pytest.CaptureFixture[str], repo: GitRepo) -> None:
    repo.write("pyproject.toml", ROOT)
    repo.package("packages/config", "acme-config")
    message = f"orchestrator: the repository at {repo.root} has no commits yet"
    for args, hint in [(("test", "--affected"), "hint: commit something first, or select "
                                               "packages with --all or -p/--package"),
                       (("test",), "hint: commit something first, or select packages with "
                                   "--all or -p/--package"),
                       (("changed",), "hint: commit something first")]:
        result = run_cli(capsys, repo.root, *args)
        assert result.exit_code == 2, args
        assert result.stderr.splitlines() == [message, hint], args


def test_a_bare_repository_is_called_one(
        capsys: pytest.CaptureFixture[str], chain: GitRepo, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    chain.git("clone", "-q", "--bare", str(chain.root), str(bare))
    for directory, args in [(bare, ("list",)), (bare, ("list", "--at", "HEAD")),
                            (bare / "refs", ("changed", "--base", "main"))]:
        result = run_cli(capsys, directory, *args)
        assert (result.exit_code, result.stdout) == (2, ""), args
        assert result.stderr.splitlines()[0] == (
            f"orchestrator: {bare.resolve()} is a bare git repository, which has no working "
            "tree to read")
        assert "not inside a git repository" not in result.stderr


def test_a_file_that_cannot_be_read_at_a_commit_names_the_commit(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    good = (chain.root / "packages/db/pyproject.toml").read_text()
    chain.write("packages/db/pyproject.toml", good + "garbage [\n")
    broken = chain.commit("break db")
    chain.write("packages/db/pyproject.toml", good)
    chain.commit("mend db")
    for args in (("list", "--at", "HEAD~1"), ("affected", "--base", "HEAD~2", "--head", "HEAD~1")):
        result = run_cli(capsys, chain.root, *args)
        assert result.exit_code == 2, args
        message = result.stderr.splitlines()[0]
        assert message.startswith("orchestrator: packages/db/pyproject.toml is not valid TOML")
        assert message.endswith(f"(at commit {broken[:12]})"), args


def test_an_unreadable_file_found_by_the_fallback_hints_at_members(
        capsys: pytest.CaptureFixture[str], repo: GitRepo) -> None:
    repo.package("packages/a", "acme-a")
    repo.write("templates/{{name}}/pyproject.toml", '[project]\nname = "{{ name }}"\n{% x %}\n')
    result = run_cli(capsys, repo.root, "list")
    assert result.exit_code == 2
    message, hint = result.stderr.splitlines()
    assert message.startswith("orchestrator: templates/{{name}}/pyproject.toml is not valid TOML")
    assert hint.startswith("hint: every pyproject.toml is a member when none is named: set "
                           "`members`")


def test_config_never_prints_a_password(capsys: pytest.CaptureFixture[str],
                                        chain: GitRepo) -> None:
    chain.write("pyproject.toml", ROOT + '[tool.orchestrator.release]\n'
                                  'repository-url = "http://alice:CfgS3cret@127.0.0.1:9/"\n')
    for args in (("config",), ("config", "--format", "json")):
        result = run_cli(capsys, chain.root, *args)
        assert result.exit_code == 0
        assert "CfgS3cret" not in result.stdout and "alice" not in result.stdout
        assert "***@127.0.0.1:9" in result.stdout


def test_why_shows_a_file_name_with_a_line_break_on_one_line(
        capsys: pytest.CaptureFixture[str], chain: GitRepo) -> None:
    """A pull request chooses its file names: one could start a workflow command."""
    chain.write("packages/config/x\n::error title=FILEINJ::pwned.py", "X = 1\n")
    chain.commit("a file with a line break in its name")
    result = run_cli(capsys, chain.root, "why", "acme-config", "--base", "HEAD~1")
    assert result.exit_code == 0
    assert result.stdout == "packages/config/x\\n::error title=FILEINJ::pwned.py → acme-config\n"
