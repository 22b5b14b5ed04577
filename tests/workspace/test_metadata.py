from __future__ import annotations

import tomllib

import pytest

from orchestrator.errors import ConfigError
from orchestrator.workspace.metadata import (
    Problem,
    ProjectMetadata,
    canonical,
    is_valid_name,
    parse_line,
    read_metadata,
    unparsable,
)


def every_requirement(meta: ProjectMetadata) -> tuple[list[tuple[str, str, str, str]],
                                                     list[Problem]]:
    """Its requirements with every line parsed, and the problems packaging finds: what
    reading the file tells, whichever packages are internal: (name, kind, spec, source)."""
    requirements = [(r.name, r.kind, r.specifier, r.source) for r in meta.requirements]
    problems = list(meta.problems)
    for lead, line, kind, where in meta.lines:
        parsed = parse_line(line)
        if isinstance(parsed, str):
            requirements.append((lead, kind, "", "index"))
            problems.append(Problem(unparsable(line, where, parsed), lead))
        else:
            requirements.append((parsed[0], kind, parsed[1], parsed[2]))
    return requirements, problems


def meta(text: str, path: str = "packages/a/pyproject.toml") -> ProjectMetadata:
    return read_metadata(tomllib.loads(text), path)


def kinds(m: ProjectMetadata) -> set[tuple[str, str, str]]:
    return {(name, kind, spec) for name, kind, spec, _ in every_requirement(m)[0]}


def test_pep621_tables_give_typed_requirements() -> None:
    m = meta("""
        [project]
        name = "Acme_Api"
        version = "1.0"
        dependencies = ["acme-db>=1.4,<1.5", "requests"]
        [project.optional-dependencies]
        metrics = ["acme.metrics[prom]>=0.9; python_version>='3.11'"]
        [dependency-groups]
        test = ["pytest", {include-group = "lint"}]
        lint = ["acme-lint"]
        [build-system]
        requires = ["hatchling", "acme-build-plugin==2.0"]
    """)
    assert m.name == "Acme_Api"
    assert kinds(m) >= {
        ("acme-db", "runtime", ">=1.4,<1.5"),
        ("acme-metrics", "optional", ">=0.9"),
        ("acme-lint", "group", ""),
        ("acme-build-plugin", "build", "==2.0"),
    }


def test_poetry_constraints_are_translated_to_pep440() -> None:
    m = meta("""
        [tool.poetry]
        name = "acme-worker"
        version = "0.3.0"
        [tool.poetry.dependencies]
        python = "^3.11"
        acme-db = "^1.4"
        acme-log = { path = "../log", develop = true }
        acme-util = { version = "~2.1", optional = true }
        [tool.poetry.group.dev.dependencies]
        acme-testing = "*"
    """)
    found = set(every_requirement(m)[0])
    assert ("acme-db", "runtime", ">=1.4,<2.0", "index") in found
    assert ("acme-log", "runtime", "", "path") in found
    assert ("acme-util", "optional", ">=2.1,<2.2", "index") in found
    assert ("acme-testing", "group", "", "index") in found
    assert not any(r.name == "python" for r in m.requirements)


def test_pdm_hatch_and_uv_sources() -> None:
    m = meta("""
        [project]
        name = "x"
        version = "1"
        dynamic = ["dependencies"]
        [tool.pdm.dev-dependencies]
        dev = ["-e file:///${PROJECT_ROOT}/../b#egg=acme-b", "acme-c"]
        [tool.hatch.envs.default]
        dependencies = ["acme-d"]
        extra-dependencies = ["acme-e"]
        [tool.uv.sources]
        acme-f = { workspace = true }
    """)
    assert {name for name, kind, _, _ in every_requirement(m)[0] if kind == "group"} == {
        "acme-b", "acme-c", "acme-d", "acme-e"}
    assert m.uv_sources == (("acme-f", "workspace"),)
    assert m.dynamic == ("dependencies",)


@pytest.mark.parametrize(("line", "name"), [
    ("acme-config=>1.0", "acme-config"), ("d >>2.0", "d"), ("Acme_Log[x]>=1;;", "acme-log"),
    ("not a requirement!!", "not"),
])
def test_a_requirement_packaging_rejects_keeps_its_leading_name(line: str, name: str) -> None:
    m = meta(f'[project]\nname = "x"\ndependencies = ["{line}"]\n')
    assert kinds(m) == {(name, "runtime", "")}
    problems = every_requirement(m)[1]
    assert problems[0].requirement == name
    assert problems[0].message.startswith(f"project.dependencies: cannot parse {line!r}")


@pytest.mark.parametrize("declaration", [
    'dependencies = ["=>1.0"]', 'dependencies = [3]', 'dependencies = "acme-log"',
    "optional-dependencies = [\"b\"]", "[project.optional-dependencies]\nx = [{a = 1}]",
    '[tool.poetry]\ngroup = "x"', "[tool.poetry.group.dev]\ndependencies = 3",
    "[tool.uv]\nsources = 3", '[tool.hatch.envs]\ndefault = "x"',
    '[dependency-groups]\ndev = "x"', "[dependency-groups]\ndev = [{include-group = 3}]",
    '[build-system]\nrequires = "hatchling"',
])
def test_a_requirement_whose_name_cannot_be_read_makes_the_file_unreadable(
        declaration: str) -> None:
    with pytest.raises(ConfigError, match=r"^packages/a/pyproject\.toml: "):
        meta(f'[project]\nname = "x"\n{declaration}\n')


def test_include_group_cycles_are_reported() -> None:
    m = meta('[project]\nname = "x"\n[dependency-groups]\na = [{include-group = "b"}]\n'
             'b = [{include-group = "a"}]\n')
    assert any("cycle" in p.message for p in m.problems)


def test_an_editable_without_a_name_is_kept_by_its_directory() -> None:
    m = meta('[project]\nname = "x"\n[tool.pdm.dev-dependencies]\n'
             'dev = ["-e file:///${PROJECT_ROOT}/../log", "-e ../db#egg=acme-db"]\n')
    assert m.editables == (("file:///${PROJECT_ROOT}/../log", "group",
                            "tool.pdm.dev-dependencies.dev"),)
    assert kinds(m) == {("acme-db", "group", "")}


def test_file_without_a_project_has_no_name() -> None:
    m = meta("[tool.ruff]\nline-length = 100\n", "pyproject.toml")
    assert m.name is None


def test_metadata_survives_the_cache_round_trip() -> None:
    m = meta("""
        [project]
        name = "x"
        version = "1"
        dependencies = ["a>=1"]
        [tool.orchestrator]
        ignore = ["*.md"]
        [tool.orchestrator.tasks.test]
        command = "pytest -x"
        env = {A = "1"}
    """)
    assert ProjectMetadata.from_record(m.to_record()) == m


def test_names() -> None:
    assert canonical("Acme_Core.Utils") == "acme-core-utils"
    assert is_valid_name("acme-core")
    assert not is_valid_name("<REPLACE ME>")
    assert not is_valid_name("{{cookiecutter.project_slug}}")


def test_values_of_the_wrong_type_are_problems() -> None:
    m = meta('[project]\nname = "x"\nversion = 4\ndynamic = "dependencies"\n')
    assert m.version is None and m.dynamic == ()
    assert m.problems == (Problem("project.dynamic must be a list, not 'dependencies'"),)


def test_poetry_exact_versions_get_an_operator() -> None:
    m = meta('[tool.poetry]\nname = "x"\nversion = "1"\n[tool.poetry.dependencies]\n'
             'a = "1.3.0"\nb = "1.2.*"\n')
    assert {(r.name, r.specifier) for r in m.requirements} == {("a", "==1.3.0"),
                                                                ("b", "==1.2.*")}
