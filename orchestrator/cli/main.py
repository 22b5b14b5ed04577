"""The `orchestrator` command: global options, lazy subcommands, one error translator."""

from __future__ import annotations

import gc
import importlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from orchestrator import __version__
from orchestrator.cli.commands import COMMANDS
from orchestrator.cli.options import GivenPath
from orchestrator.errors import OrchestratorError

if TYPE_CHECKING:
    from orchestrator.context import Project



class Settings:
    """Global options, shared with every command through click's context object (a plain
    class: defining a dataclass costs start-up time)."""

    def __init__(self) -> None:
        self.directory = Path.cwd()
        self.config_file: Path | None = None
        self.verbosity = 0
        self.color = True
        self.debug = False
        self._project: Project | None = None

    def project(self) -> Project:
        from orchestrator.context import Project

        if self._project is None:
            self._project = Project(self.directory, self.config_file)
        return self._project


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        command: click.Command = getattr(
            importlib.import_module(f"orchestrator.cli.{module}"), attribute
        )
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_text) for name, (_, _, help_text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", type=GivenPath(file_okay=False, path_type=Path),
              help="Run as if started in DIR.")
@click.option("--config", "config_file", type=GivenPath(dir_okay=False, path_type=Path),
              help="Read [tool.orchestrator] from FILE instead of the root pyproject.toml.")
@click.option("-v", "--verbose", count=True, help="Say more (repeatable).")
@click.option("-q", "--quiet", is_flag=True, help="Say only what was asked for.")
@click.option("--no-color", is_flag=True, help="Plain text, no colours.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(__version__, prog_name="orchestrator")
@click.pass_obj
def cli(settings: Settings, directory: Path | None, config_file: Path | None, verbose: int,
        quiet: bool, no_color: bool, debug: bool) -> None:
    """Affected tests, coordinated releases and dependency graphs for Python monorepos."""
    settings.directory = directory or Path.cwd()
    # Like git -C: a relative --config is read from the directory -C names.
    settings.config_file = (directory / config_file if directory is not None
                            and config_file is not None and not config_file.is_absolute()
                            else config_file)
    settings.verbosity = -1 if quiet else verbose
    settings.color = not no_color
    settings.debug = debug


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI and turn every error into a sentence and an exit status."""
    # Reading a workspace allocates hundreds of thousands of small acyclic objects; the
    # default threshold (700) rescans them all many times over: 13% of a 5,000-package query.
    gc.set_threshold(50_000, 20, 10)
    settings = Settings()
    status = _run(settings, argv)
    # What the command made needs no collecting at exit: 10 ms on a large workspace.
    gc.freeze()
    sys.exit(status)


def _run(settings: Settings, argv: list[str] | None) -> int:
    """The command's exit status, every error turned into a sentence on stderr."""
    try:
        status = cli.main(args=argv, prog_name="orchestrator", obj=settings,
                          standalone_mode=False)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.UsageError as e:  # one sentence, as every other error; usage is in --help
        command = e.ctx.command_path if e.ctx is not None else "orchestrator"
        _report(OrchestratorError(e.format_message(), hint=f"see '{command} --help'"),
                verbosity=0)
        return e.exit_code
    except click.ClickException as e:
        e.show()
        return e.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except OrchestratorError as e:
        if settings.debug:
            raise
        _report(e, settings.verbosity)
        return e.exit_code
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (`| head`): nothing left to say
        return 0
    except OSError as e:  # a file the core could not read or write, not caught nearer
        if settings.debug:
            raise
        where = f": {e.filename}" if e.filename else ""
        click.echo(f"orchestrator: {e.strerror or e}{where}", err=True)
        return 2
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    return status if isinstance(status, int) else 0


def _report(error: OrchestratorError, verbosity: int) -> None:
    click.echo(f"orchestrator: {error.message}", err=True)
    if error.hint:
        click.echo(f"hint: {error.hint}", err=True)
    if verbosity > 0:
        for detail in (error.detail, error.__cause__):
            if detail:
                click.echo(f"detail: {detail}", err=True)
