"""The remote task cache: results shared between machines through a store, never the reason
a run fails.

Lookups and uploads run on small thread pools beside the tasks. Every problem is counted
and the first of each kind becomes one warning line; a store that cannot be reached or
refuses the credentials is switched off for the rest of the run, so no task waits for it
twice. Artifacts are signed and verified when a signature key is set.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from orchestrator.tasks import signing
from orchestrator.tasks.archive import ArchiveError, pack, unpack
from orchestrator.tasks.cache import TaskCache
from orchestrator.tasks.stores import (
    Credentials,
    Store,
    StoreError,
    credentials,
    describe,
    open_store,
)
from orchestrator.workspace.values import one_line

Lookup = Literal["hit", "miss", "error"]
DOWNLOADS = 8
UPLOADS = 4


@dataclass(frozen=True)
class RemoteStats:
    """What the remote cache did in one run."""

    where: str
    read_only: bool
    hits: int = 0
    misses: int = 0
    errors: int = 0
    uploads: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"url": self.where, "read_only": self.read_only, "hits": self.hits,
                "misses": self.misses, "errors": self.errors, "uploads": self.uploads}


class RemoteCache:
    """One run's connection to a remote cache, filling and read through the local one."""

    def __init__(self, url: str, store: Store, creds: Credentials, *, read_only: bool,
                 warn: Callable[[str], None]):
        self.where = describe(url)
        self.store = store
        self.creds = creds
        self.read_only = read_only
        self.warn = warn
        self.counts = {"hit": 0, "miss": 0, "error": 0, "upload": 0}
        self.off = False
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        self._downloads = ThreadPoolExecutor(DOWNLOADS, thread_name_prefix="remote-get")
        self._uploads = ThreadPoolExecutor(UPLOADS, thread_name_prefix="remote-put")
        self._pending: list[Future[None]] = []
        self._downloads.submit(self._check_status)

    def _check_status(self) -> None:
        """The server's own word, beside the first lookups: a cache it says is disabled,
        over its limit or paused is switched off for the run."""
        try:
            status = self.store.status()
        except StoreError as e:
            self.note(e)
            return
        if status not in ("enabled", "unknown"):
            self.off = True
            self._warn_once("status", f"the server says the cache is {status}; the run goes "
                                      "on with the local cache")

    # -- artifacts

    def fetch(self, key: str, cache: TaskCache, done: Callable[[], None],
              job: tuple[str, str]) -> Future[Lookup]:
        """Look `key` up in the background for `job` (task, package); a hit is written to
        the local cache first."""
        future = self._downloads.submit(self._fetch_safely, key, cache, job)
        future.add_done_callback(lambda _: done())
        return future

    def _fetch_safely(self, key: str, cache: TaskCache, job: tuple[str, str]) -> Lookup:
        try:
            return self._fetch(key, cache, job)
        except Exception as e:  # whatever happens, a remote cache never fails the run
            self._warn_once("unexpected", f"lookup failed ({type(e).__name__}: {e})")
            return self._count("error")

    def _fetch(self, key: str, cache: TaskCache, job: tuple[str, str]) -> Lookup:
        if self.off:
            return self._count("error")
        try:
            artifact = self.store.get(key)
        except StoreError as e:
            return self._failed(e)
        if artifact is None or not self._trusted(key, artifact.body, artifact.tag):
            return self._count("miss")
        return self._install(key, artifact.body, cache, job)

    def _install(self, key: str, body: bytes, cache: TaskCache, job: tuple[str, str]) -> Lookup:
        try:
            cache.install(key, lambda staging: unpack(body, staging), job)
        except ArchiveError as e:
            self._warn_once("archive", f"an artifact is not a valid cache entry ({e}): "
                                       "it is ignored and the task runs")
            return self._count("miss")
        except OSError as e:
            self._warn_once("disk", f"cannot write the local cache ({e.strerror or e}): "
                                    "the task runs")
            return self._count("error")
        return self._count("hit")

    def upload(self, key: str, entry: Path, duration: float) -> None:
        """Send a stored entry in the background (never in read-only mode)."""
        if self.read_only or self.off:
            return
        with self._lock:
            self._pending.append(self._uploads.submit(self._upload, key, entry, duration))

    def _upload(self, key: str, entry: Path, duration: float) -> None:
        if self.off:
            return
        try:
            body = pack(entry)
        except OSError:
            return  # the local entry went away (another run replaced it): nothing to share
        if self._put(key, body, round(duration * 1000)):
            with self._lock:
                self.counts["upload"] += 1

    def _put(self, key: str, body: bytes, duration_ms: int) -> bool:
        tag = None
        if self.creds.signature_key is not None:
            tag = signing.artifact_tag(self.creds.signature_key, self.creds.signing_team, key,
                                       body)
        try:
            self.store.put(key, body, tag=tag, duration_ms=duration_ms)
        except StoreError as e:
            self._failed(e)
            return False
        return True

    def _trusted(self, key: str, body: bytes, tag: str | None) -> bool:
        secret = self.creds.signature_key
        if secret is None or signing.verify(secret, self.creds.signing_team, key, body, tag):
            return True
        what = "unsigned" if not tag else "has a signature that does not match"
        self._warn_once("signature", f"an artifact {what} "
                                     "(ORCHESTRATOR_REMOTE_CACHE_SIGNATURE_KEY): it is ignored "
                                     "and the task runs")
        return False

    # -- the end of a run

    def finish(self) -> None:
        """Wait for the uploads, within the timeout, so that the next job finds them."""
        with self._lock:
            pending = list(self._pending)
        _, late = wait(pending, timeout=self.creds.timeout)
        if late:
            self.off = True
            with self._lock:
                self.counts["error"] += len(late)
            self._warn_once("late", f"{len(late)} upload(s) did not finish within "
                                    f"{self.creds.timeout:g}s and were abandoned")
        self.close()

    def close(self) -> None:
        self._downloads.shutdown(wait=False, cancel_futures=True)
        self._uploads.shutdown(wait=False, cancel_futures=True)

    def stats(self) -> RemoteStats:
        with self._lock:
            c = dict(self.counts)
        return RemoteStats(self.where, self.read_only, c["hit"], c["miss"], c["error"],
                           c["upload"])

    # -- small documents (durations for balancing shards)

    def read_document(self, key: str) -> bytes | None:
        """A document's bytes, None when absent or not trusted; StoreError when the store
        fails (the caller decides what that means)."""
        artifact = self.store.get(key)
        if artifact is None or not self._trusted(key, artifact.body, artifact.tag):
            return None
        return artifact.body

    def write_document(self, key: str, body: bytes) -> None:
        if not self.read_only and not self.off:
            self._put(key, body, 0)

    # -- accounting

    def note(self, error: StoreError) -> None:
        """A failure outside lookups and uploads: warned about, not counted."""
        if error.kind in ("unreachable", "refused"):
            self.off = True
        self._warn_once(error.kind, f"{error}; the run goes on with the local cache")

    def _failed(self, error: StoreError) -> Lookup:
        self.note(error)
        return self._count("error")

    def _count(self, what: Lookup) -> Lookup:
        with self._lock:
            self.counts[what] += 1
        return what

    def _warn_once(self, kind: str, message: str) -> None:
        with self._lock:
            if kind in self._warned:
                return
            self._warned.add(kind)
        self.warn(one_line(f"remote cache {self.where}: {message}"))  # a server's words too


def open_remote(url: str, *, read_only: bool, environ: Mapping[str, str],
                warn: Callable[[str], None]) -> RemoteCache:
    """The remote cache a URL names, with the credentials the environment holds."""
    creds = credentials(environ)
    return RemoteCache(url, open_store(url, creds), creds,
                       read_only=read_only or forked_pull_request(environ), warn=warn)


def forked_pull_request(environ: Mapping[str, str]) -> bool:
    """A GitHub Actions pull request from a fork runs code nobody reviewed: it may read the
    cache but never write to it."""
    if environ.get("GITHUB_ACTIONS") != "true" or not environ.get("GITHUB_EVENT_PATH"):
        return False
    if not environ.get("GITHUB_EVENT_NAME", "").startswith("pull_request"):
        return False
    try:
        event = json.loads(Path(environ["GITHUB_EVENT_PATH"]).read_bytes())
        head = event["pull_request"]["head"]["repo"]
        return bool(head.get("fork")) or head.get("full_name") != environ.get(
            "GITHUB_REPOSITORY")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return True  # unknown: assume the worst, which only costs uploads
