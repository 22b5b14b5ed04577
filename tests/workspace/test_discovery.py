from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.context import Project
from orchestrator.errors import ConfigError, GitError
from orchestrator.gitrepo import Git
from orchestrator.workspace.discovery import Workspace, discover
from orchestrator.workspace.parsecache import ParseCache
from orchestrator.workspace.snapshot import CommitSnapshot, WorktreeSnapshot
from tests.gitutil import GitRepo


def load(repo: GitRepo, commit: str | None = None) -> Workspace:
    git = Git(repo.root)
    snapshot = WorktreeSnapshot(git) if commit is None else CommitSnapshot(git, commit)
    return discover(snapshot, repo.root)


def names(ws: Workspace) -> list[str]:
    return [p.name for p in ws.packages]


def edges(ws: Workspace, name: str) -> set[tuple[str, str]]:
    package = ws.get(name)
    assert package is not None
    return {(d.name, d.kind) for d in package.dependencies}


def test_every_pyproject_when_nothing_is_configured(repo: GitRepo) -> None:
    repo.package("libs/a", "a")
    repo.package("libs/b", "b", dependencies=["a>=1"])
    repo.write("pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    ws = load(repo)
    assert names(ws) == ["a", "b"]
    assert edges(ws, "b") == {("a", "runtime")}
    assert [f.code for f in ws.findings] == ["no-name"]


def test_members_globs_and_service_kind(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*", "apps/**"]\n'
                                 'services = ["apps/**"]\n')
    repo.package("packages/a", "a")
    repo.package("apps/web/api", "api", dependencies=["a"])
    repo.package("tools/x", "x")
    ws = load(repo)
    assert names(ws) == ["a", "api"]
    assert ws.get("api").kind == "service"  # type: ignore[union-attr]
    assert ws.get("a").kind == "library"  # type: ignore[union-attr]


def test_uv_workspace_members_exclude_and_named_root_sources(repo: GitRepo) -> None:
    repo.write("pyproject.toml", """
        [project]
        name = "monorepo"
        version = "0.1.0"
        dependencies = []
        [tool.uv.workspace]
        members = ["packages/*"]
        exclude = ["packages/legacy"]
        [tool.uv.sources]
        core = { workspace = true }
    """)
    repo.package("packages/core", "core")
    repo.package("packages/legacy", "legacy")
    repo.package("other/tool", "tool")
    ws = load(repo)
    assert names(ws) == ["core", "monorepo"]
    assert edges(ws, "monorepo") == {("core", "source")}
    assert ws.get("monorepo").path == "."  # type: ignore[union-attr]
    # The named root owns every file no deeper package owns.
    assert ws.owner("README.md").name == "monorepo"  # type: ignore[union-attr]
    assert ws.owner("packages/core/src/core/x.py").name == "core"  # type: ignore[union-attr]
    assert ws.owner("packages/legacy/x.py").name == "monorepo"  # type: ignore[union-attr]


def test_poetry_path_dependency_makes_an_edge(repo: GitRepo) -> None:
    repo.package("packages/log", "acme-log")
    repo.write("packages/metrics/pyproject.toml", """
        [tool.poetry]
        name = "acme-metrics"
        version = "0.9.1"
        [tool.poetry.dependencies]
        python = "^3.11"
        acme-log = { path = "../log", develop = true }
    """)
    ws = load(repo)
    assert edges(ws, "acme-metrics") == {("acme-log", "runtime")}


def test_nested_packages_deepest_owns(repo: GitRepo) -> None:
    repo.package("packages/outer", "outer")
    repo.package("packages/outer/plugins/inner", "inner")
    ws = load(repo)
    assert ws.owner("packages/outer/src/outer/a.py").name == "outer"  # type: ignore[union-attr]
    assert ws.owner("packages/outer/plugins/inner/x.py").name == "inner"  # type: ignore[union-attr]
    assert ws.owner("packages/outer/plugins/README.md").name == "outer"  # type: ignore[union-attr]
    assert ws.owner("README.md") is None


def test_template_placeholders_and_setup_py_are_warnings(repo: GitRepo) -> None:
    repo.package("packages/a", "a")
    repo.write("templates/lib/pyproject.toml", '[project]\nname = "<REPLACE ME>"\n')
    repo.write("legacy/old/setup.py", "from setuptools import setup\nsetup()\n")
    ws = load(repo)
    assert names(ws) == ["a"]
    assert sorted(f.code for f in ws.findings) == ["invalid-name", "setup-without-pyproject"]


def test_two_packages_with_one_name_is_an_error_naming_both(repo: GitRepo) -> None:
    repo.package("packages/a", "Acme_Core")
    repo.package("packages/b", "acme-core")
    with pytest.raises(ConfigError) as info:
        load(repo)
    assert "packages/a" in info.value.message and "packages/b" in info.value.message


def test_invalid_toml_names_file_and_line(repo: GitRepo) -> None:
    repo.write("packages/a/pyproject.toml", '[project]\nname = "a"\nversion = \n')
    with pytest.raises(ConfigError) as info:
        load(repo)
    assert "packages/a/pyproject.toml" in info.value.message
    assert "line 3" in info.value.message


def test_lenient_discovery_records_unreadable_files(repo: GitRepo) -> None:
    repo.package("packages/ok", "ok")
    repo.write("packages/bad/pyproject.toml", "[project\n")
    ws = discover(WorktreeSnapshot(Git(repo.root)), repo.root, strict=False)
    assert names(ws) == ["ok"]
    assert [path for path, _ in ws.unreadable] == ["packages/bad/pyproject.toml"]


def test_untracked_packages_count_but_ignored_ones_do_not(repo: GitRepo) -> None:
    repo.package("packages/a", "a")
    repo.commit("a")
    repo.package("packages/new", "new")
    repo.write(".gitignore", "build/\n")
    repo.package("build/generated", "generated")
    assert names(load(repo)) == ["a", "new"]


def test_discovery_at_a_commit_reads_git_objects(repo: GitRepo) -> None:
    repo.package("packages/a", "a", version="1.0.0")
    first = repo.commit("one")
    repo.package("packages/a", "a", version="2.0.0")
    repo.package("packages/b", "b", dependencies=["a"])
    repo.commit("two")
    repo.write("packages/a/pyproject.toml", "not toml at all [")  # dirty, uncommitted
    old = load(repo, first)
    assert names(old) == ["a"]
    assert old.get("a").version == "1.0.0"  # type: ignore[union-attr]
    head = load(repo, repo.git("rev-parse", "HEAD"))
    assert names(head) == ["a", "b"]


def test_parse_cache_is_keyed_by_content(repo: GitRepo, tmp_path: Path) -> None:
    repo.package("packages/a", "a", version="1.0.0")
    cache_file = tmp_path / "cache.json"
    snapshot = WorktreeSnapshot(Git(repo.root))
    first = discover(snapshot, repo.root, cache=ParseCache(cache_file))
    assert cache_file.exists()
    again = discover(WorktreeSnapshot(Git(repo.root)), repo.root, cache=ParseCache(cache_file))
    assert again.packages == first.packages
    repo.package("packages/a", "a", version="1.1.0")
    changed = discover(WorktreeSnapshot(Git(repo.root)), repo.root, cache=ParseCache(cache_file))
    assert changed.get("a").version == "1.1.0"  # type: ignore[union-attr]


def test_a_corrupt_cache_is_ignored(repo: GitRepo, tmp_path: Path) -> None:
    repo.package("packages/a", "a")
    cache_file = tmp_path / "cache.json"
    cache_file.write_text("{not json")
    ws = discover(WorktreeSnapshot(Git(repo.root)), repo.root, cache=ParseCache(cache_file))
    assert names(ws) == ["a"]


def test_not_a_git_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="is not inside a git repository"):
        Project(tmp_path)


def test_config_file_overrides_the_root_table(repo: GitRepo, tmp_path: Path) -> None:
    repo.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*"]\n')
    repo.package("packages/a", "a")
    repo.package("libs/b", "b")
    config = tmp_path / "orchestrator.toml"
    config.write_text('members = ["libs/*"]\n')
    project = Project(repo.root, config)
    assert names(project.workspace()) == ["b"]


def test_bad_members_glob(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["../elsewhere/*"]\n')
    repo.package("packages/a", "a")
    with pytest.raises(ConfigError, match="must be a relative path"):
        load(repo)


def test_double_star_takes_every_pyproject_root_included(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[project]\nname = "root"\nversion = "1"\n'
                                 '[tool.orchestrator]\nmembers = ["**"]\n')
    repo.package("a", "a")
    repo.package("deep/er/b", "b")
    assert names(load(repo)) == ["a", "b", "root"]


def test_submodule_pointer_is_not_a_package(repo: GitRepo, tmp_path: Path) -> None:
    from tests.gitutil import make_repo

    sub = make_repo(tmp_path, name="sub")
    sub.package(".", "sub-pkg")
    sub.commit("sub")
    repo.package("packages/a", "a")
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.root),
             "packages/a/vendor/sub")
    commit = repo.commit("with submodule")
    assert names(load(repo)) == ["a"]
    assert names(load(repo, commit)) == ["a"]


def test_member_glob_ranges_and_negation(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/[a-c]*", '
                                 '"libs/[!x]*"]\n')
    for directory, name in [("packages/b1", "b1"), ("packages/d1", "d1"), ("packages/-", "dash"),
                            ("libs/y", "y"), ("libs/x", "x")]:
        repo.package(directory, name)
    assert names(load(repo)) == ["b1", "y"]


def test_a_bad_glob_names_the_setting_it_came_from(repo: GitRepo) -> None:
    repo.write("pyproject.toml", '[tool.uv.workspace]\nmembers = ["packages/[a"]\n')
    repo.package("packages/a", "a")
    with pytest.raises(ConfigError) as info:
        load(repo)
    assert info.value.message.startswith("pyproject.toml [tool.uv.workspace] members: ")
