"""uv.lock closures: only members whose locked dependencies changed are affected by the lock."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.changes.affected import Reason
from orchestrator.context import Project
from orchestrator.workspace.lockfile import (
    LockStore,
    compare_locks,
    describe,
    locked_closure,
    parse_lock,
)
from tests.changes.test_affected import affected
from tests.cli import run_cli
from tests.gitutil import GitRepo


def lock(requests: str = "2.31.0", marker: str = 'python_version >= "3.8"',
         idna: str = "3.6") -> str:
    return textwrap.dedent(f"""\
        version = 1
        requires-python = ">=3.11"

        [[package]]
        name = "acme-web"
        version = "1.0.0"
        source = {{ editable = "packages/web" }}
        dependencies = [{{ name = "requests" }}]

        [[package]]
        name = "acme-cli"
        version = "1.0.0"
        source = {{ editable = "packages/cli" }}
        dependencies = [{{ name = "click" }}]

        [package.optional-dependencies]
        color = [{{ name = "colorama", marker = "sys_platform == 'win32'" }}]

        [package.dev-dependencies]
        dev = [{{ name = "acme-web" }}]

        [[package]]
        name = "acme-plain"
        version = "1.0.0"
        source = {{ editable = "packages/plain" }}

        [[package]]
        name = "requests"
        version = "{requests}"
        source = {{ registry = "https://pypi.org/simple" }}
        dependencies = [{{ name = "idna", marker = '{marker}' }}]

        [[package]]
        name = "idna"
        version = "{idna}"
        source = {{ registry = "https://pypi.org/simple" }}

        [[package]]
        name = "click"
        version = "8.1.7"
        source = {{ registry = "https://pypi.org/simple" }}

        [[package]]
        name = "colorama"
        version = "0.4.6"
        source = {{ registry = "https://pypi.org/simple" }}
        """)


MEMBERS = ("acme-web", "acme-cli", "acme-plain")


def compare(before: str | None, after: str | None) -> tuple[set[str], str | None]:
    result = compare_locks(before.encode() if before is not None else None,
                           after.encode() if after is not None else None, MEMBERS)
    return set(result.changed), result.unreadable


def test_identical_locks_change_nothing() -> None:
    assert compare(lock(), lock()) == (set(), None)


def test_version_markers_and_transitive_changes_reach_dependers_only() -> None:
    # acme-cli reaches requests through its dev group (acme-web): it is affected too.
    assert compare(lock(), lock(requests="2.32.0")) == ({"acme-web", "acme-cli"}, None)
    assert compare(lock(), lock(marker='python_version >= "3.9"'))[0] == {"acme-web", "acme-cli"}
    assert compare(lock(), lock(idna="3.7"))[0] == {"acme-web", "acme-cli"}


def test_optional_dependency_change_reaches_its_member() -> None:
    after = lock().replace('version = "0.4.6"', 'version = "0.4.7"')
    assert compare(lock(), after)[0] == {"acme-cli"}


def test_source_change_counts() -> None:
    after = lock().replace('version = "8.1.7"\nsource = { registry = "https://pypi.org/simple" }',
                           'version = "8.1.7"\nsource = { registry = "https://mirror/simple" }')
    assert compare(lock(), after)[0] == {"acme-cli"}


def test_added_or_removed_lock_changes_every_locked_member() -> None:
    assert compare(None, lock())[0] == set(MEMBERS)
    assert compare(lock(), None)[0] == set(MEMBERS)


def test_unreadable_lock_is_reported() -> None:
    changed, why = compare(lock(), "version = [")
    assert changed == set() and why is not None and "not valid TOML" in why
    assert "unknown format" in (compare("version = 99\n", lock())[1] or "")


def _workspace(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.uv.workspace]\nmembers = ["packages/*"]\n')
    repo.package("packages/web", "acme-web", dependencies=["requests"])
    repo.package("packages/cli", "acme-cli", dependencies=["click"])
    repo.package("packages/plain", "acme-plain")
    repo.write("uv.lock", lock())
    repo.commit("workspace")


def test_lock_change_affects_the_member_whose_closure_changed(repo: GitRepo) -> None:
    _workspace(repo)
    repo.write("uv.lock", lock().replace('version = "8.1.7"', 'version = "8.1.8"'))
    result = affected(repo, base="HEAD")
    assert result.affected == ("acme-cli",)
    assert result.reasons["acme-cli"] == (
        Reason("lockfile", files=("uv.lock",), change="click 8.1.7 → 8.1.8"),)
    assert result.unowned_files == ("uv.lock",)


def test_lock_change_from_git_objects(repo: GitRepo) -> None:
    _workspace(repo)
    repo.write("uv.lock", lock(idna="3.7"))
    repo.commit("bump idna")
    result = affected(repo, base="HEAD~1", head="HEAD")
    assert result.affected == ("acme-cli", "acme-web")


def test_unreadable_lock_affects_everything(repo: GitRepo) -> None:
    _workspace(repo)
    repo.write("uv.lock", "garbage = [\n")
    result = affected(repo, base="HEAD")
    assert result.affected == ("acme-cli", "acme-plain", "acme-web")
    reason = result.reasons["acme-plain"][0]
    assert reason.type == "lockfile" and "not valid TOML" in (reason.detail or "")
    assert len(Project(repo.root).workspace().packages) == 3


PRECISE = """\
version = 1
requires-python = ">=3.11"

[[package]]
name = "acme-slim"
version = "1.0.0"
source = { editable = "packages/slim" }
dependencies = [{ name = "httpx" }]

[package.optional-dependencies]
web-fetch = [{ name = "soupsieve" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "acme-cli"
version = "1.0.0"
source = { editable = "packages/cli" }
dependencies = [{ name = "acme-slim" }]

[[package]]
name = "acme-fetcher"
version = "1.0.0"
source = { editable = "packages/fetcher" }
dependencies = [{ name = "acme-slim", extra = ["web-fetch"] }]

[[package]]
name = "httpx"
version = "0.27.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "soupsieve"
version = "2.6"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.0.0"
source = { registry = "https://pypi.org/simple" }
"""
PRECISE_MEMBERS = ("acme-slim", "acme-cli", "acme-fetcher")


def test_only_the_extras_a_member_activates_are_followed() -> None:
    after = PRECISE.replace('version = "2.6"', 'version = "2.7"')
    result = compare_locks(PRECISE.encode(), after.encode(), PRECISE_MEMBERS)
    # cli installs acme-slim without [web-fetch]: soupsieve is not part of it.
    assert dict(result.changed) == {"acme-slim": "soupsieve 2.6 → 2.7",
                                    "acme-fetcher": "soupsieve 2.6 → 2.7"}


def test_a_dependency_s_dev_groups_are_not_installed_with_it() -> None:
    after = PRECISE.replace('version = "8.0.0"', 'version = "8.1.0"')
    result = compare_locks(PRECISE.encode(), after.encode(), PRECISE_MEMBERS)
    assert dict(result.changed) == {"acme-slim": "pytest 8.0.0 → 8.1.0"}


def test_why_names_what_changed_in_the_lock(repo: GitRepo, capsys: pytest.CaptureFixture[str],
                                            ) -> None:
    _workspace(repo)
    repo.write("uv.lock", lock(requests="2.32.0"))
    result = run_cli(capsys, repo.root, "why", "acme-web", "--base", "HEAD")
    assert result.stdout == "uv.lock: requests 2.31.0 → 2.32.0 → acme-web\n"
    repo.write("uv.lock", "version = [")
    result = run_cli(capsys, repo.root, "why", "acme-web", "--base", "HEAD")
    assert "uv.lock in the working tree is not valid TOML" in result.stdout


# -- parsed once per blob id, closures by need ---------------------------------------------

def brute_force(before: str, after: str) -> dict[str, str]:
    """Every member's closure compared, none skipped."""
    old, new = parse_lock(before.encode(), "b"), parse_lock(after.encode(), "a")
    found = {}
    for name in MEMBERS:
        a, b = locked_closure(old, name), locked_closure(new, name)
        if a != b:
            found[name] = describe(a, b)
    return found


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["2.31.0", "2.32.0"]), st.sampled_from(['python_version >= "3.8"', ""]),
       st.sampled_from(["3.6", "3.7"]), st.sampled_from(["2.31.0", "2.32.0"]),
       st.sampled_from(['python_version >= "3.8"', ""]), st.sampled_from(["3.6", "3.7"]))
def test_only_members_reaching_a_change_are_compared_and_none_is_missed(
        r1: str, m1: str, i1: str, r2: str, m2: str, i2: str) -> None:
    before, after = lock(r1, m1, i1), lock(r2, m2, i2)
    assert dict(compare_locks(before.encode(), after.encode(), MEMBERS).changed) == \
        brute_force(before, after)


def test_a_lock_is_parsed_once_and_its_closures_kept(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store = LockStore(tmp_path)
    first = store.open(lock().encode(), "here")
    assert set(first.closures) == set()
    first.closure("acme-web")
    assert set(first.closures) == {"acme-web"}  # only what was asked for
    store.save()
    import orchestrator.workspace.lockfile as lockfile

    def refuse(*args: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(lockfile, "parse_lock", refuse)
    again = LockStore(tmp_path).open(lock().encode(), "here")
    assert again.closure("acme-web") == first.closure("acme-web")
    assert again.closure("acme-cli") == locked_closure(first.entries, "acme-cli")


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_damaged_or_foreign_lock_file_is_a_miss(tmp_path: Path, damage: bytes | None) -> None:
    store = LockStore(tmp_path)
    store.open(lock().encode(), "here").closure("acme-web")
    store.save()
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        # None: a flipped byte inside, which the checksum catches.
        path.write_bytes(damage if damage is not None else
                         data[:-40] + bytes([data[-40] ^ 1]) + data[-39:])
    reopened = LockStore(tmp_path).open(lock().encode(), "here")
    expected = locked_closure(parse_lock(lock().encode(), "x"), "acme-web")
    assert reopened.closure("acme-web") == expected
