"""`changed`, `affected` and `why`."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from orchestrator.cli.completion import complete_packages
from orchestrator.cli.main import Settings
from orchestrator.cli.options import (
    base_option,
    emit,
    format_option,
    head_option,
    line_end,
    zero_option,
)
from orchestrator.errors import OrchestratorError

if TYPE_CHECKING:
    from orchestrator.changes.affected import AffectedResult, MissingBasePolicy

F = TypeVar("F", bound=Callable[..., Any])


def committed_only_option(f: F) -> F:
    return click.option("--committed-only", is_flag=True,
                        help="Ignore uncommitted and untracked files (HEAD is the commit).")(f)


def _compute(settings: Settings, base: str | None, head: str | None, committed_only: bool,
             on_missing_base: MissingBasePolicy = "error") -> AffectedResult:
    from orchestrator.changes.affected import compute_affected

    return compute_affected(settings.project(), base=base, head=head,
                            committed_only=committed_only, on_missing_base=on_missing_base)


def _summarise(settings: Settings, result: AffectedResult, *, dependents: bool) -> None:
    from orchestrator.render.affected import summary

    if settings.verbosity < 0:
        return
    click.echo(summary(result, dependents=dependents), err=True)
    ignored = [f for f in result.unowned_files if f not in result.global_files]
    if settings.verbosity > 0 and ignored:
        click.echo("unowned files that affect no package:", err=True)
        for path in ignored:
            click.echo(f"  {path}", err=True)


@click.command("changed")
@base_option
@head_option
@committed_only_option
@format_option("names", "json")
@zero_option
@click.pass_obj
def changed_cmd(settings: Settings, base: str | None, head: str | None, committed_only: bool,
                fmt: str, zero: bool) -> None:
    """List the packages a change touches directly (without their dependents)."""
    from orchestrator.render import affected as render

    end = line_end(zero, fmt, ("names",))
    result = _compute(settings, base, head, committed_only)
    if fmt == "json":
        emit(render.render_json(result, dependents=False))
    else:
        emit(render.render_names(result, dependents=False, end=end))
    _summarise(settings, result, dependents=False)


@click.command("affected")
@base_option
@head_option
@committed_only_option
@click.option("--on-missing-base", type=click.Choice(["error", "all"]), default="error",
              show_default=True,
              help="When BASE or the merge base cannot be found: stop, or select everything.")
@format_option("names", "json", "paths", "github-matrix")
@zero_option
@click.option("--github-output", is_flag=True,
              help="Also append matrix, packages, any and count to $GITHUB_OUTPUT.")
@click.pass_obj
def affected_cmd(settings: Settings, base: str | None, head: str | None, committed_only: bool,
                 on_missing_base: MissingBasePolicy, fmt: str, zero: bool,
                 github_output: bool) -> None:
    """List the packages a change touches, directly or through their dependencies."""
    from orchestrator.render import affected as render

    end = line_end(zero, fmt, ("names", "paths"))
    target = _github_output_file() if github_output else None
    result = _compute(settings, base, head, committed_only, on_missing_base)
    if fmt == "names":
        emit(render.render_names(result, end=end))
    elif fmt == "paths":
        emit(render.render_paths(result, end=end))
    else:
        emit(render.render_matrix(result) if fmt == "github-matrix" else render.render_json(result))
    if target is not None:
        _append(target, render.github_outputs(result))
    _summarise(settings, result, dependents=True)


def _github_output_file() -> str:
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        raise OrchestratorError("--github-output needs the GITHUB_OUTPUT environment variable",
                                hint="it is set inside GitHub Actions steps")
    return target


def _append(target: str, text: str) -> None:
    try:
        with open(target, "a", encoding="utf-8") as f:
            f.write(text)
    except OSError as e:
        raise OrchestratorError(f"cannot append to {target} (GITHUB_OUTPUT): {e.strerror}") from e


@click.command("why")
@click.argument("package", shell_complete=complete_packages)
@base_option
@head_option
@committed_only_option
@format_option("text", "json")
@click.pass_obj
def why_cmd(settings: Settings, package: str, base: str | None, head: str | None,
            committed_only: bool, fmt: str) -> None:
    """Show the shortest chain from a changed file to PACKAGE, or say it is not affected."""
    from orchestrator.changes.affected import why
    from orchestrator.render.affected import render_why, render_why_json

    result = _compute(settings, base, head, committed_only)
    render = render_why_json if fmt == "json" else render_why
    emit(render(result, package, why(result, package)))
