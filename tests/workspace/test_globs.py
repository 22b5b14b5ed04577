"""Simple anchored patterns are matched without pathspec, exactly as pathspec matches them."""

from __future__ import annotations

import pathspec
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.workspace.config import Config
from orchestrator.workspace.globs import FilePatterns, simple_pattern

letters = st.sampled_from(list("ab.-_*1/ "))
patterns = st.text(letters, min_size=1, max_size=8).map(lambda t: "/" + t)
paths = st.lists(st.text(st.sampled_from(list("ab.-_1/x")), min_size=0, max_size=10), max_size=8)


def pathspec_match(chosen: list[str], path: str) -> bool:
    return bool(pathspec.GitIgnoreSpec.from_lines(chosen).match_file(path))


@settings(max_examples=400, deadline=None)
@given(chosen=st.lists(patterns, min_size=1, max_size=3), candidates=paths)
def test_simple_patterns_match_as_pathspec_does(chosen: list[str], candidates: list[str]) -> None:
    if not all(simple_pattern(p) for p in chosen):
        return
    fast = FilePatterns(chosen, "test")
    for path in [*candidates, *(p[1:] for p in chosen), *(p[1:] + "/x" for p in chosen)]:
        assert fast.match(path) == pathspec_match(chosen, path), (chosen, path)


def test_default_global_files_are_simple() -> None:
    defaults = Config().global_files
    assert defaults and all(simple_pattern(p) for p in defaults)
    fast = FilePatterns(defaults, "global-files")
    for path in ("pyproject.toml", "requirements-dev.txt", "requirements.txt/x", "a/pyproject.toml",
                 "README.md", "constraints.txt", "uv.lock", "conftest.py",
                 "dev-requirements.txt", "requirements/base.txt", "requirements"):
        assert fast.match(path) == pathspec_match(list(defaults), path), path


def test_other_patterns_still_use_pathspec() -> None:
    for pattern in ("*.md", "docs/**", "/a/b", "/a?", "!/x", "/[ab]"):
        assert simple_pattern(pattern) is None
    assert FilePatterns(["docs/**", "*.md"], "ignore").match("docs/x/y.txt")
