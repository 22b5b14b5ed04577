from __future__ import annotations

import pytest

from orchestrator.context import Project
from orchestrator.errors import OrchestratorError
from orchestrator.tasks.selection import SelectionRequest, audit, compute, select
from tests.gitutil import GitRepo


@pytest.fixture
def project(repo: GitRepo) -> Project:
    repo.package("packages/a", "acme-a")
    repo.package("packages/b", "acme-b", dependencies=["acme-a"])
    repo.package("packages/c", "acme-c", dependencies=["acme-b"])
    repo.package("packages/d", "acme-d", extra='[dependency-groups]\ndev = ["acme-b"]\n')
    repo.package("packages/e", "acme-e")
    repo.commit()
    return Project(repo.root)


def names(project: Project, request: SelectionRequest) -> list[str]:
    return list(select(project, request).names)


def test_all(project: Project) -> None:
    assert names(project, SelectionRequest("all")) == ["acme-a", "acme-b", "acme-c", "acme-d",
                                                       "acme-e"]


def test_packages_are_normalised(project: Project) -> None:
    assert names(project, SelectionRequest("packages", ("Acme_B", "acme-e"))) == ["acme-b",
                                                                                  "acme-e"]


def test_with_dependencies_and_dependents_follow_every_edge_kind(project: Project) -> None:
    assert names(project, SelectionRequest("packages", ("acme-c",), with_dependencies=True)) \
        == ["acme-a", "acme-b", "acme-c"]
    assert names(project, SelectionRequest("packages", ("acme-b",), with_dependents=True)) \
        == ["acme-b", "acme-c", "acme-d"]


def test_unknown_package_suggests_the_nearest(project: Project) -> None:
    with pytest.raises(OrchestratorError,
                       match=r"names 'acme-bb', which is not a package") as error:
        select(project, SelectionRequest("packages", ("acme-bb",)))
    assert error.value.hint == "did you mean 'acme-b'?"


def test_affected_selects_changed_packages_and_dependents(project: Project,
                                                          repo: GitRepo) -> None:
    repo.git("branch", "base")
    repo.write("packages/b/src/acme_b/more.py", "X = 1\n")
    selection = select(project, SelectionRequest("affected", base="base"))
    assert selection.names == ("acme-b", "acme-c", "acme-d")
    assert selection.affected is not None


def test_audit_names_failures_the_selection_would_skip(project: Project, repo: GitRepo) -> None:
    repo.git("branch", "base")
    repo.write("packages/b/src/acme_b/more.py", "X = 1\n")
    found = audit(compute(project, "base"), {"acme-c", "acme-e"})
    assert found.missed == ("acme-e",)
    assert not found.safe
    assert found.to_json()["failed"] == ["acme-c", "acme-e"]


def test_a_tasks_own_global_files_select_for_that_task_only(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.orchestrator.tasks.lint]\ncommand = "ruff check ."\n'
                                 'global-files = ["/ruff.toml"]\n')
    repo.write("ruff.toml", "line-length = 100\n")
    repo.package("packages/a", "acme-a")
    repo.package("packages/b", "acme-b", extra='[tool.orchestrator.tasks.lint]\n'
                                               'global-files = []\n')
    repo.commit()
    repo.git("branch", "base")
    repo.write("ruff.toml", "line-length = 120\n")
    project = Project(repo.root)
    lint = select(project, SelectionRequest("affected", base="base"), task="lint")
    assert lint.names == ("acme-a",)  # acme-b's own override names no global file
    reasons = lint.affected.reasons["acme-a"]  # type: ignore[union-attr]
    assert [(r.type, r.files) for r in reasons] == [("global-file", ("ruff.toml",))]
    assert select(Project(repo.root), SelectionRequest("affected", base="base"),
                  task="test").names == ()
