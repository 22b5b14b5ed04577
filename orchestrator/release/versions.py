"""Version arithmetic: bumps, pre-releases, and rewriting a specifier in its own style.

Everything is computed with `packaging`; nothing compares version strings by hand.
"""

from __future__ import annotations

import re

from packaging.specifiers import InvalidSpecifier, Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from orchestrator.errors import OrchestratorError
from orchestrator.release.conventional import Level


def parse_version(text: str, where: str) -> Version:
    try:
        return Version(text)
    except InvalidVersion as e:
        raise OrchestratorError(f"{where}: {text!r} is not a PEP 440 version") from e


def release_tuple(version: Version, width: int = 3) -> tuple[int, ...]:
    """The release segment padded (or cut) to `width` numbers."""
    parts = tuple(version.release) + (0,) * width
    return parts[:width]


def bump(version: Version, level: Level) -> Version:
    """The next final version; below 1.0 a breaking change bumps the minor number."""
    major, minor, patch = release_tuple(version)
    if level == "major" and major == 0:
        level = "minor"
    if level == "major":
        return Version(f"{major + 1}.0.0")
    if level == "minor":
        return Version(f"{major}.{minor + 1}.0")
    return Version(f"{major}.{minor}.{patch + 1}")


def covers(pre: Version, level: Level) -> bool:
    """Whether the final version of a pre-release already carries a bump of `level`."""
    major, minor, patch = release_tuple(pre)
    if level == "major" and major == 0:
        level = "minor"
    if level == "major":
        return minor == 0 and patch == 0
    if level == "minor":
        return patch == 0
    return True


def final_of(version: Version) -> Version:
    return Version(".".join(str(n) for n in release_tuple(version)))


def next_after(last: Version, level: Level) -> Version:
    """The final version a change of `level` leads to after release `last`."""
    if last.is_prerelease and covers(last, level):
        return final_of(last)
    return bump(last, level)


def normalise_label(label: str) -> str:
    """A pre-release label as PEP 440 spells it (`alpha` -> `a`, `c` -> `rc`, `RC` -> `rc`).

    The label is letters only: the plan counts the number itself (rc1, then rc2, ...).
    """
    if not label.strip():
        raise OrchestratorError("--pre needs a label (a, b or rc); leave --pre out to make "
                                "final releases")
    found = _pep440_label(label)
    if found is not None:
        return found
    numbered = re.fullmatch(r"([A-Za-z]+)[-_.]?[0-9]+", label)
    if numbered and _pep440_label(numbered[1]) is not None:
        raise OrchestratorError(
            f"--pre {label!r} has a number: give the label alone (--pre {numbered[1]}); the "
            "plan counts the number itself (rc1, then rc2, ...)")
    raise OrchestratorError(f"--pre {label!r} is not a PEP 440 pre-release label (a, b, rc)")


def _pep440_label(letters: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z]+", letters):
        return None
    try:
        version = Version(f"1.0{letters}1")
    except InvalidVersion:
        return None
    return None if version.pre is None else version.pre[0]


def with_pre(final: Version, label: str, last: Version | None) -> Version:
    """`final` as pre-release `label`: number 1, or one more than `last` had on that final."""
    number = 1
    if last is not None and last.pre is not None and final_of(last) == final:
        if last.pre[0] == label:
            number = last.pre[1] + 1
        elif Version(f"{final}{label}1") < last:
            raise OrchestratorError(
                f"--pre {label} would go back from {last}: use a label that sorts after "
                f"{last.pre[0]}"
            )
    return Version(f"{final}{label}{number}")


def admits(specifier: str, version: Version) -> bool:
    return SpecifierSet(specifier).contains(version, prereleases=True)


_FLOOR_OPERATORS = (">=", ">", "==", "~=", "===")


def floor(specifier: str) -> Version | None:
    """The lowest version a PEP 440 specifier can admit (its lower bound), None when it has
    none: `>=1.4,<1.5` -> 1.4, `~=2.1` -> 2.1, `==1.2.*` -> 1.2, `<2` -> None."""
    bounds = []
    for clause in SpecifierSet(specifier):
        if clause.operator in _FLOOR_OPERATORS:
            try:
                bounds.append(Version(clause.version.removesuffix(".*")))
            except InvalidVersion:  # `===` takes any string
                continue
    return max(bounds, default=None)


def poetry_floor(text: str) -> Version | None:
    """`floor` of a Poetry constraint, translated with poetry-core (`^1.2` -> 1.2); of
    alternatives (`^1.0 || ^2.0`), the lowest."""
    if "|" in text:
        floors = [poetry_floor(part) for part in re.split(r"\|\|?", text)]
        return None if None in floors else min(f for f in floors if f is not None)
    if text.strip() in ("", "*"):
        return None
    from poetry.core.constraints.version import parse_constraint

    try:
        translated = str(parse_constraint(text))
    except Exception as e:  # poetry-core raises several private error types
        raise OrchestratorError(f"cannot read Poetry constraint {text!r}: {e}") from e
    if translated == "*":
        return None
    try:  # poetry-core prints an exact version bare ("1.3.0")
        return floor(f"=={translated}" if translated[:1].isdigit() else translated)
    except InvalidSpecifier as e:
        raise OrchestratorError(f"cannot read Poetry constraint {text!r}: {e}") from e


# -- rewriting a specifier in its own style ----------------------------------

_NUMBERS = re.compile(r"^\d+(?:\.\d+)*")


def width_of(text: str) -> int:
    match = _NUMBERS.match(text)
    return len(match.group(0).split(".")) if match else 3


def _numbers(version: Version, width: int) -> str:
    return ".".join(str(n) for n in release_tuple(version, width))


def at_least(version: Version, width: int) -> str:
    """`version` written with `width` numbers when that still admits it, else in full."""
    short = _numbers(version, width)
    return short if Version(short) <= version else str(version)


def exactly(version: Version, width: int) -> str:
    """`version` written with `width` numbers when that is still equal to it, else in full."""
    short = _numbers(version, width)
    return short if Version(short) == version else str(version)


def _upper(version: Version, bound: str) -> str:
    """A new exclusive upper bound that keeps the step the old one had (`<1.5` -> `<1.6`)."""
    numbers = [int(n) for n in _NUMBERS.match(bound).group(0).split(".")]  # type: ignore[union-attr]
    step = max((i for i, n in enumerate(numbers) if n), default=len(numbers) - 1)
    parts = list(release_tuple(version, len(numbers)))
    parts[step] += 1
    parts[step + 1:] = [0] * (len(parts) - step - 1)
    return ".".join(str(n) for n in parts)


def rewrite_clause(clause: Specifier, version: Version) -> str | None:
    """One clause moved to `version` in the same style; None drops it."""
    op, bound = clause.operator, clause.version
    width = width_of(bound)
    if op in (">=", ">"):
        return f">={at_least(version, width)}"
    if op == "~=":
        return f"~={at_least(version, max(width, 2))}"
    if op == "==" and bound.endswith(".*"):
        return f"=={_numbers(version, width)}.*"
    if op == "==":
        return f"=={exactly(version, width)}"
    if op in ("<", "<=") and clause.contains(version, prereleases=True):
        return f"{op}{bound}"
    if op == "<":
        return f"<{_upper(version, bound)}"
    if op == "<=":
        return f"<={version}"
    if op == "===":
        return f"==={version}"
    return None if clause.contains(version, prereleases=True) is False else str(clause)


def rewrite_specifier(text: str, version: Version) -> str:
    """`text` (clauses in their written order) moved to admit `version` in the same style.

    `>=1.2` -> `>=2.0`, `==1.2.0` -> `==2.0.0`, `~=1.2` -> `~=2.0`, `>=1.4,<1.5` -> `>=1.5,<1.6`.
    """
    separator = ", " if ", " in text else ","
    clauses = []
    for raw in text.split(","):
        try:
            clause = Specifier(raw.strip())
        except InvalidSpecifier as e:
            raise OrchestratorError(f"cannot read specifier {text!r}: {e}") from e
        new = rewrite_clause(clause, version)
        if new is not None:
            clauses.append(new)
    result = separator.join(clauses) or f">={version}"
    if not admits(result, version):
        result = f">={version}"
    return result


# -- Poetry's own constraint syntax ---------------------------------------------

_POETRY_CLAUSE = re.compile(r"(?P<op>\^|~=|~|>=|<=|==|!=|>|<|=)?\s*(?P<bound>\d[0-9A-Za-z.*+!-]*)")


def poetry_admits(text: str, version: Version) -> bool:
    """Whether a Poetry constraint (`^1.2`, `~1.2`, `1.2.*`, `>=1.2 <2`) admits `version`."""
    if text.strip() in ("", "*"):
        return True
    from poetry.core.constraints.version import Version as PoetryVersion
    from poetry.core.constraints.version import parse_constraint

    try:
        return parse_constraint(text).allows(PoetryVersion.parse(str(version)))
    except Exception as e:  # poetry-core raises several private error types
        raise OrchestratorError(f"cannot read Poetry constraint {text!r}: {e}") from e


def rewrite_poetry(text: str, version: Version) -> str:
    """A Poetry constraint moved to admit `version`, clause by clause in its own style.

    `^1.2` -> `^2.0`, `~1.2.3` -> `~2.0.0`, `1.2.0` (exact) -> `2.0.0`, `1.2.*` -> `2.0.*`,
    `>=1.2 <1.3` -> `>=1.3 <1.4`. Alternatives (`^1.0 || ^2.0`) are refused: which one to
    move is a choice for the author.
    """
    if "||" in text or "|" in text:
        raise OrchestratorError(f"{text!r} has alternatives (||), so which to move is ambiguous")
    moved = _POETRY_CLAUSE.sub(lambda m: _poetry_clause(m["op"] or "", m["bound"], version),
                               text.strip())
    return moved if moved and poetry_admits(moved, version) else f">={version}"


def _poetry_clause(op: str, bound: str, version: Version) -> str:
    width = width_of(bound)
    if op in ("^", "~"):
        return op + at_least(version, width)
    if bound.endswith("*"):
        return f"{op}{_numbers(version, width)}.*"
    if op in ("", "="):  # a bare version is exact in Poetry
        return op + exactly(version, width)
    try:
        clause = Specifier(op + bound)
    except InvalidSpecifier as e:
        raise OrchestratorError(f"cannot read {op}{bound!r}: {e}") from e
    return rewrite_clause(clause, version) or f">={version}"
