"""Release fixtures: small monorepos in real git repositories, and a real pypiserver."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.gitutil import GitRepo, make_repo

VENV_BIN = Path(sys.executable).parent
# What copying the example monorepo into a test repository leaves out.
EXAMPLE_SKIP = shutil.ignore_patterns(".pytest_cache", "__pycache__", "*.egg-info", "build",
                                      "dist", ".venv")


class Index:
    """A running pypiserver on 127.0.0.1 and the directory it serves."""

    def __init__(self, directory: Path, port: int, process: subprocess.Popen[bytes]):
        self.directory = directory
        self.port = port
        self.process = process

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def simple(self) -> str:
        return f"{self.url}simple/"

    def files(self) -> list[str]:
        return sorted(p.name for p in self.directory.iterdir() if p.is_file())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_index(directory: Path) -> Index:
    directory.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    process = subprocess.Popen(
        [str(VENV_BIN / "pypi-server"), "run", "-i", "127.0.0.1", "-p", str(port), "-a", ".",
         "-P", ".", "--disable-fallback", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    index = Index(directory, port, process)
    for _ in range(200):
        try:
            with urllib.request.urlopen(index.simple, timeout=1):
                return index
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("pypiserver exited at start") from None
            time.sleep(0.05)
    stop_index(index)
    raise RuntimeError("pypiserver did not answer")


def stop_index(index: Index) -> None:
    index.process.terminate()
    try:
        index.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        index.process.kill()
        index.process.wait()


@pytest.fixture(scope="module")
def pypi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """One real index per test module (uploads are never deleted, so tests use own names)."""
    index = start_index(tmp_path_factory.mktemp("index") / "packages")
    yield index
    stop_index(index)


@pytest.fixture
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINE_USERNAME", "uploader")
    monkeypatch.setenv("TWINE_PASSWORD", "s3cret-pass")
    monkeypatch.setenv("ORCHESTRATOR_BUILD_ISOLATION", "0")


# Members are found by the every-pyproject.toml rule: some tests have no apps/ at all.
ROOT = """\
[tool.orchestrator]
services = ["apps/*"]
"""


def hatch_package(repo: GitRepo, path: str, name: str, version: str,
                  dependencies: list[str] | None = None, extra: str = "") -> None:
    """A buildable hatchling package (no third-party runtime dependencies)."""
    deps = ", ".join(f'"{d}"' for d in dependencies or [])
    module = name.replace("-", "_")
    repo.write(f"{path}/pyproject.toml",
               '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n\n'
               f'[project]\nname = "{name}"\nversion = "{version}"\n'
               f'requires-python = ">=3.11"\ndependencies = [{deps}]\n\n'
               f'[tool.hatch.build.targets.wheel]\npackages = ["src/{module}"]\n{extra}')
    repo.write(f"{path}/src/{module}/__init__.py", f'"""{name}."""\n')


def small_monorepo(tmp_path: Path, prefix: str = "t", root_extra: str = "") -> GitRepo:
    """core <- util <- app (a service): core 1.2.0, util 0.3.0, app 2.0.0; all tagged."""
    repo = make_repo(tmp_path)
    repo.write("pyproject.toml", ROOT + root_extra)
    hatch_package(repo, "libs/core", f"{prefix}-core", "1.2.0")
    hatch_package(repo, "libs/util", f"{prefix}-util", "0.3.0", [f"{prefix}-core>=1.2,<1.3"])
    hatch_package(repo, "apps/app", f"{prefix}-app", "2.0.0",
                  [f"{prefix}-util>=0.3", f"{prefix}-core~=1.2"])
    repo.commit("initial")
    for tag in (f"{prefix}-core-v1.2.0", f"{prefix}-util-v0.3.0", f"{prefix}-app-v2.0.0"):
        repo.git("tag", "-a", "-m", tag, tag)
    return repo


def with_every_kind_of_edit(tmp_path: Path, lock: bool = True) -> GitRepo:
    """`small_monorepo` with a feature in t-core, which also has a version file, and a
    (stale) uv.lock: a release edits versions, specifiers, version files and changelogs."""
    repo = small_monorepo(tmp_path)
    if lock:
        repo.write("uv.lock", "version = 1\n")
    repo.write("libs/core/src/t_core/__init__.py", '__version__ = "1.2.0"\n')
    core = (repo.root / "libs/core/pyproject.toml").read_text()
    repo.write("libs/core/pyproject.toml",
               core + '\n[tool.orchestrator]\nversion-files = ["src/t_core/__init__.py"]\n')
    repo.write("libs/core/src/t_core/pool.py", "X = 1\n")
    repo.commit("feat: pool")
    return repo
