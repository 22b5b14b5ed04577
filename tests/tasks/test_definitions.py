from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from orchestrator.context import Project
from orchestrator.errors import ConfigError
from orchestrator.tasks.definitions import (
    definitions,
    expand,
    expand_env,
    is_pytest,
    known,
    resolve,
)
from orchestrator.workspace.config import BUILTIN_TASKS, TaskConfig
from orchestrator.workspace.model import Package
from tests.cli import run_cli
from tests.gitutil import GitRepo

ROOT = '[tool.orchestrator.tasks]\nlint = "ruff check ."\n' \
       '[tool.orchestrator.tasks.hello]\ncommand = ["echo", "{name}", "{path}"]\n' \
       'env = {GREETING = "hi ${USER_NAME}"}\n'


def workspace(repo: GitRepo) -> Project:
    repo.write("pyproject.toml", ROOT)
    repo.package("packages/a", "acme-a")
    repo.package("packages/b", "acme-b", extra="""
        [tool.orchestrator.tasks.hello]
        command = "echo other {name}"
        [tool.orchestrator.tasks.only-b]
        command = "echo b"
        """)
    repo.commit()
    return Project(repo.root)


def test_root_definition_with_package_override(repo: GitRepo) -> None:
    found = definitions(workspace(repo).workspace(), "hello")
    assert found["acme-a"].command == ("echo", "{name}", "{path}")
    assert found["acme-b"].command == ("echo", "other", "{name}")
    assert found["acme-b"].env == (("GREETING", "hi ${USER_NAME}"),)  # not overridden: kept


def test_task_only_some_packages_define(repo: GitRepo) -> None:
    found = definitions(workspace(repo).workspace(), "only-b")
    assert list(found) == ["acme-b"]


def test_unknown_task_names_it_and_lists_known_ones(repo: GitRepo) -> None:
    ws = workspace(repo).workspace()
    with pytest.raises(ConfigError, match=r"unknown task 'lnt'; known tasks: build, hello, lint, "
                                          r"only-b, test") as error:
        definitions(ws, "lnt")
    assert error.value.exit_code == 2
    assert known(ws) == ["build", "hello", "lint", "only-b", "test"]


def test_a_known_task_with_no_package_to_run_in_runs_nothing(
        repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """A new repository holds no package yet: `test` is still a task, with nothing to run
    (it used to say "unknown task 'test'; known tasks: build, test")."""
    repo.write("README.md", "# new\n")
    repo.commit()
    result = run_cli(capsys, repo.root, "test", "--all", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"] == []


def test_resolve_substitutes_each_argument_on_its_own(tmp_path: Path) -> None:
    package = Package("acme-a", "1.0", "packages/a", "library")
    task = TaskConfig("t", ("{python}", "-c", "print({})", "{name}:{path}", "{root}", "{out}"),
                      env=(("GREETING", "hi ${USER_NAME} $HOME2"),))
    resolved = resolve(task, package, tmp_path, tmp_path / "out",
                       environ={"USER_NAME": "ann"})
    assert resolved.argv == (sys.executable, "-c", "print({})", "acme-a:packages/a",
                             str(tmp_path), str(tmp_path / "out"))
    assert resolved.env == (("GREETING", "hi ann "),)
    assert resolved.cwd == tmp_path / "packages/a"
    assert resolved.uses_out


def test_placeholder_values_are_never_run_by_a_shell(tmp_path: Path) -> None:
    # A path can hold shell syntax (a name cannot); it must stay one inert argument.
    hostile = "pk$(touch pwned1);touch pwned2`touch pwned3`"
    package = Package("acme-a", "1.0", hostile, "library")
    task = TaskConfig("t", ("{python}", "-c", "import sys; print(sys.argv[1:])", "{path}",
                            "{name}; touch pwned4"))
    resolved = resolve(task, package, tmp_path, tmp_path / "out")
    assert resolved.argv[3] == hostile
    assert resolved.argv[4] == "acme-a; touch pwned4"


def test_expand_leaves_unknown_braces() -> None:
    assert expand("{name}-{version}-{}", {"name": "x"}) == "x-{version}-{}"
    assert expand_env("$A-${B}-$", {"A": "1"}) == "1--$"


@pytest.mark.parametrize(("argv", "expected"), [
    (("python", "-m", "pytest", "-q"), True),
    (("/venv/bin/pytest",), True),
    (("uv", "run", "--package", "x", "--", "pytest"), True),
    (("python", "-m", "build"), False),
    (("ruff", "check", "pytest"), False),
])
def test_is_pytest(argv: tuple[str, ...], expected: bool) -> None:
    assert is_pytest(argv) is expected


def test_builtin_defaults() -> None:
    assert BUILTIN_TASKS["test"].command == ("{python}", "-m", "pytest")
    assert BUILTIN_TASKS["build"].needs_dependencies
