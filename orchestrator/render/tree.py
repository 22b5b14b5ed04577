"""`graph` in a terminal: a rich tree of dependencies (or, reversed, of dependents).

A package whose subtree was already shown is marked `(*)` instead of being expanded again,
and a cycle is marked where it closes, so the tree stays finite and short.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from orchestrator.render.graphview import GraphView, tree_roots

if TYPE_CHECKING:
    from rich.text import Text
    from rich.tree import Tree

KIND_STYLES = {"library": "cyan", "service": "bold magenta"}
STATE_STYLES = {"changed": "bold red", "global": "bold magenta", "dependency": "yellow"}


def render_tree(view: GraphView, *, color: bool = False, width: int = 120) -> str:
    from rich.console import Console

    console = Console(file=io.StringIO(), force_terminal=color, no_color=not color,
                      color_system="standard" if color else None, width=width,
                      highlight=False, emoji=False, markup=False)
    if not view.names:
        return "no packages to show"
    expanded: set[str] = set()
    for root in list(view.focus) or tree_roots(view.graph, view.reverse):
        console.print(_subtree(view, root, None, expanded, (root,)))
    output = console.file.getvalue()  # type: ignore[attr-defined]  # a StringIO, given above
    return str(output).rstrip("\n")


def _subtree(view: GraphView, name: str, parent: str | None, expanded: set[str],
             path: tuple[str, ...]) -> Tree:
    from rich.tree import Tree

    children = _children(view, name)
    repeat = name in expanded and bool(children)
    tree = Tree(_label(view, name, parent, "(*)" if repeat else ""), guide_style="dim")
    if repeat or (view.depth is not None and len(path) > view.depth):
        return tree
    expanded.add(name)
    for child in children:
        if child in path:
            tree.add(_label(view, child, name, "(cycle)"))
        else:
            tree.add(_subtree(view, child, name, expanded, (*path, child)))
    return tree


def _children(view: GraphView, name: str) -> list[str]:
    return view.graph.dependents(name) if view.reverse else view.graph.dependencies(name)


def _label(view: GraphView, name: str, parent: str | None, mark: str) -> Text:
    from rich.text import Text

    package = view.graph.packages[name]
    state = view.state(name)
    muted = view.show_affected and state is None
    text = Text(name, style="dim" if muted else KIND_STYLES[package.kind])
    text.append(f" {package.version or '(dynamic)'}", style="dim")
    if package.kind == "service":
        text.append(" service", style="magenta" if not muted else "dim")
    if parent is not None:
        text.append(f"  {_edge_text(view, parent, name)}", style="dim")
    if state is not None:
        text.append(f"  {_state_text(view, name)}", style=STATE_STYLES[state])
    if mark:
        text.append(f" {mark}", style="dim")
    return text


def _edge_text(view: GraphView, parent: str, child: str) -> str:
    source, target = (child, parent) if view.reverse else (parent, child)
    edge = view.graph.edge(source, target)
    if edge is None:
        return ""
    specs = dict(edge.specifiers)
    return ", ".join(f"{k} {specs[k]}" if specs.get(k) else k for k in edge.kinds)


def _state_text(view: GraphView, name: str) -> str:
    reasons = view.reasons.get(name, ())
    state = view.state(name)
    if state == "dependency":
        via = sorted({r.via for r in reasons if r.via})
        return "affected via " + ", ".join(via) if via else "affected"
    if state == "changed":
        files = sum(len(r.files) for r in reasons)
        return f"changed ({files} file{'s' if files != 1 else ''})" if files else "changed"
    return "affected: " + ", ".join(sorted({r.type for r in reasons}))
