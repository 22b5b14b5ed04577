"""Release tags: the configured format, matched anchored, ordered by PEP 440."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from orchestrator.metadata import canonical


@dataclass(frozen=True)
class Tag:
    name: str  # the tag as git knows it
    package: str
    version: Version


class TagFormat:
    """`{name}-v{version}` and the like, rendered and matched in full (never by prefix)."""

    def __init__(self, template: str):
        self.template = template
        self._patterns: dict[str, re.Pattern[str]] = {}

    def render(self, package: str, version: Version | str) -> str:
        return self.template.replace("{name}", package).replace("{version}", str(version))

    def _pattern(self, package: str) -> re.Pattern[str]:
        if package not in self._patterns:
            name = r"[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", package))
            body = "".join(
                name if piece == "{name}" else
                r"(?P<version>[0-9][0-9A-Za-z.+!_-]*)" if piece == "{version}" else
                re.escape(piece)
                for piece in re.split(r"(\{name\}|\{version\})", self.template)
            )
            self._patterns[package] = re.compile(body, re.IGNORECASE)
        return self._patterns[package]

    def match(self, tag: str, package: str) -> Version | None:
        """The version `tag` releases of `package`, or None when it is not one of its tags."""
        found = self._pattern(canonical(package)).fullmatch(tag)
        if found is None:
            return None
        try:
            return Version(found["version"])
        except InvalidVersion:
            return None

    def newest(self, tags: Iterable[str], package: str) -> Tag | None:
        """The highest PEP 440 version among `package`'s tags."""
        found = [Tag(t, package, v) for t in tags if (v := self.match(t, package)) is not None]
        return max(found, key=lambda t: t.version, default=None)
