"""Prometheus text exposition of acme-log metrics, with histogram buckets."""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping, Sequence

from acme_log import Counter, MetricsRegistry, default_registry

__version__ = "0.9.1"

__all__ = [
    "DEFAULT_BUCKETS",
    "Histogram",
    "counter",
    "histogram",
    "metric_name",
    "render_prometheus",
    "__version__",
]

DEFAULT_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)


def metric_name(name: str) -> str:
    """Turn a dotted acme-log name into a valid Prometheus metric name."""
    cleaned = re.sub(r"[^a-zA-Z0-9_:]", "_", name)
    return cleaned if re.match(r"[a-zA-Z_:]", cleaned) else f"_{cleaned}"


def _fmt(value: float) -> str:
    if math.isinf(value):
        return "+Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class Histogram:
    """Counts observations into cumulative upper-bound buckets."""

    def __init__(self, name: str, buckets: Sequence[float] = DEFAULT_BUCKETS) -> None:
        if list(buckets) != sorted(set(buckets)):
            raise ValueError("buckets must be strictly increasing")
        self.name = metric_name(name)
        self.buckets = tuple(buckets)
        self.counts = [0] * (len(self.buckets) + 1)
        self.sum = 0.0

    def observe(self, value: float) -> None:
        """Record one observation."""
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.sum += value

    def observe_all(self, values: Iterable[float]) -> Histogram:
        """Record many observations and return self."""
        for value in values:
            self.observe(value)
        return self

    @property
    def count(self) -> int:
        """Total number of observations."""
        return sum(self.counts)

    def render(self) -> list[str]:
        """Return the exposition lines for this histogram."""
        lines = [f"# TYPE {self.name} histogram"]
        running = 0
        for bound, count in zip((*self.buckets, math.inf), self.counts, strict=True):
            running += count
            lines.append(f'{self.name}_bucket{{le="{_fmt(bound)}"}} {running}')
        lines.append(f"{self.name}_sum {_fmt(self.sum)}")
        lines.append(f"{self.name}_count {self.count}")
        return lines


_histograms: dict[str, Histogram] = {}


def histogram(name: str, buckets: Sequence[float] = DEFAULT_BUCKETS) -> Histogram:
    """Return the process-wide histogram called ``name``, creating it if needed."""
    key = metric_name(name)
    if key not in _histograms:
        _histograms[key] = Histogram(key, buckets)
    return _histograms[key]


def counter(name: str) -> Counter:
    """Return the counter called ``name`` from acme-log's default registry."""
    return default_registry.counter(name)


def render_prometheus(
    registry: MetricsRegistry | None = None,
    histograms: Mapping[str, Histogram] | None = None,
) -> str:
    """Render counters, timers (as histograms) and histograms as Prometheus text."""
    registry = default_registry if registry is None else registry
    histograms = _histograms if histograms is None else histograms
    lines: list[str] = []
    for c in sorted(registry.counters.values(), key=lambda c: c.name):
        name = metric_name(c.name) + "_total"
        lines += [f"# TYPE {name} counter", f"{name} {c.value}"]
    for t in sorted(registry.timers.values(), key=lambda t: t.name):
        lines += Histogram(metric_name(t.name) + "_seconds").observe_all(t.samples).render()
    for key in sorted(histograms):
        lines += histograms[key].render()
    return "\n".join(lines) + ("\n" if lines else "")
