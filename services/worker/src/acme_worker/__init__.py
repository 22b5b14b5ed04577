"""Background job worker reading a sqlite queue table."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import acme_metrics
from acme_db import Database

__version__ = "1.3.0"

__all__ = ["Job", "JobQueue", "Worker", "__version__"]

MIGRATIONS = [
    "CREATE TABLE jobs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL,"
    " status TEXT NOT NULL DEFAULT 'pending', error TEXT)",
    "CREATE INDEX jobs_status ON jobs (status, id)",
]

Handler = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Job:
    """One claimed job."""

    id: int
    kind: str
    payload: dict[str, Any]


class JobQueue:
    """A FIFO queue of jobs kept in the ``jobs`` table."""

    def __init__(self, db: Database) -> None:
        self.db = db
        db.migrate(MIGRATIONS)

    def enqueue(self, kind: str, payload: Mapping[str, Any]) -> int:
        """Add a pending job and return its id."""
        return self.db.execute(
            "INSERT INTO jobs (kind, payload) VALUES (?, ?)", (kind, json.dumps(dict(payload))))

    def claim(self) -> Job | None:
        """Mark the oldest pending job as running and return it, or None if idle."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT id, kind, payload FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE jobs SET status = 'running' WHERE id = ?", (row["id"],))
        return Job(row["id"], row["kind"], json.loads(row["payload"]))

    def finish(self, job_id: int, error: str | None = None) -> None:
        """Mark a job as done, or as failed with an error message."""
        status = "failed" if error else "done"
        self.db.execute(
            "UPDATE jobs SET status = ?, error = ? WHERE id = ?", (status, error, job_id))

    def counts(self) -> dict[str, int]:
        """Return the number of jobs in each status."""
        rows = self.db.query("SELECT status, count(*) AS n FROM jobs GROUP BY status")
        return {row["status"]: row["n"] for row in rows}


class Worker:
    """Takes jobs from a queue and runs the handler registered for each kind."""

    def __init__(self, queue: JobQueue, handlers: Mapping[str, Handler]) -> None:
        self.queue = queue
        self.handlers = dict(handlers)

    def run_once(self) -> bool:
        """Run one job; return False when the queue is empty."""
        job = self.queue.claim()
        if job is None:
            return False
        started = time.perf_counter()
        try:
            handler = self.handlers.get(job.kind)
            if handler is None:
                raise LookupError(f"no handler for job kind {job.kind!r}")
            handler(job.payload)
        except Exception as exc:
            self.queue.finish(job.id, error=f"{type(exc).__name__}: {exc}")
            acme_metrics.counter("worker.jobs.failed").inc()
        else:
            self.queue.finish(job.id)
            acme_metrics.counter("worker.jobs.done").inc()
        acme_metrics.histogram("worker_job_seconds").observe(time.perf_counter() - started)
        return True

    def run(self, max_jobs: int | None = None) -> int:
        """Run jobs until the queue is empty or ``max_jobs`` ran; return the count."""
        ran = 0
        while (max_jobs is None or ran < max_jobs) and self.run_once():
            ran += 1
        return ran
