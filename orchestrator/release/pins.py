"""In a throwaway checkout only: internal requirements made installable from an index.

An internal requirement that is unpinned, or that comes from a workspace or path source
(uv `{ workspace = true }`, Poetry `{ path = ... }`), becomes `>=` the released version, so
no artifact carries a bare internal name or a `file://` URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet

from orchestrator.workspace.metadata import canonical


def pin_file(path: Path, versions: Mapping[str, str]) -> bool:
    """Rewrite one pyproject.toml in place; True when anything changed."""
    import tomlkit

    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    changed = _pin_project(doc, versions) | _pin_poetry(doc, versions)
    if changed:
        path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    return changed


def pinned(text: str, versions: Mapping[str, str]) -> str | None:
    """The requirement `text` pinned to `>=` its released version, or None to keep it.

    A specifier already written is kept even under a workspace source: it is what the
    author meant, and `release apply` keeps it admitting the released version.
    """
    try:
        req = Requirement(text)
    except InvalidRequirement:
        return None
    name = canonical(req.name)
    if name not in versions or (req.specifier and req.url is None):
        return None
    req.url = None
    req.specifier = SpecifierSet(f">={versions[name]}")
    return str(req)


def _pin_list(items: Any, versions: Mapping[str, str]) -> bool:
    changed = False
    for index, item in enumerate(list(items)):
        new = pinned(str(item), versions)
        if new is not None and new != str(item):
            items[index] = new
            changed = True
    return changed


def _pin_project(doc: Any, versions: Mapping[str, str]) -> bool:
    project = doc.get("project", {})
    changed = _pin_list(project.get("dependencies", []), versions)
    for items in project.get("optional-dependencies", {}).values():
        changed |= _pin_list(items, versions)
    changed |= _pin_list(doc.get("build-system", {}).get("requires", []), versions)
    sources = doc.get("tool", {}).get("uv", {}).get("sources", {})
    for key in [k for k in sources if canonical(k) in versions]:
        del sources[key]
        changed = True
    return changed


def _pin_poetry(doc: Any, versions: Mapping[str, str]) -> bool:
    deps = doc.get("tool", {}).get("poetry", {}).get("dependencies", {})
    changed = False
    for key in [k for k in deps if canonical(k) in versions]:
        value, version = deps[key], versions[canonical(key)]
        if isinstance(value, list):  # each entry in place, so the list keeps its layout
            changed |= any([_pin_poetry_table(entry, version) for entry in value])
        elif isinstance(value, str) and value.strip() in ("", "*"):
            deps[key] = f">={version}"
            changed = True
        elif _pin_poetry_table(value, version):
            deps[key] = value if len(value) > 1 else value["version"]
            changed = True
    return changed


def _pin_poetry_table(entry: Any, version: str) -> bool:
    """A Poetry table from a path, or with no version, set to `>=version` in place."""
    if not hasattr(entry, "get"):
        return False
    if "path" not in entry and str(entry.get("version", "*")).strip() not in ("", "*"):
        return False
    for key in ("path", "develop"):
        entry.pop(key, None)
    entry["version"] = f">={version}"
    return True
