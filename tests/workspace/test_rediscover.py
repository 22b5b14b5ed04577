"""The merge base's workspace derived from HEAD's (`rediscover`) is exactly what a full
discovery at the merge base gives, on real repositories and random histories."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator.errors import ConfigError
from orchestrator.gitrepo import Git
from orchestrator.workspace.discovery import PYPROJECT, Workspace, discover, rediscover
from orchestrator.workspace.parsecache import ParseCache
from orchestrator.workspace.snapshot import CommitSnapshot, WorktreeSnapshot
from tests.gitutil import GitRepo

UV_ROOT = '[tool.uv.workspace]\nmembers = ["packages/*", "services/*"]\nexclude = ["packages/x*"]\n'
MEMBERS_ROOT = '[project]\nname = "root"\nversion = "0.1"\n' \
    '[tool.orchestrator]\nmembers = ["**"]\n'
ROOTS = (UV_ROOT, MEMBERS_ROOT, "")  # uv workspace, members (nested, root included), all files


def outcome(make: object) -> Workspace | str:
    """The workspace, or the message of the error reading it."""
    try:
        return make()  # type: ignore[operator, no-any-return]
    except ConfigError as e:
        return e.message


def compare(repo: GitRepo, base: str, head: str | None = None, *,
            cache: ParseCache | None = None) -> bool:
    """Derive the base from HEAD and compare with a full discovery; False when the derivation
    declined (and so the caller discovers in full)."""
    git = Git(repo.root)
    snapshot = WorktreeSnapshot(git) if head is None else CommitSnapshot(git, head)
    changed = {c.path for c in git.diff(base, head)}
    if head is None:
        changed.update(git.untracked())
    near = outcome(lambda: discover(snapshot, repo.root, strict=False, cache=cache))
    if not isinstance(near, Workspace):
        return True  # HEAD cannot be read (two packages with one name): nothing to derive
    full = outcome(lambda: discover(CommitSnapshot(git, base), repo.root, strict=False))
    derived = outcome(lambda: rediscover(CommitSnapshot(git, base), near, changed, strict=False,
                                         cache=cache))
    if derived is None:
        assert PYPROJECT in changed  # and it does not read as it did
        return False
    assert derived == full
    if isinstance(full, Workspace):
        assert isinstance(derived, Workspace)
        assert derived.findings == full.findings
        assert derived.sources is not None and full.sources is not None
        assert derived.sources.metadata == full.sources.metadata
        assert derived.sources.pyproject_dirs == full.sources.pyproject_dirs
    return True


def package(repo: GitRepo, path: str, name: str, deps: list[str], extra: str = "") -> None:
    repo.write(f"{path}/pyproject.toml",
               f'[project]\nname = "{name}"\nversion = "1.0"\n'
               f"dependencies = {json.dumps(deps)}\n{extra}")


@pytest.fixture
def mono(repo: GitRepo) -> GitRepo:
    repo.write("pyproject.toml", UV_ROOT)
    package(repo, "packages/core", "core", [])
    package(repo, "packages/db", "db", ["core>=1"])
    package(repo, "services/api", "api", ["db", "newlib"])
    repo.write("packages/core/src/core.py", "x = 1\n")
    repo.commit("base")
    return repo


def test_modified_added_and_removed_members(mono: GitRepo) -> None:
    base = mono.git("rev-parse", "HEAD")
    package(mono, "packages/db", "db", ["core>=2"], "[dependency-groups]\ndev = ['api']\n")
    package(mono, "packages/newlib", "newlib", [])  # makes an edge of an unchanged package
    mono.remove("packages/core")
    head = mono.commit("head")
    assert compare(mono, base, head)
    assert compare(mono, head, base)  # and the other way round


def test_nested_packages_and_setup_only_directories(repo: GitRepo) -> None:
    repo.write("pyproject.toml", MEMBERS_ROOT)
    package(repo, "a", "a", [])
    repo.write("tools/setup.py", "")
    base = repo.commit("base")
    package(repo, "a/inner", "inner", ["a"])
    repo.write("tools/setup.cfg", "")
    repo.write("legacy/setup.py", "")
    repo.write("a/setup.py", "")
    head = repo.commit("head")
    assert compare(repo, base, head)
    assert compare(repo, head, base)


def test_unreadable_and_duplicate_at_the_base(mono: GitRepo) -> None:
    mono.write("packages/db/pyproject.toml", "[project\nname = 'db'\n")
    bad = mono.commit("unreadable")
    package(mono, "packages/db", "db", [])
    fixed = mono.commit("fixed")
    assert compare(mono, bad, fixed)
    package(mono, "packages/dup", "core", [])
    dup = mono.commit("duplicate")
    mono.remove("packages/dup")
    head = mono.commit("head")
    assert compare(mono, dup, head)


def test_working_tree_head_with_untracked_and_deleted_files(mono: GitRepo) -> None:
    base = mono.git("rev-parse", "HEAD")
    package(mono, "packages/fresh", "fresh", ["core"])  # untracked
    (mono.root / "packages/db/pyproject.toml").unlink()  # deleted, not staged
    mono.git("rm", "-q", "--cached", "services/api/pyproject.toml")  # untracked now
    assert compare(mono, base)


def test_a_root_pyproject_that_says_the_same_is_derived_one_that_does_not_declined(
        mono: GitRepo) -> None:
    base = mono.git("rev-parse", "HEAD")
    mono.write("pyproject.toml", UV_ROOT + "# comment\n")
    package(mono, "packages/db", "db", [])
    head = mono.commit("head")
    assert compare(mono, base, head)
    mono.write("pyproject.toml", UV_ROOT.replace('"packages/x*"', '"packages/d*"'))
    other = mono.commit("other members")
    assert not compare(mono, head, other)


# -- random histories ---------------------------------------------------------------------

SLOTS = ("packages/a", "packages/a/sub", "packages/b", "packages/xb", "services/c", "tools/d")
NAMES = ("a", "b", "c", "d", "e")
Op = tuple[str, int, int, tuple[int, ...]]

ops = st.tuples(st.sampled_from(["write", "remove", "setup", "unsetup", "garble", "root"]),
                st.integers(0, len(SLOTS) - 1), st.integers(0, len(NAMES) - 1),
                st.lists(st.integers(0, len(NAMES) - 1), max_size=3).map(tuple))


def apply(repo: GitRepo, op: Op) -> None:
    kind, slot, name, deps = op
    directory = repo.root / SLOTS[slot]
    if kind == "root":  # the same settings with a comment, or others
        repo.write("pyproject.toml", (repo.root / PYPROJECT).read_text() + "# a comment\n"
                   if name % 2 else ROOTS[slot % len(ROOTS)])
    elif kind == "write":
        package(repo, SLOTS[slot], NAMES[name], [NAMES[d] for d in deps])
    elif kind == "garble":
        repo.write(f"{SLOTS[slot]}/pyproject.toml", "[project\n")
    elif kind == "remove":
        (directory / PYPROJECT).unlink(missing_ok=True)
    elif kind == "setup":
        repo.write(f"{SLOTS[slot]}/setup.py", "")
    else:
        (directory / "setup.py").unlink(missing_ok=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(root=st.sampled_from(ROOTS), before=st.lists(ops, max_size=6),
       after=st.lists(ops, max_size=6), dirty=st.lists(ops, max_size=3),
       cached=st.booleans())
def test_random_histories(root: str, before: list[Op], after: list[Op], dirty: list[Op],
                          cached: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        repo = GitRepo(Path(tmp) / "repo").init()
        repo.write("pyproject.toml", root)
        for op in before:
            apply(repo, op)
        base = repo.commit("base")
        for op in after:
            apply(repo, op)
        head = repo.commit("head")
        for op in dirty:
            apply(repo, op)
        cache = ParseCache(Path(tmp) / "cache.json") if cached else None
        # Derived exactly, or declined only because the root's settings changed.
        compare(repo, base, head, cache=cache)
        compare(repo, head, base, cache=cache)
        compare(repo, base, cache=cache)  # HEAD is the working tree
