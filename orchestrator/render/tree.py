"""`graph` in a terminal: a rich tree of dependencies (or, reversed, of dependents).

A package whose subtree was already shown is marked `(*)` instead of being expanded again,
and a cycle is marked where it closes, so the tree stays finite and short. A focused
package gets a second tree, of what uses it, so the tree shows the same selection as every
other format: dependencies and dependents, each as far as `--depth`.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Literal

from orchestrator.render.graphview import GraphView, tree_roots

if TYPE_CHECKING:
    from rich.text import Text
    from rich.tree import Tree

# colour: a terminal; mono: a terminal with NO_COLOR set (bold and dim, no colours);
# plain: no styles at all (piped, written to a file, --no-color)
Style = Literal["colour", "mono", "plain"]
KIND_STYLES = {"library": "cyan", "service": "bold magenta"}
STATE_STYLES = {"changed": "bold red", "global": "bold magenta", "dependency": "yellow"}


def render_tree(view: GraphView, *, style: Style = "plain", width: int = 120) -> str:
    from rich.console import Console

    console = Console(file=io.StringIO(), force_terminal=style != "plain",
                      no_color=style != "colour",
                      color_system=None if style == "plain" else "standard", width=width,
                      highlight=False, emoji=False, markup=False)
    if not view.names:
        return "no packages to show"
    expanded: set[str] = set()
    for root in list(view.focus) or tree_roots(view.graph, view.reverse):
        console.print(_subtree(view, root, None, expanded, (root,), view.reverse))
        if view.focus and not view.reverse and view.graph.dependents(root):
            console.print(_subtree(view, root, None, set(), (root,), True, " is used by"))
    output = console.file.getvalue()  # type: ignore[attr-defined]  # a StringIO, given above
    return str(output).rstrip("\n")


def _subtree(view: GraphView, name: str, parent: str | None, expanded: set[str],
             path: tuple[str, ...], up: bool, heading: str = "") -> Tree:
    """The tree of `name`'s dependencies (with `up`, of its dependents)."""
    from rich.tree import Tree

    children = view.graph.dependents(name) if up else view.graph.dependencies(name)
    repeat = name in expanded and bool(children)
    label = _label(view, name, parent, "(*)" if repeat else "", up)
    if heading:
        label.append(heading, style="dim")
    tree = Tree(label, guide_style="dim")
    if repeat or (view.depth is not None and len(path) > view.depth):
        return tree
    expanded.add(name)
    for child in children:
        if child in path:
            tree.add(_label(view, child, name, "(cycle)", up))
        else:
            tree.add(_subtree(view, child, name, expanded, (*path, child), up))
    return tree


def _label(view: GraphView, name: str, parent: str | None, mark: str, up: bool) -> Text:
    from rich.text import Text

    package = view.graph.packages[name]
    state = view.state(name)
    muted = view.show_affected and state is None
    text = Text(name, style="dim" if muted else KIND_STYLES[package.kind])
    text.append(f" {package.version or '(dynamic)'}", style="dim")
    if package.kind == "service":
        text.append(" service", style="magenta" if not muted else "dim")
    if parent is not None:
        source, target = (name, parent) if up else (parent, name)
        text.append(f"  {_edge_text(view, source, target)}", style="dim")
    if state is not None:
        text.append(f"  {_state_text(view, name)}", style=STATE_STYLES[state])
    if mark:
        text.append(f" {mark}", style="dim")
    return text


def _edge_text(view: GraphView, source: str, target: str) -> str:
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
