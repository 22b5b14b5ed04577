"""Database access layer over sqlite3: pool, transactions, queries, migrations."""

from __future__ import annotations

import os
import queue
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from acme_config import Config
from acme_log import default_registry, get_logger

__version__ = "1.4.0"

__all__ = ["Database", "DatabaseError", "Pool", "PoolTimeout", "__version__"]

log = get_logger(__name__)


class DatabaseError(Exception):
    """Base class for acme-db errors."""


class PoolTimeout(DatabaseError):
    """Raised when no pooled connection becomes free in time."""


class Pool:
    """A fixed-size pool of sqlite3 connections to one database file."""

    def __init__(self, path: str | os.PathLike[str], size: int = 4, timeout: float = 5.0) -> None:
        if size < 1:
            raise ValueError("pool size must be at least 1")
        self.size = size
        self.timeout = timeout
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        for _ in range(size):
            conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            conn.row_factory = sqlite3.Row
            self._idle.put(conn)

    @contextmanager
    def acquire(self) -> Iterator[sqlite3.Connection]:
        """Borrow a connection for the duration of a ``with`` block."""
        try:
            conn = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise PoolTimeout(f"no free connection after {self.timeout}s") from None
        try:
            yield conn
        finally:
            self._idle.put(conn)

    def close(self) -> None:
        """Close every idle connection."""
        while not self._idle.empty():
            self._idle.get_nowait().close()


class Database:
    """Pooled access to a sqlite database with transactions and migrations."""

    def __init__(self, path: str | os.PathLike[str], pool_size: int = 4) -> None:
        self.path = path
        self.pool = Pool(path, pool_size)

    @classmethod
    def from_config(cls, config: Config) -> Database:
        """Create a database from ``db.path`` and ``db.pool_size``."""
        return cls(config.get_str("db.path"), config.get_int("db.pool_size", default=4))

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block in one transaction: commit on success, roll back on error."""
        with self.pool.acquire() as conn, default_registry.timer("db.transaction").time():
            conn.execute("BEGIN")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                default_registry.counter("db.rollbacks").inc()
                raise
            conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Run a query and return its rows as dictionaries."""
        default_registry.counter("db.queries").inc()
        with self.pool.acquire() as conn:
            try:
                return [dict(row) for row in conn.execute(sql, params)]
            except sqlite3.Error as exc:
                raise DatabaseError(f"query failed: {exc}") from exc

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement in its own transaction and return the last row id."""
        default_registry.counter("db.queries").inc()
        with self.transaction() as conn:
            return conn.execute(sql, params).lastrowid or 0

    def migrate(self, migrations: Sequence[str]) -> int:
        """Apply migrations not yet recorded in ``user_version``; return how many ran."""
        with self.pool.acquire() as conn:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
        pending = list(enumerate(migrations))[current:]
        for index, statement in pending:
            with self.transaction() as conn:
                conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {index + 1}")
            log.info("applied migration", extra={"db_migration": index + 1})
        return len(pending)

    def close(self) -> None:
        """Close the pool's connections."""
        self.pool.close()
