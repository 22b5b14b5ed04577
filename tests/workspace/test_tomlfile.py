"""TOML reading: the compiled parser answers only where it answers as tomllib would."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.errors import ConfigError
from orchestrator.workspace.tomlfile import SAFE_DEPTH, loads, parse_toml

DOCUMENTS = [
    '[project]\nname = "acme"\ndependencies = ["a>=1", "b"]\n',
    'a = 1979-05-27T07:32:00-08:00\nb = 0.1e-3\nc = inf\nd = """x\ny"""\n',
    "[[x]]\na = 1\n[[x]]\nb = [1, [2, [3]]]\n",
    'k = {a = 1, b = {c = "d"}}\n',
    "big = 99999999999999999999\n",
    '[b]\nz = 1\na = 2\n[a]\ny = 1\n',  # order kept as written
]
INVALID = [
    'x = {a = 1,}\n',  # TOML 1.1 only
    'x = {a = 1,\n b = 2}\n',  # TOML 1.1 only
    'x = "\\e"\n',  # TOML 1.1 only
    "t = 07:32\n",  # TOML 1.1 only
    "a = 1\na = 2\n",
    "[project\n",
    'version = 1.2.3\n',
]


def test_the_compiled_parser_is_the_one_in_use() -> None:
    import tomli._parser

    assert not tomli._parser.__file__.endswith(".py")  # mypyc's build, not the source


@pytest.mark.parametrize("text", DOCUMENTS)
def test_values_and_their_order_are_tomllibs(text: str) -> None:
    ours, theirs = loads(text), tomllib.loads(text)
    assert ours == theirs
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("text", INVALID)
def test_errors_are_tomllibs_in_its_words(text: str) -> None:
    with pytest.raises(tomllib.TOMLDecodeError) as ours:
        loads(text)
    with pytest.raises(tomllib.TOMLDecodeError) as theirs:
        tomllib.loads(text)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("depth", [SAFE_DEPTH - 1, SAFE_DEPTH + 1, 200, 600])
def test_deep_nesting_ends_as_tomllib_ends_it(depth: int) -> None:
    text = "x = " + "[" * depth + "]" * depth + "\n"
    try:
        expected: object = tomllib.loads(text)
    except RecursionError:
        expected = RecursionError
    try:
        got: object = loads(text)
    except RecursionError:
        got = RecursionError
    assert got == expected


def test_hostile_files_keep_their_clear_messages() -> None:
    with pytest.raises(ConfigError, match=r"^p\.toml is not valid TOML: .*\(at line 1, column"):
        parse_toml(b"x = {a = 1,}\n", "p.toml")
    with pytest.raises(ConfigError, match=r"^p\.toml nests arrays or tables too deeply"):
        parse_toml(b"x = " + b"[" * 600 + b"]" * 600, "p.toml")
    with pytest.raises(ConfigError, match=r"^p\.toml is not valid UTF-8"):
        parse_toml(b'x = "\xff"', "p.toml")
    with pytest.raises(ConfigError, match=r"end of document, line 2\)"):
        parse_toml(b'a = 1\nb = "', "p.toml")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='ab=[]{}"\',.\n 1#', max_size=40))
def test_any_text_parses_or_fails_as_tomllib(text: str) -> None:
    try:
        expected: object = repr(tomllib.loads(text))
    except tomllib.TOMLDecodeError as e:
        expected = str(e)
    try:
        got: object = repr(loads(text))
    except tomllib.TOMLDecodeError as e:
        got = str(e)
    assert got == expected
