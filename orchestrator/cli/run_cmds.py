"""`run`, `test` and `build`: one task over a selection of packages."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from orchestrator.cli.completion import complete_packages, complete_tasks
from orchestrator.cli.main import Settings
from orchestrator.cli.options import RELATIVE, OptionPath, base_option, emit, format_option

if TYPE_CHECKING:  # imported where used, so that `--help` stays fast
    from orchestrator.context import Project
    from orchestrator.tasks.display import Display
    from orchestrator.tasks.plan import Plan, RunRequest
    from orchestrator.tasks.remote import RemoteCache, RemoteStats
    from orchestrator.tasks.runner import TaskResult
    from orchestrator.tasks.selection import Audit, SelectionRequest

F = TypeVar("F", bound=Callable[..., Any])
PathType = OptionPath(path_type=Path)


def selection_options(f: F) -> F:
    """--all / --affected / -p and the widening flags."""
    for option in reversed([
        click.option("--all", "select_all", is_flag=True, help="Every package."),
        click.option("--affected", "select_affected", is_flag=True,
                     help="The packages a change since BASE affects."),
        click.option("-p", "--package", "packages", multiple=True, metavar="PKG",
                     shell_complete=complete_packages, help="This package (repeatable)."),
        base_option,
        click.option("--with-dependencies", is_flag=True,
                     help="Also the packages the selection depends on."),
        click.option("--with-dependents", is_flag=True,
                     help="Also the packages that depend on the selection."),
    ]):
        f = option(f)
    return f


def execution_options(f: F) -> F:
    """Pool, shard, cache and report options."""
    for option in reversed([
        click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
                     help="Run up to N tasks at once (default: CPU count)."),
        click.option("--shard", metavar="K/N", help="Run only shard K of N (deterministic)."),
        click.option("--durations", type=PathType, metavar="FILE|remote",
                     help="Balance shards by the durations in FILE (if it exists), or "
                          "by those kept in the remote cache." + RELATIVE),
        click.option("--write-durations", type=PathType, metavar="FILE",
                     help="Merge this run's durations into FILE for later --durations."
                          + RELATIVE),
        click.option("--no-cache", is_flag=True, help="Run every task; read and store nothing."),
        click.option("--cache-dir", type=PathType, metavar="DIR",
                     help="Task cache directory (default .orchestrator/cache/tasks)."
                          + RELATIVE),
        click.option("--remote-cache", metavar="URL",
                     help="Share results through a Turborepo remote cache API (https://...) "
                          "or an S3 bucket (s3://bucket/prefix)."),
        click.option("--remote-cache-read-only", is_flag=True,
                     help="Download from the remote cache, never upload."),
        click.option("--fail-fast", is_flag=True,
                     help="Stop everything at the first failure."),
        click.option("--audit", is_flag=True,
                     help="Report failures the affected selection for BASE would have skipped."),
        format_option("text", "json"),
        click.option("--junit", type=PathType, metavar="FILE",
                     help="Write JUnit XML (one test suite per package)." + RELATIVE),
    ]):
        f = option(f)
    return f


@dataclass(frozen=True)
class Options:
    """The parsed options common to the three commands."""

    select_all: bool
    select_affected: bool
    packages: tuple[str, ...]
    base: str | None
    with_dependencies: bool
    with_dependents: bool
    jobs: int | None
    shard: str | None
    durations: Path | None
    write_durations: Path | None
    no_cache: bool
    cache_dir: Path | None
    remote_cache: str | None
    remote_cache_read_only: bool
    fail_fast: bool
    audit: bool
    fmt: str
    junit: Path | None


@click.command("run")
@click.argument("task", shell_complete=complete_tasks)
@selection_options
@execution_options
@click.pass_obj
def run_cmd(settings: Settings, /, task: str, **options: Any) -> int:
    """Run TASK in each selected package (default: all of them)."""
    return _run(settings, task, Options(**options), default="all")


@click.command("test")
@selection_options
@execution_options
@click.pass_obj
def test_cmd(settings: Settings, /, **options: Any) -> int:
    """Run the tests of the affected packages (`run test --affected`)."""
    return _run(settings, "test", Options(**options), default="affected")


@click.command("build")
@selection_options
@execution_options
@click.option("--out", type=PathType, default=None, metavar="DIR",
              help="Where sdists and wheels go (default: dist/ at the root)." + RELATIVE)
@click.option("--keep-local-references", is_flag=True,
              help="Keep internal requirements as written (path, file:// and workspace "
                   "sources) instead of pinning them to the repository's versions.")
@click.pass_obj
def build_cmd(settings: Settings, /, out: Path | None, keep_local_references: bool,
              **options: Any) -> int:
    """Build sdists and wheels of the selected packages, dependencies first."""
    # The built-in build command reads both; the first is part of its cache key.
    os.environ["ORCHESTRATOR_KEEP_LOCAL_REFERENCES"] = "1" if keep_local_references else ""
    if settings.config_file is not None:
        os.environ["ORCHESTRATOR_CONFIG_FILE"] = str(settings.config_file.resolve())
    else:
        os.environ.pop("ORCHESTRATOR_CONFIG_FILE", None)
    return _run(settings, "build", Options(**options), default="all", out=out)


def _selection(options: Options, default: str) -> SelectionRequest:
    from orchestrator.tasks.selection import SelectionRequest

    chosen = [m for m, on in (("all", options.select_all), ("affected", options.select_affected),
                              ("packages", bool(options.packages))) if on]
    if len(chosen) > 1:
        raise click.UsageError("choose one of --all, --affected and -p/--package")
    if options.audit and chosen == ["affected"]:
        raise click.UsageError("--audit runs everything and compares: use it with --all")
    mode = chosen[0] if chosen else ("all" if options.audit else default)
    if options.base is not None and mode != "affected" and not options.audit:
        raise click.UsageError("--base applies to --affected and --audit only")
    return SelectionRequest(mode, options.packages, options.base,  # type: ignore[arg-type]
                            options.with_dependencies, options.with_dependents)


def _request(task: str, options: Options, default: str, out: Path | None) -> RunRequest:
    from orchestrator.tasks.plan import RunRequest
    from orchestrator.tasks.shard import parse_shard

    if options.durations is not None and options.shard is None:
        raise click.UsageError("--durations balances shards: use it with --shard K/N")
    if options.cache_dir is not None and options.cache_dir.parts[0] in ("s3:", "http:", "https:"):
        raise click.UsageError("--cache-dir is a local directory: share results through "
                               "--remote-cache URL")
    remote = options.durations is not None and str(options.durations) == "remote"
    return RunRequest(
        task=task, selection=_selection(options, default), workers=options.jobs or _cpus(),
        shard=parse_shard(options.shard) if options.shard is not None else None,
        durations="remote" if remote else options.durations, use_cache=not options.no_cache,
        cache_dir=options.cache_dir, fail_fast=options.fail_fast,
        out_dir=out.resolve() if out is not None else None,
    )


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _run(settings: Settings, task: str, options: Options, *, default: str,
         out: Path | None = None) -> int:
    from orchestrator.tasks import runner, selection
    from orchestrator.tasks.plan import plan_run

    project = settings.project()
    request = _request(task, options, default, out)
    _check_outputs(options, out, request.cache_dir)
    remote = _remote(project, options)
    try:
        plan = plan_run(project, request, remote)
    except BaseException:
        if remote is not None:
            remote.close()
        raise
    before = selection.compute(project, options.base, task) if options.audit else None
    display = _display(settings, project.root, task, options.fmt)
    display.begin(plan.jobs)
    try:
        results = runner.execute(plan.jobs, plan.settings, display)
    finally:
        display.close()
    failed = {r.package for r in results if r.status == "failed"}
    audit = selection.audit(before, failed) if before is not None else None
    stats = _remote_durations(project, plan, results, remote)
    display.end(results, audit, stats)
    _reports(project.root, task, results, options, audit, stats)
    return 1 if failed else 0


def _remote(project: Project, options: Options) -> RemoteCache | None:
    """The remote cache named by --remote-cache or the configuration, if any."""
    from orchestrator.tasks.remote import open_remote
    from orchestrator.workspace.config import remote_cache_url

    url = options.remote_cache
    if url is not None:
        url = remote_cache_url(url, "--remote-cache")
    else:
        url = project.workspace().config.remote_cache
    if url is None:
        if options.remote_cache_read_only or options.durations == Path("remote"):
            raise click.UsageError("--remote-cache-read-only and --durations remote need a "
                                   "remote cache: --remote-cache URL or remote-cache in "
                                   "[tool.orchestrator]")
        return None
    if options.no_cache and options.durations != Path("remote"):
        return None
    return open_remote(url, read_only=options.remote_cache_read_only, environ=os.environ,
                       warn=_warn)


def _warn(message: str) -> None:
    click.echo(f"orchestrator: warning: {message}", err=True)


def _remote_durations(project: Project, plan: Plan, results: list[TaskResult],
                      remote: RemoteCache | None) -> RemoteStats | None:
    """Store this run's durations for the next run's shards (--durations remote)."""
    if remote is None:
        return None
    if plan.durations_from_remote and plan.shard is not None:
        from orchestrator.tasks import balance

        commit = balance.write_commit(project)
        measured = {r.package: r.measured for r in results if r.measured is not None}
        if commit is not None:
            balance.write(remote, plan.task, commit, plan.shard, plan.durations, measured)
    return remote.stats()


def _check_outputs(options: Options, out: Path | None, cache_dir: Path | None) -> None:
    """Refuse output paths that cannot be written before any task runs, not after."""
    from orchestrator.tasks.reports import check_writable

    for path, what in ((options.junit, "--junit file"),
                       (options.write_durations, "--write-durations file")):
        if path is not None:
            check_writable(path, what, directory=False)
    for path, what in ((out, "--out directory"), (cache_dir, "--cache-dir directory")):
        if path is not None:
            check_writable(path, what, directory=True)
    if options.write_durations is not None:  # its figures are merged into: it must read
        from orchestrator.tasks.shard import read_durations

        read_durations(options.write_durations)


def _display(settings: Settings, root: Path, task: str, fmt: str) -> Display:
    from orchestrator.tasks.display import make_display

    stream = sys.stderr if fmt == "json" else sys.stdout
    return make_display(
        stream, root, task, terminal=stream.isatty(),
        github=os.environ.get("GITHUB_ACTIONS") == "true", verbosity=settings.verbosity,
        color=settings.color and "NO_COLOR" not in os.environ,
    )


def _reports(root: Path, task: str, results: list[TaskResult], options: Options,
             audit: Audit | None, remote: RemoteStats | None) -> None:
    from orchestrator.tasks import reports, shard

    if options.fmt == "json":
        emit(reports.render_json(task, results, shard=options.shard, audit=audit,
                                 remote=remote))
    if options.junit is not None:
        reports.write_text(options.junit, reports.render_junit(task, results, root))
    if options.write_durations is not None:
        measured = {r.package: r.measured for r in results if r.measured is not None}
        shard.write_durations(options.write_durations, measured)
