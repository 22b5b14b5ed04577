"""Task cache keys, made of everything affected-ness reads.

A key covers the task definition, the package's files (with their modes), the global files
(root and task-scoped) and extra inputs, the package's locked closure in uv.lock, the
files of every package it depends on over the edge kinds affected-ness follows (every kind
unless `affected-kinds` says otherwise), the Python version and the
caller's variables the task reads. So whenever `affected` would select a package, its key
has changed and the cache cannot answer for it.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import platform
import shutil
import sys
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.errors import OrchestratorError
from orchestrator.tasks.definitions import ResolvedTask, referenced_variables
from orchestrator.workspace import cachefile
from orchestrator.workspace.globs import FilePatterns
from orchestrator.workspace.lockfile import LOCK_FILE, LockError, LockStore
from orchestrator.workspace.snapshot import blob_id, read_regular

if TYPE_CHECKING:
    from orchestrator.gitrepo import Git
    from orchestrator.workspace.discovery import Workspace
    from orchestrator.workspace.graph import PackageGraph

KEY_FORMAT = 4
PROGRAMS_VERSION = cachefile.version(1)  # of the programs' digests file


# -- the state of the working tree -------------------------------------------------------


def worktree_ids(git: Git, *, fresh: bool = True) -> dict[str, str]:
    """A content id per file, mode included: index entries, replaced by what is on disk for
    files that differ (as git said when the command's workspace was read, unless `fresh`:
    then as it says now).

    One `ls-files` and one `status` for the whole repository, whatever its size. Files
    marked `--skip-worktree` or `--assume-unchanged` are ones git no longer looks at on
    disk, so `status` cannot say they changed: they are always read from disk (except a
    skip-worktree file that is absent, which is what a sparse checkout leaves out).
    """
    if fresh:
        git.forget()
    index = git.index_flags()
    ids = dict(index.entries)
    unwatched = {path: path in index.sparse for path in index.flagged}
    for path in git.status()[0]:
        ids[path] = _disk_id(git, path)
    for path, sparse in unwatched.items():
        on_disk = _disk_id(git, path)
        if not (sparse and on_disk == "deleted"):
            ids[path] = on_disk
    return ids


def _disk_id(git: Git, path: str) -> str:
    full = git.root / path
    if full.is_symlink():
        return f"120000 {blob_id(os.readlink(full).encode('utf-8', 'surrogateescape'))}"
    if full.is_dir():  # a submodule: its checked-out commit, or never cached while dirty
        return _submodule_id(full)
    try:
        mode = "100755" if full.stat().st_mode & 0o100 else "100644"  # as git records it
        return f"{mode} {blob_id(read_regular(full, path))}"
    except OSError:
        return "deleted"


def _submodule_id(directory: Path) -> str:
    from orchestrator.gitrepo import Git

    sub = Git(directory)
    head = sub.resolve("HEAD") or "none"
    if sub.dirty_paths():
        return f"160000 {head} modified-{uuid.uuid4().hex}"  # no key can stand for it
    return f"160000 {head}"


# -- uv.lock closures ----------------------------------------------------------------------


class LockClosures:
    """Each member's locked closure in uv.lock (the affected engine's definition), sorted,
    computed for the members asked about (kept by `store` with the lock's blob id).

    A lock that cannot be read puts its whole contents in every member's closure.
    """

    def __init__(self, data: bytes | None, store: LockStore | None = None):
        self.data = data
        self.store = store if store is not None else LockStore(None)

    def __call__(self, name: str) -> list[str]:
        if self.data is None:
            return []
        try:
            lock = self.store.open(self.data, "in the working tree")
        except LockError:
            return [f"unreadable:{blob_id(self.data)}"]
        return sorted("|".join(item) for item in lock.closure(name))


# -- keys ----------------------------------------------------------------------------------


class KeyBuilder:
    """Computes cache keys for one run; fingerprints are shared between packages."""

    def __init__(self, workspace: Workspace, graph: PackageGraph, ids: Mapping[str, str],
                 environ: Mapping[str, str] | None = None, locks: LockStore | None = None,
                 ignored: Callable[[], list[str]] = list,
                 disk_id: Callable[[str], str] = str,
                 programs: Programs | None = None):
        self.workspace = workspace
        self._programs = programs if programs is not None else Programs(None)
        self._read_ignored = ignored  # ignored files: counted where a task names them
        self._disk_id = disk_id
        self._ignored: list[str] | None = None
        self._ignored_matches: dict[tuple[str, ...], list[tuple[str, str]]] = {}
        self.graph = graph.followed(workspace.config.affected_kinds)  # what affected walks
        self.environ = os.environ if environ is None else environ
        self._all = sorted(ids.items())
        self._paths = [path for path, _ in self._all]
        self._locks = LockClosures(self._lock_data(ids), locks)
        self._fingerprints: dict[str, str] = {}
        self._matches: dict[tuple[str, ...], list[tuple[str, str]]] = {}

    def _lock_data(self, ids: Mapping[str, str]) -> bytes | None:
        if LOCK_FILE not in ids:
            return None
        try:
            return read_regular(self.workspace.root / LOCK_FILE, LOCK_FILE)
        except FileNotFoundError:
            return None  # listed by git but deleted from the working tree
        except OSError as e:
            raise OrchestratorError(f"cannot read {LOCK_FILE}: {e.strerror}") from e

    def fingerprint(self, name: str) -> str:
        """The package's own state: its files and its locked external closure."""
        if name not in self._fingerprints:
            self._fingerprints[name] = digest(
                {"files": self._files_of(name), "lock": self._locks(name)}
            )
        return self._fingerprints[name]

    def _files_of(self, name: str) -> list[tuple[str, str]]:
        """The files `name` owns: under its directory (a range of the sorted paths), less
        those a nested package owns."""
        directory = self.workspace.by_name[name].path
        prefix = "" if directory == "." else directory + "/"
        start = bisect.bisect_left(self._paths, prefix)
        end = bisect.bisect_left(self._paths, prefix + "\U0010ffff") if prefix else len(
            self._paths)
        return [(p, i) for p, i in self._all[start:end]
                if self.workspace.owner_name(p) == name]

    def key(self, job: ResolvedTask) -> str:
        definition = job.definition
        patterns = self.workspace.config.global_files + definition.global_files
        return digest({
            "format": KEY_FORMAT,
            "task": asdict(definition),
            "package": job.package,
            "python": python_identity(),
            "program": self._programs.identity(job),
            "env": {v: self.environ.get(v) for v in referenced_variables(definition)},
            "global": self._matching(patterns),
            "inputs": self._matching(definition.inputs),
            "ignored": self._matching_ignored(definition.global_files + definition.inputs),
            "self": self.fingerprint(job.package),
            "dependencies": [(d, self.fingerprint(d))
                             for d in sorted(self.graph.all_dependencies([job.package]))],
        })

    def _matching(self, patterns: tuple[str, ...]) -> list[tuple[str, str]]:
        """Files matching gitignore-style patterns from the root, wherever they are (as the
        affected engine applies global patterns)."""
        if not patterns:
            return []
        if patterns not in self._matches:
            spec = FilePatterns(patterns, "task global-files and inputs")
            self._matches[patterns] = [(p, i) for p, i in self._all if spec.match(p)]
        return self._matches[patterns]

    def _matching_ignored(self, patterns: tuple[str, ...]) -> list[tuple[str, str]]:
        """Files git ignores that the task's own patterns name (generated code, a `.env`):
        git lists none of them, yet the task reads them. Listed once, matched once per set
        of patterns (an ignored virtual environment can hold many files)."""
        if not patterns:
            return []
        if self._ignored is None:
            self._ignored = self._read_ignored()
        if patterns not in self._ignored_matches:
            spec = FilePatterns(patterns, "task global-files and inputs")
            self._ignored_matches[patterns] = sorted(
                (p, self._disk_id(p)) for p in self._ignored if spec.match(p))
        return self._ignored_matches[patterns]


def python_identity() -> str:
    """This interpreter (what `{python}` runs): two virtual environments of one Python
    version can hold different packages."""
    return f"{sys.implementation.name}-{platform.python_version()}-{sys.platform}-" \
           f"{platform.machine()}-{sys.executable}-{sys.prefix}"


class Programs:
    """The program each command starts, as the job's PATH finds it: its path (a virtual
    environment's `python` names its packages), the file it resolves to, and a digest of
    that file, so another `python` first on PATH, or an upgrade in place, is another
    program. Digests are kept by the file's stat data in `path` (None: for this process):
    a 40 MB interpreter is read once, not on every run."""

    def __init__(self, path: Path | None):
        self.path = path
        stored = cachefile.read(path, PROGRAMS_VERSION)
        self._digests: dict[str, tuple[tuple[int, ...], str]] = (
            stored if isinstance(stored, dict) else {})
        self._identities: dict[tuple[str, str | None, Path], str | None] = {}
        self._changed = False

    def identity(self, job: ResolvedTask) -> str | None:
        """None when nothing is found: the run fails, and is never stored."""
        program = job.argv[0] if job.argv else ""
        search = {**os.environ, **dict(job.env)}.get("PATH")
        memo = (program, search, job.cwd)
        if memo not in self._identities:
            found = shutil.which(program, path=search) if os.sep not in program else str(
                job.cwd / program)
            real = os.path.realpath(found) if found is not None else None
            contents = self._digest(real) if real is not None else None
            self._identities[memo] = f"{found}|{real}|{contents}" if contents else None
        return self._identities[memo]

    def save(self) -> None:
        if self._changed:
            cachefile.write(self.path, PROGRAMS_VERSION, self._digests)

    def _digest(self, path: str) -> str | None:
        try:
            info = os.stat(path)
            stamp = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)
            known = self._digests.get(path)
            if known is not None and tuple(known[0]) == stamp:
                return known[1]
            with open(path, "rb") as file:
                found = hashlib.file_digest(file, "sha256").hexdigest()
        except OSError:
            return None
        self._digests[path] = (stamp, found)
        self._changed = True
        return found


def digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=list)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def compute_keys(git: Git, workspace: Workspace, graph: PackageGraph,
                 jobs: Iterable[ResolvedTask], locks: LockStore | None = None, *,
                 fresh: bool = True) -> dict[str, str]:
    """The key of every job, package name -> key (lock closures kept in `locks`; the working
    tree as git said when the workspace was read, unless `fresh`)."""
    from orchestrator.workspace.parsecache import state_dir

    programs = Programs(state_dir(workspace.root) / "cache" / "programs.marshal")
    builder = KeyBuilder(workspace, graph, worktree_ids(git, fresh=fresh), locks=locks,
                         ignored=git.ignored, disk_id=lambda path: _disk_id(git, path),
                         programs=programs)
    keys = {job.package: builder.key(job) for job in jobs}
    programs.save()
    if locks is not None:
        locks.save()
    return keys
