"""Where remote cache artifacts live: the Turborepo remote cache API, or an S3 bucket.

A store moves bytes under a key and knows nothing of tasks. It answers None for an artifact
that is not there and raises `StoreError` for anything else, with a kind that tells the
remote cache whether trying again this run can help.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlsplit

from orchestrator.errors import OrchestratorError

Failure = Literal["unreachable", "refused", "server", "invalid"]
DEFAULT_TIMEOUT = 5.0
MAX_DOWNLOAD = 512 << 20  # an artifact larger than this is refused before it fills memory
TOKEN = "ORCHESTRATOR_REMOTE_CACHE_TOKEN"  # noqa: S105 - the variable's name, not a token
TEAM = "ORCHESTRATOR_REMOTE_CACHE_TEAM"
SLUG = "ORCHESTRATOR_REMOTE_CACHE_SLUG"
SIGNATURE_KEY = "ORCHESTRATOR_REMOTE_CACHE_SIGNATURE_KEY"
TIMEOUT = "ORCHESTRATOR_REMOTE_CACHE_TIMEOUT"
REMOTE_CACHE_VARIABLES = "ORCHESTRATOR_REMOTE_CACHE_"  # every one above


class StoreError(Exception):
    """A store that failed to answer; the message never holds a credential."""

    def __init__(self, kind: Failure, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Artifact:
    body: bytes
    tag: str | None = None  # the x-artifact-tag it was stored with


class Store(Protocol):
    def status(self) -> str: ...

    def get(self, key: str) -> Artifact | None: ...

    def put(self, key: str, body: bytes, *, tag: str | None, duration_ms: int) -> None: ...


@dataclass(frozen=True)
class Credentials:
    """What the environment says; none of it is ever printed."""

    token: str | None = None
    team: str | None = None
    slug: str | None = None
    signature_key: bytes | None = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def signing_team(self) -> str:
        """The team an artifact tag is computed for, as Turborepo does."""
        return self.team or self.slug or ""


def task_environment(environ: Mapping[str, str],
                     task_env: Iterable[tuple[str, str]]) -> dict[str, str]:
    """What a task runs with: the caller's variables less the remote cache's own (a test
    that reads or dumps its environment must not hold the key that signs artifacts), then
    the task's."""
    kept = {k: v for k, v in environ.items() if not k.startswith(REMOTE_CACHE_VARIABLES)}
    return {**kept, **dict(task_env)}


def credentials(environ: Mapping[str, str]) -> Credentials:
    key = environ.get(SIGNATURE_KEY)
    return Credentials(
        token=environ.get(TOKEN) or None, team=environ.get(TEAM) or None,
        slug=environ.get(SLUG) or None,
        signature_key=os.fsencode(key) if key else None, timeout=_timeout(environ),
    )


def _timeout(environ: Mapping[str, str]) -> float:
    text = environ.get(TIMEOUT)
    if not text:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 3600:
        raise OrchestratorError(f"{TIMEOUT}={text!r} must be a number of seconds above 0")
    return seconds


def open_store(url: str, creds: Credentials) -> Store:
    """The store a URL names (the S3 client is imported only for s3:// URLs)."""
    if url.startswith("s3://"):
        from orchestrator.tasks.s3store import S3Store

        return S3Store(url, creds)
    from orchestrator.tasks.turborepo import TurborepoStore

    return TurborepoStore(url, creds)


def describe(url: str) -> str:
    """A URL as messages show it: scheme, host and path, never a query or a user part."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
