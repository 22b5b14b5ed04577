"""Where each build backend reads a package's version, and rewriting it byte for byte."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from orchestrator.gitrepo import Git
from orchestrator.workspace.model import Package
from orchestrator.workspace.snapshot import CommitSnapshot
from orchestrator.workspace.versioning import (
    HATCH_PATTERN,
    Found,
    Unreadable,
    VersionSource,
    find_version,
    locate,
    read_versions,
    replace_version,
)
from tests.gitutil import make_repo

PACKAGE = Package(name="acme", version=None, path="libs/acme", kind="library")
HATCH = '[build-system]\nbuild-backend = "hatchling.build"\n'
SETUPTOOLS = '[build-system]\nbuild-backend = "setuptools.build_meta"\n'


def where(text: str) -> VersionSource | Unreadable:
    return locate(tomllib.loads(text), PACKAGE)


@pytest.mark.parametrize(("text", "kind", "files", "describe"), [
    ('[project]\nversion = "1.0"', "pyproject", ("libs/acme/pyproject.toml",),
     "[project] version"),
    ('[tool.poetry]\nname = "acme"\nversion = "1.0"', "pyproject",
     ("libs/acme/pyproject.toml",), "[tool.poetry] version"),
    (HATCH + '[project]\ndynamic = ["version"]\n[tool.hatch.version]\npath = "src/a.py"', "file",
     ("libs/acme/src/a.py",), "[tool.hatch.version] path 'src/a.py'"),
    (HATCH + '[project]\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "vcs"', "vcs", (),
     "hatch-vcs"),
    (HATCH + '[project]\ndynamic = ["version"]\n[tool.hatch.version]\n'
             'source = "uv-dynamic-versioning"', "vcs", (), "uv-dynamic-versioning"),
    (SETUPTOOLS + '[project]\ndynamic = ["version"]\n[tool.setuptools.dynamic]\n'
                  'version = {file = "VERSION"}', "file", ("libs/acme/VERSION",),
     "[tool.setuptools.dynamic] version file 'VERSION'"),
    (SETUPTOOLS + '[project]\ndynamic = ["version"]\n[tool.setuptools.dynamic]\n'
                  'version = {attr = "acme.about.__version__"}\n[tool.setuptools.packages.find]\n'
                  'where = ["lib"]', "file",
     ("libs/acme/lib/acme/about.py", "libs/acme/lib/acme/about/__init__.py",
      "libs/acme/src/acme/about.py", "libs/acme/src/acme/about/__init__.py",
      "libs/acme/acme/about.py", "libs/acme/acme/about/__init__.py"),
     "[tool.setuptools.dynamic] version attr 'acme.about.__version__'"),
    (SETUPTOOLS + '[project]\ndynamic = ["version"]\n[tool.setuptools_scm]', "vcs", (),
     "setuptools-scm"),
    ('[build-system]\nrequires = ["setuptools", "setuptools-scm>=8"]\n[project]\n'
     'dynamic = ["version"]', "vcs", (), "setuptools-scm"),
    ('[build-system]\nbuild-backend = "flit_core.buildapi"\n[project]\nname = "acme-x"\n'
     'dynamic = ["version"]', "file",
     ("libs/acme/acme_x.py", "libs/acme/acme_x/__init__.py", "libs/acme/src/acme_x.py",
      "libs/acme/src/acme_x/__init__.py"), "flit's __version__ of acme_x"),
    ('[build-system]\nbuild-backend = "pdm.backend"\n[project]\ndynamic = ["version"]\n'
     '[tool.pdm.version]\nsource = "file"\npath = "src/acme/__init__.py"', "file",
     ("libs/acme/src/acme/__init__.py",), "[tool.pdm.version] path 'src/acme/__init__.py'"),
    ('[build-system]\nbuild-backend = "pdm.backend"\n[project]\ndynamic = ["version"]\n'
     '[tool.pdm.version]\nsource = "scm"', "vcs", (), "pdm-backend scm"),
])
def test_each_backend_names_where_it_reads_the_version(text: str, kind: str,
                                                       files: tuple[str, ...],
                                                       describe: str) -> None:
    found = where(text)
    assert isinstance(found, VersionSource), found
    assert (found.kind, found.files, found.describe) == (kind, files, describe)


@pytest.mark.parametrize(("text", "reason"), [
    ('[project]\nname = "acme"', "[project] has no version and does not list it in dynamic"),
    ('[project]\nversion = 1', "[project] version must be a string, not 1"),
    ('[project]\nversion = "1"\ndynamic = ["version"]', "also lists it in dynamic"),
    ('[tool.poetry]\nname = "acme"', "[tool.poetry] has no version"),
    (HATCH + '[project]\ndynamic = ["version"]', "[tool.hatch.version] path is missing"),
    (HATCH + '[project]\ndynamic = ["version"]\n[tool.hatch.version]\nsource = "code"\n'
             'path = "v.py"', "source = 'code' cannot be read without running it"),
    (HATCH + '[project]\ndynamic = ["version"]\n[tool.hatch.version]\npath = "../../../x.py"',
     "is outside the repository"),
    (HATCH + '[project]\ndynamic = ["version"]\n[tool.hatch.version]\npath = "v.py"\n'
             'pattern = "v(.*)"', "pattern has no group named version"),
    (SETUPTOOLS + '[project]\ndynamic = ["version"]', "from setup.py or setup.cfg"),
    ('[build-system]\nbuild-backend = "maturin"\n[project]\ndynamic = ["version"]',
     "build backend 'maturin' has no version source"),
])
def test_a_version_that_cannot_be_read_says_why(text: str, reason: str) -> None:
    found = where(text)
    assert isinstance(found, Unreadable)
    assert reason in found.reason


HATCH_SOURCE = VersionSource("file", "hatch", ("v.py",), pattern=HATCH_PATTERN)
ATTR_SOURCE = VersionSource("file", "attr", ("v.py",), locator="assignment",
                            pattern="__version__")


@pytest.mark.parametrize(("source", "text", "new"), [
    (HATCH_SOURCE, '"""Doc."""\n__version__ = "v1.2.3"  # keep\n', '"""Doc."""\n__version__ = '
                                                                    '"v2.0.0"  # keep\n'),
    (HATCH_SOURCE, "VERSION = '0.1'\n", "VERSION = '2.0.0'\n"),
    (ATTR_SOURCE, "import os\n__version__: str = 'é1.0' if False else 1\n", None),
    (ATTR_SOURCE, "# é\nx = 1\n__version__ = '1.0'  # é\n__version__ = '9'\n",
     "# é\nx = 1\n__version__ = '2.0.0'  # é\n__version__ = '9'\n"),
    (ATTR_SOURCE, "__version__ = r'''1.0'''\n", "__version__ = r'''2.0.0'''\n"),
    (ATTR_SOURCE, "__version__ = '1' '.0'\n", None),
    (VersionSource("file", "file", ("VERSION",), locator="whole"), "\n 1.0.0 \n",
     "\n 2.0.0 \n"),
])
def test_a_bump_replaces_only_the_version(source: VersionSource, text: str,
                                          new: str | None) -> None:
    replaced = replace_version(text, source, "2.0.0")
    if new is None:
        assert isinstance(replaced, Unreadable)
    else:
        assert replaced == new
        span = find_version(new, source)
        assert not isinstance(span, Unreadable) and new[span[0]:span[1]] == "2.0.0"


def test_versions_are_read_from_a_commit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path)
    repo.write("libs/acme/pyproject.toml", SETUPTOOLS + '[project]\nname = "acme"\n'
               'dynamic = ["version"]\n[tool.setuptools.dynamic]\n'
               'version = {attr = "acme.__version__"}\n')
    repo.write("libs/acme/src/acme/__init__.py", '__version__ = "1.4.0"\n')
    repo.write("libs/b/pyproject.toml", '[project]\nname = "b"\nversion = "x.y"\n')
    commit = repo.commit("initial")
    repo.write("libs/acme/src/acme/__init__.py", '__version__ = "9.9.9"\n')  # not committed
    b = Package(name="b", version="x.y", path="libs/b", kind="library")
    found = read_versions(CommitSnapshot(Git(repo.root), commit), [PACKAGE, b])
    acme = found["acme"]
    assert isinstance(acme, Found) and acme.text == "1.4.0"
    assert acme.source.path == "libs/acme/src/acme/__init__.py"
    assert isinstance(found["b"], Found) and found["b"].text == "x.y"  # read; PEP 440 is later
