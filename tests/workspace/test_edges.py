"""Edges from what a member declares: editables are resolved by their directory."""

from __future__ import annotations

import pytest

from orchestrator.context import Project
from orchestrator.workspace.edges import editable_directory
from tests.gitutil import GitRepo


@pytest.mark.parametrize(("target", "directory", "expected"), [
    ("../log", "packages/db", "packages/log"),
    ("file:///${PROJECT_ROOT}/../log", "packages/db", "packages/log"),
    ("./sub", "packages/db", "packages/db/sub"),
    ("packages/log", ".", "packages/log"),
    ("../../../outside", "packages/db", None),
    ("/abs/path", "packages/db", None),
    ("git+https://example.com/x.git", "packages/db", None),
    ("file:///home/x", "packages/db", None),
])
def test_editable_targets_resolve_inside_the_root_only(target: str, directory: str,
                                                       expected: str | None) -> None:
    assert editable_directory(target, directory) == expected


def test_an_editable_without_a_name_is_an_edge_to_the_package_there(repo: GitRepo) -> None:
    repo.package("packages/log", "acme-log")
    repo.package("packages/db", "acme-db", extra='[tool.pdm.dev-dependencies]\n'
                 'dev = ["-e file:///${PROJECT_ROOT}/../log", "-e ../nowhere"]\n')
    repo.commit("an editable dev dependency")
    edges = Project(repo.root).graph.edges()
    assert [(e.source, e.target, e.kinds) for e in edges] == [("acme-db", "acme-log",
                                                               ("group",))]
