"""The pure release decision on in-memory packages: invariants over random small DAGs."""

from __future__ import annotations

from typing import Any

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from orchestrator.errors import OrchestratorError
from orchestrator.release.conventional import Level
from orchestrator.release.decide import Decision, History, decide
from orchestrator.release.edit import edit_pyproject
from orchestrator.release.model import Options
from orchestrator.release.sites import Site, requirement_sites
from orchestrator.release.tags import Tag
from orchestrator.release.vcs import Commit
from orchestrator.workspace.config import ReleaseConfig
from orchestrator.workspace.model import Dependency, Package

# How a dependent writes its requirement on a package at version X.Y.Z.
STYLES = {
    "at-least": lambda v: f">={v.major}.{v.minor}",
    "exact": lambda v: f"=={v}",
    "compatible": lambda v: f"~={v.major}.{v.minor}",
    "minor-range": lambda v: f">={v.major}.{v.minor},<{v.major}.{v.minor + 1}",
    "unpinned": lambda v: "",
    "poetry-caret": lambda v: f"^{v.major}.{v.minor}",
    "poetry-tilde": lambda v: f"~{v.major}.{v.minor}",
    "poetry-exact": lambda v: str(v),
}
MESSAGES = {"fix": "fix: a bug", "feat": "feat: a thing", "breaking": "feat!: a new API",
            "docs": "docs: words"}


def package(name: str, version: str, requires: dict[str, tuple[str, str]]) -> Package:
    deps = tuple(Dependency(dep, spec, "runtime", where)
                 for dep, (where, spec) in sorted(requires.items()))
    return Package(name=name, version=version, path=f"libs/{name}", kind="library",
                   dependencies=deps)


def pyproject(name: str, version: str, requires: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The pyproject.toml a dependent would have: PEP 508 lines and Poetry constraints."""
    pep508 = [f"{dep}{spec}" for dep, (where, spec) in sorted(requires.items())
              if where == "project.dependencies"]
    poetry = {dep: spec for dep, (where, spec) in sorted(requires.items())
              if where == "tool.poetry.dependencies"}
    doc: dict[str, Any] = {"project": {"name": name, "version": version,
                                       "dependencies": pep508}}
    if poetry:
        doc["tool"] = {"poetry": {"dependencies": poetry}}
    return doc


@st.composite
def monorepos(draw: st.DrawFn) -> dict[str, Any]:
    """Packages p0..pN (each may depend on lower-numbered ones), versions, levels, commits."""
    count = draw(st.integers(2, 6))
    versions = [Version(f"{draw(st.integers(0, 2))}.{draw(st.integers(0, 4))}."
                        f"{draw(st.integers(0, 3))}") for _ in range(count)]
    requires: dict[str, dict[str, tuple[str, str]]] = {}
    for i in range(count):
        requires[f"p{i}"] = {}
        for j in range(i):
            if draw(st.booleans()):
                style = draw(st.sampled_from(sorted(STYLES)))
                where = ("tool.poetry.dependencies" if style.startswith("poetry")
                         else "project.dependencies")
                requires[f"p{i}"][f"p{j}"] = (where, STYLES[style](versions[j]))
    changes = draw(st.lists(st.sampled_from([None, "patch", "minor", "major", *MESSAGES]),
                            min_size=count, max_size=count))
    return {"versions": versions, "requires": requires, "changes": changes}


def run(repo: dict[str, Any]) -> tuple[Decision, dict[str, dict[str, tuple[Site, ...]]],
                                       dict[str, Any]]:
    packages, docs, histories, bumps = [], {}, {}, {}
    for i, version in enumerate(repo["versions"]):
        name, requires = f"p{i}", repo["requires"][f"p{i}"]
        packages.append(package(name, str(version), requires))
        docs[name] = pyproject(name, str(version), requires)
        change = repo["changes"][i]
        commits = (Commit(f"{i:040d}", MESSAGES[change], (f"libs/{name}/x.py",)),) if (
            change in MESSAGES) else ()
        histories[name] = History(Tag(f"{name}-v{version}", name, version), commits)
        if change in ("patch", "minor", "major"):
            bumps[name] = change
    sites = {name: requirement_sites(doc) for name, doc in docs.items()}
    decision = decide(packages, histories, sites, ReleaseConfig(), Options(bumps))
    return decision, sites, docs


def own_level(change: str | None) -> Level | None:
    return {"patch": "patch", "minor": "minor", "major": "major", "fix": "patch",
            "feat": "minor", "breaking": "major"}.get(change or "")  # type: ignore[return-value]


@settings(max_examples=150, deadline=None)
@given(monorepos())
def test_plan_invariants(repo: dict[str, Any]) -> None:
    decision, sites, docs = run(repo)
    new = {r.name: Version(r.next) for r in decision.releases}
    current = {f"p{i}": v for i, v in enumerate(repo["versions"])}
    for release in decision.releases:
        # never lowers a version (everything is tagged at its current version)
        assert new[release.name] > current[release.name]
        # every rewritten specifier admits the new version of its target
        for edit in release.edits:
            assert Site(edit.where, edit.new, edit.spec_to, _style(edit.where)).admits(
                new[edit.dependency])
        # nothing is released without a reason: its own change, or an excluding specifier
        own = own_level(repo["changes"][int(release.name[1:])]) is not None
        excluded = [r for r in release.reasons if r.type == "dependency" and r.via in new
                    and not _admits_all(sites[release.name][r.via], new[r.via])]
        assert own or excluded, release
    # every dependent whose specifier no longer admits a new version is in the plan
    for dependent, by_dependency in sites.items():
        for dependency, found in by_dependency.items():
            if dependency in new and not _admits_all(found, new[dependency]):
                assert dependent in new
    # and apply's edits make every requirement of a released package admit the new versions
    for release in decision.releases:
        text = edit_pyproject(tomlkit.dumps(docs[release.name]), "pyproject.toml", release.next,
                              release.edits)
        for dependency, found in requirement_sites(tomlkit.parse(text).unwrap()).items():
            if dependency in new:
                assert _admits_all(found, new[dependency]), (text, dependency)


def _style(where: str) -> Any:
    return "poetry" if where.startswith("tool.poetry") else "pep508"


def _admits_all(found: tuple[Site, ...], version: Version) -> bool:
    return all(site.admits(version) for site in found)


LISTED = """\
[tool.poetry]
name = "app"
version = "0.1.0"

[tool.poetry.dependencies]
python = ">=3.10"
log = [
    { version = "^1.0", python = "<3.12" },  # the old major for an old Python
    { version = '^2.0', python = ">=3.12" },
]
"""


def test_a_poetry_list_moves_the_entry_that_tracked_the_release_in_its_own_style() -> None:
    decision = _plan_with(LISTED, log="2.4.0")
    app = {r.name: r for r in decision.releases}["app"]
    assert [(e.old, e.new) for e in app.edits] == [("^2.0", "^3.0")]
    assert edit_pyproject(LISTED, "app/pyproject.toml", "0.1.1", app.edits) == LISTED.replace(
        "'^2.0'", "'^3.0'").replace('"0.1.0"', '"0.1.1"')


def test_a_poetry_list_written_alike_moves_every_entry() -> None:
    alike = LISTED.replace("'^2.0'", '"^1.0"')
    app = {r.name: r for r in _plan_with(alike, log="1.4.0").releases}["app"]
    assert [(e.old, e.new) for e in app.edits] == [("^1.0", "^2.0")]
    assert edit_pyproject(alike, "app/pyproject.toml", None, app.edits).count('"^2.0"') == 2


def test_a_poetry_list_that_still_admits_the_release_is_left_alone() -> None:
    decision = _plan_with(LISTED, log="2.4.0", level="minor")
    assert [r.name for r in decision.releases] == ["log"]


def test_poetry_alternatives_are_refused_naming_the_file_and_dependency() -> None:
    either = LISTED.replace("log = [", 'log = "^1.0 || ^2.0"\nold = [')
    with pytest.raises(OrchestratorError) as raised:
        _plan_with(either, log="2.4.0")
    assert raised.value.message == (
        "libs/app/pyproject.toml: [tool.poetry.dependencies] log: '^1.0 || ^2.0' has "
        "alternatives (||), so which to move is ambiguous; edit it by hand so that it admits "
        "3.0.0, commit, and plan again")


def _plan_with(text: str, log: str, level: Level = "major") -> Decision:
    packages = [package("log", log, {}),
                package("app", "0.1.0", {"log": ("tool.poetry.dependencies", "")})]
    histories = {"log": History(Tag(f"log-v{log}", "log", Version(log))),
                 "app": History(Tag("app-v0.1.0", "app", Version("0.1.0")))}
    sites = {"app": requirement_sites(tomlkit.parse(text).unwrap())}
    return decide(packages, histories, sites, ReleaseConfig(), Options({"log": level}))
