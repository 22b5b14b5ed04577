"""Carry out a release plan: edit files, refresh the lock, commit once, tag, push.

What can be checked is checked before the first edit: a clean tree on a branch, tags not
yet taken, every file to write inside the repository and holding what the plan edits, and
with --push a remote that exists, answers and has not moved on. The edits up to the commit
are one transaction: on any failure, and on SIGINT, SIGTERM or SIGHUP, every file and the
index are restored and no tag exists. Once the commit has landed, running apply again on the
release commit only creates the tags it announces that are missing (and pushes when asked).
"""

from __future__ import annotations

import datetime
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.context import Project
from orchestrator.errors import FailedError, OrchestratorError
from orchestrator.release import changelog
from orchestrator.release.edit import (
    edit_pyproject,
    edit_version_file,
    edit_version_source,
    version_in_file,
)
from orchestrator.release.interrupts import (
    Guard,
    Interrupted,
    Stopped,
    interruptible,
    run_child,
)
from orchestrator.release.model import ApplyResult, Options, Release, ReleasePlan
from orchestrator.release.plan import plan_at_head
from orchestrator.release.resume import announced_tags, resume, unfinished, unfinished_below
from orchestrator.release.state import ensure_full_history
from orchestrator.release.tagging import (
    create_tags,
    ensure_ready,
    ensure_remote,
    ensure_tags_free,
    push_release,
)
from orchestrator.release.vcs import ReleaseGit, release_tags, release_trailers
from orchestrator.workspace.lockfile import LOCK_FILE
from orchestrator.workspace.versioning import Unreadable, find_version


@dataclass
class Work:
    """The state one apply run carries from step to step."""

    root: Path
    rgit: ReleaseGit
    plan: ReleasePlan
    date: str
    start: str = ""  # HEAD before the release commit
    verify: bool = True  # run the repository's hooks on the release commit
    before: set[str] = field(default_factory=set)  # paths that differed from HEAD at the start
    originals: dict[str, bytes | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    commit: str | None = None
    outcome: str = ""  # what a failed transaction put back (see `restore`)

    def write(self, path: str, data: bytes) -> None:
        """Write a file, remembering what was there first so it can be put back."""
        target = self.root / path
        if path not in self.originals:
            self.originals[path] = target.read_bytes() if target.exists() else None
        target.write_bytes(data)

    def read(self, path: str) -> bytes | None:
        target = self.root / path
        return target.read_bytes() if target.exists() else None

    def text(self, path: str) -> str:
        return (self.read(path) or b"").decode("utf-8")

    def restore(self) -> str:
        """Every file written put back, none of them left staged, and what else changed
        meanwhile (a hook's edits and new files) put back as HEAD has it; what was done, as
        the end of a sentence that says nothing was committed."""
        try:
            for path, data in self.originals.items():
                target = self.root / path
                if data is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_bytes(data)
            if self.originals:
                self.rgit.unstage(sorted(self.originals))
            others, left = self.rgit.put_back(self.before)
        except (OrchestratorError, OSError) as e:
            reason = e.message if isinstance(e, OrchestratorError) else str(e)
            return (f"nothing was committed, but putting the files back failed ({reason}): "
                    "check `git status` and restore them by hand")
        if left:
            return (f"nothing was committed, but {_listed(left)} still "
                    f"{'differs' if len(left) == 1 else 'differ'} from before and could not be "
                    "put back: check with `git status`")
        if others:
            return (f"every file was restored, also {_listed(others)}, which the commit's hooks "
                    "changed or made, and nothing was committed")
        return "every file was restored and nothing was committed"


def _listed(paths: list[str]) -> str:
    return ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


# -- preconditions -------------------------------------------------------------


def ensure_writable(root: Path, plan: ReleasePlan) -> None:
    """Refuse, before any write, a file to edit that lies outside the repository (through
    `..` or a symbolic link), or that no longer holds what the plan edits."""
    inside = root.resolve()
    for release in plan.releases:
        for path in _targets(release):
            if not (root / path).resolve().is_relative_to(inside):
                raise OrchestratorError(f"{path}, which the release of {release.name} would "
                                        "write, is outside the repository")
        for path in release.version_files:
            data = (root / path).read_bytes() if (root / path).is_file() else None
            if data is None:
                raise OrchestratorError(f"{path}, a version file of {release.name}, is missing")
            held = version_in_file(data.decode("utf-8", "replace"), path)
            _holds_current(release, f"{path}, a version file of {release.name},",
                           f"__version__ = {held!r}", held)
        source = release.source
        if source.kind == "file":
            text = (root / source.path).read_text(encoding="utf-8")
            found = find_version(text, source)
            if isinstance(found, Unreadable):
                raise OrchestratorError(f"{release.name}: {found.reason}")
            held = text[found[0]:found[1]]
            _holds_current(release, f"{source.path}, where {release.name}'s version is read,",
                           repr(held), held)


def _holds_current(release: Release, what: str, shown: str, held: str) -> None:
    """Refuse a file whose version is not the one the plan moves `release` from: a bump
    would overwrite a version nobody read (another package's, or one set by hand)."""
    if release.current is None or _same_version(held, release.current):
        return
    raise OrchestratorError(
        f"{what} holds {shown}, not {release.current}, the version {release.name} is released "
        "from", hint=f"set it to {release.current} and commit it, or take it out of "
                     "version-files, then plan again")


def _same_version(text: str, version: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(text) == Version(version)
    except InvalidVersion:
        return False


def _targets(release: Release) -> list[str]:
    files = [release.pyproject, release.changelog, *release.version_files]
    return files + ([release.source.path] if release.source.kind == "file" else [])


# -- steps before the commit (each undone by Work.restore) ---------------------


def write_versions(work: Work) -> None:
    """Each version where it was read from, and the dependents' specifiers."""
    for release in work.plan.releases:
        source = release.source
        if source.kind == "file":
            work.write(source.path, edit_version_source(work.text(source.path), source,
                                                        release.next).encode("utf-8"))
        version = release.next if source.kind == "pyproject" else None
        if version is None and not release.edits:
            continue
        path = release.pyproject
        work.write(path, edit_pyproject(work.text(path), path, version, release.edits,
                                        source.table or "project").encode("utf-8"))


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
    ran = run_child([uv, "lock", "--quiet"], work.root)
    if ran.status != 0:
        lines = ran.stderr.strip().splitlines()
        raise FailedError(f"uv lock failed in {work.root}: {lines[-1] if lines else 'no output'}")


class CommitFailed(FailedError):
    """The release commit failed; `output` is what git and its hooks printed."""

    def __init__(self, message: str, output: str):
        super().__init__(message)
        self.output = output


def commit(work: Work) -> None:
    paths = sorted(p for p, data in work.originals.items()
                   if data is not None or (work.root / p).exists())
    try:
        work.commit = work.rgit.commit(paths, commit_message(work.plan), verify=work.verify)
    except OrchestratorError as e:
        output = "\n".join(f"  {line}" for line in (e.detail or "").splitlines())
        raise CommitFailed(f"the release commit failed: {e.message}", output) from e


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
    return f"chore(release): {subject}\n\n{body}\n\n{release_trailers(plan.tags)}"


# -- the whole run -------------------------------------------------------------


def run_apply(project: Project, options: Options, *, push: bool,
              confirm: Callable[[ReleasePlan], bool], verify: bool = True,
              ) -> ApplyResult | ReleasePlan:
    """`release apply`: finish HEAD's release commit if it is one with tags missing (or
    unpushed, with `push`), else plan and, once `confirm` accepts the plan, apply it.

    Gives the plan itself when there is nothing to release. SIGINT, SIGTERM and SIGHUP
    stop it at any point with a `Stopped` that says what was left.
    """
    with interruptible() as guard:
        try:
            return _run_apply(project, options, guard, push=push, confirm=confirm,
                              verify=verify)
        except Interrupted as e:
            raise Stopped(f"release apply interrupted by {e.name}: nothing was changed",
                          e.signum) from None


def _run_apply(project: Project, options: Options, guard: Guard, *, push: bool,
               confirm: Callable[[ReleasePlan], bool], verify: bool,
               ) -> ApplyResult | ReleasePlan:
    ensure_full_history(project.git, "release apply")
    rgit = ReleaseGit(project.git)
    announced = announced_tags(rgit)
    if announced is not None and unfinished(rgit, announced):
        return resume_interruptibly(project, rgit, announced, push=push)
    below = unfinished_below(project, rgit) if announced is None else None
    if below is not None:  # finish it first: planning now would release its versions again
        return resume_interruptibly(project, rgit, below[1], push=push, commit=below[0])
    plan = plan_at_head(project, options, rgit)
    if not plan.releases:
        if push and announced is not None:  # a finished release commit, perhaps unpushed
            return resume_interruptibly(project, rgit, announced, push=True)
        return plan
    if not confirm(plan):
        raise OrchestratorError("release not applied: not confirmed")
    guard.check()
    return apply_plan(project.root, rgit, plan, guard, push=push, verify=verify)


def resume_interruptibly(project: Project, rgit: ReleaseGit, announced: list[str], *,
                         push: bool, commit: str | None = None) -> ApplyResult:
    try:
        return resume(project, rgit, announced, push=push, commit=commit)
    except Interrupted as e:
        release = commit or rgit.head_now()[0]
        raise Stopped(f"release apply interrupted by {e.name} while finishing the release "
                      f"commit {release[:12]}: run release apply again to create the missing "
                      "tags", e.signum) from None


def apply_plan(root: Path, rgit: ReleaseGit, plan: ReleasePlan, guard: Guard, *, push: bool,
               verify: bool = True) -> ApplyResult:
    """Edit, commit and tag as `plan` says; restore everything if a step before the commit
    fails or a signal stops it."""
    branch = ensure_ready(rgit)
    ensure_tags_free(rgit, plan)
    ensure_writable(root, plan)
    remote = ensure_remote(rgit, branch) if push else None
    work = Work(root, rgit, plan, datetime.datetime.now(datetime.UTC).date().isoformat(),
                start=rgit.head_now()[0], verify=verify, before=rgit.changes_now())
    try:
        transaction(work, guard)
        assert work.commit is not None
        guard.check()
        created = create_tags(rgit, work.commit, plan.tags)
        if remote is not None:
            push_release(rgit, remote, branch, plan.tags)
    except Interrupted as e:
        raise interrupted(e, work) from None
    return ApplyResult(work.commit, tuple(created), pushed=remote, notes=tuple(work.notes),
                       skipped=plan.skipped)


def transaction(work: Work, guard: Guard) -> None:
    """The steps up to the release commit: on any failure or signal, put every file and the
    index back, unless the commit landed (then a rerun finishes the release)."""
    try:
        for step in STEPS.values():
            guard.check()  # a signal a finalizer swallowed still stops us before the commit
            step(work)
    except BaseException as e:
        with guard.held():
            if landed(work):
                raise
            work.outcome = work.restore()
        if isinstance(e, OrchestratorError):
            raise _with_outcome(e, work.outcome) from e
        raise


def _with_outcome(error: OrchestratorError, outcome: str) -> OrchestratorError:
    """`error`, with what was put back (and, for the commit, what git said)."""
    output = error.output if isinstance(error, CommitFailed) else ""
    told = OrchestratorError(f"{error.message}; {outcome}" + (f". git said:\n{output}"
                                                              if output else ""),
                             hint=error.hint, detail=error.detail)
    told.exit_code = error.exit_code
    return told


def landed(work: Work) -> bool:
    """Whether the release commit exists although its step did not finish (read by a fresh
    git: GitPython's readers may be what the signal stopped)."""
    head, message = work.rgit.head_now()
    if head != work.start and release_tags(message) is not None:
        work.commit = head
    return work.commit is not None


def interrupted(error: Interrupted, work: Work) -> Stopped:
    if work.commit is None:
        return Stopped(f"release apply interrupted by {error.name}: "
                       f"{work.outcome or 'every file was restored and nothing was committed'}",
                       error.signum)
    return Stopped(
        f"release apply interrupted by {error.name} after the release commit "
        f"{work.commit[:12]}: run release apply again to create the missing tags",
        error.signum)
