"""What a chart with a size limit shows: packages, folders closed into one box, a note.

Mermaid refuses a chart beyond its limits, so `graph --format mermaid` must always fit. The
answer is a plan: every package on its own if that fits; else a cut of the folder tree,
opened from the top level down while the chart still fits (a folder that holds a changed
or focused package is always open, so those keep their names; a folder of one package is
that package); else the changed packages and their direct dependents, as many as fit, and
one note for the rest. Whether a plan fits is the renderer's to say (`fits`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from orchestrator.render.graphview import AFFECT_STATES, AffectState, GraphView, folder_label

UnitKind = Literal["package", "folder", "note"]
NOTE = "\0note"  # the key of the note unit
FOLDER = "\1"  # the prefix of a closed folder's key (no package name starts with either)


@dataclass(frozen=True)
class Unit:
    """One box of the chart: a package, a closed folder, or the note for the rest."""

    key: str
    kind: UnitKind
    members: tuple[str, ...]  # the packages it stands for, sorted
    folder: str  # where a package sits (its subgraph); a folder's own path; "" for the note


@dataclass(frozen=True)
class Plan:
    """Which unit each package of the view is drawn as."""

    units: dict[str, Unit]  # by key, in drawing order
    unit_of: dict[str, str]  # package -> unit key

    @property
    def closed(self) -> list[Unit]:
        """The units that hide names: closed folders and the note."""
        return [u for u in self.units.values() if u.kind != "package"]


def worst_state(view: GraphView, names: Iterable[str]) -> AffectState | None:
    states = {view.state(n) for n in names}
    return next((s for s in AFFECT_STATES if s in states), None)


def count_label(view: GraphView, unit: Unit) -> str:
    """`12 packages, 3 affected` (the affected part only in an affected view)."""
    n = len(unit.members)
    text = f"{n} package{'s' if n != 1 else ''}"
    if view.show_affected:
        text += f", {sum(1 for m in unit.members if m in view.affected)} affected"
    return text


def unit_title(view: GraphView, unit: Unit) -> str:
    """How a closed unit is named: its folder, or `+N more affected` for the note."""
    if unit.kind == "folder":
        return folder_label(unit.folder)
    affected = sum(1 for m in unit.members if m in view.affected)
    if view.show_affected and affected == len(unit.members):
        return f"+{len(unit.members)} more affected"
    if view.show_affected:
        return f"+{len(unit.members)} more, {affected} affected"
    return f"+{len(unit.members)} more packages"


def plan_chart(view: GraphView, fits: Callable[[Plan], bool]) -> Plan:
    """The most detailed plan that `fits`, trying the steps in the module's order."""
    whole = _plan(view, {n: n for n in view.names})
    if fits(whole):
        return whole
    cut = _folder_cut(view, fits)
    return cut if cut is not None else _summary(view, fits)


def must_show(view: GraphView) -> list[str]:
    """The packages a chart names whatever else it closes: the changed and focused ones."""
    return sorted(set(view.focus) | {n for n in view.directly_changed if n in view.graph})


def _plan(view: GraphView, unit_of: dict[str, str]) -> Plan:
    members: dict[str, list[str]] = {}
    for name in view.names:
        members.setdefault(unit_of[name], []).append(name)
    units = {}
    for key, names in sorted(members.items(), key=lambda kv: (kv[0] == NOTE, kv[0])):
        if key == NOTE:
            units[key] = Unit(key, "note", tuple(names), "")
        elif key.startswith(FOLDER):
            units[key] = Unit(key, "folder", tuple(names), key[1:])
        else:
            units[key] = Unit(key, "package", (key,), view.folder(key))
    return Plan(units, dict(unit_of))


# -- closing folders ---------------------------------------------------------------------------


def _folder_cut(view: GraphView, fits: Callable[[Plan], bool]) -> Plan | None:
    """Open folders from the top level down, each only if the chart still fits; None when
    even the top level (with the folders that must stay open) is too large."""
    opened = {a for n in must_show(view) for a in ancestors(view.folder(n))}
    plan = _cut(view, opened)
    if not fits(plan):
        return None
    grew = True
    while grew:
        grew = False
        closed = [u for u in plan.units.values() if u.kind == "folder"]
        for unit in sorted(closed, key=lambda u: _opening_order(view, u)):
            trial = _cut(view, opened | {unit.folder})
            if fits(trial):
                opened.add(unit.folder)
                plan, grew = trial, True
    return plan


def _opening_order(view: GraphView, unit: Unit) -> tuple[int, int, str]:
    """Folders with affected packages first, then the smaller ones (more names shown)."""
    affected = sum(1 for m in unit.members if m in view.affected)
    return (-affected, len(unit.members), unit.folder)


def _cut(view: GraphView, opened: set[str]) -> Plan:
    """Each package is drawn as its topmost closed folder, or as itself; a closed folder
    that would hold one package is that package."""
    unit_of = {}
    for name in view.names:
        closed = next((a for a in ancestors(view.folder(name)) if a not in opened), None)
        unit_of[name] = name if closed is None else FOLDER + closed
    sizes: dict[str, int] = {}
    for key in unit_of.values():
        sizes[key] = sizes.get(key, 0) + 1
    return _plan(view, {n: (n if sizes[k] == 1 else k) for n, k in unit_of.items()})


def ancestors(folder: str) -> list[str]:
    """`a/b/c` -> [`a`, `a/b`, `a/b/c`]: the top level first; the root has none."""
    parts = folder.split("/") if folder else []
    return ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]


# -- keeping what matters, summing up the rest ------------------------------------------------


def _summary(view: GraphView, fits: Callable[[Plan], bool]) -> Plan:
    """The changed packages and their direct dependents (the most used first), as many as
    fit, the rest in the note; with nothing changed, the most used packages."""
    order = _priority(view)
    low, high = 0, len(order)  # the longest prefix of `order` that fits
    while low < high:
        middle = (low + high + 1) // 2
        if fits(_keeping(view, order[:middle])):
            low = middle
        else:
            high = middle - 1
    return _keeping(view, order[:low])


def _priority(view: GraphView) -> list[str]:
    first = must_show(view)
    if not first:
        return sorted(view.names, key=lambda n: (-len(view.graph.dependents(n)), n))
    direct = {d for n in first for d in view.graph.dependents(n)} - set(first)
    return first + sorted(direct, key=lambda n: (-len(view.graph.dependents(n)), n))


def _keeping(view: GraphView, kept: list[str]) -> Plan:
    keep = set(kept)
    return _plan(view, {n: (n if n in keep else NOTE) for n in view.names})

