"""Hostile metadata: mutations of the example's pyproject.toml files and root settings.

Whatever the mutation, every command exits 0, 1 or 2 without a traceback, and `affected`
never answers fewer packages than the same change gives without the mutation, unless the
mutation removed that package or edge on purpose (a valid edit a user could have meant).
"""

from __future__ import annotations

import copy
import json
import shutil
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestrator.workspace.metadata import canonical
from tests.cli import run_cli
from tests.conftest import REPO_ROOT
from tests.gitutil import GitRepo, make_repo

SKIP = shutil.ignore_patterns(".pytest_cache", "__pycache__", "*.egg-info", "build", "dist",
                              ".venv", "tests", "src")
ROOT_SETTINGS = '[tool.orchestrator]\nmembers = ["packages/*", "services/*"]\n' \
                'services = ["services/*"]\n\n[tool.uv.workspace]\n' \
                'members = ["packages/*", "services/*"]\n'


@dataclass
class Example:
    repo: GitRepo
    commit: str  # the example as it is
    files: dict[str, bytes]  # every pyproject.toml, as committed
    internal: set[str]
    changes: list[str]  # a source file per package, to change


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Example]:
    repo = make_repo(tmp_path_factory.mktemp("fuzz"))
    for folder in ("packages", "services"):
        shutil.copytree(REPO_ROOT / folder, repo.root / folder, ignore=SKIP)
    repo.write("pyproject.toml", ROOT_SETTINGS)
    files = {str(p.relative_to(repo.root)): p.read_bytes()
             for p in sorted(repo.root.glob("**/pyproject.toml"))}
    internal = {canonical(_name(tomllib.loads(data.decode()))) for path, data in files.items()
                if path != "pyproject.toml"}
    changes = [f"{path.removesuffix('pyproject.toml')}fuzzed.py" for path in files
               if path != "pyproject.toml"]
    commit = repo.commit("the example monorepo")
    yield Example(repo, commit, files, internal, changes)


def _name(doc: dict[str, Any]) -> str:
    return str(doc.get("project", {}).get("name") or doc["tool"]["poetry"]["name"])


@dataclass(frozen=True)
class Mutation:
    path: str
    text: bytes
    on_purpose: bool  # a valid edit that may remove an edge or package
    touches: frozenset[str] = frozenset()  # internal names the mutated value declared


# Values of another type where a table, array or string was: unreadable, never "empty".
WRONG_TYPES = st.sampled_from([0, 7, -1, 1.5, True, False, {"k": 1}, [1, 2], [[[]]],
                               {"tool": 3}])
GARBAGE = st.sampled_from(["=>", ">>", " ", "!!", "@", ";;", "[", "≥", "==", "~", ",", "(",
                           " @ ", ";", "\\", "'", "<>", "$"])


def _nodes(doc: Any, trail: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path into a parsed TOML document."""
    items = doc.items() if isinstance(doc, dict) else enumerate(doc) \
        if isinstance(doc, list) else ()
    for key, value in items:
        yield (*trail, key)
        yield from _nodes(value, (*trail, key))


def _get(doc: Any, trail: tuple[Any, ...]) -> Any:
    for key in trail:
        doc = doc[key]
    return doc


def _set(doc: Any, trail: tuple[Any, ...], value: Any) -> None:
    _get(doc, trail[:-1])[trail[-1]] = value


def _names_internal(value: Any, internal: set[str]) -> bool:
    if isinstance(value, str):
        head = value.strip().split(" ")[0]
        return any(canonical(head).startswith(name) for name in internal)
    if isinstance(value, dict):
        return any(canonical(k) in internal or _names_internal(v, internal)
                   for k, v in value.items())
    return isinstance(value, list) and any(_names_internal(v, internal) for v in value)


def _internal_names(value: Any, internal: set[str]) -> frozenset[str]:
    return frozenset(name for name in internal if _names_internal(value, {name}))


def _dump(doc: dict[str, Any]) -> bytes:
    import tomlkit

    return tomlkit.dumps(doc).encode()


@st.composite
def mutations(draw: st.DrawFn, example: Example) -> Mutation:
    path = draw(st.sampled_from(sorted(example.files)))
    data = example.files[path]
    doc = tomllib.loads(data.decode())
    kind = draw(st.sampled_from(["wrong-type", "garbage", "text", "rename-key", "requirement",
                                 "requirement"]))
    if kind == "text":
        return _text_mutation(draw, path, data)
    trails = list(_nodes(doc))
    declaring = [tr for tr in trails if _names_internal(_get(doc, tr), example.internal)]
    requirements = [tr for tr in declaring
                    if isinstance(_get(doc, tr), str) and tr[-1] != "name"]
    if kind == "requirement" and requirements:
        return _requirement_garbage(draw, path, doc, draw(st.sampled_from(requirements)),
                                    example)
    # Mostly where internal packages are declared: that is where an edge can be lost.
    trail = draw(st.sampled_from(declaring) if declaring and draw(st.booleans())
                 else st.sampled_from(trails))
    old = _get(doc, trail)
    if kind == "garbage" and isinstance(old, str):
        at = draw(st.integers(0, len(old)))
        _set(doc, trail, old[:at] + draw(GARBAGE) + old[at:])
        # Anywhere in a string, garbage may write another valid name (a rename): an edit a
        # user could mean.
        return Mutation(path, _dump(doc), on_purpose=True)
    if kind == "rename-key" and isinstance(trail[-1], str):
        parent = _get(doc, trail[:-1])
        parent[trail[-1] + draw(st.sampled_from(["s", "_", "-x", "!"]))] = parent.pop(trail[-1])
        return Mutation(path, _dump(doc), on_purpose=True)  # a key it may not know, or drop
    return _wrong_type(draw, path, doc, trail, example)


def _requirement_garbage(draw: st.DrawFn, path: str, doc: dict[str, Any],
                         trail: tuple[Any, ...], example: Example) -> Mutation:
    """Garbage after the name of a requirement of an internal package: the name is still
    there to read, so the edge must stay."""
    old = _get(doc, trail)
    name = next(n for n in sorted(example.internal, key=len, reverse=True)
                if canonical(old.strip()[: len(n)]) == n)
    at = old.index(old.strip()[: len(name)]) + len(name)
    _set(doc, trail, old[:at] + draw(GARBAGE) + old[at:])
    return Mutation(path, _dump(doc), on_purpose=False, touches=frozenset({name}))


def _wrong_type(draw: st.DrawFn, path: str, doc: dict[str, Any], trail: tuple[Any, ...],
                example: Example) -> Mutation:
    old = copy.deepcopy(_get(doc, trail))
    new = draw(WRONG_TYPES)
    _set(doc, trail, new)
    touches = _internal_names(old, example.internal)
    # A value of another type hides what the old one declared: that must not go unnoticed.
    # A table replaced by another table is a valid edit (it may drop a name on purpose), as
    # is any replacement of a value that declared no internal package.
    on_purpose = (isinstance(old, dict) and isinstance(new, dict)) or (
        not _names_internal(old, example.internal) and trail[-1] != "name")
    return Mutation(path, _dump(doc), on_purpose=on_purpose or (trail[:1] == ("tool",)
                    and path == "pyproject.toml"), touches=touches)


def _text_mutation(draw: st.DrawFn, path: str, data: bytes) -> Mutation:
    where = draw(st.integers(0, len(data)))
    extra = draw(st.sampled_from([b"\xff\xfe", b"\n[project]\n", b"=", b"\n\x00", b"'''",
                                  b'\nx = ' + b"[" * 600 + b"]" * 600 + b"\n", b""]))
    return Mutation(path, data[:where] + extra, on_purpose=True)  # a truncation may drop


def _affected(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, set[str], str]:
    result = run_cli(capsys, root, "affected", "--base", "HEAD", "--format", "json")
    found = set(json.loads(result.stdout)["affected"]) if result.exit_code == 0 else set()
    return result.exit_code, found, result.stderr


BASELINES: dict[str, set[str]] = {}


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_hostile_metadata_never_crashes_and_never_loses_a_package(
        capsys: pytest.CaptureFixture[str], example: Example, data: st.DataObject) -> None:
    mutation = data.draw(mutations(example))
    # Mostly a change to a package the mutated value declared: its edge is what is at stake.
    named = [c for c in example.changes if any(f"/{n.removeprefix('acme-')}/" in c
                                               for n in mutation.touches)]
    change = data.draw(st.sampled_from(named) if named and data.draw(st.booleans())
                       else st.sampled_from(example.changes))
    root = example.repo.root
    source = root / change
    try:
        if change not in BASELINES:
            source.write_text("CHANGED = True\n")
            code, BASELINES[change], _ = _affected(capsys, root)
            assert code == 0
        # The mutation is committed, so it is on both sides of the range: what is at stake
        # is whether the edges it declares still carry the change elsewhere.
        (root / mutation.path).write_bytes(mutation.text)
        example.repo.git("commit", "-q", "-m", "mutation", "--", mutation.path)
        source.write_text("CHANGED = True\n")
        code, found, stderr = _affected(capsys, root)
        assert code in (0, 2), stderr
        assert "Traceback" not in stderr
        if code == 0 and not mutation.on_purpose:
            assert found >= BASELINES[change], (mutation, stderr)
        for args in (("check", "--format", "json"), ("list", "--format", "json"),
                     ("graph", "--format", "json")):
            result = run_cli(capsys, root, *args)
            assert result.exit_code in (0, 1, 2), (args, result.stderr)
            assert "Traceback" not in result.stderr
    finally:
        source.unlink(missing_ok=True)
        example.repo.git("reset", "-q", "--hard", example.commit)
