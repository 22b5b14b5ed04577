import json
import sqlite3
import urllib.request

import pytest

from acme_testing import FakeTransport, FrozenClock, TempDatabaseFactory, temporary_sqlite


def test_frozen_clock_advances_only_when_told() -> None:
    clock = FrozenClock(100.0)
    assert clock() == 100.0
    clock.advance(5)
    clock.sleep(1.5)
    assert clock() == 106.5


def test_temporary_sqlite_runs_schema_and_cleans_up() -> None:
    with temporary_sqlite("CREATE TABLE t (x INTEGER);") as path:
        with sqlite3.connect(path) as conn:
            conn.execute("INSERT INTO t VALUES (1)")
            assert conn.execute("SELECT count(*) FROM t").fetchone() == (1,)
        conn.close()
        assert path.exists()
    assert not path.exists()


def test_factory_creates_distinct_databases() -> None:
    factory = TempDatabaseFactory()
    first, second = factory.create(), factory.create()
    assert first != second and first.exists() and second.exists()
    factory.cleanup()
    assert not factory.directory.exists()


def test_fake_transport_returns_queued_responses_and_records_requests() -> None:
    transport = FakeTransport()
    transport.queue(201, json_body={"id": 1})
    request = urllib.request.Request("http://upstream.test/items", data=b"{}", method="POST")
    with transport.open(request, timeout=1.0) as response:
        assert response.status == 201
        assert json.loads(response.read()) == {"id": 1}
    assert transport.requests[0].full_url == "http://upstream.test/items"
    with pytest.raises(AssertionError, match="unexpected request"):
        transport.open(request)
