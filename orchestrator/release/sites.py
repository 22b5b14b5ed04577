"""Where a package's pyproject.toml requires another package, as written, and how to move it.

Plan and apply share these functions so that what the plan shows is exactly what apply
writes: a site names the table, the text as written, and the text that replaces it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import Specifier
from packaging.version import Version

from orchestrator.release.versions import (
    admits,
    floor,
    poetry_admits,
    poetry_floor,
    rewrite_poetry,
    rewrite_specifier,
)
from orchestrator.workspace.metadata import canonical
from orchestrator.workspace.tomlfile import table

Style = Literal["pep508", "poetry"]
POETRY_RUNTIME = "tool.poetry.dependencies"


@dataclass(frozen=True)
class Site:
    """One requirement on a dependency: its table, its text and its specifier as written."""

    where: str  # e.g. "project.dependencies", "tool.poetry.dependencies"
    text: str  # the whole string as written (for Poetry: the constraint string)
    specifier: str  # the specifier part as written, "" when unconstrained
    style: Style
    # One of several different constraints a Poetry list writes for the same dependency
    # (one per Python version or platform, say).
    listed: bool = False

    def admits(self, version: Version) -> bool:
        if self.style == "poetry":
            return poetry_admits(self.specifier, version)
        return admits(self.specifier, version)

    def floor(self) -> Version | None:
        """The lowest version this requirement admits, None when it has no lower bound."""
        return specifier_floor(self.specifier, self.style)

    def moved_to(self, version: Version) -> tuple[str, str]:
        """(new text, new specifier) admitting `version`, in the style already written."""
        if self.style == "poetry":
            new_spec = rewrite_poetry(self.specifier, version)
            return new_spec, new_spec
        new_spec = rewrite_specifier(self.specifier, version)
        return self.text.replace(self.specifier, new_spec, 1), new_spec


def specifier_floor(specifier: str, style: Style) -> Version | None:
    return poetry_floor(specifier) if style == "poetry" else floor(specifier)


def style_of(where: str) -> Style:
    """How requirements in the table `where` are written."""
    return "poetry" if where == POETRY_RUNTIME else "pep508"


def written_specifier(text: str, requirement: Requirement) -> str:
    """The specifier of `requirement` (parsed from `text`) as `text` writes it: from its first
    clause to its last, in their order and spacing ("" when unconstrained)."""
    spans = [span for clause in requirement.specifier
             if (span := _clause_span(text, clause)) is not None]
    return text[min(s for s, _ in spans):max(e for _, e in spans)] if spans else ""


def _clause_span(text: str, clause: Specifier) -> tuple[int, int] | None:
    """Where `text` writes `clause`, which packaging parsed from it.

    This locates, it does not parse: operator and version are packaging's, kept as written,
    and only the spaces PEP 508 allows between them are matched. An operator cannot occur in
    a name or extras, so the first match is the clause itself, never a marker's comparison
    after it; the look-arounds keep `>=1.2` from matching inside `>=1.25` or `===1.2`.
    """
    found = re.search(rf"(?<![=!<>~]){re.escape(clause.operator)}\s*"
                      rf"{re.escape(clause.version)}(?![\w.*+!-])", text)
    return found.span() if found else None


def requirement_sites(doc: dict[str, Any]) -> dict[str, tuple[Site, ...]]:
    """Every shipped (runtime or optional) requirement of one pyproject, by dependency."""
    found: dict[str, tuple[Site, ...]] = {}
    for name, site in _all_sites(doc):
        found[name] = (*found.get(name, ()), site)
    return found


def _all_sites(doc: dict[str, Any]) -> Iterator[tuple[str, Site]]:
    project = table(doc, "project")
    yield from _pep508(project.get("dependencies", []), "project.dependencies")
    for extra, items in sorted(table(project, "optional-dependencies").items()):
        yield from _pep508(items, f"project.optional-dependencies.{extra}")
    for name, value in table(doc, POETRY_RUNTIME).items():
        if canonical(name) != "python":
            yield from ((canonical(name), site) for site in _poetry(value))


def _pep508(items: Any, where: str) -> Iterator[tuple[str, Site]]:
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, str):
            continue
        try:
            requirement = Requirement(item)
        except InvalidRequirement:
            continue
        if requirement.url is None:  # a URL requirement has no specifier to move
            yield canonical(requirement.name), Site(where, item,
                                                    written_specifier(item, requirement),
                                                    "pep508")


def _poetry(value: Any) -> Iterator[Site]:
    """A Poetry dependency: a constraint string, a table, or a list of tables.

    A list yields one site per distinct constraint; entries written alike are one site, and
    editing it moves each of them.
    """
    entries = value if isinstance(value, list) else [value]
    written = sorted({c for c in map(_poetry_constraint, entries) if c is not None})
    for constraint in written:
        spec = "" if constraint.strip() in ("", "*") else constraint.strip()
        yield Site(POETRY_RUNTIME, constraint, spec, "poetry", listed=len(written) > 1)


def _poetry_constraint(entry: Any) -> str | None:
    """The version constraint of one entry as written; None for a git or URL source."""
    if isinstance(entry, str):
        return entry
    if isinstance(entry, dict) and not ("git" in entry or "url" in entry):
        version = entry.get("version", "*")
        return version if isinstance(version, str) else None
    return None
