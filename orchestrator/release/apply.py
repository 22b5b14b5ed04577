"""Carry out a release plan: edit files, refresh the lock, commit once, tag, push.

Everything before the commit is one transaction: on any failure every file is restored
and no tag exists. After the commit, running apply again on the release commit only
creates the tags that are missing (and pushes when asked).
"""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.errors import FailedError, OrchestratorError
from orchestrator.release import changelog
from orchestrator.release.edit import edit_pyproject, edit_version_file
from orchestrator.release.model import ReleasePlan
from orchestrator.release.vcs import RELEASE_TRAILER, ReleaseGit, release_tags


@dataclass(frozen=True)
class ApplyResult:
    commit: str
    created: tuple[str, ...]  # tags made by this run
    existing: tuple[str, ...] = ()  # tags of the release that were already there
    pushed: str | None = None  # the remote pushed to
    notes: tuple[str, ...] = ()
    resumed: bool = False


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


def ensure_remote_behind(rgit: ReleaseGit, branch: str) -> str:
    """The remote to push to, after making sure it has nothing HEAD lacks."""
    remote = rgit.remote_of(branch)
    upstream = rgit.fetch(remote, branch)
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
        path = "pyproject.toml" if release.path == "." else f"{release.path}/pyproject.toml"
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
        path = "CHANGELOG.md" if release.path == "." else f"{release.path}/CHANGELOG.md"
        old = work.read(path)
        new = changelog.prepend(old.decode("utf-8") if old else None,
                                changelog.section(release, work.plan, work.date))
        work.write(path, new.encode("utf-8"))


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
        work.notes.append("uv is not installed, so uv.lock is now stale: run `uv lock` and "
                          "commit it")
        return
    work.originals.setdefault("uv.lock", work.read("uv.lock"))
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
    tags = " ".join(r.tag for r in plan.releases)
    return f"chore(release): {subject}\n\n{body}\n\n{RELEASE_TRAILER}: {tags}\n"


# -- the whole run -------------------------------------------------------------


def apply_plan(root: Path, rgit: ReleaseGit, plan: ReleasePlan, *, push: bool) -> ApplyResult:
    """Edit, commit and tag as `plan` says; restore everything if a step before the commit
    fails."""
    branch = ensure_ready(rgit)
    ensure_tags_free(rgit, plan)
    remote = ensure_remote_behind(rgit, branch) if push else None
    work = Work(root, rgit, plan, datetime.datetime.now(datetime.UTC).date().isoformat())
    try:
        for step in STEPS.values():
            step(work)
    except BaseException:
        work.restore()
        raise
    assert work.commit is not None
    created = create_tags(rgit, work.commit, [r.tag for r in plan.releases])
    pushed = push_release(rgit, remote, branch, [r.tag for r in plan.releases]) if remote else None
    return ApplyResult(work.commit, tuple(created), pushed=pushed, notes=tuple(work.notes))


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


def push_release(rgit: ReleaseGit, remote: str, branch: str, tags: list[str]) -> str:
    refused = rgit.push(remote, branch, tags)
    if refused is not None:
        raise FailedError(
            f"{remote} refused the push of {branch} and its tags ({refused}); nothing was "
            "pushed and the release commit and tags are only local",
            hint=f"if {remote}/{branch} moved on, delete the local release tags, reset {branch} "
                 "to before the release commit, pull, and run release apply again")
    return remote


def missing_tags(rgit: ReleaseGit) -> list[str] | None:
    """The tags HEAD's release commit announces but lacks; None when HEAD is no release."""
    tags = release_tags(rgit.message(rgit.head()))
    return None if tags is None else [t for t in tags if rgit.tag_commit(t) is None]


def resume(rgit: ReleaseGit, *, push: bool) -> ApplyResult | None:
    """On a release commit: create its missing tags (and push); None on any other commit."""
    head = rgit.head()
    tags = release_tags(rgit.message(head))
    if tags is None:
        return None
    branch = ensure_ready(rgit)
    existing = []
    for tag in tags:
        at = rgit.tag_commit(tag)
        if at is not None and at != head:
            raise OrchestratorError(f"tag {tag} already exists on another commit ({at[:12]})")
        if at is not None:
            existing.append(tag)
    created = create_tags(rgit, head, [t for t in tags if t not in existing])
    remote = rgit.remote_of(branch) if push else None
    pushed = push_release(rgit, remote, branch, tags) if remote else None
    return ApplyResult(head, tuple(created), tuple(existing), pushed=pushed, resumed=True)
