from pathlib import Path
from typing import Any

import acme_metrics
from acme_db import Database
from acme_worker import JobQueue, Worker


def make_queue(tmp_path: Path) -> JobQueue:
    return JobQueue(Database(tmp_path / "jobs.sqlite", pool_size=2))


def test_jobs_are_claimed_in_fifo_order(tmp_path: Path) -> None:
    queue = make_queue(tmp_path)
    first = queue.enqueue("email", {"to": "a@example.com"})
    queue.enqueue("email", {"to": "b@example.com"})
    job = queue.claim()
    assert job is not None and job.id == first and job.payload == {"to": "a@example.com"}
    assert queue.counts() == {"running": 1, "pending": 1}


def test_worker_runs_handlers_until_empty(tmp_path: Path) -> None:
    queue = make_queue(tmp_path)
    seen: list[dict[str, Any]] = []
    for n in range(3):
        queue.enqueue("index", {"n": n})
    assert Worker(queue, {"index": seen.append}).run() == 3
    assert [p["n"] for p in seen] == [0, 1, 2]
    assert queue.counts() == {"done": 3}
    assert queue.claim() is None


def test_failures_are_recorded_not_raised(tmp_path: Path) -> None:
    queue = make_queue(tmp_path)
    queue.enqueue("boom", {})
    queue.enqueue("unknown-kind", {})

    def explode(payload: dict[str, Any]) -> None:
        raise ValueError("bad payload")

    failed_before = acme_metrics.counter("worker.jobs.failed").value
    assert Worker(queue, {"boom": explode}).run() == 2
    errors = queue.db.query("SELECT error FROM jobs ORDER BY id")
    assert errors == [{"error": "ValueError: bad payload"},
                      {"error": "LookupError: no handler for job kind 'unknown-kind'"}]
    assert acme_metrics.counter("worker.jobs.failed").value == failed_before + 2


def test_max_jobs_and_duration_histogram(tmp_path: Path) -> None:
    queue = make_queue(tmp_path)
    for _ in range(3):
        queue.enqueue("noop", {})
    observed_before = acme_metrics.histogram("worker_job_seconds").count
    assert Worker(queue, {"noop": lambda payload: None}).run(max_jobs=2) == 2
    assert acme_metrics.histogram("worker_job_seconds").count == observed_before + 2
    assert "worker_job_seconds_count" in acme_metrics.render_prometheus()
