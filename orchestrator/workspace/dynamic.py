"""Dependencies only the build backend knows: asked through PEP 517, cached by content.

Opt-in (`resolve-dynamic = true`): a package that lists `dependencies` in
`[project].dynamic`, and does not keep them in files setuptools reads, gets them from its
backend's `prepare_metadata_for_build_wheel` hook, run on a copy of the package in an
isolated environment as `build` does. The answer is cached under the hash of the package's
files, so it is asked again only when one of them changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from email.message import Message
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.errors import ConfigError
from orchestrator.workspace.metadata import Requirement
from orchestrator.workspace.model import EdgeKind
from orchestrator.workspace.snapshot import Snapshot

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

WHERE = "build backend metadata"
# Only the dependencies are wanted: VCS version plugins need no history for them. A clause
# on this placeholder (`=={{ version }}` in a hook) was not read, so it is not kept.
PLACEHOLDER = "0.0.0"
_NO_VCS = {"SETUPTOOLS_SCM_PRETEND_VERSION": PLACEHOLDER,
           "UV_DYNAMIC_VERSIONING_BYPASS": PLACEHOLDER,
           "POETRY_DYNAMIC_VERSIONING_BYPASS": PLACEHOLDER, "PDM_BUILD_SCM_VERSION": PLACEHOLDER}


def resolve(snapshot: Snapshot, directory: str, cache_dir: Path) -> tuple[Requirement, ...]:
    """The Requires-Dist of the package in `directory`, as requirements; a ConfigError
    naming the package when its backend cannot say."""
    files = _files(snapshot, directory)
    key = _key(snapshot, files)
    cached = cache_dir / f"{key}.json"
    try:
        lines = json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        lines = _ask_backend(snapshot, directory, files)
        _store(cached, lines)
    return tuple(_requirement(line) for line in lines)


def _files(snapshot: Snapshot, directory: str) -> list[str]:
    prefix = "" if directory == "." else directory + "/"
    return sorted(p for p in snapshot.paths() if p.startswith(prefix))


def _key(snapshot: Snapshot, files: list[str]) -> str:
    digest = hashlib.sha256()
    for path, blob in sorted(snapshot.keys(files).items()):
        digest.update(f"{path}\0{blob}\0".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _ask_backend(snapshot: Snapshot, directory: str, files: list[str]) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="orchestrator-dynamic-") as scratch:
        source = Path(scratch) / "source"
        for path, data in snapshot.contents(files).items():
            target = source / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        package = source / ("" if directory == "." else directory)
        try:
            metadata = _prepare_metadata(package, Path(scratch) / "metadata")
        except Exception as e:  # a backend's failure can be of any type
            raise ConfigError(
                f"{directory}/pyproject.toml: its build backend could not tell its dynamic "
                f"dependencies: {e}",
                hint="fix the build, or leave resolve-dynamic off (its [tool.uv.sources] "
                "then stand in)") from e
    return [str(line) for line in metadata.get_all("Requires-Dist") or []]


def _prepare_metadata(package: Path, out: Path) -> Message:
    """PEP 517's prepare_metadata_for_build_wheel (pyproject-hooks falls back to building a
    wheel for a backend without it)."""
    import tomllib

    from pyproject_hooks import BuildBackendHookCaller

    system = tomllib.loads((package / "pyproject.toml").read_text()).get("build-system", {})
    backend = system.get("build-backend", "setuptools.build_meta:__legacy__")
    requires = system.get("requires", ["setuptools>=40.8.0"])
    out.mkdir(parents=True)
    with _environment(requires) as (python, install, extra):
        def runner(cmd: Sequence[str], cwd: str | None = None,
                   extra_environ: Mapping[str, str] | None = None) -> None:
            _quiet(cmd, cwd, {**extra, **(extra_environ or {})})

        hooks = BuildBackendHookCaller(str(package), backend, system.get("backend-path"),
                                       python_executable=python, runner=runner)
        install(hooks.get_requires_for_build_wheel({}))
        name = hooks.prepare_metadata_for_build_wheel(str(out), {})
    with (out / name / "METADATA").open("rb") as f:
        return BytesParser().parse(f, headersonly=True)


def _quiet(cmd: Sequence[str], cwd: str | None = None,
           extra_environ: Mapping[str, str] | None = None) -> None:
    """Run a hook with its output kept for the error, never shown."""
    env = {**os.environ, **_NO_VCS, **(extra_environ or {})}
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"exit code {proc.returncode}")


@contextmanager
def _environment(requires: list[str]) -> Iterator[
        tuple[str, Callable[[Any], None], Mapping[str, str]]]:
    """An isolated environment with the backend's requirements (as `build` makes one), or
    this interpreter when ORCHESTRATOR_BUILD_ISOLATION=0."""
    if os.environ.get("ORCHESTRATOR_BUILD_ISOLATION", "1").strip().lower() in ("0", "false"):
        yield sys.executable, lambda _requirements: None, {}
        return
    from build.env import DefaultIsolatedEnv

    with DefaultIsolatedEnv() as env:
        env.install(requires)
        yield (env.python_executable, lambda more: env.install(more) if more else None,
               env.make_extra_environ())


def _requirement(line: str) -> Requirement:
    from packaging.requirements import Requirement as Pep508

    from orchestrator.workspace.metadata import canonical

    parsed = Pep508(line)
    kind: EdgeKind = "optional" if parsed.marker is not None and "extra" in str(
        parsed.marker) else "runtime"
    return Requirement(canonical(parsed.name), _read_clauses(parsed.specifier), kind, WHERE)


def _read_clauses(specifier: SpecifierSet) -> str:
    """The specifier without the clauses made from the placeholder version."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    def placeholder(version: str) -> bool:
        try:
            return Version(version.removesuffix(".*")) == Version(PLACEHOLDER)
        except InvalidVersion:
            return False

    return str(SpecifierSet(",".join(str(c) for c in specifier if not placeholder(c.version))))


def _store(path: Path, lines: list[str]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(lines), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written only costs time
