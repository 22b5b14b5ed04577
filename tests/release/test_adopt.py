"""Adopting a repository the tool did not tag: versions read where each backend reads them,
tags as the repository writes them, release groups, `release init`, shallow clones."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli import Result, run_cli
from tests.gitutil import GitRepo, make_repo
from tests.release.conftest import ROOT, hatch_package

HATCH_PATH = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "t-sdk"
dynamic = ["version"]
requires-python = ">=3.11"

[tool.hatch.version]
path = "t_sdk/__init__.py"
"""

SETUPTOOLS_ATTR = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "t-db"
dynamic = ["version"]
dependencies = ["t-sdk>=0.4.2,<0.5.0"]

[tool.setuptools.dynamic]
version = {attr = "t_db.__version__"}

[tool.setuptools.packages.find]
where = ["src"]
"""

HATCH_VCS = """\
[build-system]
requires = ["hatchling", "hatch-vcs"]
build-backend = "hatchling.build"

[project]
name = "t-vcs"
dynamic = ["version"]

[tool.hatch.version]
source = "vcs"
"""


def plan(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str,
         code: int = 0) -> dict[str, Any]:
    result = run_cli(capsys, repo.root, *args, "release", "plan", "--format", "json")
    assert result.exit_code == code, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def names(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {p["name"]: (p["current"], p["next"]) for p in data["packages"]}


def dynamic_repo(tmp_path: Path) -> GitRepo:
    """t-sdk 0.4.3 (hatch path), t-db 1.4.0 (setuptools attr, needs t-sdk>=0.4.2,<0.5.0), t-vcs
    (hatch-vcs, tagged 2.0.0): all tagged at their versions."""
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT)
    repo.write("libs/sdk/pyproject.toml", HATCH_PATH)
    repo.write("libs/sdk/t_sdk/__init__.py", '"""The SDK."""\n\n__version__ = "0.4.3"  # x\n')
    repo.write("libs/db/pyproject.toml", SETUPTOOLS_ATTR)
    repo.write("libs/db/src/t_db/__init__.py", "__version__: str = '1.4.0'\n")
    repo.write("libs/vcs/pyproject.toml", HATCH_VCS)
    repo.write("libs/vcs/src/t_vcs/__init__.py", "")
    repo.commit("initial")
    for tag in ("t-sdk-v0.4.3", "t-db-v1.4.0", "t-vcs-v2.0.0"):
        repo.git("tag", "-a", "-m", tag, tag)
    return repo


def test_dynamic_versions_are_read_and_bumped_where_the_backend_reads_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = dynamic_repo(tmp_path)
    for path in ("libs/sdk/t_sdk/api.py", "libs/db/src/t_db/pool.py", "libs/vcs/src/t_vcs/x.py"):
        repo.write(path, "X = 1\n")
    repo.commit("feat: everything")
    assert names(plan(capsys, repo)) == {"t-sdk": ("0.4.3", "0.5.0"),
                                         "t-db": ("1.4.0", "1.5.0"),
                                         "t-vcs": ("2.0.0", "2.1.0")}
    before = {p: (repo.root / p).read_text() for p in (
        "libs/sdk/t_sdk/__init__.py", "libs/db/src/t_db/__init__.py", "libs/vcs/pyproject.toml",
        "libs/db/pyproject.toml")}
    assert run_cli(capsys, repo.root, "release", "apply", "--yes").exit_code == 0
    after = {p: (repo.root / p).read_text() for p in before}
    assert after["libs/sdk/t_sdk/__init__.py"] == before["libs/sdk/t_sdk/__init__.py"].replace(
        '"0.4.3"', '"0.5.0"')
    assert after["libs/db/src/t_db/__init__.py"] == "__version__: str = '1.5.0'\n"
    assert after["libs/vcs/pyproject.toml"] == before["libs/vcs/pyproject.toml"]  # the tag is it
    # t-db's range on t-sdk moved up, never down
    assert after["libs/db/pyproject.toml"] == before["libs/db/pyproject.toml"].replace(
        ">=0.4.2,<0.5.0", ">=0.5.0,<0.6.0")
    assert sorted(repo.git("tag", "--points-at", "HEAD").split()) == [
        "t-db-v1.5.0", "t-sdk-v0.5.0", "t-vcs-v2.1.0"]


def test_versions_that_cannot_be_read_are_skipped_with_the_reason(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = dynamic_repo(tmp_path)
    repo.git("tag", "-d", "t-vcs-v2.0.0")
    repo.write("libs/none/pyproject.toml", '[project]\nname = "t-none"\n')
    repo.write("libs/int/pyproject.toml", '[project]\nname = "t-int"\nversion = 1\n')
    repo.write("libs/bad/pyproject.toml", '[project]\nname = "t-bad"\nversion = "one"\n')
    repo.commit("feat: three more")
    data = plan(capsys, repo)
    assert {p["name"] for p in data["packages"]}.isdisjoint({"t-none", "t-int", "t-bad", "t-vcs"})
    assert data["skipped"] == [
        {"name": "t-bad", "path": "libs/bad",
         "reason": "its version 'one' ([project] version) is not a PEP 440 version"},
        {"name": "t-int", "path": "libs/int",
         "reason": "its version cannot be read: [project] version must be a string, not 1"},
        {"name": "t-none", "path": "libs/none",
         "reason": "its version cannot be read: [project] has no version and does not list it "
                   "in dynamic"},
        {"name": "t-vcs", "path": "libs/vcs",
         "reason": "its version comes from git tags (hatch-vcs) and no tag of the format "
                   "'{name}-v{version}' is reachable from HEAD"}]
    table = run_cli(capsys, repo.root, "release", "plan")
    assert table.exit_code == 0
    assert ("warning: t-int (libs/int) is not planned: its version cannot be read: [project] "
            "version must be a string, not 1") in table.stdout
    strict = run_cli(capsys, repo.root, "release", "plan", "--strict")
    assert strict.exit_code == 2
    assert "--strict: 4 package(s) cannot be planned" in strict.stderr
    bump = run_cli(capsys, repo.root, "release", "plan", "--bump", "t-int=minor")
    assert bump.exit_code == 2 and "t-int, whose version cannot be read" in bump.stderr


def test_a_dependent_whose_version_cannot_be_read_is_noted_not_released(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = dynamic_repo(tmp_path)
    repo.write("libs/app/pyproject.toml", '[project]\nname = "t-app"\n'
                                          'dependencies = ["t-sdk==0.4.3"]\n')
    repo.commit("chore: an app")
    repo.write("libs/sdk/t_sdk/api.py", "X = 1\n")
    repo.commit("fix: api")
    result = run_cli(capsys, repo.root, "release", "plan")
    assert "t-app: project.dependencies requires t-sdk==0.4.3, which excludes 0.4.4; t-app is " \
           "not planned (its version cannot be read)" in result.stdout


def test_tag_name_tag_format_lists_and_paths(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT + '[tool.orchestrator.release]\n'
                                        'tag-format = ["{name}=={version}", "{path}-v{version}"]\n')
    hatch_package(repo, "libs/sdk-py", "t-sdk", "0.4.3",
                  extra='\n[tool.orchestrator.release]\ntag-name = "sdk"\n')
    hatch_package(repo, "libs/cli", "t-cli", "0.4.31", ["t-sdk>=0.1.0"])
    repo.commit("initial")
    repo.git("tag", "sdk==0.4.3")  # lightweight tags count too
    repo.git("tag", "-a", "-m", "old style", "libs/cli-v0.4.31")  # an older format of the list
    repo.git("tag", "t-sdk==9.9.9")  # the package name is not its tag-name: not its tag
    assert plan(capsys, repo)["packages"] == []
    repo.write("libs/sdk-py/src/t_sdk/a.py", "X = 1\n")
    repo.write("libs/cli/src/t_cli/a.py", "X = 1\n")
    repo.commit("fix: both")
    found = {p["name"]: p for p in plan(capsys, repo)["packages"]}
    assert (found["t-sdk"]["tag"], found["t-sdk"]["next"]) == ("sdk==0.4.4", "0.4.4")
    assert (found["t-cli"]["tag"], found["t-cli"]["next"]) == ("t-cli==0.4.32", "0.4.32")
    assert found["t-cli"]["reasons"][0]["type"] == "commits"  # >=0.1.0 still admits 0.4.4


@pytest.mark.parametrize(("extra", "message"), [
    ('[tool.orchestrator.release]\ntag-format = "v{version}"\n',
     "tag-format 'v{version}' gives t-a and t-b the same tags (v1.0.0)"),
    ('[[tool.orchestrator.release.groups]]\nname = "g"\nmembers = ["libs/nope-*"]\n',
     "members pattern 'libs/nope-*' matches no package"),
    ('[[tool.orchestrator.release.groups]]\nname = "g"\nmembers = ["libs/*"]\n'
     '[[tool.orchestrator.release.groups]]\nname = "h"\nmembers = ["libs/a"]\n',
     "t-a is a member of two release groups, 'g' and 'h'"),
    ('[[tool.orchestrator.release.groups]]\nname = "t-b"\nmembers = ["libs/a"]\n',
     "the release group 't-b' has the name of a package outside it"),
    ('[tool.orchestrator.release]\ntag-format = "{path}-v{version}"\n'
     '[[tool.orchestrator.release.groups]]\nname = "g"\nmembers = ["libs/*"]\n',
     "the workspace's names {path}, which a group does not have"),
])
def test_ambiguous_tags_and_groups_are_configuration_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, message: str) -> None:
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT + extra)
    repo.package("libs/a", "t-a", "1.0.0")
    repo.package("libs/b", "t-b", "1.0.0")
    repo.commit("initial")
    result = run_cli(capsys, repo.root, "release", "plan")
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_tag_format_naming_the_version_twice_is_no_crash(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT + '[tool.orchestrator.release]\n'
                                        'tag-format = "{name}-v{version}-{version}"\n')
    repo.package("libs/a", "t-a", "1.0.0")
    repo.commit("initial")
    repo.git("tag", "t-a-v1.0.0-1.0.0")
    repo.write("libs/a/x.py", "X = 1\n")
    repo.commit("fix: x")
    assert names(plan(capsys, repo)) == {"t-a": ("1.0.0", "1.0.1")}
    assert plan(capsys, repo)["packages"][0]["tag"] == "t-a-v1.0.1-1.0.1"


GROUP = """\
[[tool.orchestrator.release.groups]]
name = "sdk"
members = ["libs/sdk", "libs/instrumentation-*"]
tag-format = "v{version}"
"""


def group_repo(tmp_path: Path) -> GitRepo:
    """A lockstep group of three (sdk, instrumentation-a, instrumentation-b) at 1.2.0, tagged
    v1.2.0, and an app outside it requiring t-sdk~=1.2."""
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT + GROUP)
    hatch_package(repo, "libs/sdk", "t-sdk", "1.2.0")
    hatch_package(repo, "libs/instrumentation-a", "t-inst-a", "1.2.0", ["t-sdk==1.2.0"])
    hatch_package(repo, "libs/instrumentation-b", "t-inst-b", "1.2.0")
    hatch_package(repo, "apps/app", "t-app", "3.0.0", ["t-sdk~=1.2.0"])
    repo.commit("initial")
    repo.git("tag", "-a", "-m", "v1.2.0", "v1.2.0")
    repo.git("tag", "-a", "-m", "app", "t-app-v3.0.0")
    return repo


def test_a_lockstep_group_of_three_shares_one_version_and_one_tag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = group_repo(tmp_path)
    repo.write("libs/instrumentation-b/src/t_inst_b/x.py", "X = 1\n")
    sha = repo.commit("feat(b): a feature in one member")
    found = {p["name"]: p for p in plan(capsys, repo)["packages"]}
    assert {n: (p["next"], p["tag"], p["bump"]) for n, p in found.items()} == {
        "t-sdk": ("1.3.0", "v1.3.0", "minor"), "t-inst-a": ("1.3.0", "v1.3.0", "minor"),
        "t-inst-b": ("1.3.0", "v1.3.0", "minor"), "t-app": ("3.0.1", "t-app-v3.0.1", "patch")}
    assert found["t-inst-b"]["reasons"] == [
        {"type": "commits", "commits": [f"{sha} feat(b): a feature in one member"]}]
    assert found["t-sdk"]["reasons"] == [{"type": "group", "group": "sdk"}]
    assert found["t-sdk"]["group"] == "sdk" and "group" not in found["t-app"]
    assert found["t-inst-a"]["reasons"] == [{"type": "dependency", "via": "t-sdk", "specifier": {
        "from": "==1.2.0", "to": "==1.3.0"}}]  # inside the group, specifiers follow too
    applied = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert applied.exit_code == 0, applied.stderr
    for path in ("libs/sdk", "libs/instrumentation-a", "libs/instrumentation-b"):
        assert 'version = "1.3.0"' in (repo.root / path / "pyproject.toml").read_text()
    assert sorted(repo.git("tag", "--points-at", "HEAD").split()) == ["t-app-v3.0.1", "v1.3.0"]
    message = repo.git("show", "-s", "--format=%B", "HEAD")
    assert message.count("Release-Tag: v1.3.0") == 1
    assert plan(capsys, repo)["packages"] == []


def test_group_members_at_different_versions_are_an_error_naming_them(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = group_repo(tmp_path)
    text = (repo.root / "libs/instrumentation-a/pyproject.toml").read_text()
    repo.write("libs/instrumentation-a/pyproject.toml", text.replace('"1.2.0"', '"1.2.5"', 1))
    repo.commit("chore: drift")
    result = run_cli(capsys, repo.root, "release", "plan")
    assert result.exit_code == 2
    assert ("the release group 'sdk' has members at different versions: t-inst-a 1.2.5 "
            "(libs/instrumentation-a), t-inst-b 1.2.0 (libs/instrumentation-b), t-sdk 1.2.0 "
            "(libs/sdk)") in result.stderr


def test_init_tags_current_versions_without_changing_a_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = dynamic_repo(tmp_path)
    for tag in ("t-sdk-v0.4.3", "t-db-v1.4.0"):
        repo.git("tag", "-d", tag)
    first = repo.git("rev-parse", "HEAD")
    repo.write("libs/db/src/t_db/x.py", "X = 1\n")
    repo.commit("feat: after the versions were released elsewhere")
    table = run_cli(capsys, repo.root, "release", "plan")
    assert table.stdout.startswith(
        "2 packages have no release tag yet (t-db, t-sdk): each is released at its current "
        "version. If those versions were released before, run `orchestrator release init`")
    assert names(plan(capsys, repo)) == {"t-db": ("1.4.0", "1.4.0"), "t-sdk": ("0.4.3", "0.4.3")}
    status = repo.git("status", "--porcelain")
    result = run_cli(capsys, repo.root, "release", "init", "--at", first)
    assert result.exit_code == 0, result.stderr
    assert f"tagged t-db-v1.4.0 (t-db 1.4.0) at {first[:12]}" in result.stdout
    assert "t-vcs: already released (t-vcs-v2.0.0)" in result.stdout
    assert repo.git("rev-parse", "t-sdk-v0.4.3^{commit}") == first
    assert repo.git("status", "--porcelain") == status
    assert names(plan(capsys, repo)) == {"t-db": ("1.4.0", "1.5.0")}  # counted from the tag
    again = run_cli(capsys, repo.root, "release", "init")
    assert again.exit_code == 0 and again.stdout.startswith("Nothing to tag")
    assert run_cli(capsys, repo.root, "release", "init", "--at", "nope").exit_code == 2


def test_shallow_clones_stop_before_reading_a_tag(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    repo = dynamic_repo(tmp_path)
    repo.write("libs/sdk/t_sdk/a.py", "X = 1\n")
    repo.commit("fix: a")
    clone = GitRepo(tmp_path / "shallow")
    clone.git("clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone.root))
    for command in (["plan"], ["apply", "--yes"], ["init"]):
        result: Result = run_cli(capsys, clone.root, "release", *command)
        assert result.exit_code == 2, result
        assert "this is a shallow clone" in result.stderr
        assert "fetch-depth: 0" in result.stderr and "git fetch --unshallow --tags" in (
            result.stderr)
    assert clone.git("tag") == "" and clone.git("log", "--format=%s") == "fix: a"


def test_plan_reads_head_from_git_objects_in_a_clone_without_checkout(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = dynamic_repo(tmp_path)
    repo.write("libs/sdk/t_sdk/a.py", "X = 1\n")
    repo.commit("fix: a")
    clone = GitRepo(tmp_path / "bare-checkout")
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(repo.root), str(clone.root)],
                   check=True)
    assert not (clone.root / "libs").exists()
    # read from the commit: t-sdk's version file is nowhere on disk
    assert names(plan(capsys, clone)) == {"t-sdk": ("0.4.3", "0.4.4")}


def test_nothing_to_release_does_not_call_unplanned_packages_unchanged(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every version made from tags of another format (`v1.2.0`): none is planned, and
    none is said to be unchanged since a release the plan could not find."""
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT)
    repo.write("libs/vcs/pyproject.toml", HATCH_VCS)
    repo.commit("feat: initial")
    repo.git("tag", "-a", "-m", "v1.2.0", "v1.2.0")
    table = run_cli(capsys, repo.root, "release", "plan")
    assert table.exit_code == 0
    assert table.stdout.startswith(
        "Nothing to release: 1 package is not planned (below); no other package changed "
        "since its last release.\nwarning: t-vcs (libs/vcs) is not planned: ")
