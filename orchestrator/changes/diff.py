"""The change set of a range: every path that differs between the merge base and HEAD.

Read with `-z` and without rename pairing, so both sides of a move count and odd paths
(spaces, non-ASCII letters, newlines) come through exactly. When HEAD is the working tree,
staged, unstaged and untracked (not ignored) files count too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from orchestrator.errors import GitError
from orchestrator.gitrepo import Git
from orchestrator.workspace.snapshot import blob_id

SHALLOW_HINT = "fetch full history, e.g. actions/checkout with fetch-depth: 0"
COMMIT_HINT = "pass a branch, tag or commit"


class MissingBaseError(GitError):
    """BASE does not exist here, or history is too shallow to find the merge base."""


@dataclass(frozen=True)
class ChangeSet:
    """Files changed from the merge base of BASE and HEAD to HEAD."""

    base: str  # as named by the option, CI or config
    base_commit: str
    merge_base: str
    head: str  # the ref given, or "HEAD"
    head_commit: str
    worktree: bool  # uncommitted and untracked files are included
    files: tuple[str, ...]  # sorted, unique; deleted and both sides of a move included


class NoCommitError(GitError):
    """HEAD is a branch with no commit yet: nothing to compare up to."""


def head_commit(git: Git, head: str | None, *, head_option: bool = True) -> str:
    """The commit HEAD (or the ref given) names; a missing one is an error naming it.
    `head_option`: the command takes --head, which the hint may then suggest."""
    commit = git.resolve(head or "HEAD")
    if commit is not None:
        return commit
    if head is None:
        raise _no_commit(git, head_option)
    kind = other_object(git, head)
    if kind is not None:
        raise GitError(f"head ref '{head}' names a {kind}, not a commit", hint=COMMIT_HINT)
    raise GitError(f"head ref '{head}' does not exist",
                   hint="pass a branch, tag or commit that exists in this clone")


def _no_commit(git: Git, head_option: bool) -> NoCommitError:
    """Why HEAD names no commit: the repository has none, or HEAD is a branch not yet born
    in a repository that has (`git checkout --orphan`)."""
    if not git.has_commits():
        return NoCommitError(f"the repository at {git.root} has no commits yet",
                             hint="commit something first")
    branch = git.unborn_branch()
    where = f"branch '{branch}'" if branch is not None else "a branch"
    hint = "commit something on it first, or check out a branch that has commits"
    return NoCommitError(f"HEAD is on {where}, which has no commits yet (other branches have "
                         "commits)",
                         hint=f"{hint}, or pass --head REF" if head_option else hint)


def base_commit(git: Git, base: str) -> str:
    commit = git.resolve(base)
    if commit is not None:
        return commit
    kind = other_object(git, base)
    if kind is not None:
        raise GitError(f"base ref '{base}' names a {kind}, not a commit", hint=COMMIT_HINT)
    hint = SHALLOW_HINT if git.is_shallow() else "fetch it (e.g. git fetch origin)"
    raise MissingBaseError(f"base ref '{base}' does not exist in this clone", hint=hint)


def other_object(git: Git, ref: str) -> str | None:
    """What a ref that names no commit names instead ("tree", "blob": a tree id, a
    `REV:path`), or None when it names nothing. Such a ref exists: saying it does not would
    send the user fetching."""
    kind = git.object_type(ref)
    return kind if kind != "commit" else None


def find_merge_base(git: Git, base: str, base_sha: str, head: str, head_sha: str) -> str:
    """The merge base of BASE and HEAD: failing to find one stops the command."""
    found = git.merge_base(base_sha, head_sha)
    if found is not None:
        return found
    if git.is_shallow():
        raise MissingBaseError(
            f"history is too shallow to find the merge base of '{base}' and '{head}'",
            hint=SHALLOW_HINT,
        )
    raise MissingBaseError(f"'{base}' and '{head}' have no common history",
                           hint="pass a --base that shares history with HEAD")


def hidden_edits(git: Git) -> list[str]:
    """Files marked assume-unchanged or skip-worktree whose content on disk differs from the
    index, or that are gone from it: `git diff` does not look at them, and missing them would
    miss their packages."""
    flags = git.index_flags()
    edited = []
    for path, blob in flags.flagged.items():
        full = git.root / path
        try:
            data = os.readlink(full).encode() if full.is_symlink() else full.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            if path not in flags.sparse:  # deleted: only skip-worktree leaves a file off
                edited.append(path)
            continue
        if blob_id(data) != blob:
            edited.append(path)
    return edited


def collect_changes(git: Git, base: str, head: str | None, *, committed_only: bool) -> ChangeSet:
    """The change set of BASE...HEAD; with no HEAD, BASE...working tree unless committed_only."""
    head_sha = head_commit(git, head)
    base_sha = base_commit(git, base)
    label = head or "HEAD"
    merge_base = find_merge_base(git, base, base_sha, label, head_sha)
    worktree = head is None and not committed_only
    files = {change.path for change in git.diff(merge_base, None if worktree else head_sha)}
    if worktree:
        files.update(git.untracked())
        files.update(hidden_edits(git))
    return ChangeSet(base, base_sha, merge_base, label, head_sha, worktree, tuple(sorted(files)))
