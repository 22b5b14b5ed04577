"""Tasks: what command runs in which package, with which environment.

A task's definition comes from the root `[tool.orchestrator.tasks]` (or the built-ins),
overridden field by field by the package's own table. Placeholders are substituted in each
argv element separately, so a value can never become a second command.
"""

from __future__ import annotations

import os
import posixpath
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orchestrator.errors import ConfigError
from orchestrator.workspace.config import TaskConfig, check_task_name
from orchestrator.workspace.discovery import Workspace
from orchestrator.workspace.model import Package

PLACEHOLDER = re.compile(r"\{(name|path|root|python|out)\}")
ENV_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
PYTEST_NO_TESTS = 5
LAUNCHERS = frozenset({"uv", "uvx", "poetry", "pdm", "hatch", "rye", "pipx", "tox", "nox"})


@dataclass(frozen=True)
class ResolvedTask:
    """One task as it will run in one package: argv, directory and extra environment."""

    task: str
    package: str
    path: str  # the package directory, relative to the root
    cwd: Path
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...]  # the task's variables, already expanded
    definition: TaskConfig  # as the package sees it, placeholders unexpanded
    uses_out: bool  # the command names {out}: what it writes there is its output
    out: Path  # what {out} stands for: this package's own output directory

    @property
    def needs_dependencies(self) -> bool:
        return self.definition.needs_dependencies

    @property
    def is_pytest(self) -> bool:
        return is_pytest(self.argv)


def definitions(workspace: Workspace, name: str) -> dict[str, TaskConfig]:
    """The task `name` as each package that has it sees it.

    A task defined at the root applies to every package; one that only some packages
    define in their own table applies to those alone.
    """
    check_task_name(name, "the task to run")
    root = workspace.config.tasks.get(name)
    found: dict[str, TaskConfig] = {}
    for package in workspace.packages:
        override = package.settings.task(name)
        if root is not None:
            found[package.name] = root.with_override(override)
        elif override is not None and override.command is not None:
            found[package.name] = TaskConfig(name, override.command).with_override(override)
    if root is None and not found:  # a root task is known even with no package to run in
        raise ConfigError(f"unknown task '{name}'; known tasks: {', '.join(known(workspace))}",
                          hint="define it in [tool.orchestrator.tasks] of pyproject.toml")
    return found


def known(workspace: Workspace) -> list[str]:
    """Every task name the root or a package defines."""
    names = set(workspace.config.tasks)
    for package in workspace.packages:
        names.update(n for n, o in package.settings.tasks if o.command is not None)
    return sorted(names)


def resolve(definition: TaskConfig, package: Package, root: Path, out: Path,
            environ: Mapping[str, str] | None = None) -> ResolvedTask:
    """Substitute the placeholders of one package's task; never through a shell."""
    values = placeholders(package, root, out)
    environ = os.environ if environ is None else environ
    return ResolvedTask(
        task=definition.name,
        package=package.name,
        path=package.path,
        cwd=root / package.path if package.path != "." else root,
        argv=tuple(expand(arg, values) for arg in definition.command),
        env=tuple((k, expand_env(expand(v, values), environ)) for k, v in definition.env),
        definition=definition,
        uses_out=any("{out}" in arg for arg in definition.command),
        out=out,
    )


def placeholders(package: Package, root: Path, out: Path) -> dict[str, str]:
    return {
        "name": package.name,
        "path": package.path,
        "root": str(root),
        "python": sys.executable,
        "out": str(out),
    }


def expand(text: str, values: Mapping[str, str]) -> str:
    """Replace the known placeholders; any other brace is left as written."""
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def expand_env(text: str, environ: Mapping[str, str]) -> str:
    """`$VAR` and `${VAR}` in a task's env values come from the caller (empty when unset)."""
    return ENV_REFERENCE.sub(lambda m: environ.get(m.group(1) or m.group(2), ""), text)


def referenced_variables(definition: TaskConfig) -> list[str]:
    """Names of the caller's variables the task's env values read."""
    names = {m.group(1) or m.group(2) for _, v in definition.env for m in ENV_REFERENCE.finditer(v)}
    return sorted(names)


def is_pytest(argv: tuple[str, ...]) -> bool:
    """Whether the command runs pytest: `pytest`, `python -m pytest`, `uv run ... pytest`."""
    launcher = bool(argv) and posixpath.basename(argv[0]) in LAUNCHERS
    for i, arg in enumerate(argv):
        if arg == "-m" and argv[i + 1 : i + 2] == ("pytest",):
            return True
        if posixpath.basename(arg) in ("pytest", "py.test"):
            return i == 0 or launcher or argv[i - 1] in ("--", "run", "exec")
    return False
