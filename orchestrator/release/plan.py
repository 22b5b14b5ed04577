"""The release plan at HEAD: git, tags and files read here, the decision made in `decide`.

This module is the edge: it gathers each package's last tag, own commits and requirements
as written, and hands them, as plain data, to the pure `decide` function.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Iterable

from orchestrator.context import Project
from orchestrator.errors import ConfigError, OrchestratorError
from orchestrator.release.conventional import Level
from orchestrator.release.decide import History, Requirements, decide
from orchestrator.release.model import Options, PlanWarning, Release, ReleasePlan
from orchestrator.release.sites import requirement_sites
from orchestrator.release.state import ReleaseState, ensure_full_history, read_state
from orchestrator.release.tags import tag_name_problem
from orchestrator.release.units import Unit
from orchestrator.release.vcs import Commit, ReleaseGit
from orchestrator.release.versions import normalise_label
from orchestrator.workspace.config import Config
from orchestrator.workspace.discovery import Workspace
from orchestrator.workspace.globs import FilePatterns
from orchestrator.workspace.lockfile import LOCK_FILE
from orchestrator.workspace.metadata import canonical
from orchestrator.workspace.model import SHIPPED_KINDS, Package
from orchestrator.workspace.snapshot import Snapshot
from orchestrator.workspace.tomlfile import parse_toml
from orchestrator.workspace.versioning import inside


def plan_at_head(project: Project, options: Options,
                 rgit: ReleaseGit | None = None) -> ReleasePlan:
    """The plan for the commit HEAD names now, read from that commit, never the working tree."""
    ensure_full_history(project.git, "release plan")
    rgit = rgit or ReleaseGit(project.git)
    head = rgit.head()
    plan = make_plan(read_state(project, rgit, head), rgit, options)
    return dataclasses.replace(plan, warnings=(*unfinished_warnings(project, rgit),
                                               *taken_tags(plan, rgit)))


def taken_tags(plan: ReleasePlan, rgit: ReleaseGit) -> list[PlanWarning]:
    """A warning for each tag the plan would make that exists already: apply refuses it."""
    found: list[PlanWarning] = []
    for release in plan.releases:
        at = rgit.tag_commit(release.tag)
        if at is not None and release.tag not in {w.tag for w in found}:
            found.append(PlanWarning(
                "tag-exists", f"tag {release.tag} already exists (on {at[:12]}): release "
                f"apply will refuse to release {release.name} {release.next}; bump past it "
                "(--bump) or delete the tag", at, release.tag, release.name))
    return found


def unfinished_warnings(project: Project, rgit: ReleaseGit) -> list[PlanWarning]:
    """A warning for a release commit below HEAD that apply will finish before this plan."""
    from orchestrator.release.resume import unfinished_below

    below = unfinished_below(project, rgit)
    if below is None:
        return []
    commit, tags = below
    return [PlanWarning("unfinished-release",
                        f"the release commit {commit[:12]} has no tag {tag} yet: release apply "
                        "will create it on that commit first, and plan what came since on the "
                        "run after", commit, tag)
            for tag in tags if rgit.tag_commit(tag) is None]


def make_plan(state: ReleaseState, rgit: ReleaseGit, options: Options) -> ReleasePlan:
    """Work out every release from the packages, tags and history `state` read."""
    workspace = state.workspace
    check_version_files(workspace, state.units)
    decision = decide(workspace.packages, state.units, state.current,
                      histories(state, rgit), requirements(workspace, state.snapshot),
                      workspace.config.release, options,
                      order_kinds=workspace.config.order_kinds)
    check_tag_names(decision.releases, workspace.config)
    untagged = tuple(sorted(m for u in state.units if state.last[u.name] is None
                            for m in u.members))
    return ReleasePlan(head=state.commit, releases=decision.releases,
                       notes=state.notes + decision.notes,
                       lock_file=state.snapshot.read(LOCK_FILE) is not None,
                       skipped=state.skipped, untagged=untagged)


def check_tag_names(releases: tuple[Release, ...], config: Config) -> None:
    """Refuse a plan with a tag that git would not create, before anything is changed."""
    for release in releases:
        problem = tag_name_problem(release.tag)
        if problem is not None:
            raise ConfigError(
                f"{config.source} [tool.orchestrator.release] tag-format = "
                f"{config.release.tag_format!r} makes the tag {release.tag!r} for "
                f"{release.name} {release.next}, which is not a valid git tag name: {problem}",
                hint="use a format such as '{name}-v{version}' or '{name}/v{version}'")


def check_version_files(workspace: Workspace, units: Iterable[Unit]) -> None:
    """Refuse, before anything is read or written, `version-files` outside the repository,
    inside another package, or listed by two packages: each would get a version that is not
    its own. Members of one release group share a version, so they may share files too."""
    unit_of = {member: unit.name for unit in units for member in unit.members}
    claimed: dict[str, str] = {}
    for package in workspace.packages:
        mine = unit_of.get(package.name, package.name)
        for entry in package.settings.version_files:
            path = posixpath.normpath(posixpath.join(package.path, entry))
            where = f"{package.pyproject} [tool.orchestrator] version-files {entry!r}"
            if posixpath.isabs(entry) or not inside(path):
                raise ConfigError(f"{where} is outside the repository")
            owner = workspace.owner(path)
            if owner is not None and unit_of.get(owner.name, owner.name) != mine:
                raise ConfigError(f"{where} is a file of {owner.name} ({owner.path}), not of "
                                  f"{package.name}: a release of {package.name} would write "
                                  "its version there",
                                  hint=f"list it in {owner.pyproject} instead")
            other = claimed.setdefault(path, package.name)
            if unit_of.get(other, other) != mine:
                first, second = sorted((other, package.name))
                raise ConfigError(f"{path} is a version file of both {first} and {second}: "
                                  "it can hold only one of their versions",
                                  hint="keep it in the version-files of one of them")


def histories(state: ReleaseState, rgit: ReleaseGit) -> dict[str, History]:
    """Each package's unit's newest release tag reachable from HEAD and its own commits
    since."""
    found = {}
    for unit in state.units:
        last = state.last[unit.name]
        for name in unit.members:
            package = state.workspace.by_name[name]
            commits = (own_commits(rgit, state.workspace, package, last.name, state.commit)
                       if last else [])
            found[name] = History(last, tuple(commits))
    return found


def own_commits(rgit: ReleaseGit, workspace: Workspace, package: Package, since: str,
                head: str) -> list[Commit]:
    """Commits since the tag that changed a file this package owns and does not ignore.

    Release commits never count: their version and changelog edits are the release itself.
    """
    ignore = FilePatterns(package.settings.ignore, f"{package.pyproject} ignore")
    prefix = "" if package.path == "." else package.path + "/"

    def counts(path: str) -> bool:
        owner = workspace.owner(path)
        return owner is not None and owner.name == package.name and not ignore.match(
            path[len(prefix):])

    return [c for c in rgit.commits(since, head, package.path)
            if not c.is_release and any(counts(f) for f in c.files)]


def requirements(workspace: Workspace, snapshot: Snapshot) -> Requirements:
    """The shipped requirements as written, for every package that has an internal one."""
    found = {}
    for package in workspace.packages:
        if any(d.kind in SHIPPED_KINDS for d in package.dependencies):
            data = snapshot.read(package.pyproject)
            found[package.name] = requirement_sites(parse_toml(data or b"", package.pyproject))
    return found


def command_options(bumps: Iterable[str], pre: str | None) -> tuple[Options, tuple[str, ...]]:
    """`--bump` and `--pre` as plan options, with a note when --pre is spelled another way
    than versions write it."""
    label = normalise_label(pre) if pre is not None else None
    notes = ((f"--pre {pre} is written {label} in versions (PEP 440)",)
             if label is not None and label != pre else ())
    return Options(parse_bumps(bumps), label), notes


def parse_bumps(values: Iterable[str]) -> dict[str, Level]:
    """`--bump PKG=LEVEL` options as a mapping of normalised names."""
    bumps: dict[str, Level] = {}
    for value in values:
        name, sep, level = value.partition("=")
        if not sep or level not in ("major", "minor", "patch"):
            raise OrchestratorError(f"--bump {value!r} must be PKG=major, PKG=minor or PKG=patch")
        key = canonical(name.strip())
        if bumps.get(key, level) != level:
            raise OrchestratorError(f"--bump is given twice for {name.strip()}, as "
                                    f"{bumps[key]} and as {level}", hint="keep one")
        bumps[key] = level  # type: ignore[assignment]
    return bumps
