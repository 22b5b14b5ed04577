"""Every git operation a release needs, reads and writes, by argv through `gitrepo.Git`."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from orchestrator.errors import GitError
from orchestrator.gitrepo import Git

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


class ReleaseGit:
    """The release's view of one repository: history reads and the few writes it makes."""

    def __init__(self, git: Git):
        self.git = git
        self.root = git.root

    def _attempt(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run git and hand back how it went, for the calls whose failure is reported in git's
        own words (in English, and never waiting for a password at a prompt)."""
        env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
        return subprocess.run(["git", *args], cwd=self.root, capture_output=True, text=True,
                              env=env, check=False)

    def _resolve(self, ref: str) -> str | None:
        # Not Git.resolve: that memoises, and a release moves HEAD and creates tags.
        out = self.git.run("rev-parse", "--verify", "--quiet", "--end-of-options",
                           f"{ref}^{{commit}}", check=False)
        return out.decode().strip() or None

    def head(self) -> str:
        sha = self._resolve("HEAD")
        if sha is None:
            raise GitError(f"{self.root} has no commits yet")
        return sha

    def branch(self) -> str | None:
        out = self.git.run("symbolic-ref", "-q", "--short", "HEAD", check=False)
        return out.decode().strip() or None

    def message(self, commit: str) -> str:
        return self.git.run("show", "-s", "--format=%B", commit).decode()

    def commits(self, since: str | None, head: str, path: str) -> list[Commit]:
        """Non-merge commits in `since..head` that touched `path`, newest first."""
        spec = head if since is None else f"{since}..{head}"
        pathspec = [] if path == "." else ["--", path]
        out = self.git.run("log", "-z", "--no-merges", "--no-renames", "--name-only",
                           "--format=%x01%H%x02%B%x03", spec, *pathspec)
        return [_parse_commit(chunk) for chunk in out.decode(errors="replace").split("\x01")
                if chunk.strip("\0\n")]

    def tags_merged(self, head: str) -> list[str]:
        """Tags whose commits are reachable from `head`."""
        out = self.git.run("tag", "--list", "--merged", head)
        return out.decode().split()

    def tags_at(self, commit: str) -> list[str]:
        return self.git.run("tag", "--list", "--points-at", commit).decode().split()

    def tag_commit(self, tag: str) -> str | None:
        return self._resolve(f"refs/tags/{tag}")

    # -- writes --------------------------------------------------------------

    def commit(self, paths: list[str], message: str) -> str:
        self.git.run("add", "--", *paths)
        self.git.run("commit", "-q", "--no-verify", "-m", message)
        return self.head()

    def unstage(self, paths: list[str]) -> None:
        self.git.run("reset", "-q", "--", *paths, check=False)

    def create_tag(self, tag: str, commit: str, message: str) -> None:
        self.git.run("tag", "-a", "-m", message, tag, commit)

    def delete_tag(self, tag: str) -> None:
        self.git.run("tag", "-d", tag, check=False)

    def remote_of(self, branch: str) -> str:
        out = self.git.run("config", "--get", f"branch.{branch}.remote", check=False)
        return out.decode().strip() or "origin"

    def has_remote(self, remote: str) -> bool:
        return remote in self.git.run("remote").decode().split()

    def fetch(self, remote: str, branch: str) -> str | None:
        """The remote's commit for `branch` after fetching it, or None when it has none."""
        proc = self._attempt("fetch", "-q", remote)
        if proc.returncode != 0:
            raise GitError(f"cannot fetch from {remote} ({complaint(proc.stdout, proc.stderr)})")
        return self.git.run("rev-parse", "--verify", "-q", f"refs/remotes/{remote}/{branch}",
                            check=False).decode().strip() or None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self._attempt("merge-base", "--is-ancestor", ancestor, descendant).returncode == 0

    def push(self, remote: str, branch: str, tags: list[str]) -> str | None:
        """Push the branch and tags in one atomic update; git's complaint when refused."""
        refs = [f"HEAD:refs/heads/{branch}", *(f"refs/tags/{t}:refs/tags/{t}" for t in tags)]
        proc = self._attempt("push", "--atomic", "--porcelain", remote, *refs)
        return None if proc.returncode == 0 else complaint(proc.stdout, proc.stderr)

    def add_worktree(self, directory: Path, commit: str) -> None:
        self.git.run("worktree", "add", "-q", "--detach", str(directory), commit)

    def remove_worktree(self, directory: Path) -> None:
        self.git.run("worktree", "remove", "--force", str(directory), check=False)
        self.git.run("worktree", "prune", check=False)


def _parse_commit(chunk: str) -> Commit:
    sha, _, rest = chunk.partition("\x02")
    message, _, files = rest.partition("\x03")
    paths = tuple(p.strip("\n") for p in files.split("\0") if p.strip("\n"))
    return Commit(sha.strip("\0\n"), message.strip(), paths)
