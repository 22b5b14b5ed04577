"""The built-in `build` command: an sdist and a wheel of one package that an index can install.

`python -m orchestrator.release.installable --outdir DIR PACKAGE_DIR` builds the package's
sdist as PyPA `build` would, unpacks it into a throwaway directory, pins there every internal
requirement written as a path or `file://` URL, as a uv workspace source, or with no version,
to `>=` the version the repository has now (as `release publish` does), and builds the sdist
and the wheel from that copy. The working tree is never edited. With
ORCHESTRATOR_KEEP_LOCAL_REFERENCES=1 (`orchestrator build --keep-local-references`) it is
plain `python -m build`, local references and all.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from orchestrator.context import Project
from orchestrator.errors import OrchestratorError
from orchestrator.release import artifacts
from orchestrator.release.pins import pin_file
from orchestrator.release.units import release_units
from orchestrator.release.vcs import ReleaseGit
from orchestrator.workspace.snapshot import WorktreeSnapshot
from orchestrator.workspace.versioning import Found, read_versions

KEEP = "ORCHESTRATOR_KEEP_LOCAL_REFERENCES"
CONFIG = "ORCHESTRATOR_CONFIG_FILE"  # the --config FILE of the orchestrator that runs us


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestrator.release.installable")
    parser.add_argument("--outdir", type=Path, required=True)
    parser.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    directory = args.directory.resolve()
    if os.environ.get(KEEP, "").strip().lower() in ("1", "true", "yes", "on"):
        return build(directory, args.outdir)
    try:
        return build_pinned(directory, args.outdir.resolve())
    except OrchestratorError as e:
        print(f"orchestrator: {e.message}", file=sys.stderr)
        return 2


def build(source: Path, outdir: Path, *only: str) -> int:
    """PyPA build; without isolation when ORCHESTRATOR_BUILD_ISOLATION=0 (as for publish)."""
    isolation = os.environ.get("ORCHESTRATOR_BUILD_ISOLATION", "1").strip().lower()
    flags = [*only, *(["--no-isolation"] if isolation in ("0", "false", "no", "off") else [])]
    argv = [sys.executable, "-m", "build", *flags, "--outdir", str(outdir), str(source)]
    return subprocess.run(argv, check=False).returncode


def build_pinned(directory: Path, outdir: Path) -> int:
    """Build from a pinned copy of the package's own sdist; refuse an artifact that still
    requires a local file."""
    versions, internal = in_repo_versions(directory)
    with tempfile.TemporaryDirectory(prefix="orchestrator-build-") as scratch:
        first = Path(scratch) / "sdist"
        status = build(directory, first, "--sdist")
        if status != 0:
            return status
        copy = unpack(next(first.glob("*.tar.gz")), Path(scratch) / "copy")
        if pin_file(copy / "pyproject.toml", versions):
            print(f"pinned internal requirements to the repository's versions in {copy.name}")
        before = set(outdir.iterdir()) if outdir.is_dir() else set()
        status = build(copy, outdir)
    if status == 0:
        check_installable(sorted(set(outdir.iterdir()) - before), internal)
    return status


def in_repo_versions(directory: Path) -> tuple[dict[str, str], set[str]]:
    """Every internal package's version now (working tree; tags for a version git tags
    make), and every internal name."""
    config = os.environ.get(CONFIG)
    project = Project(directory, Path(config) if config else None)
    workspace = project.workspace()
    readings = read_versions(WorktreeSnapshot(project.git), workspace.packages)
    versions = {n: r.text for n, r in readings.items() if isinstance(r, Found) and r.text}
    if any(isinstance(r, Found) and r.text is None for r in readings.values()):
        rgit = ReleaseGit(project.git)
        tags = rgit.tags_merged(rgit.head())
        for unit in release_units(workspace.packages, workspace.config):
            last = unit.newest(tags)
            if last is not None:
                versions.update({m: str(last.version) for m in unit.members
                                 if m not in versions})
    return versions, set(workspace.by_name)


def unpack(sdist: Path, target: Path) -> Path:
    """The sdist's top directory, extracted under `target` (nothing outside it)."""
    with tarfile.open(sdist) as archive:
        archive.extractall(target, filter="data")
    [top] = [p for p in target.iterdir() if p.is_dir()]
    return top


def check_installable(built: list[Path], internal: set[str]) -> None:
    """Refuse an artifact that requires a local file: no index user can install it."""
    problems = [p for f in built if f.suffix == ".whl" or artifacts.is_sdist(f)
                for p in artifacts.requirement_problems(f, internal) if "file://" in p]
    if problems:
        raise OrchestratorError(
            "; ".join(problems) + ": its version cannot be read, so it was not pinned "
            "(orchestrator build --keep-local-references builds it as it is)")


if __name__ == "__main__":
    sys.exit(main())
