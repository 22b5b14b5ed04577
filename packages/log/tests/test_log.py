import io
import json
import logging
from collections.abc import Iterator

import pytest

from acme_config import Config
from acme_log import JsonFormatter, MetricsRegistry, configure_logging, get_logger


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers, root.level = handlers, level


def test_json_formatter_includes_extra_fields() -> None:
    record = logging.makeLogRecord(
        {
            "name": "orders",
            "levelname": "INFO",
            "msg": "created %s",
            "args": ("A1",),
            "order_id": 7,
        }
    )
    payload = json.loads(JsonFormatter().format(record))
    assert payload["message"] == "created A1"
    assert payload["logger"] == "orders"
    assert payload["order_id"] == 7


def test_configure_logging_uses_config_level(restore_root_logger: None) -> None:
    stream = io.StringIO()
    configure_logging(Config({"log": {"level": "warning"}}), stream=stream)
    log = get_logger("acme.test")
    log.info("hidden")
    log.warning("shown", extra={"user": "ada"})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["user"] == "ada"


def test_counters_and_render_text() -> None:
    registry = MetricsRegistry()
    registry.counter("http.requests").inc()
    registry.counter("http.requests").inc(2)
    registry.timer("db.query").observe(0.5)
    registry.timer("db.query").observe(0.25)
    assert registry.render_text() == (
        "db.query.count 2\ndb.query.total 0.750000\nhttp.requests 3\n"
    )


def test_timer_context_manager_and_negative_counter() -> None:
    registry = MetricsRegistry()
    with registry.timer("work").time():
        pass
    assert len(registry.timer("work").samples) == 1
    with pytest.raises(ValueError):
        registry.counter("c").inc(-1)
    assert MetricsRegistry().render_text() == ""
