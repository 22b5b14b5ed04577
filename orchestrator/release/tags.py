"""Release tags: the configured format, matched anchored, ordered by PEP 440, and checked
against git's rules for tag names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

from orchestrator.workspace.metadata import canonical

# What git check-ref-format refuses anywhere in a ref name, and how to say it.
_FORBIDDEN = {" ": "a space", "~": "'~'", "^": "'^'", ":": "':'", "?": "'?'", "*": "'*'",
              "[": "'['", "\\": "a backslash", "..": "'..'", "@{": "'@{'", "//": "'//'"}


def tag_name_problem(tag: str) -> str | None:
    """Why git would refuse `tag` as a tag name (`git check-ref-format refs/tags/<tag>`
    and `git tag`'s own rule against a leading dash), or None when it is valid."""
    if not tag:
        return "it is empty"
    if any(ord(c) < 32 or ord(c) == 127 for c in tag):
        return "it contains a control character"
    found = next((what for text, what in _FORBIDDEN.items() if text in tag), None)
    if found is not None:
        return f"it contains {found}"
    if tag.startswith("-"):
        return "it starts with '-'"
    if tag.startswith("/") or tag.endswith("/"):
        return "it starts or ends with '/'"
    if tag.endswith("."):
        return "it ends with '.'"
    if any(part.startswith(".") or part.endswith(".lock") for part in tag.split("/")):
        return "a part of it starts with '.' or ends with '.lock'"
    return None


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
