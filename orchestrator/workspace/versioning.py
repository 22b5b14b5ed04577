"""Where each package's version is written, as its build backend reads it, and what it says.

The version is read from its source of truth, never guessed: `[project] version` or
`[tool.poetry] version`; for `dynamic = ["version"]`, the place the backend reads statically
(hatch's `[tool.hatch.version] path` and `pattern`, setuptools' `attr` and `file` in
`[tool.setuptools.dynamic]`, flit's `__version__`, PDM's `source = "file"`); for a version
made from git tags (setuptools-scm, hatch-vcs, uv-dynamic-versioning, PDM's `scm`,
poetry-dynamic-versioning) the source says so and the caller reads the tag. Anything else is
`Unreadable`, with the reason. Locating the version in a file and replacing it are here
too, so that a bump writes exactly the characters that were read.
"""

from __future__ import annotations

import ast
import dataclasses
import posixpath
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from orchestrator.workspace.model import Package
from orchestrator.workspace.snapshot import Snapshot
from orchestrator.workspace.tomlfile import parse_toml, table

Kind = Literal["pyproject", "file", "vcs"]
Locator = Literal["regex", "assignment", "whole"]

HATCH_PATTERN = r"""(?i)^(__version__|VERSION) *= *(['"])v?(?P<version>.+?)\2"""
PDM_PATTERN = r"""^__version__\s*=\s*["'](?P<version>.+?)["']\s*(?:#.*)?$"""
_SETUPTOOLS = ("setuptools.build_meta", "setuptools.build_meta:__legacy__")
_POETRY = ("poetry.core.masonry.api", "poetry.masonry.api")
_HATCH_VCS = {"vcs": "hatch-vcs", "uv-dynamic-versioning": "uv-dynamic-versioning",
              "versioningit": "versioningit"}


@dataclass(frozen=True)
class VersionSource:
    """Where a package's version is written (`pyproject`, a `file`), or that git tags make
    it (`vcs`)."""

    kind: Kind
    describe: str  # how to name it in messages: "[tool.hatch.version] path", "hatch-vcs"
    # The files that may hold it, from the root, in the order the backend looks; once read,
    # the one that does.
    files: tuple[str, ...] = ()
    table: str = ""  # pyproject: "project" or "tool.poetry"
    locator: Locator = "regex"  # file: how the version is found in it
    pattern: str = ""  # regex: its `version` group is the version; assignment: the name

    @property
    def path(self) -> str:
        """The file holding the version ("" for one git tags make)."""
        return self.files[0] if self.files else ""


@dataclass(frozen=True)
class Found:
    """A version as written (None for a version git tags make) and where."""

    source: VersionSource
    text: str | None


@dataclass(frozen=True)
class Unreadable:
    reason: str


Reading = Found | Unreadable


# -- where: from a parsed pyproject.toml ----------------------------------------


def locate(doc: dict[str, Any], package: Package) -> VersionSource | Unreadable:
    """Where `package`'s backend reads its version, from its parsed pyproject.toml."""
    project = table(doc, "project")
    dynamic = project.get("dynamic", [])
    if "version" in project:
        if isinstance(dynamic, list) and "version" in dynamic:
            return Unreadable("[project] sets version and also lists it in dynamic")
        return _static(project["version"], package, "project", "[project] version")
    if project and not (isinstance(dynamic, list) and "version" in dynamic):
        return Unreadable("[project] has no version and does not list it in dynamic")
    if not project:
        return _poetry(doc, package)
    return _dynamic(doc, package)


def _static(value: Any, package: Package, where: str,
            describe: str) -> VersionSource | Unreadable:
    if not isinstance(value, str):
        return Unreadable(f"{describe} must be a string, not {value!r}")
    return VersionSource("pyproject", describe, (package.pyproject,), table=where)


def _poetry(doc: dict[str, Any], package: Package) -> VersionSource | Unreadable:
    poetry = table(doc, "tool.poetry")
    if table(doc, "tool.poetry-dynamic-versioning").get("enable") is True:
        return VersionSource("vcs", "poetry-dynamic-versioning")
    if "version" not in poetry:
        return Unreadable("[tool.poetry] has no version")
    return _static(poetry["version"], package, "tool.poetry", "[tool.poetry] version")


def _dynamic(doc: dict[str, Any], package: Package) -> VersionSource | Unreadable:
    """`dynamic = ["version"]`: the place the build backend reads it."""
    backend = table(doc, "build-system").get("build-backend", _SETUPTOOLS[1])
    backend = backend if isinstance(backend, str) else ""
    if backend == "hatchling.build":
        return _hatch(table(doc, "tool.hatch.version"), package)
    if backend in _SETUPTOOLS:
        return _setuptools(doc, package)
    if backend in ("flit_core.buildapi", "flit.buildapi"):
        return _flit(doc, package)
    if backend in ("pdm.backend", "pdm.pep517.api"):
        return _pdm(table(doc, "tool.pdm.version"), package)
    if backend in _POETRY:
        return _poetry(doc, package)
    return Unreadable(f"its version is dynamic and its build backend {backend!r} has no "
                      "version source that can be read without running it")


def _file(package: Package, path: Any, describe: str, locator: Locator,
          pattern: str) -> VersionSource | Unreadable:
    if not isinstance(path, str) or not path.strip():
        return Unreadable(f"{describe} is missing or not a string")
    found = posixpath.normpath(posixpath.join(package.path, path))
    if not inside(found) or posixpath.isabs(path):
        return Unreadable(f"{describe} {path!r} is outside the repository")
    return VersionSource("file", f"{describe} {path!r}", (found,), locator=locator,
                         pattern=pattern)


def _hatch(config: Mapping[str, Any], package: Package) -> VersionSource | Unreadable:
    source = config.get("source", "regex")
    if source in _HATCH_VCS:
        return VersionSource("vcs", _HATCH_VCS[source])
    if source != "regex":
        return Unreadable(f"[tool.hatch.version] source = {source!r} cannot be read without "
                          "running it")
    pattern = config.get("pattern", True)
    if pattern is True or pattern == "":
        pattern = HATCH_PATTERN
    if not isinstance(pattern, str):
        return Unreadable("[tool.hatch.version] pattern must be a string")
    try:
        if "version" not in re.compile(pattern).groupindex:
            return Unreadable("[tool.hatch.version] pattern has no group named version")
    except re.error as e:
        return Unreadable(f"[tool.hatch.version] pattern is not a regular expression: {e}")
    return _file(package, config.get("path"), "[tool.hatch.version] path", "regex", pattern)


def _setuptools(doc: dict[str, Any], package: Package) -> VersionSource | Unreadable:
    version = table(doc, "tool.setuptools.dynamic").get("version")
    if isinstance(version, dict) and isinstance(version.get("attr"), str):
        return _attr(doc, package, version["attr"])
    if isinstance(version, dict) and "file" in version:
        files = version["file"]
        files = [files] if isinstance(files, str) else files
        if not isinstance(files, list) or len(files) != 1:
            return Unreadable("[tool.setuptools.dynamic] version file must name one file")
        return _file(package, files[0], "[tool.setuptools.dynamic] version file", "whole", "")
    if version is not None:
        return Unreadable("[tool.setuptools.dynamic] version must be {attr = ...} or "
                          "{file = ...}")
    if _uses_setuptools_scm(doc):
        return VersionSource("vcs", "setuptools-scm")
    return Unreadable("setuptools reads its dynamic version from setup.py or setup.cfg, "
                      "which are not read")


def _uses_setuptools_scm(doc: dict[str, Any]) -> bool:
    if table(doc, "tool.setuptools_scm") or "setuptools_scm" in table(doc, "tool"):
        return True
    requires = table(doc, "build-system").get("requires", [])
    return isinstance(requires, list) and any(
        isinstance(r, str) and re.match(r"setuptools[-_]scm\b", r.strip(), re.IGNORECASE)
        for r in requires)


def _attr(doc: dict[str, Any], package: Package, attr: str) -> VersionSource | Unreadable:
    """`attr = "pkg.mod.__version__"`: the module's file, as setuptools finds it."""
    module, _, name = attr.strip().rpartition(".")
    if not name.isidentifier():
        return Unreadable(f"[tool.setuptools.dynamic] version attr {attr!r} is not module.name")
    return VersionSource("file", f"[tool.setuptools.dynamic] version attr {attr!r}",
                         _module_files(package, _setuptools_bases(doc, module or "__init__")),
                         locator="assignment", pattern=name)


def _module_files(package: Package, bases: Iterable[tuple[str, list[str]]]) -> tuple[str, ...]:
    """`module.py` or `module/__init__.py` under each base, inside the repository."""
    files = [posixpath.normpath(posixpath.join(package.path, base, *parts)) + suffix
             for base, parts in bases for suffix in (".py", "/__init__.py")]
    return tuple(f for f in dict.fromkeys(files) if inside(f))


def inside(path: str) -> bool:
    """Whether a normalised path from the root stays inside the repository."""
    return not (path == ".." or path.startswith("../") or posixpath.isabs(path))


def _setuptools_bases(doc: dict[str, Any],
                      module: str) -> list[tuple[str, list[str]]]:
    """(directory, module path parts) pairs where setuptools may find `module`."""
    parts = module.split(".")
    setuptools = table(doc, "tool.setuptools")
    package_dir = setuptools.get("package-dir", {})
    package_dir = package_dir if isinstance(package_dir, dict) else {}
    for i in range(len(parts), 0, -1):  # the most specific mapping first, as setuptools
        prefix = ".".join(parts[:i])
        if prefix and isinstance(package_dir.get(prefix), str):
            return [(package_dir[prefix], parts[i:])]
    bases = [package_dir[""]] if isinstance(package_dir.get(""), str) else []
    where = table(setuptools, "packages.find").get("where", [])
    bases += [w for w in where if isinstance(w, str)] if isinstance(where, list) else []
    return [(base, parts) for base in dict.fromkeys([*bases, "src", "."])]


def _flit(doc: dict[str, Any], package: Package) -> VersionSource | Unreadable:
    module = table(doc, "tool.flit.module").get("name")
    if not isinstance(module, str):
        module = re.sub(r"[-.]", "_", str(table(doc, "project").get("name", "")))
    parts = module.split(".")
    return VersionSource("file", f"flit's __version__ of {module}",
                         _module_files(package, [(".", parts), ("src", parts)]),
                         locator="assignment", pattern="__version__")


def _pdm(config: Mapping[str, Any], package: Package) -> VersionSource | Unreadable:
    source = config.get("source")
    if source == "scm":
        return VersionSource("vcs", "pdm-backend scm")
    if source != "file":
        return Unreadable(f"[tool.pdm.version] source = {source!r} cannot be read without "
                          "running it")
    return _file(package, config.get("path"), "[tool.pdm.version] path", "regex", PDM_PATTERN)


# -- what: reading the files --------------------------------------------------


def read_versions(snapshot: Snapshot, packages: Iterable[Package]) -> dict[str, Reading]:
    """Each package's version as its source of truth writes it, read from `snapshot`."""
    packages = list(packages)
    docs = snapshot.contents([p.pyproject for p in packages])
    sources = {p.name: _source_of(docs.get(p.pyproject), p) for p in packages}
    wanted = [f for s in sources.values() if isinstance(s, VersionSource) for f in s.files]
    files = snapshot.contents(sorted(set(wanted)))
    return {name: s if isinstance(s, Unreadable) else _read(s, files)
            for name, s in sources.items()}


def _source_of(data: bytes | None, package: Package) -> VersionSource | Unreadable:
    if data is None:
        return Unreadable(f"{package.pyproject} cannot be read")
    return locate(parse_toml(data, package.pyproject), package)


def _read(source: VersionSource, files: Mapping[str, bytes]) -> Reading:
    if source.kind == "vcs":
        return Found(source, None)
    found = [f for f in source.files if f in files]
    if not found:
        return Unreadable(f"{source.describe}: {' or '.join(source.files)} is missing")
    source = dataclasses.replace(source, files=(found[0],))
    try:
        text = files[found[0]].decode("utf-8")
    except UnicodeDecodeError:
        return Unreadable(f"{found[0]} is not UTF-8")
    if source.kind == "pyproject":
        return _from_pyproject(source, text)
    span = find_version(text, source)
    if isinstance(span, Unreadable):
        return span
    return Found(source, text[span[0]:span[1]])


def _from_pyproject(source: VersionSource, text: str) -> Reading:
    value = table(parse_toml(text.encode("utf-8"), source.path), source.table).get("version")
    return Found(source, value) if isinstance(value, str) else Unreadable(
        f"{source.describe} is not a string")


def find_version(text: str, source: VersionSource) -> tuple[int, int] | Unreadable:
    """Where in `text` (a version file) the version is: the span a bump replaces."""
    if source.locator == "whole":
        stripped = text.strip()
        if not stripped:
            return Unreadable(f"{source.path} ({source.describe}) is empty")
        start = text.index(stripped)
        return start, start + len(stripped)
    if source.locator == "assignment":
        return _assignment(text, source.pattern, source)
    match = re.search(source.pattern, text, flags=re.MULTILINE)
    if match is None:
        return Unreadable(f"{source.path} has no version that {source.describe} finds")
    return match.span("version")


def _assignment(text: str, name: str, source: VersionSource) -> tuple[int, int] | Unreadable:
    """The first top-level `name = "..."` (or `name: str = "..."`), as setuptools and flit
    read it statically: the characters between the quotes."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as e:
        return Unreadable(f"{source.path} is not valid Python ({e})")
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign) else
                   [node.target] if isinstance(node, ast.AnnAssign) and node.value else [])
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            assert isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None
            return _literal_span(text, node.value, name, source)
    return Unreadable(f"{source.path} assigns no {name} ({source.describe})")


def _literal_span(text: str, value: ast.expr, name: str,
                  source: VersionSource) -> tuple[int, int] | Unreadable:
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)
            and value.end_lineno == value.lineno and value.end_col_offset is not None):
        return Unreadable(f"{source.path} sets {name} to something other than a string "
                          "literal, which cannot be read without running it")
    lines = text.splitlines(keepends=True)
    line_start = sum(len(line) for line in lines[:value.lineno - 1])
    line = lines[value.lineno - 1].encode("utf-8")
    start = line_start + len(line[:value.col_offset].decode("utf-8"))
    end = line_start + len(line[:value.end_col_offset].decode("utf-8"))
    literal = text[start:end]
    quote = literal.lstrip("rRuU")[:3] if literal.lstrip("rRuU")[:3] in ('"""', "'''") else (
        literal.lstrip("rRuU")[:1])
    inner_start = start + len(literal) - len(literal.lstrip("rRuU")) + len(quote)
    inner_end = end - len(quote)
    if text[inner_start:inner_end] != value.value:
        return Unreadable(f"{source.path} writes {name} with escapes or in parts, which a "
                          "bump cannot rewrite in place")
    return inner_start, inner_end


def replace_version(text: str, source: VersionSource, version: str) -> str | Unreadable:
    """`text` (the version file) with the version replaced, every other byte kept."""
    span = find_version(text, source)
    if isinstance(span, Unreadable):
        return span
    return text[:span[0]] + version + text[span[1]:]
