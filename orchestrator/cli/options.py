"""Options shared by several commands, and small helpers for writing their output."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from orchestrator.errors import OrchestratorError

if TYPE_CHECKING:
    from orchestrator.context import Project

F = TypeVar("F", bound=Callable[..., Any])


class GivenPath(click.Path):
    """A path that names something: an empty one is an error, not the current directory."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("an empty path names nothing", param, ctx)
        return super().convert(value, param, ctx)


class GivenRef(click.types.StringParamType):
    """A git revision: an empty one is an error, never the default it would fall back to."""

    name = "ref"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        value = super().convert(value, param, ctx)
        if not value.strip():
            self.fail("an empty ref names nothing", param, ctx)
        return value


REF = GivenRef()


class OptionPath(GivenPath):
    """A path given to an option: a relative one is relative to `-C DIR`, as in git (and as
    --config is), not to the directory the command was started in. `-` stays stdout."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        path = Path(os.fsdecode(super().convert(value, param, ctx)))
        from orchestrator.cli.main import Settings

        settings = ctx.find_object(Settings) if ctx is not None else None
        if settings is None or str(path) in ("-", "remote") or path.is_absolute() \
                or "://" in str(value):  # a URL: the option says what it thinks of it
            return path
        return settings.directory / path


RELATIVE = " A relative path is relative to -C DIR."


def format_option(*choices: str, default: str | None = None) -> Callable[[F], F]:
    return click.option(
        "--format", "fmt", type=click.Choice(choices), default=default or choices[0],
        show_default=True, help="Output format.",
    )


def base_option(f: F) -> F:
    return click.option("--base", metavar="REF", type=REF,
                        help="Compare against REF (default: CI, config, origin/main, main).")(f)


def head_option(f: F) -> F:
    return click.option("--head", metavar="REF", type=REF,
                        help="Compare up to REF (default: the working tree).")(f)


def at_option(f: F) -> F:
    return click.option("--at", "at", metavar="REV", type=REF,
                        help="Read the workspace at REV from git objects (a tag, branch or "
                             "commit), not the working tree.")(f)


def commit_at(project: Project, rev: str | None) -> str | None:
    """The commit `--at REV` names (None: the working tree); an unknown one is an error."""
    if rev is None:
        return None
    from orchestrator.changes.diff import other_object
    from orchestrator.errors import GitError

    commit = project.git.resolve(rev)
    kind = other_object(project.git, rev) if commit is None else None
    if kind is not None:
        raise GitError(f"--at names '{rev}', which is a {kind}, not a commit",
                       hint="give a tag, branch or commit")
    if commit is None:
        raise GitError(f"--at names '{rev}', which is not a commit in this repository",
                       hint="give a tag, branch or commit (git fetch it first if needed)")
    return commit


def zero_option(f: F) -> F:
    return click.option("-z", "zero", is_flag=True,
                        help="End each name or path with NUL, not a newline (for xargs -0).")(f)


def line_end(zero: bool, fmt: str, formats: tuple[str, ...]) -> str:
    """What ends each entry of a list output: NUL with -z, which only lists take."""
    if zero and fmt not in formats:
        raise OrchestratorError(f"-z applies to --format {' and '.join(formats)}, not {fmt}")
    return "\0" if zero else "\n"


def emit(text: str, output: Path | None = None) -> None:
    """Write a rendered result to stdout, or to a file."""
    if output is None or str(output) == "-":
        if text:  # an empty answer is no output, not an empty line a script would read
            click.echo(text, nl=not text.endswith(("\n", "\0")))
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as e:
        raise OrchestratorError(f"cannot write {output}: {e.strerror}") from e
