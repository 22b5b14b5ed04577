"""`orchestrator --help` and `--version` answered before click is imported.

Importing click (and the inspect module it brings) takes several times as long as the
interpreter's own start, so the two answers a person waits for most often are kept here
as text. `tests/test_startup.py` checks that the text is exactly what click prints;
anything else, and any terminal narrower than click's 80 columns, goes to click.
"""

from __future__ import annotations

import os
import sys

from orchestrator import __version__
from orchestrator.cli.commands import COMMANDS

HELP = """\
Usage: orchestrator [OPTIONS] COMMAND [ARGS]...

  Affected tests, coordinated releases and dependency graphs for Python
  monorepos.

Options:
  -C DIRECTORY   Run as if started in DIR.
  --config FILE  Read [tool.orchestrator] from FILE instead of the root
                 pyproject.toml.
  -v, --verbose  Say more (repeatable).
  -q, --quiet    Say only what was asked for.
  --no-color     Plain text, no colours.
  --debug        Show tracebacks for errors.
  --version      Show the version and exit.
  -h, --help     Show this message and exit.

Commands:
"""
WIDE_ENOUGH = 80  # click wraps help at min(columns, 80) - 2: the text above is for 80 up


def answer(argv: list[str]) -> str | None:
    """The text click would print for these arguments, when it is known here; else None."""
    if argv == ["--version"]:
        return f"orchestrator, version {__version__}\n"
    if argv in (["--help"], ["-h"]) and _columns() >= WIDE_ENOUGH:
        return HELP + _commands()
    return None


def _commands() -> str:
    """The command list as click's formatter writes it (names padded, two spaces)."""
    width = max(len(name) for name in COMMANDS)
    return "".join(f"  {name:<{width}}  {text}\n" for name, (_, _, text) in COMMANDS.items())


def _columns() -> int:
    """The terminal's width as click's formatter finds it (`shutil.get_terminal_size`)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns > 0:
        return columns
    try:
        columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        columns = 0
    return columns or WIDE_ENOUGH  # not a terminal: click's fallback, 80 columns


def main(argv: list[str] | None = None) -> None:
    """The console script: a known answer, or the full command line."""
    args = sys.argv[1:] if argv is None else argv
    text = answer(args)
    if text is None:
        from orchestrator.cli.main import main as run

        run(args)
        return
    sys.stdout.write(text)
    sys.stdout.flush()
