"""Edits of versions and requirements with tomlkit, and of `__version__` in code.

Only the edited values change: comments, order, quoting and every other byte stay.
"""

from __future__ import annotations

import re
from typing import Any

from orchestrator.errors import OrchestratorError
from orchestrator.release.model import SpecifierEdit
from orchestrator.release.sites import POETRY_RUNTIME
from orchestrator.workspace.metadata import canonical
from orchestrator.workspace.versioning import Unreadable, VersionSource, replace_version

_VERSION_LINE = re.compile(
    r"""^(?P<head>__version__\s*(?::\s*str\s*)?=\s*)(?P<q>['"])(?P<value>[^'"]*)(?P=q)""",
    re.MULTILINE,
)


def _same_style(old: Any, new: str) -> Any:
    """A tomlkit string with `new` as value, quoted the way `old` was."""
    import tomlkit
    from tomlkit.items import String

    if isinstance(old, String):
        return tomlkit.string(new, literal=old.type.is_literal(),
                              multiline=old.type.is_multiline())
    return new


def _container(doc: Any, dotted: str, path: str) -> Any:
    node = doc
    for part in dotted.split("."):
        if part not in node:
            raise OrchestratorError(f"{path}: [{dotted}] is missing; the plan is out of date")
        node = node[part]
    return node


def edit_pyproject(text: str, path: str, version: str | None,
                   edits: tuple[SpecifierEdit, ...], table: str = "project") -> str:
    """`text` with the version in `table` set (unless None) and the requirement edits made."""
    import tomlkit

    doc = tomlkit.parse(text)
    if version is not None:
        owner = _container(doc, table, path)
        if "version" not in owner:
            raise OrchestratorError(f"{path}: [{table}] has no version; the plan is out of date")
        owner["version"] = _same_style(owner["version"], version)
    for edit in edits:
        _apply_edit(doc, path, edit)
    return tomlkit.dumps(doc)


def edit_version_source(text: str, source: VersionSource, version: str) -> str:
    """The version file `source` names with its version replaced, every other byte kept."""
    new = replace_version(text, source, version)
    if isinstance(new, Unreadable):
        raise OrchestratorError(f"{new.reason}; the plan is out of date")
    return new


def _apply_edit(doc: Any, path: str, edit: SpecifierEdit) -> None:
    holder = _container(doc, edit.where, path)
    if edit.where == POETRY_RUNTIME:
        _edit_poetry(holder, path, edit)
        return
    for index, item in enumerate(holder):
        if str(item) == edit.old:
            holder[index] = _same_style(item, edit.new)
            return
    raise OrchestratorError(f"{path}: {edit.old!r} is no longer in [{edit.where}]")


def _edit_poetry(holder: Any, path: str, edit: SpecifierEdit) -> None:
    key = next((k for k in holder if canonical(k) == edit.dependency), None)
    if key is None:
        raise OrchestratorError(f"{path}: {edit.dependency} is no longer in [{edit.where}]")
    value = holder[key]
    if isinstance(value, list):  # every entry written alike moves alike
        for index, entry in enumerate(value):
            value[index] = _poetry_moved(entry, edit)
    else:
        holder[key] = _poetry_moved(value, edit)


def _poetry_moved(entry: Any, edit: SpecifierEdit) -> Any:
    """One Poetry constraint (a string or a table's `version`) moved by `edit` if it matches."""
    if isinstance(entry, str):
        return _same_style(entry, edit.new) if str(entry) == edit.old else entry
    if hasattr(entry, "get") and str(entry.get("version", "*")) == edit.old:
        entry["version"] = _same_style(entry["version"], edit.new)
    return entry


def version_in_file(text: str, path: str) -> str:
    """The value of the first `__version__ = "..."` in `text`, the one a bump sets."""
    found = _VERSION_LINE.search(text)
    if found is None:
        raise OrchestratorError(f"{path} has no __version__ = \"...\" line to update")
    return found["value"]


def edit_version_file(text: str, path: str, version: str) -> str:
    """Set `__version__ = "..."` (the first one) to `version`, keeping its quotes."""
    new, count = _VERSION_LINE.subn(
        lambda m: f"{m['head']}{m['q']}{version}{m['q']}", text, count=1)
    if count == 0:
        raise OrchestratorError(f"{path} has no __version__ = \"...\" line to update")
    return new
