"""`config`, `list` and `check`."""

from __future__ import annotations

import click

from orchestrator.cli.main import Settings
from orchestrator.cli.options import (
    at_option,
    commit_at,
    emit,
    format_option,
    line_end,
    zero_option,
)


@click.command("config")
@format_option("text", "json")
@click.pass_obj
def config_cmd(settings: Settings, fmt: str) -> None:
    """Show the effective settings and where each came from."""
    from orchestrator.render import settings as render

    project = settings.project()
    config = project.workspace().config
    emit((render.render_json if fmt == "json" else render.render_text)(config, str(project.root)))


@click.command("list")
@format_option("table", "json", "names")
@at_option
@zero_option
@click.pass_obj
def list_cmd(settings: Settings, fmt: str, at: str | None, zero: bool) -> None:
    """List the packages of the workspace (now, or at any commit)."""
    from orchestrator.render import listing

    end = line_end(zero, fmt, ("names",))
    project = settings.project()
    packages = project.workspace(commit_at(project, at)).packages
    if fmt == "table":
        import shutil

        emit(listing.render_table(packages, shutil.get_terminal_size((120, 24)).columns))
    elif fmt == "names":
        emit(listing.render_names(packages, end))
    else:
        emit(listing.render_json(packages))


@click.command("check")
@format_option("text", "json")
@click.pass_obj
def check_cmd(settings: Settings, fmt: str) -> int:
    """Check the workspace: cycles, version ranges, layering, undeclared imports.

    Exits 1 when there is an error, 0 when there are only warnings.
    """
    from orchestrator.render import findings as render
    from orchestrator.workspace.checks import run_checks
    from orchestrator.workspace.snapshot import WorktreeSnapshot

    project = settings.project()
    workspace = project.workspace()
    found = run_checks(workspace, project.graph, WorktreeSnapshot(project.git))
    if fmt == "json":
        emit(render.render_json(found))
    else:
        emit(render.render_text(found, len(workspace.packages)))
    return 1 if any(f.severity == "error" for f in found) else 0
