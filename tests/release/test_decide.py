"""The pure release decision on in-memory packages: invariants over random small workspaces
(static, file and tag-made versions, a release group, missing tags, unreadable versions)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pytest
import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from orchestrator.errors import OrchestratorError
from orchestrator.release.conventional import Level
from orchestrator.release.decide import (
    Decision,
    History,
    LoweringError,
    check_never_lower,
    decide,
)
from orchestrator.release.edit import edit_pyproject
from orchestrator.release.model import Current, Options, Release, SpecifierEdit
from orchestrator.release.sites import Site, requirement_sites, specifier_floor
from orchestrator.release.tags import Tag, TagFormat
from orchestrator.release.units import Unit
from orchestrator.release.vcs import Commit
from orchestrator.workspace.model import Dependency, Package
from orchestrator.workspace.releaseconfig import ReleaseConfig
from orchestrator.workspace.versioning import VersionSource

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


SOURCES = {
    "static": VersionSource("pyproject", "[project] version", ("pyproject.toml",),
                            table="project"),
    "file": VersionSource("file", "[tool.hatch.version] path", ("src/__init__.py",)),
    "vcs": VersionSource("vcs", "hatch-vcs"),
}


def package(name: str, requires: dict[str, tuple[str, str]]) -> Package:
    deps = tuple(Dependency(dep, spec, "runtime", where)
                 for dep, (where, spec) in sorted(requires.items()))
    return Package(name=name, version=None, path=f"libs/{name}", kind="library",
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


def single(name: str) -> Unit:
    return Unit(name, (name,), (TagFormat("{name}-v{version}", name),))


@st.composite
def monorepos(draw: st.DrawFn) -> dict[str, Any]:
    """Packages p0..pN (each may depend on lower-numbered ones), each unit's version (static,
    in a file, or from its tag; maybe above or below its last tag, maybe with no tag at all),
    a release group or none, levels and commits."""
    count = draw(st.integers(2, 7))
    grouped = draw(st.lists(st.integers(0, count - 1), max_size=3, unique=True))
    grouped = sorted(grouped) if len(grouped) >= 2 else []
    units: list[list[int]] = [grouped] if grouped else []
    units += [[i] for i in range(count) if i not in grouped]
    unit_of: dict[int, int] = {i: u for u, members in enumerate(units) for i in members}
    versions, tags, sources = [], [], []
    for _members in units:
        tag = Version(f"{draw(st.integers(0, 2))}.{draw(st.integers(0, 4))}."
                      f"{draw(st.integers(0, 3))}" + draw(st.sampled_from(["", "", "rc1"])))
        kind = draw(st.sampled_from(["static", "file", "vcs"]))
        tagged = kind == "vcs" or draw(st.integers(0, 3)) > 0  # a version from tags needs one
        offset = draw(st.sampled_from([0, 0, 0, 1, -1])) if kind != "vcs" else 0
        current = Version(f"{tag.major}.{max(0, tag.minor + offset)}.{tag.micro}") if (
            offset) else tag
        versions.append(current)
        tags.append(tag if tagged else None)
        sources.append(kind)
    requires: dict[str, dict[str, tuple[str, str]]] = {}
    for i in range(count):
        requires[f"p{i}"] = {}
        for j in range(i):
            if draw(st.booleans()):
                style = draw(st.sampled_from(sorted(STYLES)))
                where = ("tool.poetry.dependencies" if style.startswith("poetry")
                         else "project.dependencies")
                requires[f"p{i}"][f"p{j}"] = (where, STYLES[style](versions[unit_of[j]]))
    changes = draw(st.lists(st.sampled_from([None, "patch", "minor", "major", *MESSAGES]),
                            min_size=count, max_size=count))
    skipped = draw(st.sets(st.integers(0, len(units) - 1), max_size=1))
    return {"count": count, "units": units, "versions": versions, "tags": tags,
            "sources": sources, "requires": requires, "changes": changes,
            "skipped": skipped}


def run(repo: dict[str, Any]) -> tuple[Decision, dict[str, dict[str, tuple[Site, ...]]],
                                       dict[str, Any]]:
    packages, docs, histories, bumps, current = [], {}, {}, {}, {}
    units = []
    for u, members in enumerate(repo["units"]):
        names = tuple(f"p{i}" for i in members)
        unit = (Unit(f"group{u}", names, (TagFormat("g-v{version}", "g"),), group=True)
                if len(members) > 1 else single(names[0]))
        tag = repo["tags"][u]
        if u not in repo["skipped"]:  # a unit whose version cannot be read is not given
            units.append(unit)
        for i in members:
            name = f"p{i}"
            current[name] = Current(repo["versions"][u], SOURCES[repo["sources"][u]])
            change = repo["changes"][i]
            commits = (Commit(f"{i:040d}", MESSAGES[change], (f"libs/{name}/x.py",)),) if (
                change in MESSAGES and tag is not None) else ()
            histories[name] = History(None if tag is None else Tag(unit.tag(tag), unit.name,
                                                                      tag), commits)
            if change in ("patch", "minor", "major") and u not in repo["skipped"]:
                bumps[name] = change
    for i in range(repo["count"]):
        name, requires = f"p{i}", repo["requires"][f"p{i}"]
        packages.append(package(name, requires))
        docs[name] = pyproject(name, str(current[name].version), requires)
    sites = {name: requirement_sites(doc) for name, doc in docs.items()}
    plannable = {m for unit in units for m in unit.members}
    decision = decide(packages, units, {n: c for n, c in current.items() if n in plannable},
                      histories, sites, ReleaseConfig(), Options(bumps))
    return decision, sites, docs


def own_level(change: str | None) -> Level | None:
    return {"patch": "patch", "minor": "minor", "major": "major", "fix": "patch",
            "feat": "minor", "breaking": "major"}.get(change or "")  # type: ignore[return-value]


@settings(max_examples=300, deadline=None)
@given(monorepos())
def test_plan_invariants(repo: dict[str, Any]) -> None:
    decision, sites, docs = run(repo)
    new = {r.name: Version(r.next) for r in decision.releases}
    unit_of = {f"p{i}": u for u, members in enumerate(repo["units"]) for i in members}
    for release in decision.releases:
        u = unit_of[release.name]
        assert u not in repo["skipped"]  # never a package whose version was not read
        # never lower: not below the current version, not below (nor at) the last tag
        assert new[release.name] >= repo["versions"][u]
        last = repo["tags"][u]
        assert last is None or new[release.name] > last
        # a group is released whole, at one version, with one tag
        members = [f"p{i}" for i in repo["units"][u]]
        assert all(new.get(m) == new[release.name] for m in members)
        assert len({r.tag for r in decision.releases if r.name in members}) == 1
        for edit in release.edits:
            style = _style(edit.where)
            # every rewritten specifier admits the new version of its target ...
            assert Site(edit.where, edit.new, edit.spec_to, style).admits(new[edit.dependency])
            # ... and no lower bound goes down
            before = specifier_floor(edit.spec_from, style)
            after = specifier_floor(edit.spec_to, style)
            assert before is None or (after is not None and after >= before), edit
        # nothing is released without a reason: a change in its unit, a specifier that had
        # to move in its unit, a first release, or a pre-release to promote
        own = any(own_level(repo["changes"][int(m[1:])]) is not None for m in members)
        moved = any(r.type == "dependency" for other in decision.releases
                    if other.name in members for r in other.reasons)
        assert release.reasons and (own or moved or last is None or last.is_prerelease), release
    # every planned dependent whose specifier no longer admits a new version (and could be
    # moved without lowering it) is in the plan
    for dependent, by_dependency in sites.items():
        if unit_of[dependent] in repo["skipped"]:
            continue
        for dependency, found in by_dependency.items():
            movable = [s for s in found if (f := s.floor()) is None or f <= new.get(
                dependency, f)]
            if dependency in new and not _admits_all(movable, new[dependency]):
                assert dependent in new
    # and apply's edits make every movable requirement of a released package admit them
    for release in decision.releases:
        text = edit_pyproject(tomlkit.dumps(docs[release.name]), "pyproject.toml", release.next,
                              release.edits)
        for dependency, found in requirement_sites(tomlkit.parse(text).unwrap()).items():
            if dependency in new:
                movable = [s for s in found if (f := s.floor()) is None or f <= new[dependency]]
                assert _admits_all(movable, new[dependency]), (text, dependency)


def _style(where: str) -> Any:
    return "poetry" if where.startswith("tool.poetry") else "pep508"


def _admits_all(found: Sequence[Site], version: Version) -> bool:
    return all(site.admits(version) for site in found)


def test_a_lowering_plan_is_an_internal_error_never_a_release() -> None:
    release = Release(name="a", path="libs/a", pyproject="libs/a/pyproject.toml",
                      kind="library", current="0.4.3", next="0.1.0", bump="initial",
                      tag="a-v0.1.0", publish=True, source=SOURCES["file"], reasons=())
    with pytest.raises(LoweringError) as lowered_version:
        check_never_lower([release])
    assert lowered_version.value.message == ("internal error: the plan would release a at "
                                             "0.1.0, below its current version 0.4.3")
    edit = SpecifierEdit("b", "project.dependencies", "b>=0.4.2,<0.5.0", "b>=0.1.0,<0.5.0",
                         ">=0.4.2,<0.5.0", ">=0.1.0,<0.5.0")
    lowered = dataclasses.replace(release, next="0.4.4", edits=(edit,))
    with pytest.raises(LoweringError) as lowered_bound:
        check_never_lower([lowered])
    assert "lower a's requirement on b from '>=0.4.2,<0.5.0'" in lowered_bound.value.message
    assert LoweringError.exit_code == 1


def test_a_requirement_above_the_new_version_is_left_as_written() -> None:
    packages = [package("b", {}), package("a", {"b": ("project.dependencies", ">=0.5")})]
    histories = {"b": History(Tag("b-v0.4.3", "b", Version("0.4.3")),
                              (Commit("1" * 40, "fix: x", ("libs/b/x.py",)),)),
                 "a": History(Tag("a-v1.0.0", "a", Version("1.0.0")))}
    current = {"b": Current(Version("0.4.3"), SOURCES["static"]),
               "a": Current(Version("1.0.0"), SOURCES["static"])}
    sites = {"a": requirement_sites(pyproject("a", "1.0.0", {"b": ("project.dependencies",
                                                                    ">=0.5")}))}
    decision = decide(packages, [single("a"), single("b")], current, histories, sites,
                      ReleaseConfig(dependents="always"), Options())
    assert [(r.name, r.next) for r in decision.releases] == [("b", "0.4.4"), ("a", "1.0.1")]
    assert decision.releases[1].edits == ()
    assert "a: project.dependencies requires b>=0.5, above its new version 0.4.4; left as " \
           "written (a lower bound never goes down)" in decision.notes


def test_a_dependent_that_cannot_be_planned_is_noted() -> None:
    packages = [package("b", {}), package("a", {"b": ("project.dependencies", "==1.0.0")})]
    histories = {"b": History(Tag("b-v1.0.0", "b", Version("1.0.0")),
                              (Commit("1" * 40, "feat: x", ("libs/b/x.py",)),))}
    sites = {"a": requirement_sites(pyproject("a", "1", {"b": ("project.dependencies",
                                                                "==1.0.0")}))}
    decision = decide(packages, [single("b")], {"b": Current(Version("1.0.0"),
                                                              SOURCES["static"])},
                      histories, sites, ReleaseConfig(), Options())
    assert [r.name for r in decision.releases] == ["b"]
    assert decision.notes == ("a: project.dependencies requires b==1.0.0, which excludes "
                              "1.1.0; a is not planned (its version cannot be read)",)


def test_pre_on_a_first_release_of_a_final_version_is_refused() -> None:
    with pytest.raises(OrchestratorError, match="a pre-release of it would be below it"):
        decide([package("a", {})], [single("a")],
               {"a": Current(Version("1.0.0"), SOURCES["static"])}, {}, {}, ReleaseConfig(),
               Options(pre="rc"))
    forced = decide([package("a", {})], [single("a")],
                    {"a": Current(Version("1.0.0"), SOURCES["static"])}, {}, {},
                    ReleaseConfig(), Options({"a": "patch"}, pre="rc"))
    assert forced.releases[0].next == "1.0.1rc1"


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
    assert edit_pyproject(LISTED, "app/pyproject.toml", "0.1.1", app.edits,
                          "tool.poetry") == LISTED.replace(
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
    packages = [package("log", {}), package("app", {"log": ("tool.poetry.dependencies", "")})]
    histories = {"log": History(Tag(f"log-v{log}", "log", Version(log))),
                 "app": History(Tag("app-v0.1.0", "app", Version("0.1.0")))}
    current = {"log": Current(Version(log), SOURCES["static"]),
               "app": Current(Version("0.1.0"), SOURCES["static"])}
    sites = {"app": requirement_sites(tomlkit.parse(text).unwrap())}
    return decide(packages, [single("app"), single("log")], current, histories, sites,
                  ReleaseConfig(), Options({"log": level}))
