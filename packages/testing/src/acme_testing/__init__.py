"""Shared test helpers: a frozen clock, temporary sqlite databases, a fake HTTP transport."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import urllib.request
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

__version__ = "0.2.0"

__all__ = [
    "FakeResponse",
    "FakeTransport",
    "FrozenClock",
    "TempDatabaseFactory",
    "temporary_sqlite",
    "__version__",
]


class FrozenClock:
    """A clock returning a fixed Unix time until advanced; usable as ``time.time``."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        """Advance instead of sleeping, for code that takes a ``sleep`` callable."""
        self.advance(seconds)


class TempDatabaseFactory:
    """Creates sqlite database files in one temporary directory."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="acme-testing-"))
        self._count = 0

    def create(self, schema: str = "") -> Path:
        """Create a new database file, optionally running a schema script."""
        self._count += 1
        path = self.directory / f"db{self._count}.sqlite"
        with sqlite3.connect(path) as conn:
            if schema:
                conn.executescript(schema)
        conn.close()
        return path

    def cleanup(self) -> None:
        """Delete the directory and every database in it."""
        shutil.rmtree(self.directory, ignore_errors=True)


@contextmanager
def temporary_sqlite(schema: str = "") -> Iterator[Path]:
    """Yield the path of a fresh sqlite database that is deleted afterwards."""
    factory = TempDatabaseFactory()
    try:
        yield factory.create(schema)
    finally:
        factory.cleanup()


@dataclass
class FakeResponse:
    """A minimal stand-in for ``http.client.HTTPResponse``."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def read(self) -> bytes:
        return self.body

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None


class FakeTransport:
    """Returns queued responses in order and records each request it is given."""

    def __init__(self) -> None:
        self.requests: list[urllib.request.Request] = []
        self._responses: deque[FakeResponse] = deque()

    def queue(self, status: int = 200, json_body: Any = None, body: bytes = b"") -> None:
        """Queue a response; ``json_body`` is encoded and wins over ``body``."""
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
        self._responses.append(FakeResponse(status, body, {"Content-Type": "application/json"}))

    def open(self, request: urllib.request.Request, timeout: float | None = None) -> FakeResponse:
        """Record ``request`` and return the next queued response."""
        self.requests.append(request)
        if not self._responses:
            raise AssertionError(f"unexpected request: {request.get_method()} {request.full_url}")
        return self._responses.popleft()
