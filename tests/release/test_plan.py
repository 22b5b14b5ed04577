"""`release plan` on real repositories: levels, dependents, tags, first releases, cycles."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.cli import run_cli
from tests.conftest import REPO_ROOT
from tests.gitutil import GitRepo, make_repo
from tests.release.conftest import EXAMPLE_SKIP, ROOT, small_monorepo


def plan(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str) -> dict[str, Any]:
    result = run_cli(capsys, repo.root, "release", "plan", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return {p["name"]: p for p in data["packages"]}


def test_feature_in_a_low_library_bumps_only_dependents_that_need_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/pool.py", "SIZE = 4\n")
    sha = repo.commit("feat(core): pool sizes")
    found = plan(capsys, repo)
    assert list(found) == ["t-core", "t-util"]  # t-app's ~=1.2 still admits 1.3.0
    assert found["t-core"] == {
        "name": "t-core", "path": "libs/core", "current": "1.2.0", "next": "1.3.0",
        "bump": "minor", "tag": "t-core-v1.3.0", "publish": True,
        "reasons": [{"type": "commits", "commits": [f"{sha} feat(core): pool sizes"]}]}
    assert found["t-util"]["next"] == "0.3.1"
    assert found["t-util"]["reasons"] == [{"type": "dependency", "via": "t-core", "specifier": {
        "from": ">=1.2,<1.3", "to": ">=1.3,<1.4"}}]


@pytest.mark.parametrize(("package", "path", "expected"), [
    ("t-core", "libs/core/src/t_core/api.py", "2.0.0"),  # >= 1.0: major
    ("t-util", "libs/util/src/t_util/api.py", "0.4.0"),  # below 1.0: minor
])
def test_breaking_change(tmp_path: Path, capsys: pytest.CaptureFixture[str], package: str,
                         path: str, expected: str) -> None:
    repo = small_monorepo(tmp_path)
    repo.write(path, "X = 1\n")
    repo.commit("refactor!: new API")
    found = plan(capsys, repo)
    assert found[package]["next"] == expected
    assert found[package]["bump"] == ("major" if expected == "2.0.0" else "minor")


def test_breaking_core_moves_every_excluding_specifier_transitively(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/api.py", "X = 1\n")
    repo.commit("fix: rename\n\nBREAKING CHANGE: renamed everything")
    found = plan(capsys, repo)
    assert found["t-app"]["next"] == "2.0.1"
    moved = [r["specifier"] for r in found["t-app"]["reasons"]]
    assert moved == [{"from": "~=1.2", "to": "~=2.0"}]
    assert found["t-util"]["reasons"][0]["specifier"] == {"from": ">=1.2,<1.3",
                                                          "to": ">=2.0,<2.1"}
    assert found["t-app"]["publish"] is False  # a service


def test_only_non_releasing_commits_mean_nothing_to_release(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/README.md", "docs\n")
    repo.commit("docs: explain")
    repo.write("README.md", "root readme, owned by no package\n")
    repo.commit("feat: unowned change")
    result = run_cli(capsys, repo.root, "release", "plan")
    assert result.exit_code == 0
    assert "Nothing to release" in result.stdout
    assert json.loads(run_cli(capsys, repo.root, "release", "plan", "--format",
                              "json").stdout) == {"packages": [], "skipped": [],
                                                   "warnings": []}


def test_ignore_patterns_and_nested_packages_do_not_count(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    core = (repo.root / "libs/core/pyproject.toml").read_text()
    repo.write("libs/core/pyproject.toml", core + '\n[tool.orchestrator]\nignore = ["docs/**"]\n')
    repo.commit("chore: ignore docs")
    repo.write("libs/core/docs/usage.md", "how\n")
    repo.commit("feat: docs only")
    assert plan(capsys, repo) == {}
    repo.write("pyproject.toml", ROOT.replace('"libs/*"', '"libs/*", "libs/core/plugin"'))
    repo.package("libs/core/plugin", "t-plugin", "0.1.0")
    repo.commit("chore: add a nested package")
    repo.git("tag", "-a", "-m", "x", "t-plugin-v0.1.0")
    repo.write("libs/core/plugin/src/t_plugin/x.py", "X = 1\n")
    repo.commit("feat: plugin feature")
    assert list(plan(capsys, repo)) == ["t-plugin"]


def test_anchored_tags_and_first_release(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path)
    repo.package("libs/validator", "validator", "1.0.0")
    repo.package("libs/schema-validator", "schema-validator", "3.0.0")
    repo.commit("initial")
    repo.git("tag", "-a", "-m", "x", "schema-validator-v3.0.0")
    found = plan(capsys, repo)
    assert list(found) == ["validator"]  # schema-validator's tag is not validator's
    assert found["validator"]["next"] == "1.0.0"  # first release: unbumped
    assert found["validator"]["reasons"] == [{"type": "first-release"}]


def test_tags_not_reachable_from_head_are_ignored(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.git("checkout", "-q", "-b", "side")
    repo.write("libs/core/src/t_core/side.py", "X = 1\n")
    repo.commit("feat: side")
    repo.git("tag", "-a", "-m", "x", "t-core-v9.0.0")
    repo.git("checkout", "-q", "main")
    repo.write("libs/core/src/t_core/main.py", "X = 1\n")
    repo.commit("fix: main")
    assert plan(capsys, repo)["t-core"]["next"] == "1.2.1"


def test_bump_option_and_policies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    always = '[tool.orchestrator.release]\ndependents = "always"\n'
    repo = small_monorepo(tmp_path, root_extra=always)
    found = plan(capsys, repo, "--bump", "t-core=patch")
    assert found["t-core"]["next"] == "1.2.1"
    assert found["t-core"]["reasons"] == [{"type": "manual"}]
    assert found["t-util"]["next"] == "0.3.1"  # always: re-released although >=1.2,<1.3 admits
    assert found["t-app"]["next"] == "2.0.1"
    repo.write("pyproject.toml", ROOT + '[tool.orchestrator.release]\ndependents = "never"\n')
    repo.commit("chore: never")
    result = run_cli(capsys, repo.root, "release", "plan", "--bump", "t-core=minor")
    assert result.exit_code == 0
    assert "t-util" not in result.stdout.split("note:")[0]
    assert "t-util: project.dependencies requires t-core>=1.2,<1.3, which excludes 1.3.0" in (
        result.stdout)
    bad = run_cli(capsys, repo.root, "release", "plan", "--bump", "t-core=huge")
    assert bad.exit_code == 2 and "PKG=major" in bad.stderr
    unknown = run_cli(capsys, repo.root, "release", "plan", "--bump", "nope=minor")
    assert unknown.exit_code == 2 and "'nope'" in unknown.stderr


def test_cycle_among_released_packages_is_an_error(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path)
    repo.package("a", "pa", "1.0.0", ["pb>=1.0"])
    repo.package("b", "pb", "1.0.0", ["pa>=1.0"])
    repo.commit("initial")
    result = run_cli(capsys, repo.root, "release", "plan")
    assert result.exit_code == 2
    assert "dependency cycle pa -> pb (runtime) -> pa (runtime)" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_cycle_through_an_extra_releases_when_order_kinds_leave_it_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path)
    repo.package("core", "pcore", "1.0.0",
                 extra='[project.optional-dependencies]\nall = ["px==1.0.0"]\n')
    repo.package("x", "px", "1.0.0", ["pcore>=1.0,<1.1"])
    repo.commit("initial")
    for tag in ("pcore-v1.0.0", "px-v1.0.0"):
        repo.git("tag", tag)
    repo.write("core/src/pcore/more.py", "X = 1\n")
    repo.commit("feat: more core")
    refused = run_cli(capsys, repo.root, "release", "plan")
    assert refused.exit_code == 2
    assert "dependency cycle pcore -> px (optional) -> pcore (runtime)" in refused.stderr
    assert "`order-kinds`" in refused.stderr
    repo.write("pyproject.toml", '[tool.orchestrator]\norder-kinds = ["runtime", "build"]\n')
    repo.commit("chore: order by what a build needs")
    found = plan(capsys, repo)
    assert {name: p["next"] for name, p in found.items()} == {"pcore": "1.1.0", "px": "1.0.1"}


def test_json_has_design_shape_on_the_example_monorepo(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path)
    for part in ("packages", "services"):
        shutil.copytree(REPO_ROOT / part, repo.root / part, ignore=EXAMPLE_SKIP)
    repo.write("pyproject.toml", '[tool.orchestrator]\nmembers = ["packages/*", "services/*"]\n')
    repo.commit("initial")
    listed = json.loads(run_cli(capsys, repo.root, "list", "--format", "json").stdout)
    for package in listed["packages"]:
        repo.git("tag", "-a", "-m", "x", f"{package['name']}-v{package['version']}")
    repo.write("packages/db/src/acme_db/pool_sizes.py", "SIZES = (4, 8)\n")
    sha = repo.commit("feat(db): pool sizes")
    result = run_cli(capsys, repo.root, "release", "plan", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    dependency = {"type": "dependency", "via": "acme-db",
                  "specifier": {"from": ">=1.4,<1.5", "to": ">=1.5,<1.6"}}
    assert data == {"packages": [
        {"name": "acme-db", "path": "packages/db", "current": "1.4.0", "next": "1.5.0",
         "bump": "minor", "tag": "acme-db-v1.5.0", "publish": True,
         "reasons": [{"type": "commits", "commits": [f"{sha} feat(db): pool sizes"]}]},
        {"name": "acme-api", "path": "services/api", "current": "2.0.1", "next": "2.0.2",
         "bump": "patch", "tag": "acme-api-v2.0.2", "publish": False, "reasons": [dependency]},
        {"name": "acme-worker", "path": "services/worker", "current": "1.3.0", "next": "1.3.1",
         "bump": "patch", "tag": "acme-worker-v1.3.1", "publish": False,
         "reasons": [dependency]},
    ], "skipped": [], "warnings": []}
    keys = ["name", "path", "current", "next", "bump", "tag", "publish", "reasons"]
    assert all(list(p) == keys for p in data["packages"])
    assert list(data["packages"][1]["reasons"][0]) == ["type", "via", "specifier"]


def test_pre_label_must_be_a_label(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    for command in (["plan"], ["apply", "--yes"]):
        empty = run_cli(capsys, repo.root, "release", *command, "--pre", "")
        assert empty.exit_code == 2 and "--pre needs a label" in empty.stderr
        numbered = run_cli(capsys, repo.root, "release", *command, "--pre", "rc1")
        assert numbered.exit_code == 2 and "(--pre rc)" in numbered.stderr
    assert repo.git("log", "--format=%s") == "feat: a\ninitial"
    spelled = run_cli(capsys, repo.root, "release", "plan", "--format", "json", "--pre", "alpha")
    assert "note: --pre alpha is written a in versions" in spelled.stderr
    assert json.loads(spelled.stdout)["packages"][0]["next"] == "1.3.0a1"


def test_a_tag_format_that_makes_invalid_tag_names_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path, root_extra='[tool.orchestrator.release]\n'
                                               'tag-format = "{name} v{version}"\n')
    result = run_cli(capsys, repo.root, "release", "plan")
    assert result.exit_code == 2
    assert "tag-format = '{name} v{version}' makes the tag 't-core v1.2.0'" in result.stderr
    assert "not a valid git tag name: it contains a space" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_plan_warns_of_a_tag_that_already_exists(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A tag the plan would make exists already (here on a side commit): apply would refuse
    it, so plan says so before anyone runs apply."""
    repo = small_monorepo(tmp_path)
    repo.git("checkout", "-q", "-b", "side")
    side = repo.commit("chore: elsewhere")
    repo.git("tag", "t-core-v1.3.0")
    repo.git("checkout", "-q", "main")
    repo.write("libs/core/src/t_core/pool.py", "SIZE = 4\n")
    repo.commit("feat(core): pool sizes")
    table = run_cli(capsys, repo.root, "release", "plan")
    assert table.exit_code == 0
    assert (f"warning: tag t-core-v1.3.0 already exists (on {side[:12]}): release apply will "
            "refuse to release t-core 1.3.0; bump past it (--bump) or delete the tag\n"
            in table.stdout)
    data = json.loads(run_cli(capsys, repo.root, "release", "plan", "--format",
                              "json").stdout)
    assert data["warnings"] == [{"kind": "tag-exists", "name": "t-core", "tag": "t-core-v1.3.0",
                                 "commit": side, "message": table.stdout.split("warning: ")[1]
                                 .rstrip("\n")}]
    quiet = json.loads(run_cli(capsys, repo.root, "release", "plan", "--format", "json",
                               "--bump", "t-core=minor").stdout)
    assert [w["tag"] for w in quiet["warnings"]] == ["t-core-v1.3.0"]
    assert json.loads(run_cli(capsys, repo.root, "release", "plan", "--format", "json",
                              "--bump", "t-core=major").stdout)["warnings"] == []


def test_plan_warns_of_an_untagged_release_commit_below_head(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/pyproject.toml",
               (repo.root / "libs/core/pyproject.toml").read_text().replace("1.2.0", "1.2.1"))
    release = repo.commit("chore(release): t-core 1.2.1\n\nRelease-Tag: t-core-v1.2.1\n")
    repo.write("libs/core/src/t_core/pool.py", "SIZE = 4\n")
    repo.commit("fix(core): pool")
    table = run_cli(capsys, repo.root, "release", "plan")
    assert (f"warning: the release commit {release[:12]} has no tag t-core-v1.2.1 yet: release "
            "apply will create it on that commit first, and plan what came since on the run "
            "after\n" in table.stdout)
