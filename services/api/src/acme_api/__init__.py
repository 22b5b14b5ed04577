"""Orders API: a WSGI app with signed requests, sqlite storage and a downstream call."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl
from wsgiref.simple_server import make_server

from acme_db import Database
from acme_http import HttpClient, HttpError
from acme_log import default_registry, get_logger
from acme_signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, SignatureError, Signer

__version__ = "2.0.1"

__all__ = ["MIGRATIONS", "OrdersApp", "serve", "__version__"]

MIGRATIONS = [
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, qty INTEGER NOT NULL)",
]

StartResponse = Callable[[str, list[tuple[str, str]]], Any]
log = get_logger(__name__)

_REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized",
            404: "Not Found", 405: "Method Not Allowed", 502: "Bad Gateway"}


class _Reply(Exception):
    """Ends request handling early with a status and a JSON body."""

    def __init__(self, status: int, payload: Any) -> None:
        self.status, self.payload = status, payload


def _environ_header(environ: dict[str, Any], name: str) -> str:
    return str(environ.get("HTTP_" + name.upper().replace("-", "_"), ""))


class OrdersApp:
    """The WSGI callable for the orders API."""

    def __init__(self, db: Database, signer: Signer, inventory: HttpClient) -> None:
        self.db = db
        self.signer = signer
        self.inventory = inventory
        db.migrate(MIGRATIONS)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        default_registry.counter("api.requests").inc()
        try:
            status, payload = self._dispatch(environ)
        except _Reply as reply:
            status, payload = reply.status, reply.payload
        body = json.dumps(payload).encode("utf-8")
        start_response(f"{status} {_REASONS[status]}", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    def _dispatch(self, environ: dict[str, Any]) -> tuple[int, Any]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        if path == "/health":
            return 200, {"status": "ok", "version": __version__}
        if path != "/orders":
            raise _Reply(404, {"error": "not found"})
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        headers = {
            name: _environ_header(environ, name) for name in (TIMESTAMP_HEADER, SIGNATURE_HEADER)
        }
        try:
            self.signer.verify_headers(method, path, query, body, headers)
        except SignatureError as exc:
            log.warning("rejected request", extra={"reason": str(exc)})
            raise _Reply(401, {"error": str(exc)}) from exc
        if method == "GET":
            return 200, self.db.query("SELECT id, sku, qty FROM orders ORDER BY id")
        if method == "POST":
            return 201, self._create(body)
        raise _Reply(405, {"error": "method not allowed"})

    def _create(self, body: bytes) -> dict[str, Any]:
        try:
            order = json.loads(body)
            sku, qty = str(order["sku"]), int(order["qty"])
        except (ValueError, KeyError, TypeError) as exc:
            raise _Reply(400, {"error": "expected JSON with sku and qty"}) from exc
        try:
            with self.db.transaction() as conn:
                order_id = conn.execute(
                    "INSERT INTO orders (sku, qty) VALUES (?, ?)", (sku, qty)).lastrowid
                reservation = {"order_id": order_id, "sku": sku, "qty": qty}
                self.inventory.post("/reservations", reservation)
        except HttpError as exc:
            log.error("inventory reservation failed", extra={"status": exc.status})
            raise _Reply(502, {"error": "inventory unavailable"}) from exc
        log.info("order created", extra={"order_id": order_id})
        return {"id": order_id, "sku": sku, "qty": qty}


def serve(app: OrdersApp, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the app with wsgiref until interrupted (development only)."""
    with make_server(host, port, app) as server:
        server.serve_forever()
