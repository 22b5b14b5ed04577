"""Glob patterns over repository paths: members globs and gitignore-style file patterns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from orchestrator.errors import ConfigError


@lru_cache(maxsize=512)
def member_pattern(glob: str) -> re.Pattern[str]:
    """A members glob as a regex over directory paths (the root is "").

    `*` matches within one path segment; `**` matches any number of segments, none
    included, so `**` alone matches every directory, the root too.
    """
    text = glob.strip().strip("/")
    if not glob.strip():
        raise ConfigError("a members glob is empty", hint='write "." for the workspace root')
    if glob.startswith("/") or ".." in text.split("/") or "\\" in glob:
        raise ConfigError(f"members glob {glob!r} must be a relative path inside the repository")
    if text in ("", "."):
        return re.compile("")
    segments = text.split("/")
    regex = ""
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "**":
            regex = (regex.removesuffix("/") + "(?:/[^/]+)*") if last and regex else (
                "(?:[^/]+(?:/[^/]+)*)?" if last else regex + "(?:[^/]+/)*")
            continue
        if segment.count("[") != segment.count("]"):
            raise ConfigError(f"members glob {glob!r} has an unbalanced '['")
        regex += _segment(segment)
        regex += "" if last else "/"
    return re.compile(regex)


def _segment(segment: str) -> str:
    """One path segment of a glob: `*`, `?` and `[...]` never cross a slash."""
    out = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = segment.index("]", i + 1)
            body = segment[i + 1 : end]
            negate = body.startswith("!")
            ranges = body.removeprefix("!").replace("\\", "\\\\").replace("^", "\\^")
            out.append("[" + ("^/" if negate else "") + ranges + "]")
            i = end
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def check_globs(globs: Iterable[str], where: str) -> None:
    """Compile each glob now, so that a bad one is reported with the setting it came from."""
    for glob in globs:
        try:
            member_pattern(glob)
        except ConfigError as e:
            raise ConfigError(f"{where}: {e.message}", hint=e.hint) from e


def nearest_member_glob(glob: str, directories: Iterable[str]) -> str | None:
    """The pattern of the same shape over existing directories closest to `glob`, for a
    did-you-mean: `pakages/*` against `packages/db` gives `packages/*`."""
    import difflib

    segments = glob.strip().strip("/").split("/")
    if "**" in segments:
        return None
    shapes = set()
    for directory in directories:
        parts = directory.split("/")
        if len(parts) == len(segments) and directory != ".":
            shapes.add("/".join(seg if _WILD.search(seg) else part
                                for seg, part in zip(segments, parts, strict=True)))
    close = difflib.get_close_matches(glob.strip().strip("/"), sorted(shapes), n=1, cutoff=0.6)
    return close[0] if close else None


_WILD = re.compile(r"[*?\[]")


def matches_member(directory: str, globs: Iterable[str]) -> bool:
    path = "" if directory == "." else directory
    return any(member_pattern(g).fullmatch(path) for g in globs)


# A pattern anchored at the base, one segment of plain letters with `*` (the defaults of
# global-files): gitignore semantics are then `*` within the segment, the name itself or
# anything under it as a directory, which one regex says exactly as pathspec compiles it.
_SIMPLE = re.compile(r"/[A-Za-z0-9_.*-]*[A-Za-z0-9_-][A-Za-z0-9_.*-]*/?")


def simple_pattern(pattern: str) -> re.Pattern[str] | None:
    """The regex pathspec would build for a simple anchored pattern, else None. A trailing
    slash names a directory only: what is under it matches, a file of that name does not."""
    if not _SIMPLE.fullmatch(pattern) or "**" in pattern:
        return None
    directory = pattern.endswith("/")
    body = "[^/]*".join(re.escape(part) for part in pattern[1:].rstrip("/").split("*"))
    return re.compile(f"^{body}/" if directory else f"^{body}(?:/|$)")


class FilePatterns:
    """Gitignore-style patterns (as in `global-files` and `ignore`), relative to a base.

    When every pattern is simple (see `simple_pattern`), they are matched with plain
    regexes, so the usual query never imports pathspec."""

    def __init__(self, patterns: Iterable[str], where: str):
        self.patterns = tuple(patterns)
        self._spec: Any = None
        self._where = where

    def _compiled(self) -> Any:
        if self._spec is None:
            simple = [simple_pattern(p) for p in self.patterns]
            if all(r is not None for r in simple):
                self._spec = _Regexes([r for r in simple if r is not None])
                return self._spec
            import pathspec

            try:
                self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)
            except (ValueError, TypeError) as e:
                raise ConfigError(f"{self._where}: invalid pattern: {e}") from e
        return self._spec

    def match(self, path: str) -> bool:
        return bool(self.patterns) and bool(self._compiled().match_file(path))


class _Regexes:
    """Simple patterns: a path matches when one of them matches (no negation among them)."""

    def __init__(self, regexes: list[re.Pattern[str]]):
        self.regexes = regexes

    def match_file(self, path: str) -> bool:
        # pathspec's normalisation: the path is made relative.
        path = path[1:] if path.startswith("/") else path[2:] if path.startswith("./") else path
        return any(r.match(path) for r in self.regexes)
