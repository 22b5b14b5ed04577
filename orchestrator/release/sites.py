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
from orchestrator.release.versions import admits, at_least, rewrite_specifier, width_of
from orchestrator.tomlfile import table

Style = Literal["pep508", "poetry"]
_NAME = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\])?\s*")


@dataclass(frozen=True)
class Site:
    """One requirement on a dependency: its table, its text and its specifier as written."""

    where: str  # e.g. "project.dependencies", "tool.poetry.dependencies"
    text: str  # the whole string as written (for Poetry: the constraint string)
    specifier: str  # the specifier part as written, "" when unconstrained
    style: Style

    def admits(self, version: Version) -> bool:
        return admits(self.pep440(), version)

    def pep440(self) -> str:
        if self.style == "poetry" and self.specifier:
            from poetry.core.constraints.version import parse_constraint

            translated = str(parse_constraint(self.specifier))
            return "" if translated == "*" else translated
        return self.specifier

    def moved_to(self, version: Version) -> tuple[str, str]:
        """(new text, new specifier) admitting `version`, in the style already written."""
        if self.style == "poetry":
            new_spec = _rewrite_poetry(self.specifier, version)
            return new_spec, new_spec
        new_spec = rewrite_specifier(self.specifier, version)
        return self.text.replace(self.specifier, new_spec, 1), new_spec


def _rewrite_poetry(text: str, version: Version) -> str:
    stripped = text.strip()
    if stripped[:1] in ("^", "~") and not stripped.startswith("~="):
        return stripped[0] + at_least(version, width_of(stripped[1:].strip()))
    return rewrite_specifier(stripped, version)


def specifier_of(text: str) -> str | None:
    """The specifier part of a PEP 508 string as written; None for a URL requirement."""
    match = _NAME.match(text)
    rest = text[match.end():] if match else ""
    if rest.startswith("@"):
        return None
    return rest.split(";", 1)[0].strip().strip("()").strip()


def sites(doc: dict[str, Any], dependency: str) -> list[Site]:
    """Every shipped (runtime or optional) requirement on `dependency` in one pyproject."""
    return [site for name, site in _all_sites(doc) if name == dependency]


def _all_sites(doc: dict[str, Any]) -> Iterator[tuple[str, Site]]:
    project = table(doc, "project")
    yield from _pep508(project.get("dependencies", []), "project.dependencies")
    for extra, items in sorted(table(project, "optional-dependencies").items()):
        yield from _pep508(items, f"project.optional-dependencies.{extra}")
    for name, value in table(doc, "tool.poetry.dependencies").items():
        spec = value.get("version", "") if isinstance(value, dict) else value
        if isinstance(spec, str) and canonical(name) != "python":
            yield canonical(name), Site("tool.poetry.dependencies", spec, spec.strip().strip("*"),
                                        "poetry")


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
