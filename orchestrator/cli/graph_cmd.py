"""`graph`: who depends on whom, and what a change touches, in six formats."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from orchestrator.cli.completion import complete_packages
from orchestrator.cli.main import Settings
from orchestrator.cli.options import (
    RELATIVE,
    OptionPath,
    at_option,
    base_option,
    commit_at,
    emit,
    format_option,
    head_option,
)
from orchestrator.workspace.model import EDGE_KINDS, EdgeKind

if TYPE_CHECKING:
    from orchestrator.render.graphview import GraphView
    from orchestrator.render.tree import Style

FORMATS = ("tree", "dot", "mermaid", "markdown", "json", "html", "svg")


@click.command("graph")
@format_option(*FORMATS)
@click.option("-o", "--output", type=OptionPath(dir_okay=False, path_type=Path),
              help="Write to FILE instead of stdout." + RELATIVE)
@click.option("--focus", multiple=True, metavar="PKG", shell_complete=complete_packages,
              help="Only PKG and its neighbourhood (repeatable).")
@click.option("--depth", type=click.IntRange(min=0), metavar="N",
              help="Follow at most N steps from the focus (or from the top of the tree).")
@click.option("--reverse", is_flag=True,
              help="Follow dependents instead: who uses the package.")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(EDGE_KINDS),
              help="Only edges of this kind (repeatable; default every kind).")
@click.option("--affected", is_flag=True, help="Colour the packages a change affects.")
@click.option("--only-affected", is_flag=True,
              help="Draw only the affected packages (implies --affected).")
@click.option("--group/--no-group", default=True, show_default=True,
              help="Box packages by folder (html, svg, dot).")
@at_option
@base_option
@head_option
@click.pass_obj
def graph_cmd(settings: Settings, fmt: str, output: Path | None, focus: tuple[str, ...],
              depth: int | None, reverse: bool, kinds: tuple[str, ...], affected: bool,
              only_affected: bool, group: bool, at: str | None, base: str | None,
              head: str | None) -> None:
    """Show who depends on whom: a terminal tree, or DOT, Mermaid, JSON, HTML or SVG.

    Arrows point from a package to what it depends on. With --affected, the packages the
    change from BASE to HEAD touches are coloured by reason. --at REV draws the graph of
    any commit (a release tag, say) from git objects, without checking it out.
    """
    from orchestrator.render.graphview import select

    if (base or head) and not (affected or only_affected):
        raise click.UsageError("--base and --head need --affected")
    if at and head:
        raise click.UsageError("--at and --head name the same thing: give one")
    project = settings.project()
    result = None
    commit = commit_at(project, at)  # None: the working tree
    head = head or at
    if affected or only_affected:
        from orchestrator.changes.affected import compute_affected
        from orchestrator.changes.diff import head_commit

        result = compute_affected(project, base=base, head=head, committed_only=False)
        commit = None if head is None else head_commit(project.git, head)
    graph = project.graph_at(commit)  # HEAD's graph, the one affected used
    view = select(graph, focus=focus, depth=depth, reverse=reverse,
                  kinds=cast(tuple[EdgeKind, ...], kinds) or EDGE_KINDS,
                  affected=result, only_affected=only_affected)
    style = terminal_style(settings.color and output is None and sys.stdout.isatty())
    emit(_render(view, fmt, group=group, style=style, title=project.root.name), output)


def terminal_style(terminal: bool) -> Style:
    """Styles only on a terminal; with NO_COLOR set (https://no-color.org), bold and dim
    but no colours."""
    if not terminal:
        return "plain"
    return "mono" if os.environ.get("NO_COLOR") else "colour"


def _render(view: GraphView, fmt: str, *, group: bool, style: Style, title: str) -> str:
    if fmt == "tree":
        from orchestrator.render.tree import render_tree

        return render_tree(view, style=style, width=_terminal_width())
    if fmt == "json":
        from orchestrator.render.graphjson import render_json

        return render_json(view)
    if fmt == "mermaid":
        from orchestrator.render.mermaid import render_mermaid

        return render_mermaid(view)
    if fmt == "markdown":
        from orchestrator.render.markdown import render_markdown

        return render_markdown(view)
    if fmt == "dot":
        from orchestrator.render.dot import render_dot

        return render_dot(view, group=group)
    if fmt == "svg":
        from orchestrator.render.svg import render_svg

        return render_svg(view, group=group)
    from orchestrator.render.html import render_html

    return render_html(view, title=f"{title} — dependency graph", group=group)


def _terminal_width() -> int:
    import shutil

    return max(shutil.get_terminal_size((120, 24)).columns, 60)
