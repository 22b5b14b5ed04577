"""Every read of git goes through here: plumbing commands run by argv, NUL-separated output.

Plain subprocess rather than GitPython on this path: importing GitPython costs more than a
whole affected query on a thousand packages, and plumbing output is simple to read.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from orchestrator.errors import GitError

SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"


class TreeEntry(NamedTuple):
    """One entry of `ls-tree -r` (a tuple: a large tree has tens of thousands)."""

    path: str
    mode: str
    object_id: str


class FileChange(NamedTuple):
    status: str  # A, M, D, T, ... as git prints it
    path: str


def find_root(start: Path) -> Path:
    """The top of the git working tree containing `start`."""
    start = start.resolve()
    if not start.is_dir():
        raise GitError(f"{start} is not a directory")
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    bare = _bare_repository(start)
    if bare is not None:
        raise GitError(
            f"{bare} is a bare git repository, which has no working tree to read",
            hint="run orchestrator in a clone with a working tree (git clone, or git worktree "
                 "add), or pass -C DIR",
        )
    raise GitError(
        f"{start} is not inside a git repository",
        hint="run orchestrator inside a clone, or pass -C DIR",
    )


def _bare_repository(directory: Path) -> str | None:
    """The bare repository `directory` is in, if it is in one (asked only once no working
    tree was found: `--at REV` could read one, but caches and defaults assume a clone)."""
    try:
        proc = subprocess.run(["git", "rev-parse", "--is-bare-repository", "--absolute-git-dir"],
                              cwd=directory, capture_output=True, env=_environment())
    except OSError:
        return None
    lines = proc.stdout.decode(errors="replace").splitlines()
    return lines[1] if proc.returncode == 0 and lines[:1] == ["true"] and len(lines) > 1 else None


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # Exact paths and stable output whatever the user's configuration says.
    env.update({"GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"})
    return env


class IndexFlags(NamedTuple):
    """The index: every entry's blob id, and the entries git's stat comparison does not
    cover: `sparse` (skip-worktree) and `flagged` (skip-worktree or assume-unchanged, with
    their blob ids), and `links`, the symbolic links, which a commit holds as text and the
    disk follows."""

    sparse: set[str]
    flagged: dict[str, str]
    links: set[str]
    ids: dict[str, str]  # path -> blob id, for files (not submodules)
    entries: dict[str, str]  # path -> "mode object id", every entry


class Git:
    """A git working tree, read with plumbing commands.

    `root` is the workspace root, which may be a folder of the repository (`top`): every
    command runs there, and every path in and out is relative to it and limited to it, so
    that files outside the workspace never count.
    """

    def __init__(self, root: Path, top: Path | None = None):
        self.root = root
        self.top = top or root
        relative = root.relative_to(self.top).as_posix()
        self.prefix = "" if relative == "." else relative + "/"
        self._env = _environment()
        self._resolved: dict[str, str | None] = {}
        self._trees: dict[str, str | None] = {}
        self._flags: IndexFlags | None = None
        self._status: tuple[list[str], list[str]] | None = None

    def run(self, *args: str, check: bool = True, stdin: bytes | None = None) -> bytes:
        proc = self._exec(args, stdin)
        if check and proc.returncode != 0:
            message = proc.stderr.decode(errors="replace").strip().splitlines()
            raise GitError(
                f"git {args[0]} failed in {self.root}: {message[-1] if message else 'no output'}",
                detail=" ".join(proc.args),
            )
        return proc.stdout

    def _exec(self, args: tuple[str, ...],
              stdin: bytes | None) -> subprocess.CompletedProcess[bytes]:
        argv = ["git", "-c", "core.quotepath=false", *args]
        try:
            return subprocess.run(argv, cwd=self.root, input=stdin, capture_output=True,
                                  env=self._env)
        except FileNotFoundError as e:
            raise GitError("git is not installed or not on PATH") from e

    # -- refs ---------------------------------------------------------------

    def resolve(self, ref: str) -> str | None:
        """The commit a ref names, or None when it does not exist. The workspace's tree at
        that commit is learnt in the same process (see `tree_ids`)."""
        self.resolve_all([ref])
        return self._resolved[ref]

    def resolve_all(self, refs: Iterable[str]) -> None:
        """Resolve several refs (and their trees) in one `cat-file --batch-check`; a ref
        that names no single commit (a range, a missing name, an upstream that is not set)
        resolves to None."""
        wanted = [r for r in dict.fromkeys(refs) if r not in self._resolved]
        for ref in [r for r in wanted if "\n" in r or not r]:
            self._resolved[ref] = None
            wanted.remove(ref)
        if not wanted:
            return
        lines = self._batch_check(
            [f"{r}^{{commit}}\n{r}^{{commit}}{self._tree_suffix}\n" for r in wanted])
        for i, ref in enumerate(wanted):
            found = self._resolved[ref] = _found(lines[2 * i], "commit")
            if found is not None:
                self._trees[found] = _found(lines[2 * i + 1], "tree")

    def object_type(self, ref: str) -> str | None:
        """What `ref` names once tags are peeled (commit, tree or blob), or None when it
        names nothing. For messages: asked only once a ref turned out not to be a commit."""
        if "\n" in ref or not ref:
            return None
        line = self._batch_check([f"{ref}\n"])[0]
        if len(line) == 3 and line[1] == "tag":
            line = self._batch_check([f"{line[0]}^{{}}\n"])[0]
        return line[1] if len(line) == 3 else None

    def unborn_branch(self) -> str | None:
        """The branch HEAD is on when it has no commit yet (asked once HEAD resolved to
        nothing): a new repository's first branch, or one made by `checkout --orphan`."""
        out = self.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
        return out.decode(errors="replace").strip() or None

    def has_commits(self) -> bool:
        """Whether any branch, tag or other ref names an object: the repository has history."""
        return bool(self.run("for-each-ref", "--count=1", "--format=%(objectname)",
                             check=False).strip())

    def _batch_check(self, items: list[str]) -> list[list[str]]:
        """`cat-file --batch-check`'s answer to each line of the items (each a few lines of
        object names, newline-terminated), split into words, in one process.

        A name git cannot even look up (`@{u}` where no upstream is set, `@{push}`,
        `HEAD@{999}`) makes git fail the whole batch; then each item is asked alone, and an
        item that still fails answers `missing` on each line, as a name that does not exist.
        """
        proc = self._exec(("cat-file", "--batch-check"), "".join(items).encode())
        if proc.returncode == 0:
            return [line.split(" ") for line in proc.stdout.decode().splitlines()]
        if len(items) > 1:
            return [line for item in items for line in self._batch_check([item])]
        return [[name, "missing"] for name in items[0].splitlines()]

    def merge_base(self, a: str, b: str) -> str | None:
        out = self.run("merge-base", a, b, check=False).decode().strip()
        return out or None

    def is_shallow(self) -> bool:
        out = self.run("rev-parse", "--is-shallow-repository", check=False)
        return out.decode().strip() == "true"


    # -- trees ---------------------------------------------------------------

    def spec(self, commit: str, path: str) -> str:
        """How git names a workspace file in a commit (`""` for the index): `commit:path`
        from the repository's top."""
        return f"{commit}:{self.prefix}{path}"

    def ls_tree(self, commit: str) -> list[TreeEntry]:
        out = self.run("ls-tree", "-r", "-z", commit)  # the workspace's subtree only
        text = out.decode("utf-8", errors="surrogateescape")
        entries = []
        for record in text.split("\0"):
            if record:
                meta, path = record.split("\t", 1)
                mode, _kind, object_id = meta.split(" ")
                entries.append(TreeEntry(path, mode, object_id))
        return entries

    def tree_ids(self, commits: Iterable[str]) -> dict[str, str | None]:
        """The id of the workspace's tree at each commit (None where it has none), through
        one `cat-file --batch-check`."""
        wanted = [c for c in dict.fromkeys(commits) if c not in self._trees]
        if wanted:
            lines = self._batch_check([f"{c}{self._tree_suffix}\n" for c in wanted])
            for commit, line in zip(wanted, lines, strict=True):
                self._trees[commit] = _found(line, "tree")
        return {c: self._trees[c] for c in commits}

    @property
    def _tree_suffix(self) -> str:
        """What names the workspace's tree after a commit: `:folder`, or `^{tree}`."""
        return f":{self.prefix.rstrip('/')}" if self.prefix else "^{tree}"

    def changed_between(self, tree_a: str, tree_b: str) -> list[str]:
        """Paths that differ between two trees of the workspace (no rename pairing)."""
        out = self.run("diff-tree", "-r", "-z", "--no-renames", "--name-only", tree_a, tree_b)
        return list(_split_z(out))

    def mode(self, commit: str, path: str) -> str | None:
        """The tree entry mode of one path at `commit` (`120000` for a symlink), or None."""
        out = self.run("ls-tree", "-z", commit, "--", path, check=False)
        record = out.split(b"\0", 1)[0]
        return record.split(b" ", 1)[0].decode() if record else None

    def submodules(self) -> list[str]:
        """Paths of the submodules the index records."""
        out = self.run("ls-files", "-z", "--stage")
        return [record.split("\t", 1)[1] for record in _split_z(out)
                if record.startswith(SUBMODULE_MODE + " ")]

    def index_flags(self) -> IndexFlags:
        """What the index says of the files git does not compare by their stat data, and of
        symbolic links: one `ls-files` of the index alone (no walk of the working tree)."""
        if self._flags is None:
            sparse, flagged, links, ids, entries = set(), {}, set(), {}, {}
            for record in _split_z(self.run("ls-files", "-z", "-v", "-s")):
                tag = record[0]
                meta, path = record[2:].split("\t", 1)
                mode, blob = meta.split(" ", 2)[:2]
                entries[path] = f"{mode} {blob}"
                if mode != SUBMODULE_MODE:  # a commit of another repository
                    ids[path] = blob
                if tag in "Ss":  # skip-worktree (lower case: also assume-unchanged)
                    sparse.add(path)
                if tag == "S" or tag.islower():
                    flagged[path] = blob
                if meta.startswith(SYMLINK_MODE):
                    links.add(path)
            self._flags = IndexFlags(sparse, flagged, links, ids, entries)
        return self._flags

    def read_blobs(self, object_ids: Iterable[str]) -> dict[str, bytes]:
        """Object contents through one `cat-file --batch` process."""
        ids = list(dict.fromkeys(object_ids))
        if not ids:
            return {}
        out = self.run("cat-file", "--batch", stdin="".join(f"{i}\n" for i in ids).encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for object_id in ids:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode().split(" ")
            pos = end + 1
            if header[-1] == "missing":
                continue
            size = int(header[2])
            blobs[object_id] = out[pos : pos + size]
            pos += size + 1
        return blobs

    def read_files(self, commit: str, paths: Iterable[str]) -> dict[str, tuple[str, bytes]]:
        """(blob id, contents) of each path that is a file (a blob) in `commit`'s tree, read
        through one `cat-file --batch` without listing the tree. Paths must not hold a newline."""
        wanted = list(dict.fromkeys(paths))
        if not wanted:
            return {}
        names = "".join(self.spec(commit, path) + "\n" for path in wanted)
        out = self.run("cat-file", "--batch", stdin=names.encode("utf-8", "surrogateescape"))
        found: dict[str, tuple[str, bytes]] = {}
        pos = 0
        for path in wanted:
            end = out.index(b"\n", pos)
            header = out[pos:end].decode("utf-8", "surrogateescape").split(" ")
            pos = end + 1
            if header[-1] == "missing" or len(header) != 3:
                continue  # absent ("missing"), or a name git could not take apart
            size = int(header[2])
            if header[1] == "blob":
                found[path] = (header[0], out[pos : pos + size])
            pos += size + 1
        return found

    # -- changes -------------------------------------------------------------

    def diff(self, base: str, head: str | None) -> list[FileChange]:
        """Files changed from `base` to `head` (the working tree and index when None).

        Rename pairing is off so that both sides of a move are reported.
        """
        args = ["diff", "--name-status", "-z", "--no-renames", "--no-ext-diff",
                "--ignore-submodules=none", "--relative", base]
        if head is not None:
            args.append(head)
        out = list(_split_z(self.run(*args)))
        return [FileChange(out[i][0], out[i + 1]) for i in range(0, len(out) - 1, 2)]

    def forget(self) -> None:
        """Read the index and the working tree's state again when next asked: files have
        changed since (tasks ran)."""
        self._flags = self._status = None

    def untracked(self) -> list[str]:
        return self.status()[1]

    def ignored(self) -> list[str]:
        """Untracked files git ignores (a build's output, a `.env`), each one listed: a walk
        of every ignored directory, so asked only when a task names files of its own."""
        out = self.run("ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--",
                       ".")
        return [path.removeprefix(self.prefix) for path in _split_z(out)]

    def dirty_paths(self) -> list[str]:
        """Paths with staged, unstaged or untracked (not ignored) changes, as they are now."""
        return [path for _, path in self._status_records()]

    def status(self) -> tuple[list[str], list[str]]:
        """Paths that differ from HEAD (staged, unstaged, untracked and not ignored), and the
        untracked ones, as git's stat data in the index tells them (files flagged
        assume-unchanged or skip-worktree are not looked at: see `index_flags`). Read once
        for the command."""
        if self._status is None:
            records = self._status_records()
            self._status = ([path for _, path in records],
                            [path for tag, path in records if tag == "??"])
        return self._status

    def _status_records(self) -> list[tuple[str, str]]:
        out = self.run("status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=all",
                       "--", ".")
        # Porcelain paths are from the repository's top, whatever the directory.
        return [(record[:2], record[3:].removeprefix(self.prefix)) for record in _split_z(out)]

    def commit_time(self, commit: str) -> int:
        return int(self.run("show", "-s", "--format=%ct", commit).decode().strip())


def _found(line: list[str], kind: str) -> str | None:
    """The object id in a `cat-file --batch-check` line when it names a `kind` object
    (`ID TYPE SIZE`; a missing name's line is the name, which may hold spaces, and a word)."""
    return line[0] if len(line) == 3 and line[1] == kind else None


def _split_z(out: bytes) -> Iterator[str]:
    for record in out.split(b"\0"):
        if record:
            yield record.decode("utf-8", errors="surrogateescape")
