"""Release tags: the configured format, matched anchored, ordered by PEP 440, and checked
against git's rules for tag names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.version import InvalidVersion, Version

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
    package: str  # the package, or the release group, it releases
    version: Version


_PLACEHOLDER = re.compile(r"(\{name\}|\{path\}|\{version\})")
_VERSION = r"[0-9][0-9A-Za-z.+!_-]*"


class TagFormat:
    """One tag pattern (`{name}-v{version}`, `{path}-v{version}`, `v{version}`) bound to what
    its {name} and {path} stand for: rendered, and matched in full (never by prefix)."""

    def __init__(self, template: str, name: str = "", path: str = ""):
        self.template = template
        self.name = name
        self.path = path
        self._pattern: re.Pattern[str] | None = None

    def render(self, version: Version | str) -> str:
        return (self.template.replace("{name}", self.name).replace("{path}", self.path)
                .replace("{version}", str(version)))

    @property
    def pattern(self) -> re.Pattern[str]:
        """The template as an anchored regex: a name in any PEP 503 spelling, the path as
        written, and every {version} after the first the same text as the first."""
        if self._pattern is None:
            name = r"[-_.]+".join(re.escape(part) for part in re.split(r"[-_.]+", self.name))
            seen = False
            pieces = []
            for piece in _PLACEHOLDER.split(self.template):
                if piece == "{version}":
                    pieces.append("(?P=version)" if seen else f"(?P<version>{_VERSION})")
                    seen = True
                else:
                    pieces.append(name if piece == "{name}" else re.escape(
                        self.path if piece == "{path}" else piece))
            self._pattern = re.compile("".join(pieces), re.IGNORECASE)
        return self._pattern

    def match(self, tag: str) -> Version | None:
        """The version `tag` releases under this format, or None when it is not one."""
        found = self.pattern.fullmatch(tag)
        if found is None:
            return None
        try:
            return Version(found["version"])
        except InvalidVersion:
            return None


def version_of(tag: str, formats: Sequence[TagFormat]) -> Version | None:
    """The version `tag` releases under the first of `formats` that matches it."""
    for tag_format in formats:
        version = tag_format.match(tag)
        if version is not None:
            return version
    return None


def newest(tags: Iterable[str], formats: Sequence[TagFormat], owner: str) -> Tag | None:
    """The highest PEP 440 version among the tags any of `formats` matches."""
    found = [Tag(t, owner, v) for t in tags if (v := version_of(t, formats)) is not None]
    return max(found, key=lambda t: t.version, default=None)
