"""What is versioned and tagged as one: a release group in lockstep, else each package alone.

A group's members share one version and one tag; a package outside every group has its own,
written with the workspace's `tag-format` and its own `tag-name` (or name) and path.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.version import Version

from orchestrator.errors import ConfigError
from orchestrator.release.tags import Tag, TagFormat, newest, version_of
from orchestrator.workspace.config import Config
from orchestrator.workspace.globs import check_globs, matches_member
from orchestrator.workspace.model import Package
from orchestrator.workspace.releaseconfig import ReleaseGroup

_SAMPLE = Version("1.0.0")


@dataclass(frozen=True)
class Unit:
    """A package alone, or a release group: one version and one tag for all its members."""

    name: str  # the package's name, or the group's
    members: tuple[str, ...]  # package names, sorted
    formats: tuple[TagFormat, ...]  # the first writes new tags; the others read old ones
    group: bool = False

    def tag(self, version: Version | str) -> str:
        return self.formats[0].render(version)

    def match(self, tag: str) -> Version | None:
        return version_of(tag, self.formats)

    def newest(self, tags: Iterable[str]) -> Tag | None:
        return newest(tags, self.formats, self.name)

    @property
    def template(self) -> str:
        return self.formats[0].template


def release_units(packages: Sequence[Package], config: Config) -> tuple[Unit, ...]:
    """Each package in exactly one unit: its group's, else its own; sorted by name."""
    units = [_group_unit(group, packages, config) for group in config.release.groups]
    grouped = _check_membership(units, packages, config)
    units += [Unit(p.name, (p.name,), tuple(
        TagFormat(t, p.settings.tag_name or p.name, p.path) for t in config.release.tag_formats))
        for p in packages if p.name not in grouped]
    units.sort(key=lambda u: u.name)
    _check_distinct(units, config)
    return tuple(units)


def _group_unit(group: ReleaseGroup, packages: Sequence[Package], config: Config) -> Unit:
    where = f"{config.source} [[tool.orchestrator.release.groups]] {group.name!r}"
    check_globs(group.members, f"{where} members")
    for pattern in group.members:
        if not any(matches_member(p.path, (pattern,)) for p in packages):
            raise ConfigError(f"{where}: members pattern {pattern!r} matches no package")
    templates = group.tag_formats or config.release.tag_formats
    if any("{path}" in t for t in templates):
        raise ConfigError(f"{where} has no tag-format of its own and the workspace's names "
                          "{path}, which a group does not have: give the group a tag-format")
    members = sorted(p.name for p in packages if matches_member(p.path, group.members))
    return Unit(group.name, tuple(members), tuple(TagFormat(t, group.name) for t in templates),
                group=True)


def _check_membership(units: list[Unit], packages: Sequence[Package],
                      config: Config) -> dict[str, str]:
    """Package -> its group, after refusing a package in two groups or a group named like
    a package outside it."""
    grouped: dict[str, str] = {}
    for unit in units:
        for member in unit.members:
            if member in grouped:
                raise ConfigError(f"{config.source}: {member} is a member of two release "
                                  f"groups, {grouped[member]!r} and {unit.name!r}")
            grouped[member] = unit.name
    for unit in units:
        if any(p.name == unit.name and p.name not in unit.members for p in packages):
            raise ConfigError(f"{config.source}: the release group {unit.name!r} has the name "
                              "of a package outside it; rename the group")
    return grouped


def _check_distinct(units: list[Unit], config: Config) -> None:
    """Refuse formats that would give two units the same tags (`v{version}` for every
    package alone): which package a tag releases must never be a guess."""
    for unit in units:
        for tag_format in unit.formats:
            tag = tag_format.render(_SAMPLE)
            other = next((u for u in units if u is not unit and u.match(tag) is not None), None)
            if other is not None:
                raise ConfigError(
                    f"{config.source}: tag-format {tag_format.template!r} gives {unit.name} "
                    f"and {other.name} the same tags ({tag}): which one a tag releases "
                    "would be a guess",
                    hint="add {name} or {path} to tag-format, set tag-name in a package's "
                         "[tool.orchestrator.release], or put them in one release group")


def unit_of(units: Iterable[Unit]) -> dict[str, Unit]:
    """Package name -> its unit."""
    return {member: unit for unit in units for member in unit.members}
