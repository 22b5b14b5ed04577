import threading
from collections.abc import Iterator

import pytest

from acme_config import Config
from acme_db import Database, DatabaseError, Pool, PoolTimeout
from acme_log import default_registry
from acme_testing import TempDatabaseFactory, temporary_sqlite

MIGRATIONS = [
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, qty INTEGER NOT NULL)",
    "ALTER TABLE orders ADD COLUMN note TEXT",
]


@pytest.fixture
def db() -> Iterator[Database]:
    with temporary_sqlite() as path:
        database = Database(path, pool_size=2)
        database.migrate(MIGRATIONS)
        yield database
        database.close()


def test_migrations_apply_once_and_in_order(db: Database) -> None:
    assert db.migrate(MIGRATIONS) == 0
    assert db.migrate([*MIGRATIONS, "CREATE INDEX orders_sku ON orders (sku)"]) == 1
    columns = [row["name"] for row in db.query("PRAGMA table_info(orders)")]
    assert columns == ["id", "sku", "qty", "note"]


def test_execute_and_query_return_dicts(db: Database) -> None:
    before = default_registry.counter("db.queries").value
    row_id = db.execute("INSERT INTO orders (sku, qty) VALUES (?, ?)", ("A1", 2))
    rows = db.query("SELECT id, sku, qty FROM orders")
    assert rows == [{"id": row_id, "sku": "A1", "qty": 2}]
    assert default_registry.counter("db.queries").value == before + 2


def test_transaction_rolls_back_on_error(db: Database) -> None:
    with pytest.raises(RuntimeError):
        with db.transaction() as conn:
            conn.execute("INSERT INTO orders (sku, qty) VALUES ('B2', 1)")
            raise RuntimeError("boom")
    assert db.query("SELECT count(*) AS n FROM orders") == [{"n": 0}]


def test_bad_sql_raises_database_error(db: Database) -> None:
    with pytest.raises(DatabaseError, match="query failed"):
        db.query("SELECT * FROM no_such_table")


def test_pool_is_fixed_size() -> None:
    factory = TempDatabaseFactory()
    pool = Pool(factory.create(), size=1, timeout=0.05)
    with pool.acquire():
        errors: list[Exception] = []
        thread = threading.Thread(target=lambda: _try_acquire(pool, errors))
        thread.start()
        thread.join()
    assert isinstance(errors[0], PoolTimeout)
    pool.close()
    factory.cleanup()


def _try_acquire(pool: Pool, errors: list[Exception]) -> None:
    try:
        with pool.acquire():
            pass
    except PoolTimeout as exc:
        errors.append(exc)


def test_from_config() -> None:
    with temporary_sqlite("CREATE TABLE t (x INTEGER)") as path:
        database = Database.from_config(Config({"db": {"path": str(path), "pool_size": 3}}))
        assert database.pool.size == 3
        assert database.query("SELECT count(*) AS n FROM t") == [{"n": 0}]
        database.close()
