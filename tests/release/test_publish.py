"""`release publish` against a real pypiserver: pins, verification, reruns, refusals."""

from __future__ import annotations

import base64
import contextlib
import http.server
import os
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from pathlib import Path
from typing import ClassVar

import pytest

from orchestrator.errors import OrchestratorError
from orchestrator.release import publish as publish_module
from orchestrator.release.index import Credentials
from tests.cli import Result, run_cli
from tests.gitutil import GitRepo, make_repo
from tests.release.conftest import ROOT, Index, hatch_package

pytestmark = [pytest.mark.index, pytest.mark.usefixtures("credentials")]
TWINE_UPLOAD = publish_module.twine_upload


def released_repo(tmp_path: Path, capsys: pytest.CaptureFixture[str], index: Index,
                  prefix: str, services: bool = False) -> GitRepo:
    """core <- util (unpinned, from a uv workspace source) <- app (a service); applied."""
    repo = make_repo(tmp_path)
    release = f'[tool.orchestrator.release]\nrepository-url = "{index.url}"\n'
    repo.write("pyproject.toml", ROOT + release + ("publish-services = true\n" * services))
    hatch_package(repo, "libs/core", f"{prefix}-core", "1.0.0")
    hatch_package(repo, "libs/util", f"{prefix}-util", "0.3.0", [f"{prefix}-core"],
                  extra=f"\n[tool.uv.sources]\n{prefix}-core = {{ workspace = true }}\n")
    hatch_package(repo, "apps/app", f"{prefix}-app", "2.0.0", [f"{prefix}-util>=0.3"])
    repo.commit("initial")
    assert run_cli(capsys, repo.root, "release", "apply", "--yes").exit_code == 0
    return repo


def publish(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Result:
    return run_cli(capsys, root, "release", "publish", *args)


def uploads(monkeypatch: pytest.MonkeyPatch, fail: str | None = None) -> list[str]:
    """Record every file handed to twine; optionally make the uploads of one file fail."""
    calls: list[str] = []

    def recording(url: str, file: Path, credentials: Credentials | None = None) -> None:
        calls.append(file.name)
        if fail is not None and file.name.startswith(fail):
            raise OrchestratorError(f"uploading {file.name} failed: injected")
        TWINE_UPLOAD(url, file, credentials)

    monkeypatch.setattr(publish_module, "twine_upload", recording)
    return calls


def test_publish_pins_internal_requirements_and_skips_services(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pypi: Index) -> None:
    repo = released_repo(tmp_path, capsys, pypi, "pa")
    result = publish(capsys, repo.root)
    assert result.exit_code == 0, result.stderr
    assert "pa-app 2.0.0: tagged only" in result.stdout
    assert [f for f in pypi.files() if f.startswith("pa")] == [
        "pa_core-1.0.0-py3-none-any.whl", "pa_core-1.0.0.tar.gz",
        "pa_util-0.3.0-py3-none-any.whl", "pa_util-0.3.0.tar.gz"]
    with zipfile.ZipFile(pypi.directory / "pa_util-0.3.0-py3-none-any.whl") as wheel:
        metadata = wheel.read("pa_util-0.3.0.dist-info/METADATA").decode()
    assert "Requires-Dist: pa-core>=1.0.0" in metadata
    with tarfile.open(pypi.directory / "pa_util-0.3.0.tar.gz") as sdist:
        member = sdist.extractfile("pa_util-0.3.0/pyproject.toml")
        assert member is not None and b"workspace = true" not in member.read()
    # the working tree is untouched: the pins live only in the throwaway checkout
    assert repo.git("status", "--porcelain") == ""
    assert '"pa-core"' in (repo.root / "libs/util/pyproject.toml").read_text()
    assert repo.git("worktree", "list").count("\n") == 0


def test_a_half_failed_upload_is_finished_by_a_rerun_from_a_fresh_clone(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        pypi: Index) -> None:
    repo = released_repo(tmp_path, capsys, pypi, "pb", services=True)
    first = uploads(monkeypatch, fail="pb_util-0.3.0-py3")
    result = publish(capsys, repo.root)
    assert result.exit_code == 1
    assert "pb-util 0.3.0: FAILED (uploading pb_util-0.3.0-py3-none-any.whl" in result.stdout
    assert "pb-app 2.0.0: not uploaded (its dependency pb-util failed)" in result.stdout
    assert first == ["pb_core-1.0.0.tar.gz", "pb_core-1.0.0-py3-none-any.whl",
                     "pb_util-0.3.0.tar.gz", "pb_util-0.3.0-py3-none-any.whl"]
    clone = GitRepo(tmp_path / "clone")
    clone.git("clone", "-q", str(repo.root), str(clone.root))
    second = uploads(monkeypatch)
    result = publish(capsys, clone.root)
    assert result.exit_code == 0, result.stdout
    assert second == ["pb_util-0.3.0-py3-none-any.whl", "pb_app-2.0.0.tar.gz",
                      "pb_app-2.0.0-py3-none-any.whl"]
    third = uploads(monkeypatch)
    result = publish(capsys, clone.root)
    assert result.exit_code == 0 and third == []
    assert result.stdout.count("already there") == 3
    assert len([f for f in pypi.files() if f.startswith("pb")]) == 6


def test_a_different_file_under_the_same_name_is_a_hard_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pypi: Index) -> None:
    repo = released_repo(tmp_path, capsys, pypi, "pc")
    (pypi.directory / "pc_core-1.0.0-py3-none-any.whl").write_bytes(b"not the same wheel")
    result = publish(capsys, repo.root)
    assert result.exit_code == 1
    assert ("pc_core-1.0.0-py3-none-any.whl is already on the index with different contents"
            in result.stdout)
    assert "pc-util 0.3.0: not uploaded (its dependency pc-core failed)" in result.stdout
    assert not [f for f in pypi.files() if f.startswith("pc_util")]


def test_dynamic_version_is_verified_against_the_tag(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pypi: Index) -> None:
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT + f'[tool.orchestrator.release]\nrepository-url = '
                                        f'"{pypi.url}"\n')
    repo.write("libs/dyn/pyproject.toml", """\
        [build-system]
        requires = ["hatchling", "hatch-vcs"]
        build-backend = "hatchling.build"

        [project]
        name = "pd-dyn"
        dynamic = ["version"]

        [tool.hatch.version]
        source = "vcs"
        [tool.hatch.version.raw-options]
        root = "../.."
        tag_regex = "^pd-dyn-v(?P<version>.+)$"
        git_describe_command = "git describe --tags --match pd-dyn-v*"

        [tool.hatch.build.targets.wheel]
        packages = ["src/pd_dyn"]
        """)
    repo.write("libs/dyn/src/pd_dyn/__init__.py", "")
    repo.commit("initial")
    repo.git("tag", "-a", "-m", "x", "pd-dyn-v0.5.0")
    repo.write("libs/dyn/src/pd_dyn/x.py", "X = 1\n")
    repo.commit("feat: x")
    assert run_cli(capsys, repo.root, "release", "apply", "--yes").exit_code == 0
    result = publish(capsys, repo.root)
    assert result.exit_code == 0, result.stdout
    assert "pd_dyn-0.6.0.tar.gz" in pypi.files(), result.stdout + result.stderr


def test_nothing_to_publish_and_credentials_never_shown(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pypi: Index) -> None:
    repo = released_repo(tmp_path, capsys, pypi, "pe")
    repo.write("libs/core/src/pe_core/x.py", "X = 1\n")
    repo.commit("fix: after the release")
    nothing = publish(capsys, repo.root)
    assert nothing.exit_code == 0 and "Nothing to publish" in nothing.stdout
    repo.git("checkout", "-q", "HEAD~1")
    closed = f"http://uploader:s3cret-pass@127.0.0.1:{pypi.port}/no-such-endpoint/"
    result = publish(capsys, repo.root, "--repository-url", closed, "--index-url", pypi.simple)
    assert result.exit_code == 1
    # the URL's user information went to twine through its environment, never into a message
    assert (f"FAILED (uploading pe_core-1.0.0.tar.gz to http://127.0.0.1:{pypi.port}/"
            "no-such-endpoint/ failed") in result.stdout
    assert "s3cret-pass" not in result.stdout + result.stderr


def checked_repo(tmp_path: Path, index: Index, prefix: str, core: str) -> GitRepo:
    """`core` (a pyproject body) <- util (libs) <- app (a published library); all tagged."""
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT + f'[tool.orchestrator.release]\nrepository-url = '
                                        f'"{index.url}"\n')
    repo.write("libs/core/pyproject.toml", core)
    repo.write(f"libs/core/src/{prefix}_core/__init__.py", '__version__ = "1.0.1"\n')
    hatch_package(repo, "libs/app", f"{prefix}-app", "2.0.0", [f"{prefix}-util>=0.3"])
    return repo


def tag_all(repo: GitRepo, *tags: str) -> None:
    repo.commit("initial")
    for tag in tags:
        repo.git("tag", "-a", "-m", tag, tag)


def assert_refused(result: Result, index: Index, prefix: str, failed: str, message: str) -> None:
    """`failed` is reported with `message`, and neither it nor its dependents were uploaded."""
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if f"{prefix}-{failed} " in line)
    assert "FAILED (the built metadata is wrong, nothing uploaded: " in line
    assert message in line, line
    assert f"{prefix}-app 2.0.0: not uploaded (its dependency {prefix}-" in result.stdout
    uploaded = {f.split("-")[0] for f in index.files() if f.startswith(prefix)}
    assert f"{prefix}_{failed}" not in uploaded and f"{prefix}_app" not in uploaded


def test_a_wheel_with_another_version_than_the_tag_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pypi: Index) -> None:
    repo = checked_repo(tmp_path, pypi, "pf", """\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "pf-core"
        dynamic = ["version"]

        [tool.hatch.version]
        path = "src/pf_core/__init__.py"
        """)
    hatch_package(repo, "libs/util", "pf-util", "0.3.0", ["pf-core>=1.0"])
    tag_all(repo, "pf-core-v1.0.0", "pf-util-v0.3.0", "pf-app-v2.0.0")
    result = publish(capsys, repo.root)
    assert_refused(result, pypi, "pf", "core",
                   "pf_core-1.0.1.tar.gz has version 1.0.1, not 1.0.0; "
                   "pf_core-1.0.1-py2.py3-none-any.whl has version 1.0.1, not 1.0.0")


def test_an_unpinned_poetry_path_dependency_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        pypi: Index) -> None:
    monkeypatch.setattr(publish_module, "pin_file", lambda path, versions: False)
    repo = checked_repo(tmp_path, pypi, "pg", "")
    hatch_package(repo, "libs/core", "pg-core", "1.0.0")
    repo.write("libs/util/pyproject.toml", """\
        [build-system]
        requires = ["poetry-core"]
        build-backend = "poetry.core.masonry.api"

        [tool.poetry]
        name = "pg-util"
        version = "0.3.0"
        description = ""
        authors = []
        packages = [{ include = "pg_util", from = "src" }]

        [tool.poetry.dependencies]
        python = ">=3.11"
        pg-core = { path = "../core", develop = true }
        """)
    repo.write("libs/util/src/pg_util/__init__.py", "")
    tag_all(repo, "pg-core-v1.0.0", "pg-util-v0.3.0", "pg-app-v2.0.0")
    result = publish(capsys, repo.root)
    assert "pg-core 1.0.0: uploaded" in result.stdout
    assert_refused(result, pypi, "pg", "util",
                   "pg_util-0.3.0.tar.gz requires 'pg-core @ file://")
    assert "a local file URL that no index user can install" in result.stdout


def test_a_bare_internal_name_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        pypi: Index) -> None:
    monkeypatch.setattr(publish_module, "pin_file", lambda path, versions: False)
    repo = checked_repo(tmp_path, pypi, "ph", "")
    hatch_package(repo, "libs/core", "ph-core", "1.0.0")
    hatch_package(repo, "libs/util", "ph-util", "0.3.0", ["ph-core"])
    tag_all(repo, "ph-core-v1.0.0", "ph-util-v0.3.0", "ph-app-v2.0.0")
    result = publish(capsys, repo.root)
    assert_refused(result, pypi, "ph", "util",
                   "ph_util-0.3.0.tar.gz requires internal ph-core with no version")


@pytest.mark.parametrize("url", ["notaurl", "http://[::1", "ftp://host/", "https:///simple/",
                                 "http://host:port/", ""])
def test_an_index_url_that_is_not_one_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str) -> None:
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml",
               ROOT + f'[tool.orchestrator.release]\nrepository-url = "{url}"\n')
    hatch_package(repo, "libs/core", "u-core", "1.0.0")
    repo.commit("initial")
    for args, where in ((["--repository-url", url], "--repository-url"),
                        (["--repository-url", "http://127.0.0.1:1/", "--index-url", url],
                         "--index-url"),
                        ([], "pyproject.toml [tool.orchestrator.release] repository-url")):
        result = publish(capsys, repo.root, *args)
        assert result.exit_code == 2, result
        assert result.stderr == (f"orchestrator: {where} {url!r} is not an http:// or https:// "
                                 "URL with a host name\n")


FAILING_BACKEND = '''\
import sys


def build_sdist(sdist_directory, config_settings=None):
    print("cannot read https://uploader:s3cret-pass@example.org/simple/ (s3cret-pass)",
          file=sys.stderr)
    raise SystemExit(1)
'''


def test_a_failed_build_never_shows_credentials(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], pypi: Index) -> None:
    repo = checked_repo(tmp_path, pypi, "pg", """\
        [build-system]
        requires = []
        build-backend = "failing_backend"
        backend-path = ["."]

        [project]
        name = "pg-core"
        version = "1.0.0"
        """)
    repo.write("libs/core/failing_backend.py", FAILING_BACKEND)
    hatch_package(repo, "libs/util", "pg-util", "0.3.0", ["pg-core>=1.0"])
    tag_all(repo, "pg-core-v1.0.0", "pg-util-v0.3.0", "pg-app-v2.0.0")
    result = publish(capsys, repo.root)
    assert result.exit_code == 1
    assert "pg-core 1.0.0: FAILED (building pg-core failed: " in result.stdout
    assert "https://***@example.org/simple/" in result.stdout
    assert "s3cret-pass" not in result.stdout + result.stderr


SLOW_BACKEND = '''\
"""hatchling, but a build that can be made to wait (so that a test can kill publish)."""
import os
import time

from hatchling.build import *  # noqa: F403
from hatchling import build as _hatchling


def build_sdist(sdist_directory, config_settings=None):
    marker = os.environ.get("SLOW_BUILD_MARKER")
    if marker:
        with open(marker, "w") as f:
            f.write(str(os.getpid()))
        time.sleep(60)
    return _hatchling.build_sdist(sdist_directory, config_settings)
'''


def _leftovers(repo: GitRepo, temporary: Path) -> tuple[int, list[str]]:
    worktrees = repo.git("worktree", "list", "--porcelain").count("worktree ") - 1
    return worktrees, sorted(p.name for p in temporary.glob("orchestrator-publish-*"))


@pytest.mark.slow
def test_a_killed_publish_leaves_nothing_the_next_run_does_not_clear(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        pypi: Index) -> None:
    repo = released_repo(tmp_path, capsys, pypi, "pk")
    text = (repo.root / "libs/core/pyproject.toml").read_text()
    repo.write("libs/core/pyproject.toml", text.replace(
        'build-backend = "hatchling.build"',
        'build-backend = "slow_backend"\nbackend-path = ["."]'))
    repo.write("libs/core/slow_backend.py", SLOW_BACKEND)
    repo.commit("fix: a backend that can wait")
    assert run_cli(capsys, repo.root, "release", "apply", "--yes").exit_code == 0
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    marker = tmp_path / "building"
    env = {**repo.env, "TMPDIR": str(temporary), "SLOW_BUILD_MARKER": str(marker),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.Popen([sys.executable, "-m", "orchestrator", "release", "publish"],
                            cwd=repo.root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            if (marker.exists() and marker.read_text()) or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), "the build never started"
        proc.send_signal(signal.SIGKILL)  # nothing of publish runs after this
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if marker.exists() and marker.read_text():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(marker.read_text()), signal.SIGKILL)  # the orphaned build
    worktrees, directories = _leftovers(repo, temporary)
    assert worktrees == 1 and len(directories) == 1  # what the killed run left behind
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    result = publish(capsys, repo.root)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"removed {temporary / directories[0]}, left by a publish run that was stopped" in (
        result.stderr)
    assert "pk-core 1.0.1: uploaded" in result.stdout
    assert _leftovers(repo, temporary) == (0, [])


class _Recorder(http.server.BaseHTTPRequestHandler):
    """An index that lists nothing and accepts every upload, recording what it was sent."""

    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        self.seen.append(("GET " + self.path, self.headers.get("Authorization")))
        self.send_response(404)
        self.end_headers()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.seen.append(("POST " + self.path, self.headers.get("Authorization")))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_credentials_in_the_repository_url_reach_twine_and_are_never_shown(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        repo = make_repo(tmp_path)
        repo.write("pyproject.toml", ROOT)
        hatch_package(repo, "libs/core", "pu-core", "1.0.0")
        repo.commit("initial")
        repo.git("tag", "-a", "-m", "x", "pu-core-v1.0.0")
        port = server.server_address[1]
        url = f"http://uploader:p%40ss%20w0rd@127.0.0.1:{port}/"
        result = publish(capsys, repo.root, "--repository-url", url)
    finally:
        server.shutdown()
        thread.join()
    assert result.exit_code == 0, result.stdout + result.stderr
    assert f"Published to http://127.0.0.1:{port}/:" in result.stdout
    token = "Basic " + base64.b64encode(b"uploader:p@ss w0rd").decode()
    assert ("GET /simple/pu-core/", token) in _Recorder.seen
    assert [seen for seen in _Recorder.seen if seen[0].startswith("POST")] == [
        ("POST /", token), ("POST /", token)]
    assert "p@ss" not in result.stdout + result.stderr and "w0rd" not in result.stdout


@pytest.mark.parametrize(("url", "simple"), [
    ("http://127.0.0.1:9/simple", "http://127.0.0.1:9/simple/"),
    ("http://127.0.0.1:9/simple/", "http://127.0.0.1:9/simple/"),
    ("http://127.0.0.1:9/", "http://127.0.0.1:9/simple/"),
    ("http://127.0.0.1:9/repo", "http://127.0.0.1:9/repo/simple/"),
    ("https://upload.pypi.org/legacy/", "https://pypi.org/simple/"),
])
def test_a_repository_url_that_is_a_simple_index_is_read_as_one(url: str, simple: str) -> None:
    from orchestrator.release.index import simple_url_for

    assert simple_url_for(url) == simple


def test_an_out_directory_that_cannot_be_one_is_refused_before_building(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT)
    hatch_package(repo, "libs/core", "ov-core", "1.0.0")
    repo.commit("initial")
    assert run_cli(capsys, repo.root, "release", "apply", "--yes").exit_code == 0
    built: list[str] = []
    monkeypatch.setattr(publish_module, "_build", lambda run, package: built.append("x") or [])
    for out in ("/dev/null", str(repo.root / "pyproject.toml" / "dist")):
        result = publish(capsys, repo.root, "--repository-url", "http://127.0.0.1:9/",
                         "--out", out)
        assert result.exit_code == 2, result
        assert result.stderr.startswith(f"orchestrator: cannot use {out} as --out directory")
    assert built == []
