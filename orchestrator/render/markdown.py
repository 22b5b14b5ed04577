"""`graph --format markdown`: the Mermaid chart fenced for a pull-request comment, with a
table of the names its closed folders and its note stand for."""

from __future__ import annotations

from html import escape

from orchestrator.render.chart import Plan, count_label, unit_title
from orchestrator.render.graphview import GraphView
from orchestrator.render.mermaid import fitted

MAX_COMMENT = 65_000  # GitHub refuses a comment body above 65,536 characters


def render_markdown(view: GraphView) -> str:
    diagram, plan = fitted(view)
    text = f"```mermaid\n{diagram}```\n"
    return text + _names_table(view, plan, MAX_COMMENT - len(text))


def _names_table(view: GraphView, plan: Plan, room: int) -> str:
    closed = plan.closed
    if not closed:
        return ""
    hidden = sum(len(u.members) for u in closed)
    head = (f"\n<details><summary>{hidden} package{'s' if hidden != 1 else ''} not named "
            "in the chart</summary>\n\n| box | packages |\n|---|---|\n")
    tail = "\n</details>\n"
    rows = ""
    for unit in closed:
        box = _cell(f"{unit_title(view, unit)} ({count_label(view, unit)})")
        names = [_cell(m) for m in unit.members]
        row = f"| {box} | {', '.join(names)} |\n"
        while len(head) + len(rows) + len(row) + len(tail) > room and names:
            names = names[: len(names) * 3 // 4]
            row = f"| {box} | {', '.join(names)} and {len(unit.members) - len(names)} more |\n"
        rows += row
    return head + rows + tail


def _cell(text: str) -> str:
    """Text for a table cell: no markup, no column break."""
    return escape(" ".join(text.split())).replace("|", "\\|")
