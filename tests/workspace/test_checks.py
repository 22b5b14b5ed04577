from __future__ import annotations

import pytest

from orchestrator.context import Project
from orchestrator.workspace.checks import run_checks
from orchestrator.workspace.snapshot import WorktreeSnapshot
from tests.gitutil import GitRepo


def codes(repo: GitRepo) -> dict[str, str]:
    project = Project(repo.root)
    found = run_checks(project.workspace(), project.graph, WorktreeSnapshot(project.git))
    return {f.code: f.severity for f in found}


def test_a_clean_workspace_has_no_findings(repo: GitRepo) -> None:
    repo.package("packages/a", "a")
    repo.package("packages/b", "b", dependencies=["a>=1.0"])
    repo.write("packages/b/src/b/use.py", "import a\nfrom a import thing\n")
    assert codes(repo) == {}


def test_hard_and_soft_cycles(repo: GitRepo) -> None:
    repo.package("packages/a", "a", dependencies=["b"])
    repo.package("packages/b", "b", dependencies=["a"])
    repo.package("packages/c", "c", extra='[dependency-groups]\ndev = ["d"]\n')
    repo.package("packages/d", "d", dependencies=["c"])
    assert codes(repo) == {"cycle": "error", "soft-cycle": "warning"}


def test_specifier_that_excludes_the_repository_version(repo: GitRepo) -> None:
    repo.package("packages/a", "a", version="2.0.0")
    repo.package("packages/b", "b", dependencies=["a>=1,<2"])
    assert codes(repo) == {"specifier-excludes-version": "error"}


def test_library_depending_on_a_service(repo: GitRepo) -> None:
    repo.package("services/web", "web")
    repo.package("packages/lib", "lib", dependencies=["web"])
    assert codes(repo) == {"library-depends-on-service": "error"}


def test_undeclared_import_is_an_error(repo: GitRepo) -> None:
    repo.package("packages/a", "a")
    repo.package("packages/b", "b")
    repo.write("packages/b/src/b/use.py", "def f():\n    from a.sub import x\n    return x\n")
    assert codes(repo) == {"undeclared-import": "error"}


def test_import_names_come_from_the_source_tree(repo: GitRepo) -> None:
    repo.package("packages/a", "acme-a")
    repo.write("packages/a/src/acme_alpha/__init__.py", "")
    repo.package("packages/b", "b")
    repo.write("packages/b/src/b/use.py", "import acme_alpha\n")
    assert codes(repo) == {"undeclared-import": "error"}


def test_dynamic_dependencies_and_discovery_warnings(repo: GitRepo) -> None:
    repo.write("packages/a/pyproject.toml",
               '[project]\nname = "a"\nversion = "1"\ndynamic = ["dependencies"]\n')
    repo.write("pyproject.toml", "[tool.black]\n")
    repo.write("old/setup.py", "")
    repo.write("tmpl/pyproject.toml", '[project]\nname = "{{ name }}"\n')
    assert codes(repo) == {
        "dynamic-dependencies": "warning",
        "no-name": "warning",
        "setup-without-pyproject": "warning",
        "invalid-name": "warning",
    }


def test_namespace_packages_are_told_apart(repo: GitRepo) -> None:
    repo.write("packages/a/pyproject.toml", '[project]\nname = "acme-a"\nversion = "1"\n')
    repo.write("packages/a/src/acme/a/__init__.py", "")
    repo.write("packages/a/tests/__init__.py", "")
    repo.write("packages/b/pyproject.toml", '[project]\nname = "acme-b"\nversion = "1"\n')
    repo.write("packages/b/src/acme/b/__init__.py", "from acme.b import x\n")
    repo.write("packages/b/tests/test_b.py", "from tests import helpers\nimport acme.b\n")
    repo.write("packages/b/examples/demo.py", "import acme.a\n")
    assert codes(repo) == {}
    repo.write("packages/b/src/acme/b/use.py", "from acme.a import thing\n")
    assert codes(repo) == {"undeclared-import": "error"}


def test_an_import_reached_only_indirectly_is_a_warning(repo: GitRepo) -> None:
    repo.package("packages/a", "a")
    repo.package("packages/b", "b", dependencies=["a"])
    repo.package("packages/c", "c", dependencies=["b"])
    repo.write("packages/c/src/c/use.py", "import a\n")
    assert codes(repo) == {"indirect-import": "warning"}


def test_metadata_of_the_wrong_shape_is_reported(repo: GitRepo) -> None:
    repo.write("packages/a/pyproject.toml", """
        [project]
        name = "a"
        version = "not.a.version"
        [dependency-groups]
        dev = [{include-group = "missing"}]
    """)
    assert codes(repo) == {"invalid-version": "warning", "invalid-metadata": "warning"}


def test_a_requirement_packaging_rejects_is_an_error_when_it_names_a_package(
        repo: GitRepo) -> None:
    repo.package("packages/a", "a")
    repo.package("packages/b", "b", dependencies=["a=>1.0", "requests=>2"])
    project = Project(repo.root)
    found = run_checks(project.workspace(), project.graph, WorktreeSnapshot(project.git))
    assert [(f.severity, f.code) for f in found] == [("error", "invalid-requirement"),
                                                      ("warning", "invalid-metadata")]
    assert "'a=>1.0'" in found[0].message and "edge to a is kept" in found[0].message
    assert project.graph.dependencies("b") == ["a"]


@pytest.mark.parametrize("version", ["", "version = 1\n"])
def test_a_missing_or_non_string_version_is_an_error(repo: GitRepo, version: str) -> None:
    repo.write("packages/a/pyproject.toml", f'[project]\nname = "a"\n{version}')
    assert codes(repo) == {"missing-version": "error"}


def test_a_dynamic_version_is_not_missing(repo: GitRepo) -> None:
    repo.write("packages/a/pyproject.toml", '[project]\nname = "a"\ndynamic = ["version"]\n')
    assert codes(repo) == {}


def test_python_that_cannot_be_parsed_is_a_warning(repo: GitRepo) -> None:
    repo.package("packages/a", "a")
    repo.write("packages/a/src/a/broken.py", "def f(:\n")
    assert codes(repo) == {"unparsable-python": "warning"}


def test_a_package_that_lives_under_examples_is_checked(repo: GitRepo) -> None:
    repo.package("packages/evals", "acme-evals")
    repo.package("examples", "acme-examples")
    repo.write("examples/src/acme_examples/demo.py", "import acme_evals\n")
    repo.write("examples/src/acme_examples/scripts/tool.py", "import acme_evals\n")
    repo.package("packages/core", "acme-core")
    repo.write("packages/core/examples/demo.py", "import acme_evals\n")  # inside: not code
    project = Project(repo.root)
    found = run_checks(project.workspace(), project.graph, WorktreeSnapshot(project.git))
    assert [(f.code, f.package, f.path) for f in found] == [
        ("undeclared-import", "acme-examples", "examples/src/acme_examples/demo.py")]


def test_rejected_external_requirements_are_reported_again_from_stored_workspaces(
        repo: GitRepo) -> None:
    repo.package("packages/a", "a")
    repo.package("packages/b", "b", dependencies=["a", "requests=>2"])
    repo.commit("two packages")
    for _ in range(2):  # the second run reads the stored workspace
        project = Project(repo.root)
        found = run_checks(project.workspace(), project.graph, WorktreeSnapshot(project.git))
        assert [(f.severity, f.code) for f in found] == [("warning", "invalid-metadata")]
        assert "'requests=>2'" in found[0].message


def test_only_lines_naming_an_internal_package_are_parsed_for_the_graph(
        repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestrator.workspace import metadata

    parsed: list[str] = []
    real = metadata.parse_line

    def recording(line: str) -> tuple[str, str, str, tuple[str, ...]] | str:
        parsed.append(line)
        return real(line)

    monkeypatch.setattr(metadata, "parse_line", recording)
    repo.package("packages/a", "a")
    repo.package("packages/b", "b", dependencies=["A>=1", "requests>=2", "b-helper", "bb"])
    project = Project(repo.root)
    assert project.graph.dependencies("b") == ["a"]
    assert project.graph.edge("b", "a").specifiers == (("runtime", ">=1"),)  # type: ignore[union-attr]
    assert set(parsed) == {"A>=1"}  # (memoised: asked for by edges and by findings)


def test_rejected_external_requirements_are_found_without_the_stored_sources(
        repo: GitRepo) -> None:
    repo.package("packages/a", "a")
    repo.package("packages/b", "b", dependencies=["a", "requests=>2"])
    repo.commit("two packages")
    Project(repo.root).workspace()  # stores HEAD's workspace and what it read
    for stored in (repo.root / ".orchestrator/cache/workspaces").glob("*.sources"):
        stored.unlink()
    project = Project(repo.root)
    found = run_checks(project.workspace(), project.graph, WorktreeSnapshot(project.git))
    assert [(f.severity, f.code) for f in found] == [("warning", "invalid-metadata")]


@pytest.mark.parametrize("flag", [None, "--assume-unchanged", "--skip-worktree"])
def test_check_again_parses_only_the_files_that_changed(
        repo: GitRepo, monkeypatch: pytest.MonkeyPatch, flag: str | None) -> None:
    from orchestrator.workspace import imports

    parsed: list[str] = []

    def counting(source: bytes, path: str) -> set[str] | None:
        parsed.append(path)
        return real(source, path)

    real = imports.imported_modules
    monkeypatch.setattr(imports, "imported_modules", counting)
    repo.package("packages/a", "a")
    repo.package("packages/b", "b")
    repo.write("packages/b/src/b/use.py", "import os\n")
    repo.commit("two packages")
    assert codes(repo) == {}
    first = len(parsed)
    assert first > 0
    assert codes(repo) == {} and len(parsed) == first  # nothing changed: nothing parsed
    if flag is not None:  # git no longer compares the file's stat data: the disk still counts
        repo.git("update-index", flag, "packages/b/src/b/use.py")
    repo.write("packages/b/src/b/use.py", "import a\n")
    assert codes(repo) == {"undeclared-import": "error"}
    assert parsed[first:] == ["packages/b/src/b/use.py"]


def test_python_too_deep_for_the_parser_is_a_warning_not_a_crash(repo: GitRepo) -> None:
    repo.package("packages/a", "a")
    repo.write("packages/a/src/a/long.py", "x = 1" + " + 1" * 20000 + "\n")
    assert codes(repo) == {"unparsable-python": "warning"}


def test_a_module_of_a_namespace_package_names_its_provider(repo: GitRepo) -> None:
    repo.package("packages/a", "acme-core")
    repo.write("packages/a/src/acme/core/instrumentor.py", "X = 1\n")  # no __init__.py
    repo.package("packages/b", "acme-b")
    repo.write("packages/b/src/acme/b/__init__.py", "")
    repo.write("packages/b/src/acme/b/use.py", "from acme.core.instrumentor import X\n")
    assert codes(repo) == {"undeclared-import": "error"}
