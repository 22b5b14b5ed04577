from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from orchestrator.errors import OrchestratorError
from orchestrator.release.versions import (
    admits,
    bump,
    next_after,
    normalise_label,
    poetry_admits,
    rewrite_poetry,
    rewrite_specifier,
    with_pre,
)


@pytest.mark.parametrize(("version", "level", "expected"), [
    ("1.4.0", "minor", "1.5.0"),
    ("1.4.0", "patch", "1.4.1"),
    ("1.4.2", "major", "2.0.0"),
    ("0.4.0", "major", "0.5.0"),  # below 1.0 a breaking change bumps the minor number
    ("0.4.3", "minor", "0.5.0"),
    ("1.2", "patch", "1.2.1"),
])
def test_bump(version: str, level: str, expected: str) -> None:
    assert bump(Version(version), level) == Version(expected)  # type: ignore[arg-type]


def test_pre_releases_count_up_then_promote() -> None:
    rc1 = with_pre(next_after(Version("1.4.0"), "minor"), "rc", Version("1.4.0"))
    assert rc1 == Version("1.5.0rc1")
    rc2 = with_pre(next_after(rc1, "patch"), "rc", rc1)
    assert rc2 == Version("1.5.0rc2")
    assert next_after(rc2, "patch") == Version("1.5.0")
    # a breaking change after a minor pre-release moves on to the next major
    assert next_after(rc2, "major") == Version("2.0.0")


def test_pre_label_cannot_go_backwards() -> None:
    with pytest.raises(OrchestratorError, match="go back"):
        with_pre(Version("1.5.0"), "a", Version("1.5.0rc1"))
    assert normalise_label("alpha") == "a"
    with pytest.raises(OrchestratorError):
        normalise_label("post")


@pytest.mark.parametrize(("label", "expected"), [
    ("rc", "rc"), ("RC", "rc"), ("c", "rc"), ("preview", "rc"), ("alpha", "a"), ("beta", "b"),
])
def test_pre_label_spellings_are_normalised(label: str, expected: str) -> None:
    assert normalise_label(label) == expected


@pytest.mark.parametrize(("label", "message"), [
    ("", "--pre needs a label"),
    (" ", "--pre needs a label"),
    ("rc1", "--pre 'rc1' has a number: give the label alone (--pre rc)"),
    ("beta-2", "--pre 'beta-2' has a number: give the label alone (--pre beta)"),
    ("dev1", "--pre 'dev1' is not a PEP 440 pre-release label"),
    ("-rc", "--pre '-rc' is not a PEP 440 pre-release label"),
    ("rev", "--pre 'rev' is not a PEP 440 pre-release label"),
])
def test_pre_label_refusals(label: str, message: str) -> None:
    with pytest.raises(OrchestratorError) as raised:
        normalise_label(label)
    assert raised.value.message.startswith(message)


@pytest.mark.parametrize(("spec", "version", "expected"), [
    (">=1.2", "2.0.0", ">=2.0"),
    ("==1.2.0", "2.0.0", "==2.0.0"),
    ("~=1.2", "2.0.0", "~=2.0"),
    (">=1.4,<1.5", "1.5.0", ">=1.5,<1.6"),
    (">=1.4, <2", "2.0.0", ">=2.0, <3"),
    ("<2.0,>=1.0", "2.0.0", "<3.0,>=2.0"),
    ("==1.2.*", "1.3.0", "==1.3.*"),
    (">=1.0,!=2.0.0", "2.0.0", ">=2.0"),
    (">=1.4,<1.5", "1.5.0rc1", ">=1.5.0rc1,<1.6"),
    ("<=1.4.2", "1.5.0", "<=1.5.0"),
    ("==1.2", "1.2.1", "==1.2.1"),
])
def test_rewrite_keeps_the_style(spec: str, version: str, expected: str) -> None:
    assert rewrite_specifier(spec, Version(version)) == expected
    assert admits(expected, Version(version))


versions = st.tuples(st.integers(0, 30), st.integers(0, 30), st.integers(0, 30)).map(
    lambda t: Version(".".join(map(str, t))))
operators = st.sampled_from([">=", ">", "==", "~=", "<", "<=", "!="])


@st.composite
def specifiers(draw: st.DrawFn) -> str:
    clauses = draw(st.lists(st.tuples(operators, versions), min_size=1, max_size=3))
    return ",".join(f"{op}{v}" for op, v in clauses)


@given(specifiers(), versions, st.sampled_from(["major", "minor", "patch"]))
def test_rewritten_specifier_admits_the_new_version(spec: str, last: Version,
                                                    level: str) -> None:
    new = next_after(last, level)  # type: ignore[arg-type]
    assert new > last
    rewritten = rewrite_specifier(spec, new)
    assert SpecifierSet(rewritten).contains(new, prereleases=True)


@pytest.mark.parametrize(("constraint", "version", "expected"), [
    ("^1.2", "2.0.0", "^2.0"),
    ("^0.9", "0.10.0", "^0.10"),
    ("~1.2", "1.3.0", "~1.3"),
    ("~1.2.3", "2.0.0", "~2.0.0"),
    ("~1", "2.0.0", "~2"),
    ("1.2.0", "1.3.0", "1.3.0"),  # a bare version is exact in Poetry
    ("=1.2", "1.3.0", "=1.3"),
    ("1.2.*", "1.3.0", "1.3.*"),
    (">=1.2,<1.3", "1.3.0", ">=1.3,<1.4"),
    (">=1.2 <1.3", "1.3.0", ">=1.3 <1.4"),
    ("~=1.2", "2.0.0", "~=2.0"),
    ("^1.2", "2.0.0rc1", "^2.0.0rc1"),
])
def test_poetry_constraints_keep_their_style(constraint: str, version: str,
                                             expected: str) -> None:
    assert not poetry_admits(constraint, Version(version))
    assert rewrite_poetry(constraint, Version(version)) == expected
    assert poetry_admits(expected, Version(version))


def test_poetry_alternatives_are_not_guessed() -> None:
    with pytest.raises(OrchestratorError, match="alternatives"):
        rewrite_poetry("^1.0 || ^2.0", Version("3.0.0"))
