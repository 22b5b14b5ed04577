"""Conventional-commit messages: their type, and the version bump they ask for."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Level = Literal["major", "minor", "patch"]
LEVELS: tuple[Level, ...] = ("patch", "minor", "major")
Group = Literal["breaking", "features", "fixes", "other"]

_HEADER = re.compile(r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()]*)\))?(?P<bang>!)?: (?P<desc>.+)$")
_BREAKING_FOOTER = re.compile(r"^BREAKING[ -]CHANGE: ", re.MULTILINE)
NO_RELEASE_TYPES = frozenset({"docs", "test", "tests", "ci", "chore", "style", "build",
                              "refactor"})
PATCH_TYPES = frozenset({"fix", "perf", "revert"})


@dataclass(frozen=True)
class Message:
    """What a commit message says about the change it made."""

    type: str | None  # None when the message is not conventional
    scope: str | None
    breaking: bool
    description: str

    @property
    def level(self) -> Level | None:
        """DESIGN's table: breaking > feat > fix/perf/revert/unconventional > none."""
        if self.breaking:
            return "major"
        if self.type == "feat":
            return "minor"
        if self.type is None or self.type in PATCH_TYPES or self.type not in NO_RELEASE_TYPES:
            return "patch"
        return None

    @property
    def group(self) -> Group:
        """The changelog section the change belongs to."""
        if self.breaking:
            return "breaking"
        if self.type == "feat":
            return "features"
        if self.type in PATCH_TYPES:
            return "fixes"
        return "other"


def parse(message: str) -> Message:
    """Read a commit message; anything that is not `type(scope)!: text` is unconventional."""
    subject = message.split("\n", 1)[0].strip()
    match = _HEADER.match(subject)
    if match is None:
        return Message(None, None, bool(_BREAKING_FOOTER.search(message)), subject)
    return Message(
        type=match["type"].lower(),
        scope=match["scope"],
        breaking=bool(match["bang"]) or bool(_BREAKING_FOOTER.search(message)),
        description=match["desc"].strip(),
    )


def highest(levels: list[Level | None]) -> Level | None:
    found = [LEVELS.index(level) for level in levels if level is not None]
    return LEVELS[max(found)] if found else None
