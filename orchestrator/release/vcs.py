"""Every git operation a release needs, reads and writes, through GitPython.

Tags, the branch, remotes and commit messages are read and annotated tags made through
GitPython's object model. What git's own commands do better runs by argv through the same
`Repo.git` runner: `log` (every commit of a path with its files in one process, where
GitPython would start one more per commit), `tag --merged`, staging and committing (git's
filters apply, which GitPython's index writer skips), fetch, atomic push and worktrees. That
runner is set up once, in `_open`, as gitrepo.Git runs git: no optional locks,
core.quotepath=false, git's messages in English (LC_ALL=C), no pager, never a prompt for a
password; every git it starts runs in a session of its own (see gitsession), so a signal
to our process group cannot kill its long-lived readers. GitPython is imported only when a
release first touches git, so that other commands never pay for it. The working tree's
status and commit times are gitrepo.Git's.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from orchestrator.errors import GitError
from orchestrator.gitrepo import Git
from orchestrator.release.interrupts import run_child
from orchestrator.release.tags import tag_name_problem

if TYPE_CHECKING:
    from git import Repo
    from git.cmd import Git as GitCommand
    from git.exc import GitCommandError
    from git.refs.remote import RemoteReference
    from git.refs.tag import TagReference

# A trailer every release commit carries, one line per tag, so later plans never count its
# own edits and a rerun of apply knows which tags to finish. A tag name cannot hold a line
# break, so the list cannot be read back wrongly.
RELEASE_TRAILER = "Release-Tag"
# Older release commits name every tag on one line of this trailer, separated by spaces.
LEGACY_TRAILER = "Release-Tags"


@dataclass(frozen=True)
class Commit:
    """One commit that touched a package, with the files it changed (both sides of a move)."""

    sha: str
    message: str
    files: tuple[str, ...]

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()

    @property
    def is_release(self) -> bool:
        return release_tags(self.message) is not None


def release_tags(message: str) -> list[str] | None:
    """The tags a release commit message announces, or None for any other commit."""
    tags: list[str] | None = None
    for line in message.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() in (RELEASE_TRAILER, LEGACY_TRAILER):
            tags = tags or []
            tags += [value.strip()] if key.strip() == RELEASE_TRAILER else value.split()
    return tags


def release_trailers(tags: list[str]) -> str:
    """The trailer lines that announce `tags` in a release commit message."""
    return "".join(f"{RELEASE_TRAILER}: {tag}\n" for tag in tags)


def complaint(stdout: str, stderr: str) -> str:
    """What a failed git command says went wrong, in one line.

    The refs `push --porcelain` rejected, else git's first `fatal:` or `error:` line (its
    last line is often advice such as "and the repository exists.").
    """
    rejected = [" ".join(line.split("\t")[1:]) for line in stdout.splitlines()
                if line.startswith("!")]
    if rejected:
        return "; ".join(rejected)
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line.split(":", 1)[1].strip() for line in lines
              if line.startswith(("fatal:", "error:"))]
    return errors[0] if errors else (lines[-1] if lines else "no output")


# The environment gitrepo.Git gives git, so that a release reads what `affected` reads.
_ENVIRONMENT = {"GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}


def _open(root: Path) -> Repo:
    """The repository holding `root` (the workspace root may be a folder of it), its runner
    set up as gitrepo.Git runs git."""
    try:
        from orchestrator.release.gitsession import SessionRepo
    except ImportError as e:  # GitPython refuses to import when it cannot run git
        raise GitError("git is not installed or not on PATH") from e
    repo = SessionRepo(root, search_parent_directories=True)
    _configure(repo.git)
    return repo


def _runner(root: Path) -> GitCommand:
    """A git runner in the workspace root: pathspecs and `--relative` output are then the
    workspace's paths, as everywhere else."""
    from orchestrator.release.gitsession import SessionGit

    runner = SessionGit(str(root))
    _configure(runner)
    return runner


def _configure(runner: GitCommand) -> None:
    runner.update_environment(**_ENVIRONMENT)
    runner.set_persistent_git_options(no_pager=True, c="core.quotepath=false")


class Ran(NamedTuple):
    """How one git command went: its exit status and what it printed."""

    status: int
    stdout: str
    stderr: str


class ReleaseGit:
    """The release's view of one repository: history reads and the few writes it makes."""

    def __init__(self, git: Git):
        self.git = git
        self.root = git.root

    @cached_property
    def repo(self) -> Repo:
        return _open(self.root)

    @cached_property
    def runner(self) -> GitCommand:
        return _runner(self.root)

    def _run(self, command: str, *args: str) -> Ran:
        """`git COMMAND ARGS...` in the workspace root; never raises."""
        status, stdout, stderr = getattr(self.runner, command)(
            *args, with_extended_output=True, with_exceptions=False)
        return Ran(status, stdout, stderr)

    def _output(self, failure: str, command: str, *args: str) -> str:
        """What the command printed; a GitError saying `failure` and git's complaint if it
        failed."""
        ran = self._run(command, *args)
        if ran.status != 0:
            raise GitError(f"{failure} ({complaint(ran.stdout, ran.stderr)})",
                           detail=f"git {command} {' '.join(args)} in {self.root}")
        return ran.stdout

    # -- reads ---------------------------------------------------------------

    def head(self) -> str:
        try:
            return self.repo.head.commit.hexsha  # read afresh: a release moves HEAD
        except ValueError as e:
            branch = self.git.unborn_branch() if self.git.has_commits() else None
            if branch is not None:  # `git checkout --orphan`: history, just not on HEAD
                raise GitError(f"HEAD is on branch '{branch}', which has no commits yet (other "
                               "branches have commits)",
                               hint="commit something on it first, or check out a branch that "
                                    "has commits") from e
            raise GitError(f"{self.root} has no commits yet") from e

    def branch(self) -> str | None:
        return None if self.repo.head.is_detached else self.repo.active_branch.name

    def message(self, commit: str) -> str:
        message = self.repo.commit(commit).message
        return message if isinstance(message, str) else message.decode(errors="replace")

    def commits(self, since: str | None, head: str, path: str) -> list[Commit]:
        """Non-merge commits in `since..head` that touched `path`, newest first."""
        spec = head if since is None else f"{since}..{head}"
        pathspec = [] if path == "." else ["--", path]
        out = self._output(f"cannot read the history of {path} in {spec}", "log", "-z",
                           "--no-merges", "--no-renames", "--name-only", "--relative",
                           "--format=%x01%H%x02%B%x03", spec, *pathspec)
        return [_parse_commit(chunk) for chunk in out.split("\x01") if chunk.strip("\0\n")]

    def last_release_commit(self, head: str) -> str | None:
        """The newest release commit reachable from `head` (see `release_tags`), if any."""
        pattern = f"^[[:space:]]*({RELEASE_TRAILER}|{LEGACY_TRAILER})[[:space:]]*:"
        found = self._output(f"cannot search the history of {head} for release commits",
                             "log", "-1", "-E", f"--grep={pattern}", "--format=%H", head).strip()
        return found or None

    def tags_merged(self, head: str) -> list[str]:
        """Tags whose commits are reachable from `head`."""
        return self._output(f"cannot list the tags reachable from {head}", "tag", "--list",
                            "--merged", head).split()

    def tags_at(self, commit: str) -> list[str]:
        return sorted(tag.name for tag in self.repo.tags if _commit_of(tag) == commit)

    def tag_commit(self, tag: str) -> str | None:
        if tag_name_problem(tag) is not None:
            return None  # no tag of that name can exist (nor be read as a path of .git)
        return _commit_of(self.repo.tag(f"refs/tags/{tag}"))

    def remote_of(self, branch: str) -> str:
        return str(self.repo.heads[branch].config_reader().get_value("remote", "origin"))

    def has_remote(self, remote: str) -> bool:
        return remote in {r.name for r in self.repo.remotes}

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        from git.exc import BadName, GitCommandError

        try:
            return self.repo.is_ancestor(self.repo.commit(ancestor), self.repo.commit(descendant))
        except (BadName, ValueError, GitCommandError):  # an unknown commit is no ancestor
            return False

    # -- writes --------------------------------------------------------------

    def commit(self, paths: list[str], message: str, *, verify: bool = True) -> str:
        """Stage `paths` and commit them, running the repository's hooks unless `verify` is
        False. git runs in its own session (see interrupts): if we are interrupted, it and
        its hooks are stopped and waited for before the caller decides anything."""
        self._child(f"cannot stage {', '.join(paths)}", "add", "--", *paths)
        self._child("git commit failed", "commit", "-q", *([] if verify else ["--no-verify"]),
                    "-m", message)
        return self.head()

    def _child(self, failure: str, *args: str) -> str:
        """What `git ARGS...`, run as `run_child` runs it, printed; a GitError saying
        `failure` if it failed."""
        ran = run_child(["git", "-c", "core.quotepath=false", *args], self.root,
                        {**os.environ, **_ENVIRONMENT})
        if ran.status != 0:
            output = "\n".join(part.strip() for part in (ran.stdout, ran.stderr) if part.strip())
            raise GitError(f"{failure} (exit {ran.status})", detail=output or "no output")
        return ran.stdout

    # -- what decides and does the undoing of a failed or interrupted apply ------------
    # Each a fresh git in its own session (never GitPython's long-lived readers): they must
    # work after a signal, and while a second one arrives.

    def head_now(self) -> tuple[str, str]:
        """HEAD's commit and message."""
        out = self._child("cannot read HEAD", "log", "-1", "--format=%H%n%B", "HEAD")
        sha, _, message = out.partition("\n")
        return sha.strip(), message

    def changes_now(self) -> set[str]:
        """Every path of the repository (from its top) that is staged, differs from the index
        or is untracked and not ignored."""
        return set(self._status_now())

    def _status_now(self) -> dict[str, str]:
        out = self._child("cannot read the status of the working tree", "-C", str(self.git.top),
                          "status", "--porcelain=v1", "-z", "--no-renames",
                          "--untracked-files=all")
        return {record[3:]: record[:2] for record in out.split("\0") if len(record) > 3}

    def unstage(self, paths: list[str]) -> None:
        self._child(f"cannot unstage {', '.join(paths)}", "reset", "-q", "--", *paths)

    def put_back(self, before: set[str]) -> tuple[list[str], list[str]]:
        """Every path that changed since the working tree's status was `before` (see
        `changes_now`) put back as HEAD has it: unstaged, its HEAD version checked out, or
        removed when HEAD has none. Safe only when those paths were as HEAD has them then.
        The paths put back, and those that still differ (from the top)."""
        changed = {p: xy for p, xy in self._status_now().items() if p not in before}
        top = ["-C", str(self.git.top)]
        staged = sorted(p for p, xy in changed.items() if xy[0] not in " ?")
        if staged:
            self._child(f"cannot unstage {', '.join(staged)}", *top, "reset", "-q", "--", *staged)
        now = self._status_now()
        tracked = sorted(p for p in changed if now.get(p, "??") != "??")
        if tracked:
            self._child(f"cannot check out {', '.join(tracked)}", *top, "checkout", "-q", "--",
                        *tracked)
        for path in sorted(p for p in changed if now.get(p) == "??"):
            (self.git.top / path).unlink(missing_ok=True)
        left = sorted(p for p in self._status_now() if p not in before)
        return sorted(changed), left

    def create_tag(self, tag: str, commit: str, message: str) -> None:
        from git.exc import GitCommandError

        try:
            self.repo.create_tag(tag, ref=commit, message=message)
        except GitCommandError as e:
            raise GitError(f"cannot create tag {tag} ({_complaint_of(e)})") from e

    def fetch(self, remote: str, branch: str) -> str | None:
        """The remote's commit for `branch` after fetching it, or None when it has none."""
        self._output(f"cannot fetch from {remote}", "fetch", "-q", remote)
        from git.refs.remote import RemoteReference

        return _commit_of(RemoteReference(self.repo, f"refs/remotes/{remote}/{branch}"))

    def push(self, remote: str, branch: str, tags: list[str]) -> str | None:
        """Push the branch and tags in one atomic update; git's complaint when refused."""
        refs = [f"HEAD:refs/heads/{branch}", *(f"refs/tags/{t}:refs/tags/{t}" for t in tags)]
        ran = self._run("push", "--atomic", "--porcelain", remote, *refs)
        return None if ran.status == 0 else complaint(ran.stdout, ran.stderr)

    def add_worktree(self, directory: Path, commit: str) -> None:
        self._output(f"cannot check out {commit[:12]} in {directory}", "worktree", "add", "-q",
                     "--detach", str(directory), commit)

    def remove_worktree(self, directory: Path) -> None:
        self._run("worktree", "remove", "--force", str(directory))
        self.prune_worktrees()

    def prune_worktrees(self) -> None:
        """Forget the worktrees whose directories are gone."""
        self._run("worktree", "prune")

    def worktrees(self) -> list[Path]:
        """Every linked worktree (the main one left out)."""
        out = self._output("cannot list the worktrees", "worktree", "list", "--porcelain", "-z")
        paths = [Path(f[len("worktree "):]) for f in out.split("\0") if f.startswith("worktree ")]
        return paths[1:]


def _commit_of(ref: TagReference | RemoteReference) -> str | None:
    """The commit a ref names (through annotated tags), or None when it names none."""
    try:
        return ref.commit.hexsha
    except (ValueError, TypeError):  # missing, or naming a tree or blob
        return None


def _complaint_of(error: GitCommandError) -> str:
    """git's complaint in a GitPython error.

    Its `stdout` and `stderr` attributes are decorated for printing; the arguments it was
    raised with, (command, status, stderr, stdout), are git's own words.
    """
    from git.compat import safe_decode

    stderr, stdout = (*error.args[2:4], None, None)[:2]
    return complaint(safe_decode(stdout) or "", safe_decode(stderr) or "")


def _parse_commit(chunk: str) -> Commit:
    sha, _, rest = chunk.partition("\x02")
    message, _, files = rest.partition("\x03")
    paths = tuple(p.strip("\n") for p in files.split("\0") if p.strip("\n"))
    return Commit(sha.strip("\0\n"), message.strip(), paths)
