"""Structured JSON logging and metrics helpers."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from acme_config import Config

__version__ = "0.4.0"

__all__ = [
    "Counter",
    "JsonFormatter",
    "MetricsRegistry",
    "Timer",
    "configure_logging",
    "default_registry",
    "get_logger",
    "__version__",
]

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats log records as single-line JSON objects."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED:
                payload[key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str, sort_keys=True)


def configure_logging(config: Config, stream: TextIO | None = None) -> logging.Handler:
    """Install a JSON handler on the root logger at the configured ``log.level``."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(config.get_str("log.level", default="INFO").upper())
    return handler


def get_logger(name: str) -> logging.Logger:
    """Return a standard logger; a thin alias kept for a stable import path."""
    return logging.getLogger(name)


@dataclass
class Counter:
    """A monotonically increasing count."""

    name: str
    value: int = 0

    def inc(self, amount: int = 1) -> None:
        """Increase the counter by ``amount``."""
        if amount < 0:
            raise ValueError("counters only go up")
        self.value += amount


@dataclass
class Timer:
    """Collects durations in seconds."""

    name: str
    samples: list[float] = field(default_factory=list)

    def observe(self, seconds: float) -> None:
        """Record one duration."""
        self.samples.append(seconds)

    @contextmanager
    def time(self) -> Iterator[None]:
        """Time the body of a ``with`` block."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.observe(time.perf_counter() - start)

    @property
    def total(self) -> float:
        """Sum of all recorded durations."""
        return sum(self.samples)


class MetricsRegistry:
    """A named collection of counters and timers."""

    def __init__(self) -> None:
        self.counters: dict[str, Counter] = {}
        self.timers: dict[str, Timer] = {}

    def counter(self, name: str) -> Counter:
        """Return the counter called ``name``, creating it if needed."""
        return self.counters.setdefault(name, Counter(name))

    def timer(self, name: str) -> Timer:
        """Return the timer called ``name``, creating it if needed."""
        return self.timers.setdefault(name, Timer(name))

    def render_text(self) -> str:
        """Render every metric as ``name value`` lines, sorted by name."""
        lines = [f"{c.name} {c.value}" for c in self.counters.values()]
        for t in self.timers.values():
            lines.append(f"{t.name}.count {len(t.samples)}")
            lines.append(f"{t.name}.total {t.total:.6f}")
        return "\n".join(sorted(lines)) + ("\n" if lines else "")


default_registry = MetricsRegistry()
