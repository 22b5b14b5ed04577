"""Members: which directories of a snapshot are packages, and what each is called.

The settings choose them (`members`, else uv's workspace members, else every
`pyproject.toml`); a pattern that matches nothing, an invalid name where a setting names a
member, and a name used twice stop here, before any edge is read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from orchestrator.errors import ConfigError
from orchestrator.workspace.config import Config
from orchestrator.workspace.globs import check_globs, matches_member, nearest_member_glob
from orchestrator.workspace.model import Finding
from orchestrator.workspace.names import PYPROJECT, canonical, is_valid_name
from orchestrator.workspace.tomlfile import table

if TYPE_CHECKING:
    from orchestrator.workspace.metadata import ProjectMetadata

SETUP_FILES = ("setup.py", "setup.cfg")


def is_pyproject(path: str) -> bool:
    return path == PYPROJECT or path.endswith("/" + PYPROJECT)


def pyproject_dirs(paths: Iterable[str]) -> list[str]:
    dirs = []
    for path in paths:
        if path == PYPROJECT:
            dirs.append(".")
        elif path.endswith("/" + PYPROJECT):
            dirs.append(path[: -len(PYPROJECT) - 1])
    return sorted(dirs)


def pyproject_path(directory: str) -> str:
    return PYPROJECT if directory == "." else f"{directory}/{PYPROJECT}"


def member_dirs(directories: list[str], config: Config, root_doc: dict[str, Any],
                 strict: bool) -> tuple[list[str], bool]:
    """DESIGN's order: configured members; else the uv workspace (and a named root); else all.
    Also whether the members were named by a setting (rather than found by the fallback)."""
    check_globs(config.services, f"{config.source} [tool.orchestrator] services")
    if config.members is not None:
        where = f"{config.source} [tool.orchestrator] members"
        check_globs(config.members, where)
        if strict:
            _require_matches(config.members, directories, where)
        return [d for d in directories if matches_member(d, config.members)], True
    uv = table(root_doc, "tool.uv.workspace")
    if uv:
        where = "pyproject.toml [tool.uv.workspace] members"
        members = _glob_list(uv.get("members", []), where)
        exclude = _glob_list(uv.get("exclude", []), "pyproject.toml [tool.uv.workspace] exclude")
        check_globs(members, where)
        check_globs(exclude, "pyproject.toml [tool.uv.workspace] exclude")
        if strict:
            _require_matches(members, [d for d in directories if d != "."], where)
        chosen = [d for d in directories
                  if d != "." and matches_member(d, members) and not matches_member(d, exclude)]
        if table(root_doc, "project").get("name") and "." in directories:
            chosen.insert(0, ".")
        return chosen, True
    return directories, False


def _require_matches(globs: Sequence[str], directories: list[str], where: str) -> None:
    """A member pattern that matches nothing would make every change affect nothing."""
    if not globs:
        raise ConfigError(f"{where} is empty, so the workspace has no packages",
                          hint="list the package directories, or remove the setting")
    for glob in globs:
        if not any(matches_member(d, (glob,)) for d in directories):
            near = nearest_member_glob(glob, directories)
            raise ConfigError(
                f"{where}: {glob!r} matches no directory with a pyproject.toml",
                hint=f"did you mean {near!r}?" if near else
                "patterns are relative to the workspace root; `*` stays within one folder, "
                "`**` crosses folders")


def _glob_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where} must be a list of strings")
    return value


class Members(NamedTuple):
    """How the member directories were chosen, and what could not be read of them."""

    explicit: bool  # named by `members` (or uv's workspace members), not the fallback
    strict: bool
    unreadable: dict[str, str]


def named_packages(metadata: dict[str, ProjectMetadata], findings: list[Finding],
           members: Members) -> dict[str, tuple[str, ProjectMetadata]]:
    """Each package's normalised name, with its directory and metadata."""
    named: dict[str, tuple[str, ProjectMetadata]] = {}
    duplicates: list[tuple[str, str, str]] = []
    for path in sorted(metadata):
        meta = metadata[path]
        directory = posixpath.dirname(path) or "."
        if meta.name is None:
            findings.append(Finding("warning", "no-name",
                                    f"{path} declares no project name, so it is not a package",
                                    path))
        elif not is_valid_name(meta.name):
            _invalid_name(path, meta.name, findings, members)
        elif (name := canonical(meta.name)) in named:
            duplicates.append((name, named[name][0], directory))
        else:
            named[name] = (directory, meta)
    if duplicates:
        raise _duplicates_error(duplicates)
    return named


def _invalid_name(path: str, name: str, findings: list[Finding], members: Members) -> None:
    """A member that a setting names must be a package: an invalid name there is an error.
    Found only by the every-pyproject.toml fallback, it is likely a template placeholder."""
    why = f"{path}: {name!r} is not a valid project name"
    if not members.explicit:
        findings.append(Finding("warning", "invalid-name", f"{why}; skipped", path))
    elif members.strict:
        raise ConfigError(why, hint="a project name is letters, digits and '.', '_', '-', "
                          "starting and ending with a letter or digit (PEP 508)")
    else:
        members.unreadable[path] = why


def _duplicates_error(duplicates: list[tuple[str, str, str]]) -> ConfigError:
    """Every name used more than once, with all its directories, in one message."""
    where: dict[str, list[str]] = {}
    for name, first, other in duplicates:
        where.setdefault(name, [first]).append(other)
    parts = "; ".join(f"{name!r} in {', '.join(dirs[:-1])} and {dirs[-1]}"
                      for name, dirs in where.items())
    count = "1 package name is" if len(where) == 1 else f"{len(where)} package names are"
    return ConfigError(
        f"{count} used more than once: {parts}",
        hint="names must be unique after PEP 503 normalisation; choose the packages with "
        "[tool.orchestrator] members (e.g. members = [\"libs/*\"]), or --config FILE, to "
        "leave the copies out",
    )


def unmatched_services(config: Config, members: list[str]) -> Iterable[Finding]:
    """A configured services pattern that matches no member: a typo there makes services
    libraries (which release publishes) without a word."""
    if "services" not in config.origins:
        return
    for glob in config.services:
        if not any(matches_member(d, (glob,)) for d in members):
            near = nearest_member_glob(glob, members)
            yield Finding("warning", "unmatched-services",
                          f"{config.source} [tool.orchestrator] services: {glob!r} matches no "
                          "package" + (f" (did you mean {near!r}?)" if near else ""))


def setup_only_findings(
    setup_files: Iterable[str], pyproject_dirs: Collection[str], config: Config
) -> Iterable[Finding]:
    """Directories with setup.py or setup.cfg but no pyproject.toml: not packages here."""
    seen = set()
    for path in setup_files:
        directory = posixpath.dirname(path) or "."
        if directory in pyproject_dirs or directory in seen or directory == ".":
            continue
        if config.members is not None and not matches_member(directory, config.members):
            continue
        seen.add(directory)
        yield Finding(
            "warning", "setup-without-pyproject",
            f"{path} has no pyproject.toml beside it, so {directory} is not read as a package",
            path,
        )
