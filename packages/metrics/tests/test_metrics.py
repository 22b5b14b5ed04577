import pytest

import acme_metrics
from acme_log import MetricsRegistry
from acme_metrics import Histogram, metric_name, render_prometheus


def test_metric_name_sanitises() -> None:
    assert metric_name("http.requests") == "http_requests"
    assert metric_name("9lives-count") == "_9lives_count"


def test_histogram_buckets_are_cumulative() -> None:
    hist = Histogram("latency", buckets=(0.1, 1.0))
    hist.observe_all([0.05, 0.1, 0.5, 3.0])
    assert hist.render() == [
        "# TYPE latency histogram",
        'latency_bucket{le="0.1"} 2',
        'latency_bucket{le="1"} 3',
        'latency_bucket{le="+Inf"} 4',
        "latency_sum 3.65",
        "latency_count 4",
    ]


def test_buckets_must_increase() -> None:
    with pytest.raises(ValueError):
        Histogram("bad", buckets=(1.0, 0.5))


def test_render_registry_counters_and_timers() -> None:
    registry = MetricsRegistry()
    registry.counter("jobs.done").inc(3)
    registry.timer("db.query").observe(0.02)
    text = render_prometheus(registry, histograms={})
    assert "# TYPE jobs_done_total counter\njobs_done_total 3\n" in text
    assert 'db_query_seconds_bucket{le="0.025"} 1' in text
    assert 'db_query_seconds_bucket{le="0.01"} 0' in text
    assert text.endswith("db_query_seconds_count 1\n")


def test_module_level_histogram_and_counter_share_default_registry() -> None:
    acme_metrics.histogram("test.module.hist").observe(0.3)
    assert acme_metrics.histogram("test_module_hist").count == 1
    acme_metrics.counter("test.module.counter").inc()
    text = render_prometheus()
    assert "test_module_counter_total 1" in text
    assert 'test_module_hist_bucket{le="0.5"} 1' in text
