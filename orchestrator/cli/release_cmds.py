"""`release init`, `release plan`, `release apply` and `release publish`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from orchestrator.cli.completion import complete_bumps
from orchestrator.cli.main import Settings
from orchestrator.cli.options import REF, RELATIVE, OptionPath, emit, format_option
from orchestrator.errors import ConfigError, OrchestratorError

bump_option = click.option("--bump", "bumps", multiple=True, metavar="PKG=LEVEL",
                           shell_complete=complete_bumps,
                           help="Bump PKG by major, minor or patch whatever its commits say.")
pre_option = click.option("--pre", metavar="LABEL",
                          help="Make pre-releases with this label (a, b, rc): 1.2.0rc1, rc2...")


@click.group("release")
def release_group() -> None:
    """Plan, apply and publish a release of the packages that changed."""


def _options(settings: Settings, bumps: tuple[str, ...], pre: str | None) -> Any:
    from orchestrator.release.plan import command_options

    options, notes = command_options(bumps, pre)
    if settings.verbosity >= 0:
        for note in notes:
            click.echo(f"note: {note}", err=True)
    return options


@release_group.command("init")
@click.option("--at", "at", metavar="REF", type=REF, help="Tag this commit (default: HEAD).")
@click.pass_obj
def init_cmd(settings: Settings, at: str | None) -> None:
    """Tag each untagged package's current version as released; change nothing else."""
    from orchestrator.release import baseline

    emit(baseline.render(baseline.init(settings.project(), at)))


@release_group.command("plan")
@format_option("table", "json")
@bump_option
@pre_option
@click.option("--strict", is_flag=True,
              help="Exit 2 when a package is left out because its version cannot be read.")
@click.pass_obj
def plan_cmd(settings: Settings, fmt: str, bumps: tuple[str, ...], pre: str | None,
             strict: bool) -> None:
    """Show what a release would do now; changes nothing."""
    from orchestrator.release import report
    from orchestrator.release.plan import plan_at_head

    plan = plan_at_head(settings.project(), _options(settings, bumps, pre))
    emit(report.render_json(plan) if fmt == "json" else report.render_table(plan))
    if strict and plan.skipped:
        names = ", ".join(s.name for s in plan.skipped)
        raise ConfigError(f"--strict: {len(plan.skipped)} package(s) cannot be planned because "
                          f"their version cannot be read: {names}")


@release_group.command("apply")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation.")
@bump_option
@pre_option
@click.option("--push", is_flag=True, help="Push the release commit and tags atomically.")
@click.option("--no-verify", is_flag=True,
              help="Skip the repository's pre-commit and commit-msg hooks on the release commit.")
@click.pass_obj
def apply_cmd(settings: Settings, yes: bool, bumps: tuple[str, ...], pre: str | None,
              push: bool, no_verify: bool) -> None:
    """Set versions, write changelogs, commit once and tag each released package."""
    from orchestrator.release import report
    from orchestrator.release.apply import run_apply

    def confirm(plan: Any) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            raise OrchestratorError("release apply needs a confirmation and there is no "
                                    "terminal: pass --yes to apply without asking")
        click.echo(report.render_table(plan), nl=False)
        return click.confirm("Apply this release?", default=False)

    outcome = run_apply(settings.project(), _options(settings, bumps, pre), push=push,
                        confirm=confirm, verify=not no_verify)
    emit(report.render_outcome(outcome))


@release_group.command("publish")
@click.option("--repository-url", metavar="URL",
              help="Upload to this index (default: [tool.orchestrator.release] repository-url).")
@click.option("--index-url", metavar="URL",
              help="Read what the index has from this simple index (default: derived).")
@click.option("--no-isolation", is_flag=True,
              help="Build with the backends already installed "
                   "(also ORCHESTRATOR_BUILD_ISOLATION=0).")
@click.option("--out", "out_dir", type=OptionPath(file_okay=False, path_type=Path),
              help="Keep the built artifacts in DIR." + RELATIVE)
@click.pass_obj
def publish_cmd(settings: Settings, repository_url: str | None, index_url: str | None,
                no_isolation: bool, out_dir: Path | None) -> int:
    """Build the packages tagged at HEAD and upload what the index lacks, dependencies first."""
    from orchestrator.release import publish
    from orchestrator.tasks.reports import check_writable

    if out_dir is not None:  # refused before anything is built, not after
        check_writable(out_dir, "--out directory", directory=True)

    request = publish.PublishRequest(repository_url, index_url, no_isolation, out_dir)
    def progress(line: str) -> None:
        if settings.verbosity >= 0:
            click.echo(line, err=True)

    result = publish.publish(settings.project(), request, echo=progress)
    emit(publish.render(result))
    return 1 if result.failed else 0
