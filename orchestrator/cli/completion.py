"""Shell completion: the `completion` command, and completers for package and task names.

Completers read the workspace as the command would (from `-C DIR` if given); anything that
goes wrong while completing completes nothing, rather than printing an error into a prompt.
"""

from __future__ import annotations

from pathlib import Path

import click
from click.shell_completion import CompletionItem

SHELLS = ("bash", "zsh", "fish")


@click.command("completion")
@click.argument("shell", type=click.Choice(SHELLS))
def completion_cmd(shell: str) -> None:
    """Print the completion script for SHELL.

    \b
    bash: eval "$(orchestrator completion bash)"   (in ~/.bashrc)
    zsh:  eval "$(orchestrator completion zsh)"    (in ~/.zshrc)
    fish: orchestrator completion fish > ~/.config/fish/completions/orchestrator.fish
    """
    from click.shell_completion import get_completion_class

    from orchestrator.cli.main import cli

    cls = get_completion_class(shell)
    assert cls is not None  # every name in SHELLS is one click knows
    click.echo(cls(cli, {}, "orchestrator", "_ORCHESTRATOR_COMPLETE").source())


def _workspace_names(ctx: click.Context, what: str) -> list[str]:
    from orchestrator.context import Project

    root = ctx.find_root().params
    directory = root.get("directory") or Path.cwd()
    try:
        workspace = Project(Path(directory), root.get("config_file")).workspace()
    except Exception:  # completing must never fail loudly, whatever is broken
        return []
    if what == "tasks":
        from orchestrator.tasks.definitions import known

        return known(workspace)
    return [p.name for p in workspace.packages]


def complete_packages(ctx: click.Context, param: click.Parameter,
                      incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(n) for n in _workspace_names(ctx, "packages")
            if n.startswith(incomplete)]


def complete_tasks(ctx: click.Context, param: click.Parameter,
                   incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(n) for n in _workspace_names(ctx, "tasks") if n.startswith(incomplete)]


def complete_bumps(ctx: click.Context, param: click.Parameter,
                   incomplete: str) -> list[CompletionItem]:
    """`--bump PKG=LEVEL`: the package first, then the level."""
    name, sep, _ = incomplete.partition("=")
    if sep:
        return [CompletionItem(f"{name}={level}") for level in ("major", "minor", "patch")
                if f"{name}={level}".startswith(incomplete)]
    return [CompletionItem(f"{n}=", type="plain") for n in _workspace_names(ctx, "packages")
            if n.startswith(incomplete)]
