"""`[tool.orchestrator.release]`: tag formats, lockstep groups, the dependents policy, the
index; and a package's own `tag-name`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from orchestrator.errors import ConfigError
from orchestrator.workspace.values import boolean, check_keys, string, strings

RELEASE_KEYS = ("tag-format", "dependents", "repository-url", "publish-services", "groups")
PACKAGE_RELEASE_KEYS = ("tag-name",)
GROUP_KEYS = ("name", "members", "tag-format")
DEFAULT_TAG_FORMAT = "{name}-v{version}"
# What a tag format may name: a package's (or a group's) name, its directory, the version.
TAG_PLACEHOLDERS = ("{name}", "{path}", "{version}")
DependentsPolicy = Literal["out-of-range", "always", "never"]


@dataclass(frozen=True)
class ReleaseGroup:
    """Packages released in lockstep: one version, one tag."""

    name: str
    members: tuple[str, ...]  # globs of package paths
    tag_formats: tuple[str, ...] | None = None  # None: the workspace's, {name} the group's


@dataclass(frozen=True)
class ReleaseConfig:
    tag_formats: tuple[str, ...] = (DEFAULT_TAG_FORMAT,)  # the first makes new tags
    dependents: DependentsPolicy = "out-of-range"
    repository_url: str | None = None
    publish_services: bool = False
    groups: tuple[ReleaseGroup, ...] = ()

    @property
    def tag_format(self) -> str:
        """The format new tags are written in."""
        return self.tag_formats[0]


def parse_release(raw: Any, where: str, *, allow_package_keys: bool) -> ReleaseConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    # At the root, the root package's own tag-name sits beside the workspace's keys.
    known = RELEASE_KEYS + (PACKAGE_RELEASE_KEYS if allow_package_keys else ())
    check_keys(raw, known, where)
    release = ReleaseConfig()
    dependents = raw.get("dependents", release.dependents)
    if dependents not in ("out-of-range", "always", "never"):
        raise ConfigError(
            f"{where}.dependents must be 'out-of-range', 'always' or 'never', not {dependents!r}"
        )
    url = raw.get("repository-url")
    return ReleaseConfig(
        tag_formats=(tag_formats(raw["tag-format"], f"{where}.tag-format")
                     if "tag-format" in raw else release.tag_formats),
        dependents=dependents,
        repository_url=string(url, f"{where}.repository-url") if url is not None else None,
        publish_services=boolean(
            raw.get("publish-services", False), f"{where}.publish-services"
        ),
        groups=_groups(raw.get("groups", []), f"{where}.groups"),
    )


def tag_formats(value: Any, where: str, *, path: bool = True) -> tuple[str, ...]:
    """`tag-format`: one pattern, or a list whose first writes new tags and whose others
    recognise older ones. Each names {version}; {name} and (unless `path` is False) {path}
    are optional."""
    formats = (value,) if isinstance(value, str) else strings(value, where)
    if not formats:
        raise ConfigError(f"{where} must name at least one format")
    allowed = TAG_PLACEHOLDERS if path else ("{name}", "{version}")
    for text in formats:
        if "{version}" not in text:
            raise ConfigError(f"{where} {text!r} must contain {{version}}")
        unknown = sorted(set(re.findall(r"\{[^{}]*\}", text)) - set(allowed))
        if unknown:
            raise ConfigError(f"{where} {text!r} has the placeholder {unknown[0]}; "
                              f"use {', '.join(allowed)}")
    return formats


def _groups(raw: Any, where: str) -> tuple[ReleaseGroup, ...]:
    """`[[tool.orchestrator.release.groups]]`: name, members (globs) and tag-format."""
    if not isinstance(raw, list) or not all(isinstance(g, dict) for g in raw):
        raise ConfigError(f"{where} must be an array of tables, written "
                          "[[tool.orchestrator.release.groups]]")
    groups = []
    for index, entry in enumerate(raw):
        at = f"{where}[{index}]"
        check_keys(entry, GROUP_KEYS, at)
        if not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise ConfigError(f"{at} needs a 'name' (a string)")
        if "members" not in entry:
            raise ConfigError(f"{at} ({entry['name']}) needs 'members', globs of package paths")
        formats = entry.get("tag-format")
        groups.append(ReleaseGroup(
            name=entry["name"].strip(),
            members=strings(entry["members"], f"{at}.members"),
            tag_formats=(tag_formats(formats, f"{at}.tag-format", path=False)
                         if formats is not None else None)))
    names = [g.name for g in groups]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"{where}: two groups are named {twice[0]!r}")
    return tuple(groups)


def parse_tag_name(raw: Any, where: str, is_root: bool) -> str | None:
    """A package's `[tool.orchestrator.release] tag-name`: what {name} is in its tags."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    if not is_root:  # the root's release table is the workspace's, checked with it
        workspace_key = next((k for k in raw if k in RELEASE_KEYS), None)
        if workspace_key is not None:
            raise ConfigError(f"{where}: {workspace_key!r} is a workspace setting, read from the "
                              "root's [tool.orchestrator.release] (or --config); a package "
                              "sets only tag-name")
        check_keys(raw, PACKAGE_RELEASE_KEYS, where)
    if "tag-name" not in raw:
        return None
    name = string(raw["tag-name"], f"{where} tag-name")
    if not name.strip() or "{" in name or "}" in name:
        raise ConfigError(f"{where} tag-name {name!r} must be a non-empty name without braces")
    return name.strip()
