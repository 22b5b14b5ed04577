"""Build the packages tagged at HEAD from a clean checkout and upload what the index lacks.

Reruns are safe: a file the index already holds with the same contents is skipped, one
that differs is a hard error, and a package whose dependency failed is not uploaded.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from orchestrator.context import Project
from orchestrator.errors import OrchestratorError
from orchestrator.release import artifacts, index
from orchestrator.release.index import Credentials
from orchestrator.release.interrupts import Interrupted, Stopped, interruptible, run_child
from orchestrator.release.pins import pin_file
from orchestrator.release.scratch import prune_stale, scratch_checkout
from orchestrator.release.state import read_state
from orchestrator.release.units import Unit, release_units
from orchestrator.release.vcs import ReleaseGit
from orchestrator.workspace.config import Config
from orchestrator.workspace.discovery import Workspace
from orchestrator.workspace.graph import PackageGraph
from orchestrator.workspace.model import SHIPPED_KINDS, Package

Status = Literal["uploaded", "present", "failed", "blocked", "not-published"]
Echo = Callable[[str], None]


@dataclass(frozen=True)
class PublishRequest:
    """What the command line asked for; the rest comes from HEAD's configuration."""

    repository_url: str | None = None
    index_url: str | None = None
    no_isolation: bool = False
    out_dir: Path | None = None


@dataclass(frozen=True)
class Outcome:
    name: str
    version: str
    status: Status
    files: tuple[str, ...] = ()
    message: str = ""

    @property
    def failed(self) -> bool:
        """A failure of this package or of a dependency: its dependents are not uploaded."""
        return self.status in ("failed", "blocked")


@dataclass(frozen=True)
class PublishResult:
    commit: str
    outcomes: tuple[Outcome, ...] = ()
    repository_url: str = ""

    @property
    def failed(self) -> bool:
        return any(o.failed for o in self.outcomes)


@dataclass
class _Run:
    """Settings and scratch space of one publish run."""

    graph: PackageGraph
    repository_url: str  # without user information: that is in `credentials`
    index_url: str
    credentials: Credentials | None
    index_credentials: Credentials | None
    isolation: bool
    publish_services: bool
    checkout: Path  # the release commit, checked out afresh
    out: Path  # built artifacts, one directory per package
    epoch: int  # SOURCE_DATE_EPOCH: the release commit's time
    echo: Echo
    outcomes: dict[str, Outcome] = field(default_factory=dict)


def isolation_wanted(no_isolation: bool) -> bool:
    value = os.environ.get("ORCHESTRATOR_BUILD_ISOLATION", "1").strip().lower()
    return not no_isolation and value not in ("0", "false", "no", "off")


def checked_url(url: str, where: str) -> str:
    """`url`, after making sure it is an http(s) URL with a host; `where` names its source."""
    try:
        parts = urllib.parse.urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (
            parts.port is None or parts.port > 0)
    except ValueError:  # an unclosed [IPv6 address], a port that is not a number
        valid = False
    if not valid:
        raise OrchestratorError(f"{where} {index.scrub_url(url)!r} is not an http:// or "
                                "https:// URL with a host name")
    return url


def repository_of(request: PublishRequest, config: Config) -> str:
    """The upload URL: the option's, else the configured one."""
    if request.repository_url is not None:
        return checked_url(request.repository_url, "--repository-url")
    url = config.release.repository_url
    if url is None:
        raise OrchestratorError(
            "no index to publish to: set repository-url in [tool.orchestrator.release] or "
            "pass --repository-url")
    return checked_url(url, f"{config.source} [tool.orchestrator.release] repository-url")


def index_of(request: PublishRequest, repository_url: str) -> str:
    """The simple index to read what is already uploaded from."""
    if request.index_url is not None:
        return checked_url(request.index_url, "--index-url")
    return index.simple_url_for(repository_url)


def released_at(units: tuple[Unit, ...], tags: list[str]) -> dict[str, str]:
    """Package -> version for the release tags that point at HEAD (a group's tag releases
    every member)."""
    found = {}
    for unit in units:
        newest = unit.newest(tags)
        if newest is not None:
            found.update(dict.fromkeys(unit.members, str(newest.version)))
    return found


def known_versions(project: Project, rgit: ReleaseGit, head: str,
                   released: Mapping[str, str]) -> dict[str, str]:
    """The version each internal package is released at now, to pin requirements on it:
    the release's own, else the one its source of truth (or last tag) says."""
    state = read_state(project, rgit, head)
    return {**{name: str(c.version) for name, c in state.current.items()}, **released}


def publish(project: Project, request: PublishRequest, echo: Echo) -> PublishResult:
    """Build and upload every package tagged at HEAD, dependencies first."""
    rgit = ReleaseGit(project.git)
    head = rgit.head()
    workspace = project.workspace(head)
    url, credentials = index.split_credentials(repository_of(request, workspace.config))
    index_url, index_credentials = index.split_credentials(index_of(request, url))
    for stale in prune_stale(rgit):
        echo(f"removed {stale}, left by a publish run that was stopped")
    released = released_at(release_units(workspace.packages, workspace.config),
                           rgit.tags_at(head))
    if not released:
        return PublishResult(head, repository_url=url)
    graph = PackageGraph(workspace.packages)
    order = graph.subgraph(released).order(workspace.config.order_kinds,
                                           purpose="order the uploads")
    versions = known_versions(project, rgit, head, released)
    try:
        with interruptible(), scratch_checkout(rgit, head) as scratch:
            run = _Run(graph=graph, repository_url=url, index_url=index_url,
                       credentials=credentials,
                       index_credentials=index_credentials or credentials,
                       isolation=isolation_wanted(request.no_isolation),
                       publish_services=workspace.config.release.publish_services,
                       checkout=scratch / "checkout" / rgit.git.prefix,  # the workspace root
                       out=request.out_dir or scratch / "dist",
                       epoch=project.git.commit_time(head), echo=echo)
            _pin_checkout(run.checkout, workspace, versions, released)
            for name in order:
                run.outcomes[name] = _publish_one(run, graph.packages[name], released[name])
    except Interrupted as e:
        raise Stopped(f"release publish interrupted by {e.name}: what was uploaded stays on "
                      "the index; run release publish again to upload the rest",
                      e.signum) from None
    return PublishResult(head, tuple(run.outcomes[n] for n in order), url)


def _pin_checkout(checkout: Path, workspace: Workspace, versions: Mapping[str, str],
                  released: Mapping[str, str]) -> None:
    for name in released:
        pin_file(checkout / workspace.by_name[name].pyproject, versions)


def _publish_one(run: _Run, package: Package, version: str) -> Outcome:
    failed = sorted(d for d in run.graph.all_dependencies([package.name], SHIPPED_KINDS)
                    if d in run.outcomes and run.outcomes[d].failed)
    if failed:
        return Outcome(package.name, version, "blocked",
                       message=f"its dependency {failed[0]} failed")
    if package.kind == "service" and not run.publish_services:
        return Outcome(package.name, version, "not-published",
                       message="a service: tagged, not uploaded (publish-services = false)")
    run.echo(f"building {package.name} {version}")
    try:
        files = _build(run, package)
        _verify(run, package, version, files)
        return _upload(run, package, version, files)
    except OrchestratorError as e:
        return Outcome(package.name, version, "failed", message=e.message)


def _build(run: _Run, package: Package) -> list[Path]:
    """sdist, then a wheel from it, with PyPA build and SOURCE_DATE_EPOCH for repeatability."""
    out = run.out / package.name
    out.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, "-m", "build", "--outdir", str(out)]
    if not run.isolation:
        argv.append("--no-isolation")
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(run.epoch),
           "PIP_FIND_LINKS": str(run.out), "UV_FIND_LINKS": str(run.out)}
    ran = run_child([*argv, str(run.checkout / package.path)], run.checkout, env)
    if ran.status != 0:
        tail = (ran.stderr.strip() or ran.stdout.strip()).splitlines()[-3:]
        raise OrchestratorError(f"building {package.name} failed: {scrub(' | '.join(tail))}")
    return sorted(out.iterdir(), key=lambda p: (not artifacts.is_sdist(p), p.name))


def _verify(run: _Run, package: Package, version: str, files: list[Path]) -> None:
    if not any(artifacts.is_sdist(f) for f in files) or not any(
            f.suffix == ".whl" for f in files):
        raise OrchestratorError(f"building {package.name} did not give an sdist and a wheel")
    problems = [p for f in files
                for p in artifacts.metadata_problems(f, package.name, version,
                                                      set(run.graph.names))]
    if problems:
        raise OrchestratorError(f"the built metadata is wrong, nothing uploaded: "
                                f"{'; '.join(problems)}")


def _upload(run: _Run, package: Package, version: str, files: list[Path]) -> Outcome:
    present = index.files_for(run.index_url, package.name, run.index_credentials)
    to_upload = []
    for file in files:
        remote = present.get(file.name.lower())
        if remote is None:
            to_upload.append(file)
        elif not _identical(run, file, remote):
            raise OrchestratorError(
                f"{file.name} is already on the index with different contents; a release "
                "cannot be replaced: release a new version instead")
    for file in to_upload:
        run.echo(f"uploading {file.name}")
        twine_upload(run.repository_url, file, run.credentials)
    status: Status = "uploaded" if to_upload else "present"
    return Outcome(package.name, version, status, tuple(f.name for f in to_upload),
                   message="" if to_upload else "already on the index")


def _identical(run: _Run, local: Path, remote: index.IndexFile) -> bool:
    if remote.sha256 is not None and remote.sha256 == artifacts.sha256(local):
        return True
    downloaded = index.download(remote, run.out / "index", run.index_url,
                                run.index_credentials)
    return artifacts.same_contents(local, downloaded)


def twine_upload(repository_url: str, file: Path,
                 credentials: Credentials | None = None) -> None:
    """One file through twine. Credentials are twine's own, or those the URL carried, which
    reach it through its environment (never its arguments); neither appears in messages."""
    argv = [sys.executable, "-m", "twine", "upload", "--non-interactive",
            "--disable-progress-bar", "--repository-url", repository_url, str(file)]
    env = dict(os.environ)
    if credentials is not None:
        env.update(TWINE_USERNAME=credentials.username, TWINE_PASSWORD=credentials.password)
    ran = run_child(argv, file.parent, env)
    if ran.status != 0:
        lines = [line for line in (ran.stdout + ran.stderr).splitlines() if line.strip()]
        secrets = (credentials.username, credentials.password) if credentials else ()
        detail = " ".join(scrub(lines[-1] if lines else "no output", secrets).split())
        raise OrchestratorError(f"uploading {file.name} to {index.scrub_url(repository_url)} "
                                f"failed: {detail}")


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """`text` with twine's credentials (and `secrets`) and any URL user information blanked
    out."""
    for secret in (os.environ.get("TWINE_PASSWORD", ""), os.environ.get("TWINE_USERNAME", ""),
                   *secrets):
        if len(secret) >= 3:
            text = text.replace(secret, "***")
    return " ".join(index.scrub_url(word) if "://" in word else word for word in text.split(" "))


def render(result: PublishResult) -> str:
    if not result.outcomes:
        return f"Nothing to publish: no release tag points at HEAD ({result.commit[:12]}).\n"
    lines = [f"Published to {result.repository_url}:"]
    words = {"uploaded": "uploaded", "present": "already there", "failed": "FAILED",
             "blocked": "not uploaded", "not-published": "tagged only"}
    for o in result.outcomes:
        detail = ", ".join(o.files) if o.files else o.message
        lines.append(f"  {o.name} {o.version}: {words[o.status]}" + (f" ({detail})"
                                                                     if detail else ""))
    return "\n".join(lines) + "\n"
