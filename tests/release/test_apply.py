"""`release apply` on real repositories: edits, changelogs, one commit, tags, rollback, push."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from orchestrator.errors import OrchestratorError
from orchestrator.release import apply as apply_module
from orchestrator.release.vcs import ReleaseGit, complaint
from tests.cli import run_cli
from tests.gitutil import GitRepo, make_repo
from tests.release.conftest import small_monorepo, with_every_kind_of_edit


def apply(capsys: pytest.CaptureFixture[str], repo: GitRepo, *args: str, code: int = 0) -> str:
    result = run_cli(capsys, repo.root, "release", "apply", "--yes", *args)
    assert result.exit_code == code, result.stderr
    return result.stdout + result.stderr


def state(repo: GitRepo) -> tuple[str, str, str, dict[str, bytes]]:
    """HEAD, tags, status and every file's bytes: what a failed apply must leave alone."""
    files = {p: (repo.root / p).read_bytes() for p in repo.git("ls-files").splitlines()}
    return repo.git("rev-parse", "HEAD"), repo.git("tag"), repo.git("status", "--porcelain"), files


STYLED = """\
# The core library. Comments and layout must survive a release.
[project]
name = 't-core'     # single quotes on purpose
version = '1.2.0'   # bumped by release apply
requires-python = ">=3.11"
dependencies = [
    # none yet
]

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
"""


def test_apply_keeps_every_byte_outside_the_edited_values(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/pyproject.toml", STYLED)
    util = (repo.root / "libs/util/pyproject.toml").read_text()
    util = util.replace('dependencies = ["t-core>=1.2,<1.3"]',
                        "dependencies = [\n  't-core >=1.2,<1.3 ; python_version >= \"3.8\"',"
                        "  # pinned\n]")
    repo.write("libs/util/pyproject.toml", util)
    repo.commit("chore: restyle")
    repo.write("libs/core/src/t_core/pool.py", "X = 1\n")
    repo.commit("feat: pool")
    apply(capsys, repo)
    assert (repo.root / "libs/core/pyproject.toml").read_text() == STYLED.replace(
        "'1.2.0'", "'1.3.0'")
    assert (repo.root / "libs/util/pyproject.toml").read_text() == util.replace(
        "'t-core >=1.2,<1.3 ;", "'t-core >=1.3,<1.4 ;").replace(
        'version = "0.3.0"', 'version = "0.3.1"')


def test_plan_is_what_apply_does(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/api.py", "X = 1\n")
    repo.commit("feat!: new API")
    planned = json.loads(run_cli(capsys, repo.root, "release", "plan", "--format",
                                 "json").stdout)["packages"]
    before = repo.git("rev-parse", "HEAD")
    out = apply(capsys, repo)
    head = repo.git("rev-parse", "HEAD")
    assert repo.git("rev-parse", "HEAD~1") == before  # exactly one commit
    assert sorted(repo.git("tag", "--points-at", head).split()) == sorted(
        p["tag"] for p in planned)
    for package in planned:
        text = (repo.root / package["path"] / "pyproject.toml").read_text()
        assert f'version = "{package["next"]}"' in text
        for reason in package["reasons"]:
            if reason["type"] == "dependency" and reason["specifier"]:
                assert reason["specifier"]["to"] in text
        assert f"tagged {package['tag']}" in out
    assert repo.git("tag", "-l", "--format=%(objecttype)", planned[0]["tag"]) == "tag"
    trailers = [line for line in repo.git("show", "-s", "--format=%B", head).splitlines()
                if line.startswith("Release-Tag: ")]
    assert trailers == [f"Release-Tag: {p['tag']}" for p in planned]  # one tag per line
    # the release commit's own edits never count: nothing is left to release
    assert json.loads(run_cli(capsys, repo.root, "release", "plan", "--format",
                              "json").stdout) == {"packages": [], "skipped": [],
                                                   "warnings": []}
    assert repo.git("status", "--porcelain") == ""


def test_changelog_groups_changes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/CHANGELOG.md", "# Changelog\n\n## 1.2.0\n\n- old entry\n")
    repo.commit("docs: changelog")
    for name, message in (("a", "feat(pool): sizes"), ("b", "fix: leak"), ("c", "perf: fast"),
                          ("d", "feat!: drop old API"), ("e", "Tidy things")):
        repo.write(f"libs/core/src/t_core/{name}.py", "X = 1\n")
        repo.commit(message)
    apply(capsys, repo)
    core = (repo.root / "libs/core/CHANGELOG.md").read_text()
    assert core.startswith("# Changelog\n\n## 2.0.0 (")
    sections = [line for line in core.splitlines() if line.startswith("### ")]
    assert sections == ["### Breaking changes", "### Features", "### Fixes", "### Other changes"]
    assert "- **pool:** sizes (" in core and "- leak (" in core and "- fast (" in core
    assert core.endswith("## 1.2.0\n\n- old entry\n")
    util = (repo.root / "libs/util/CHANGELOG.md").read_text()
    assert "### Dependencies\n\n- Updated t-core to 2.0.0\n" in util


@pytest.mark.parametrize("step", list(apply_module.STEPS))
def test_a_failure_at_any_step_restores_files_and_tags(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        step: str) -> None:
    repo = with_every_kind_of_edit(tmp_path)
    monkeypatch.setattr(apply_module, "find_uv", lambda: None)
    original = apply_module.STEPS[step]

    def failing(work: apply_module.Work) -> None:
        original(work)
        raise OrchestratorError(f"injected failure after {step}")

    def add_then_fail(self: ReleaseGit, paths: list[str], message: str, *,
                      verify: bool = True) -> str:
        self.git.run("add", "--", *paths)
        raise OrchestratorError("injected failure after commit")

    if step == "commit":  # the commit itself fails, after staging
        monkeypatch.setattr(ReleaseGit, "commit", add_then_fail)
    else:
        monkeypatch.setitem(apply_module.STEPS, step, failing)
    before = state(repo)
    out = apply(capsys, repo, code=1 if step == "commit" else 2)  # a failed commit is a step
    assert f"injected failure after {step}" in out
    assert state(repo) == before


def test_a_failed_tag_is_finished_by_a_rerun(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/pool.py", "X = 1\n")
    repo.commit("feat: pool")
    create = ReleaseGit.create_tag

    def once_fails(self: ReleaseGit, tag: str, commit: str, message: str) -> None:
        if tag == "t-util-v0.3.1":
            raise OrchestratorError("injected tag failure")
        create(self, tag, commit, message)

    monkeypatch.setattr(ReleaseGit, "create_tag", once_fails)
    out = apply(capsys, repo, code=1)
    assert "run release apply again to create the missing tags" in out
    head = repo.git("rev-parse", "HEAD")
    assert repo.git("tag", "--points-at", head).split() == ["t-core-v1.3.0"]
    monkeypatch.setattr(ReleaseGit, "create_tag", create)
    out = apply(capsys, repo)
    assert "tagged t-util-v0.3.1" in out and "tag t-core-v1.3.0 already there" in out
    assert repo.git("rev-parse", "HEAD") == head  # no second release commit
    assert sorted(repo.git("tag", "--points-at", head).split()) == ["t-core-v1.3.0",
                                                                     "t-util-v0.3.1"]


def test_an_untagged_release_commit_under_newer_commits_is_finished_not_released_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A release commit left without its tags (apply interrupted after the commit), then
    more work on top: apply tags the release commit, never writes its changelog section
    twice, and the next apply releases what came after."""
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/pool.py", "X = 1\n")
    repo.commit("feat: pool")
    create = ReleaseGit.create_tag

    def fails(self: ReleaseGit, tag: str, commit: str, message: str) -> None:
        raise OrchestratorError("injected tag failure")

    monkeypatch.setattr(ReleaseGit, "create_tag", fails)
    apply(capsys, repo, code=1)
    release = repo.git("rev-parse", "HEAD")
    monkeypatch.setattr(ReleaseGit, "create_tag", create)
    repo.write("libs/core/src/t_core/pool.py", "X = 2\n")
    repo.commit("fix: pool size")
    after = repo.git("rev-parse", "HEAD")
    out = apply(capsys, repo)
    assert f"Release commit {release[:12]} already made." in out
    assert "tagged t-core-v1.3.0" in out and "tagged t-util-v0.3.1" in out
    assert "run release apply again to release the commits made since" in out
    assert sorted(repo.git("tag", "--points-at", release).split()) == ["t-core-v1.3.0",
                                                                        "t-util-v0.3.1"]
    assert repo.git("rev-parse", "HEAD") == after  # nothing written, nothing committed
    assert repo.git("status", "--porcelain") == ""
    out = apply(capsys, repo)
    assert "tagged t-core-v1.3.1" in out
    core = (repo.root / "libs/core/CHANGELOG.md").read_text()
    sections = [line.split(" (")[0] for line in core.splitlines() if line.startswith("## ")]
    assert sections == ["## 1.3.1", "## 1.3.0"]


def test_pre_releases_then_final(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    apply(capsys, repo, "--pre", "rc")
    assert 'version = "1.3.0rc1"' in (repo.root / "libs/core/pyproject.toml").read_text()
    assert repo.git("tag", "-l", "t-util-*").split()[-1] == "t-util-v0.3.1rc1"
    repo.write("libs/core/src/t_core/b.py", "X = 1\n")
    repo.commit("fix: b")
    out = run_cli(capsys, repo.root, "release", "plan", "--pre", "rc").stdout
    assert "1.3.0rc2" in out and "t-util" not in out  # >=1.3.0rc1,<1.4 admits rc2
    apply(capsys, repo, "--pre", "rc")
    # no new commits: a plan without --pre promotes every pre-release to its final
    planned = json.loads(run_cli(capsys, repo.root, "release", "plan", "--format",
                                 "json").stdout)["packages"]
    assert {p["name"]: (p["next"], p["bump"]) for p in planned} == {
        "t-core": ("1.3.0", "promote"), "t-util": ("0.3.1", "promote")}
    apply(capsys, repo)
    assert repo.git("tag", "--points-at", "HEAD").split() == ["t-core-v1.3.0", "t-util-v0.3.1"]


def test_version_files_and_dynamic_versions(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path)
    repo.write("libs/dyn/pyproject.toml", """\
        [build-system]
        requires = ["hatchling", "hatch-vcs"]
        build-backend = "hatchling.build"

        [project]
        name = "t-dyn"
        dynamic = ["version"]

        [tool.hatch.version]
        source = "vcs"
        """)
    repo.write("libs/dyn/src/t_dyn/__init__.py", "")
    repo.package("libs/lib", "t-lib", "1.0.0",
                 extra='[tool.orchestrator]\nversion-files = ["src/t_lib/__init__.py"]\n')
    repo.write("libs/lib/src/t_lib/__init__.py", "__version__: str = '1.0.0'\n")
    repo.commit("initial")
    repo.git("tag", "-a", "-m", "x", "t-dyn-v0.5.0")
    repo.git("tag", "-a", "-m", "x", "t-lib-v1.0.0")
    repo.write("libs/dyn/src/t_dyn/x.py", "X = 1\n")
    repo.write("libs/lib/src/t_lib/x.py", "X = 1\n")
    repo.commit("fix: both")
    dyn_before = (repo.root / "libs/dyn/pyproject.toml").read_bytes()
    apply(capsys, repo)
    assert (repo.root / "libs/dyn/pyproject.toml").read_bytes() == dyn_before
    assert repo.git("tag", "--points-at", "HEAD").split() == ["t-dyn-v0.5.1", "t-lib-v1.0.1"]
    assert (repo.root / "libs/lib/src/t_lib/__init__.py").read_text() == (
        "__version__: str = '1.0.1'\n")


def test_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    no_tty = run_cli(capsys, repo.root, "release", "apply")
    assert no_tty.exit_code == 2 and "pass --yes" in no_tty.stderr
    repo.write("libs/core/notes.txt", "uncommitted\n")
    dirty = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert dirty.exit_code == 2 and "uncommitted changes (libs/core/notes.txt)" in dirty.stderr
    (repo.root / "libs/core/notes.txt").unlink()
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("elsewhere")  # a tag that is not reachable from main, yet exists
    repo.git("tag", "-a", "-m", "x", "t-util-v0.3.1")
    repo.git("checkout", "-q", "main")
    taken = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert taken.exit_code == 2 and "tag t-util-v0.3.1 already exists" in taken.stderr
    repo.git("tag", "-d", "t-util-v0.3.1")
    repo.git("checkout", "-q", "--detach")
    detached = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert detached.exit_code == 2 and "HEAD is detached" in detached.stderr
    assert repo.git("tag", "--points-at", "HEAD") == ""


def test_nothing_to_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    out = apply(capsys, repo)
    assert "Nothing to release" in out
    assert repo.git("log", "--format=%s") == "initial"


def test_stale_lock_is_reported_without_uv(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("uv.lock", "version = 1\n")
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("fix: a")
    monkeypatch.setattr(apply_module, "find_uv", lambda: None)
    assert "uv.lock is now stale" in apply(capsys, repo)


def _remote(tmp_path: Path, repo: GitRepo) -> GitRepo:
    remote = GitRepo(tmp_path / "remote.git")
    remote.git("init", "-q", "--bare", "-b", "main")
    repo.git("remote", "add", "origin", str(remote.root))
    repo.git("push", "-q", "-u", "origin", "main", "--follow-tags")
    return remote


def test_push_is_atomic_and_stops_when_the_remote_moved_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    remote = _remote(tmp_path, repo)
    other = GitRepo(tmp_path / "other")
    other.git("clone", "-q", str(remote.root), str(other.root))
    other.write("libs/core/src/t_core/b.py", "X = 1\n")
    other.commit("fix: from elsewhere")
    other.git("push", "-q", "origin", "main")
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    before = state(repo)
    out = apply(capsys, repo, "--push", code=2)
    assert "origin/main has commits that main lacks" in out
    assert state(repo) == before
    repo.git("pull", "-q", "--rebase", "origin", "main")
    apply(capsys, repo, "--push")
    assert remote.git("rev-parse", "main") == repo.git("rev-parse", "HEAD")
    assert "t-core-v1.3.0" in remote.git("tag").split()


def test_rerun_with_push_pushes_an_unpushed_release(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    remote = _remote(tmp_path, repo)
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("fix: a")
    apply(capsys, repo)
    assert "t-core-v1.2.1" not in remote.git("tag").split()
    out = apply(capsys, repo, "--push")
    assert "pushed the commit and 1 tags to origin" in out
    assert "t-core-v1.2.1" in remote.git("tag").split()


@pytest.mark.skipif(apply_module.find_uv() is None, reason="uv is not installed")
def test_uv_lock_is_refreshed_in_the_release_commit(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", '[tool.uv.workspace]\nmembers = ["libs/*"]\n')
    repo.package("libs/a", "t-a", "1.0.0")
    uv = apply_module.find_uv()
    assert uv is not None
    subprocess.run([uv, "lock", "-q", "--offline"], cwd=repo.root, check=True)
    repo.commit("initial")
    repo.git("tag", "-a", "-m", "x", "t-a-v1.0.0")
    repo.write("libs/a/src/t_a/x.py", "X = 1\n")
    repo.commit("fix: x")
    apply(capsys, repo)
    assert "uv.lock" in repo.git("show", "--name-only", "--format=", "HEAD").split()
    assert 'version = "1.0.1"' in (repo.root / "uv.lock").read_text()


BAD_FORMAT = '[tool.orchestrator.release]\ntag-format = "{name} v{version}"\n'


def test_a_tag_format_git_refuses_stops_apply_before_any_change(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path, root_extra=BAD_FORMAT)
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    before = state(repo)
    out = apply(capsys, repo, code=2)
    assert "makes the tag 't-core v1.2.0'" in out and "tag-format" in out
    assert state(repo) == before


def _legacy_release_commit(repo: GitRepo, trailer: str) -> str:
    """A release commit as older versions wrote it: every tag on one trailer line."""
    core = (repo.root / "libs/core/pyproject.toml").read_text()
    repo.write("libs/core/pyproject.toml", core.replace('"1.2.0"', '"1.2.1"'))
    return repo.commit(f"chore(release): t-core 1.2.1\n\n- t-core 1.2.0 -> 1.2.1\n\n{trailer}\n")


def test_a_rerun_never_creates_a_tag_the_release_did_not_plan(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path, root_extra=BAD_FORMAT)
    # made before tag names were checked: the tag "t-core v1.2.1" was never created
    _legacy_release_commit(repo, "Release-Tags: t-core v1.2.1")
    tags = repo.git("tag")
    out = apply(capsys, repo, code=2)
    assert "names the tag 't-core', which release apply will not create" in out
    assert repo.git("tag") == tags


def test_a_rerun_finishes_a_release_commit_of_an_older_version(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    head = _legacy_release_commit(repo, "Release-Tags: t-core-v1.2.1")
    out = apply(capsys, repo)
    assert "tagged t-core-v1.2.1" in out
    assert repo.git("tag", "--points-at", head) == "t-core-v1.2.1"


def test_push_without_an_origin_remote_changes_nothing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    before = state(repo)
    out = apply(capsys, repo, "--push", code=2)
    assert "there is no 'origin' remote to push main to" in out
    assert "git remote add origin URL" in out
    assert state(repo) == before
    repo.git("remote", "add", "origin", str(tmp_path / "missing.git"))
    out = apply(capsys, repo, "--push", code=2)
    assert "cannot fetch from origin" in out and "does not appear to be a git repository" in out
    assert state(repo) == before


def test_a_rerun_with_push_checks_the_remote_before_tagging(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    head = _legacy_release_commit(repo, "Release-Tags: t-core-v1.2.1")
    out = apply(capsys, repo, "--push", code=2)
    assert "there is no 'origin' remote" in out
    assert repo.git("tag", "--points-at", head) == ""


def test_gits_complaint_is_its_error_not_its_advice() -> None:
    assert complaint("", "fatal: 'origin' does not appear to be a git repository\n"
                         "fatal: Could not read from remote repository.\n\nPlease make sure "
                         "you have the correct access rights\nand the repository exists.\n"
                     ) == "'origin' does not appear to be a git repository"
    assert complaint("To /r.git\n!\tHEAD:refs/heads/main\t[rejected] (fetch first)\nDone\n",
                     "error: failed to push some refs to '/r.git'\nhint: ...\n"
                     ) == "HEAD:refs/heads/main [rejected] (fetch first)"


def test_options_are_checked_before_a_release_commit_is_finished(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    head = _legacy_release_commit(repo, "Release-Tags: t-core-v1.2.1")
    out = apply(capsys, repo, "--bump", "t-core", code=2)
    assert "--bump 't-core' must be PKG=major" in out
    assert repo.git("tag", "--points-at", head) == ""
    assert "tagged t-core-v1.2.1" in apply(capsys, repo, "--pre", "alpha")


def _hook(repo: GitRepo, name: str, body: str) -> None:
    hook = repo.write(f".git/hooks/{name}", "#!/bin/sh\n" + body)
    hook.chmod(0o755)


def test_the_release_commit_runs_the_hooks(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("fix: a")
    _hook(repo, "commit-msg", f'cp "$1" "{tmp_path}/message"\n')
    apply(capsys, repo)
    assert (tmp_path / "message").read_text().startswith("chore(release): t-core 1.2.1")


def test_a_failing_hook_is_a_failed_step_that_restores_everything(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    _hook(repo, "pre-commit", 'echo "lint: libs/core/pyproject.toml is not formatted" >&2\n'
                              "exit 1\n")
    before = state(repo)
    result = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert result.exit_code == 1
    assert "the release commit failed: git commit failed (exit 1); every file was restored" in (
        result.stderr)
    assert "lint: libs/core/pyproject.toml is not formatted" in result.stderr  # its output
    assert state(repo) == before  # files, index (no release edit left staged) and tags
    out = apply(capsys, repo, "--no-verify")
    assert "tagged t-core-v1.3.0" in out


def test_what_a_failing_hook_changed_is_put_back_and_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A hook that edits a tracked file, stages it and leaves a new file before it fails: the
    tree was clean when apply started, so all of it goes back (and the message says what)."""
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.write("notes.txt", "kept\n")
    repo.commit("feat: a")
    (repo.root / "ignored.log").write_text("an ignored file, untouched\n")
    repo.write(".git/info/exclude", "*.log\n")
    _hook(repo, "pre-commit", "echo formatted >> apps/app/pyproject.toml\n"
                              "git add apps/app/pyproject.toml\n"
                              "echo junk >> notes.txt\n"
                              "mkdir -p build && echo x > build/report.txt\n"
                              "echo y > hook.log\n"
                              "exit 1\n")
    before = state(repo)
    result = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert result.exit_code == 1
    assert ("every file was restored, also apps/app/pyproject.toml, build/report.txt, "
            "notes.txt, which the commit's hooks changed or made, and nothing was committed"
            in result.stderr)
    assert state(repo) == before
    assert (repo.root / "ignored.log").read_text() == "an ignored file, untouched\n"
    assert (repo.root / "hook.log").exists()  # ignored: not the tree's, so not ours to remove


def test_a_hook_change_that_cannot_be_put_back_is_named_not_hidden(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    _hook(repo, "pre-commit", "echo junk > stray.txt\nexit 1\n")
    unlink = Path.unlink

    def kept(self: Path, missing_ok: bool = False) -> None:
        if self.name != "stray.txt":  # as if the hook had made it impossible to remove
            unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", kept)
    result = run_cli(capsys, repo.root, "release", "apply", "--yes")
    assert result.exit_code == 1
    assert "every file was restored" not in result.stderr
    assert "nothing was committed, but stray.txt still differs" in result.stderr


def _version_files(repo: GitRepo, path: str, *entries: str) -> None:
    text = (repo.root / path).read_text()
    repo.write(path, text + "\n[tool.orchestrator]\nversion-files = ["
               + ", ".join(f'"{e}"' for e in entries) + "]\n")


def test_a_version_file_that_does_not_hold_the_current_version_is_refused_before_any_write(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/__init__.py", '__version__ = "9.9.9"\n')
    _version_files(repo, "libs/core/pyproject.toml", "src/t_core/__init__.py")
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    before = state(repo)
    out = apply(capsys, repo, code=2)
    assert ("libs/core/src/t_core/__init__.py, a version file of t-core, holds "
            "__version__ = '9.9.9', not 1.2.0, the version t-core is released from") in out
    assert state(repo) == before
    repo.write("libs/core/src/t_core/__init__.py", '__version__ = "1.2.0"\n')
    repo.commit("fix: version")
    assert "tagged t-core-v1.3.0" in apply(capsys, repo)
    assert '__version__ = "1.3.0"' in (repo.root / "libs/core/src/t_core/__init__.py").read_text()


def test_a_version_file_of_another_package_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """util listing core's `__init__.py` would write util's version into core."""
    repo = small_monorepo(tmp_path)
    repo.write("libs/core/src/t_core/__init__.py", '__version__ = "1.2.0"\n')
    _version_files(repo, "libs/util/pyproject.toml", "../core/src/t_core/__init__.py")
    repo.write("libs/util/src/t_util/a.py", "X = 1\n")
    repo.commit("fix: a")
    before = state(repo)
    out = apply(capsys, repo, code=2)
    assert ("libs/util/pyproject.toml [tool.orchestrator] version-files "
            "'../core/src/t_core/__init__.py' is a file of t-core (libs/core), not of t-util"
            in out)
    assert state(repo) == before
    assert run_cli(capsys, repo.root, "release", "plan").exit_code == 2


def test_a_version_file_two_packages_claim_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    repo.write("VERSION.py", '__version__ = "1.2.0"\n')
    _version_files(repo, "libs/core/pyproject.toml", "../../VERSION.py")
    _version_files(repo, "libs/util/pyproject.toml", "../../VERSION.py")
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    before = state(repo)
    out = apply(capsys, repo, code=2)
    assert "VERSION.py is a version file of both t-core and t-util" in out
    assert state(repo) == before


def test_version_files_outside_the_repository_are_refused_before_any_write(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = small_monorepo(tmp_path)
    outside = tmp_path / "outside.py"
    outside.write_text('__version__ = "1.2.0"\n')
    core = (repo.root / "libs/core/pyproject.toml").read_text()
    repo.write("libs/core/pyproject.toml",
               core + '\n[tool.orchestrator]\nversion-files = ["../../../outside.py"]\n')
    repo.write("libs/core/src/t_core/a.py", "X = 1\n")
    repo.commit("feat: a")
    before = state(repo)
    out = apply(capsys, repo, code=2)
    assert "version-files '../../../outside.py' is outside the repository" in out
    assert state(repo) == before and outside.read_text() == '__version__ = "1.2.0"\n'
    # a link inside the repository that leads out of it is refused before any write too
    (repo.root / "libs/core/src/t_core/link.py").symlink_to(outside)
    repo.write("libs/core/pyproject.toml",
               core + '\n[tool.orchestrator]\nversion-files = ["src/t_core/link.py"]\n')
    repo.commit("chore: a link")
    before = state(repo)
    out = apply(capsys, repo, code=2)
    assert "libs/core/src/t_core/link.py, which the release of t-core would write, is outside " \
           "the repository" in out
    assert state(repo) == before and outside.read_text() == '__version__ = "1.2.0"\n'
