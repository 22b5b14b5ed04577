from __future__ import annotations

import pytest

from orchestrator.release.conventional import highest, parse


@pytest.mark.parametrize(("message", "level"), [
    ("feat: pool sizes", "minor"),
    ("feat(db): pool sizes", "minor"),
    ("fix: off by one", "patch"),
    ("perf: faster", "patch"),
    ("revert: feat: pool sizes", "patch"),
    ("feat!: drop python 3.10", "major"),
    ("refactor(db)!: new API", "major"),
    ("fix: thing\n\nBREAKING CHANGE: the pool is gone", "major"),
    ("Update the pool", "patch"),
    ("docs: explain", None),
    ("chore: tidy", None),
    ("test: more", None),
    ("ci: cache", None),
    ("style: format", None),
    ("build: bump hatchling", None),
    ("refactor: split", None),
])
def test_level_follows_the_design_table(message: str, level: str | None) -> None:
    assert parse(message).level == level


def test_unconventional_message_is_kept_whole() -> None:
    message = parse("Merge the pool work: it is done")
    assert message.type is None
    assert message.group == "other"


def test_groups_and_scope() -> None:
    assert parse("feat(db): x").scope == "db"
    assert parse("feat(db): x").group == "features"
    assert parse("fix!: x").group == "breaking"
    assert parse("perf: x").group == "fixes"


def test_highest() -> None:
    assert highest(["patch", None, "minor"]) == "minor"
    assert highest([None, None]) is None
