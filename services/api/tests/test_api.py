import io
import json
import urllib.request
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest

from acme_api import OrdersApp
from acme_db import Database
from acme_http import HttpClient
from acme_signing import Signer

NOW = 1_700_000_000


class Reply:
    def __init__(self, status: int, body: Any) -> None:
        self.status, self._body = status, json.dumps(body).encode()

    def read(self) -> bytes:
        return self._body

    def __enter__(self) -> "Reply":
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class Inventory:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[urllib.request.Request] = []

    def open(self, request: urllib.request.Request, timeout: float) -> Reply:
        self.requests.append(request)
        return Reply(self.status, {"reserved": self.status == 200})


def make_app(tmp_path: Path, inventory_status: int = 200) -> tuple[OrdersApp, Inventory]:
    inventory = Inventory(inventory_status)
    client = HttpClient("http://inventory.test", opener=inventory, retries=0)
    signer = Signer(b"api-key", clock=lambda: NOW)
    return OrdersApp(Database(tmp_path / "orders.sqlite", pool_size=2), signer, client), inventory


def call(
    app: OrdersApp, method: str, path: str, body: bytes = b"", sign: bool = True
) -> tuple[str, Any]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path,
                               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    setup_testing_defaults(environ)
    if sign:
        headers = Signer(b"api-key", clock=lambda: NOW).sign_headers(method, path, None, body)
        for name, value in headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    statuses: list[str] = []
    chunks = app(environ, lambda status, headers: statuses.append(status))
    return statuses[0], json.loads(b"".join(chunks))


def test_health_needs_no_signature(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    status, payload = call(app, "GET", "/health", sign=False)
    assert (status, payload) == ("200 OK", {"status": "ok", "version": "2.0.1"})


def test_create_and_list_orders(tmp_path: Path) -> None:
    app, inventory = make_app(tmp_path)
    status, order = call(app, "POST", "/orders", b'{"sku": "A1", "qty": 2}')
    assert status == "201 Created"
    assert order == {"id": 1, "sku": "A1", "qty": 2}
    assert json.loads(inventory.requests[0].data or b"") == {"order_id": 1, "sku": "A1", "qty": 2}
    assert call(app, "GET", "/orders") == ("200 OK", [{"id": 1, "sku": "A1", "qty": 2}])


def test_unsigned_orders_request_is_rejected(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)
    status, payload = call(app, "GET", "/orders", sign=False)
    assert status == "401 Unauthorized"
    assert "signature" in payload["error"]


def test_downstream_failure_rolls_back(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path, inventory_status=503)
    status, _ = call(app, "POST", "/orders", b'{"sku": "A1", "qty": 2}')
    assert status == "502 Bad Gateway"
    assert call(app, "GET", "/orders") == ("200 OK", [])


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [("POST", "/orders", b"not json", "400 Bad Request"),
     ("DELETE", "/orders", b"", "405 Method Not Allowed"),
     ("GET", "/nope", b"", "404 Not Found")],
)
def test_error_statuses(
    tmp_path: Path, method: str, path: str, body: bytes, expected: str
) -> None:
    app, _ = make_app(tmp_path)
    assert call(app, method, path, body)[0] == expected
