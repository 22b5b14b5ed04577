"""Carry out a release plan: edit files, refresh the lock, commit once, tag, push.

What can be checked is checked before the first edit: a clean tree on a branch, tags not
yet taken, and with --push a remote that exists, answers and has not moved on. The edits
up to the commit are one transaction: on any failure every file is restored and no tag
exists. After the commit, running apply again on the release commit only creates the tags
it announces that are missing (and pushes when asked).
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from packaging.version import InvalidVersion, Version

from orchestrator.context import Project
from orchestrator.errors import FailedError, OrchestratorError
from orchestrator.release import changelog
from orchestrator.release.edit import edit_pyproject, edit_version_file
from orchestrator.release.model import ApplyResult, Options, ReleasePlan
from orchestrator.release.plan import plan_at_head
from orchestrator.release.tags import TagFormat, tag_name_problem
from orchestrator.release.vcs import ReleaseGit, release_tags, release_trailers
from orchestrator.workspace.discovery import Workspace
from orchestrator.workspace.lockfile import LOCK_FILE
from orchestrator.workspace.model import Package


@dataclass
class Work:
    """The state one apply run carries from step to step."""

    root: Path
    rgit: ReleaseGit
    plan: ReleasePlan
    date: str
    originals: dict[str, bytes | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    commit: str | None = None

    def write(self, path: str, data: bytes) -> None:
        """Write a file, remembering what was there first so it can be put back."""
        target = self.root / path
        if path not in self.originals:
            self.originals[path] = target.read_bytes() if target.exists() else None
        target.write_bytes(data)

    def read(self, path: str) -> bytes | None:
        target = self.root / path
        return target.read_bytes() if target.exists() else None

    def restore(self) -> None:
        for path, data in self.originals.items():
            target = self.root / path
            if data is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(data)


# -- preconditions -------------------------------------------------------------


def ensure_ready(rgit: ReleaseGit) -> str:
    """The current branch, after refusing a detached HEAD or a dirty working tree."""
    branch = rgit.branch()
    if branch is None:
        raise OrchestratorError("HEAD is detached: check out the branch to release from")
    dirty = rgit.git.dirty_paths()
    if dirty:
        raise OrchestratorError(
            f"the working tree has uncommitted changes ({', '.join(sorted(dirty)[:3])}"
            f"{', ...' if len(dirty) > 3 else ''}): commit or stash them before releasing")
    return branch


def ensure_tags_free(rgit: ReleaseGit, plan: ReleasePlan) -> None:
    for release in plan.releases:
        if rgit.tag_commit(release.tag) is not None:
            raise OrchestratorError(
                f"tag {release.tag} already exists: {release.name} {release.next} was released "
                "before; bump past it (--bump) or delete the tag")


def ensure_remote(rgit: ReleaseGit, branch: str) -> str:
    """The remote to push to, after making sure it exists, answers, and has nothing HEAD
    lacks."""
    remote = rgit.remote_of(branch)
    if not rgit.has_remote(remote):
        raise OrchestratorError(
            f"there is no {remote!r} remote to push {branch} to: add one with "
            f"`git remote add {remote} URL`, or leave out --push")
    try:
        upstream = rgit.fetch(remote, branch)
    except OrchestratorError as e:
        raise OrchestratorError(f"{e.message}: check that {remote} is reachable, or leave out "
                                "--push") from e
    if upstream is not None and not rgit.is_ancestor(upstream, rgit.head()):
        raise OrchestratorError(
            f"{remote}/{branch} has commits that {branch} lacks: pull them, then run "
            "release apply again")
    return remote


# -- steps before the commit (each undone by Work.restore) ---------------------


def write_versions(work: Work) -> None:
    for release in work.plan.releases:
        version = None if release.dynamic else release.next
        if version is None and not release.edits:
            continue
        path = release.pyproject
        text = (work.read(path) or b"").decode("utf-8")
        work.write(path, edit_pyproject(text, path, version, release.edits).encode("utf-8"))


def write_version_files(work: Work) -> None:
    for release in work.plan.releases:
        for path in release.version_files:
            data = work.read(path)
            if data is None:
                raise OrchestratorError(f"{path}, a version file of {release.name}, is missing")
            work.write(path, edit_version_file(data.decode("utf-8"), path,
                                               release.next).encode("utf-8"))


def write_changelogs(work: Work) -> None:
    for release in work.plan.releases:
        old = work.read(release.changelog)
        new = changelog.prepend(old.decode("utf-8") if old else None,
                                changelog.section(release, work.plan, work.date))
        work.write(release.changelog, new.encode("utf-8"))


def find_uv() -> str | None:
    """uv on PATH, else beside the running interpreter (a virtual environment's own)."""
    found = shutil.which("uv")
    beside = Path(sys.executable).parent / "uv"
    return found or (str(beside) if beside.exists() else None)


def refresh_lock(work: Work) -> None:
    if not work.plan.lock_file:
        return
    uv = find_uv()
    if uv is None:
        work.notes.append(f"uv is not installed, so {LOCK_FILE} is now stale: run `uv lock` "
                          "and commit it")
        return
    work.originals.setdefault(LOCK_FILE, work.read(LOCK_FILE))
    proc = subprocess.run([uv, "lock", "--quiet"], cwd=work.root, capture_output=True,
                          text=True, check=False)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines()
        raise FailedError(f"uv lock failed in {work.root}: {lines[-1] if lines else 'no output'}")


def commit(work: Work) -> None:
    paths = sorted(p for p, data in work.originals.items()
                   if data is not None or (work.root / p).exists())
    try:
        work.commit = work.rgit.commit(paths, commit_message(work.plan))
    except OrchestratorError:
        work.rgit.unstage(paths)
        raise


# Named so that a failure can be traced to (and tested at) each step.
STEPS: dict[str, Callable[[Work], None]] = {
    "versions": write_versions,
    "version-files": write_version_files,
    "changelogs": write_changelogs,
    "lock": refresh_lock,
    "commit": commit,
}


def commit_message(plan: ReleasePlan) -> str:
    names = [f"{r.name} {r.next}" for r in plan.releases]
    subject = ", ".join(names) if len(names) <= 3 else f"{len(names)} packages"
    body = "\n".join(f"- {r.name} {r.current or '(new)'} -> {r.next}" for r in plan.releases)
    return (f"chore(release): {subject}\n\n{body}\n\n"
            f"{release_trailers([r.tag for r in plan.releases])}")


# -- the whole run -------------------------------------------------------------


def run_apply(project: Project, options: Options, *, push: bool,
              confirm: Callable[[ReleasePlan], bool]) -> ApplyResult | ReleasePlan:
    """`release apply`: finish HEAD's release commit if it is one with tags missing (or
    unpushed, with `push`), else plan and, once `confirm` accepts the plan, apply it.

    Gives the plan itself when there is nothing to release.
    """
    rgit = ReleaseGit(project.git)
    announced = announced_tags(rgit)
    if announced is not None and unfinished(rgit, announced):
        return resume(rgit, project.workspace(rgit.head()), announced, push=push)
    plan = plan_at_head(project, options, rgit)
    if not plan.releases:
        if push and announced is not None:  # a finished release commit, perhaps unpushed
            return resume(rgit, project.workspace(rgit.head()), announced, push=True)
        return plan
    if not confirm(plan):
        raise OrchestratorError("release not applied: not confirmed")
    return apply_plan(project.root, rgit, plan, push=push)



def apply_plan(root: Path, rgit: ReleaseGit, plan: ReleasePlan, *, push: bool) -> ApplyResult:
    """Edit, commit and tag as `plan` says; restore everything if a step before the commit
    fails."""
    branch = ensure_ready(rgit)
    ensure_tags_free(rgit, plan)
    remote = ensure_remote(rgit, branch) if push else None
    work = Work(root, rgit, plan, datetime.datetime.now(datetime.UTC).date().isoformat())
    try:
        for step in STEPS.values():
            step(work)
    except BaseException:
        work.restore()
        raise
    assert work.commit is not None
    tags = [r.tag for r in plan.releases]
    created = create_tags(rgit, work.commit, tags)
    if remote is not None:
        push_release(rgit, remote, branch, tags)
    return ApplyResult(work.commit, tuple(created), pushed=remote, notes=tuple(work.notes))


def create_tags(rgit: ReleaseGit, commit_sha: str, tags: list[str]) -> list[str]:
    """Annotated tags on the release commit; a failure leaves a rerun to finish them."""
    created = []
    for tag in tags:
        try:
            rgit.create_tag(tag, commit_sha, f"Release {tag}")
        except OrchestratorError as e:
            raise FailedError(
                f"could not create tag {tag} ({e.message}); the release commit "
                f"{commit_sha[:12]} exists: run release apply again to create the missing tags"
            ) from e
        created.append(tag)
    return created


def push_release(rgit: ReleaseGit, remote: str, branch: str, tags: list[str]) -> None:
    refused = rgit.push(remote, branch, tags)
    if refused is not None:
        raise FailedError(
            f"{remote} refused the push of {branch} and its tags ({refused}); nothing was "
            "pushed and the release commit and tags are only local",
            hint=f"if {remote}/{branch} moved on, delete the local release tags, reset {branch} "
                 "to before the release commit, pull, and run release apply again")


# -- finishing a release commit ------------------------------------------------


def announced_tags(rgit: ReleaseGit) -> list[str] | None:
    """The tags HEAD's release commit announces; None when HEAD is no release commit."""
    return release_tags(rgit.message(rgit.head()))


def unfinished(rgit: ReleaseGit, tags: list[str]) -> bool:
    return any(rgit.tag_commit(tag) is None for tag in tags)


def check_announced(workspace: Workspace, head: str, tags: list[str]) -> None:
    """Refuse, before creating any, a tag that is no release of a package at HEAD."""
    tag_format = TagFormat(workspace.config.release.tag_format)
    for tag in tags:
        problem = tag_name_problem(tag)
        if problem is None and not any(_is_release_of(tag_format, tag, p)
                                       for p in workspace.packages):
            problem = (f"under tag-format {tag_format.template!r} it is no tag of a package's "
                       "version at this commit")
        if problem is not None:
            raise OrchestratorError(
                f"the release commit {head[:12]} names the tag {tag!r}, which release apply "
                f"will not create: {problem}",
                hint="check tag-format in [tool.orchestrator.release], then tag the release "
                     "commit by hand, or undo it (`git reset --keep HEAD~1`) and apply again")


def _is_release_of(tag_format: TagFormat, tag: str, package: Package) -> bool:
    """Whether `tag` is `package`'s tag at the version it has at this commit."""
    version = tag_format.match(tag, package.name)
    if version is None:
        return False
    if package.version is None:  # a dynamic version: the tag is what gives it
        return True
    try:
        return Version(package.version) == version
    except InvalidVersion:
        return False


def tags_already_made(rgit: ReleaseGit, head: str, tags: list[str]) -> list[str]:
    """Those of `tags` that exist, after refusing one that names another commit."""
    existing = []
    for tag in tags:
        at = rgit.tag_commit(tag)
        if at is not None and at != head:
            raise OrchestratorError(f"tag {tag} already exists on another commit ({at[:12]})")
        if at is not None:
            existing.append(tag)
    return existing


def resume(rgit: ReleaseGit, workspace: Workspace, tags: list[str], *,
           push: bool) -> ApplyResult:
    """Finish HEAD's release commit, which announces `tags`: create the missing ones (and
    push)."""
    head = rgit.head()
    branch = ensure_ready(rgit)
    check_announced(workspace, head, tags)
    existing = tags_already_made(rgit, head, tags)
    remote = ensure_remote(rgit, branch) if push else None
    created = create_tags(rgit, head, [t for t in tags if t not in existing])
    if remote is not None:
        push_release(rgit, remote, branch, tags)
    return ApplyResult(head, tuple(created), tuple(existing), pushed=remote, resumed=True)
