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
from packaging.version import Version

from orchestrator.metadata import canonical
from orchestrator.release.versions import (
    admits,
    poetry_admits,
    rewrite_poetry,
    rewrite_specifier,
)
from orchestrator.tomlfile import table

Style = Literal["pep508", "poetry"]
_NAME = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*")
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

    def moved_to(self, version: Version) -> tuple[str, str]:
        """(new text, new specifier) admitting `version`, in the style already written."""
        if self.style == "poetry":
            new_spec = rewrite_poetry(self.specifier, version)
            return new_spec, new_spec
        new_spec = rewrite_specifier(self.specifier, version)
        return self.text.replace(self.specifier, new_spec, 1), new_spec


def specifier_of(text: str) -> str | None:
    """The specifier part of a PEP 508 string as written; None for a URL requirement."""
    match = _NAME.match(text)
    rest = text[match.end():] if match else ""
    if rest.startswith("@"):
        return None
    return rest.split(";", 1)[0].strip().strip("()").strip()


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
            name = canonical(Requirement(item).name)
        except InvalidRequirement:
            continue
        spec = specifier_of(item)
        if spec is not None:
            yield name, Site(where, item, spec, "pep508")


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
