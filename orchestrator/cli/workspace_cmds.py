"""`config`, `list` and `check`."""

from __future__ import annotations

import click

from orchestrator.cli.main import Settings
from orchestrator.cli.options import emit, format_option


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
@click.pass_obj
def list_cmd(settings: Settings, fmt: str) -> None:
    """List the packages of the workspace."""
    from orchestrator.render import listing

    packages = settings.project().workspace().packages
    if fmt == "table":
        import shutil

        emit(listing.render_table(packages, shutil.get_terminal_size((120, 24)).columns))
        return
    render = {"json": listing.render_json, "names": listing.render_names}[fmt]
    emit(render(packages))


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
