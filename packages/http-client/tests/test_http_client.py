import json
import sys
import threading
import types
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from acme_config import Config
from acme_http import HttpClient, HttpError
from acme_signing import Signer


class Reply:
    def __init__(self, status: int, body: bytes) -> None:
        self.status, self._body = status, body

    def read(self) -> bytes:
        return self._body

    def __enter__(self) -> "Reply":
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeOpener:
    def __init__(self, *replies: tuple[int, Any]) -> None:
        self.replies = [Reply(status, json.dumps(body).encode()) for status, body in replies]
        self.requests: list[urllib.request.Request] = []

    def open(self, request: urllib.request.Request, timeout: float) -> Reply:
        self.requests.append(request)
        return self.replies.pop(0)


def test_get_decodes_json_and_builds_url() -> None:
    opener = FakeOpener((200, {"items": [1, 2]}))
    client = HttpClient("http://api.test/v1/", opener=opener)
    assert client.get("/orders", query={"b": "2", "a": "1"}) == {"items": [1, 2]}
    assert opener.requests[0].full_url == "http://api.test/v1/orders?a=1&b=2"


def test_requests_are_signed() -> None:
    signer = Signer(b"k", clock=lambda: 1_700_000_000)
    opener = FakeOpener((201, {"id": 5}))
    client = HttpClient("http://api.test/v1", signer, opener=opener)
    assert client.post("/orders", {"sku": "A1"}) == {"id": 5}
    sent = opener.requests[0]
    headers = dict(sent.header_items())
    signer.verify_headers("POST", "/v1/orders", None, sent.data or b"", headers)


def test_retries_5xx_with_backoff_then_succeeds() -> None:
    sleeps: list[float] = []
    opener = FakeOpener((503, {}), (502, {}), (200, {"ok": True}))
    client = HttpClient(
        "http://api.test", opener=opener, retries=2, backoff=0.5, sleep=sleeps.append
    )
    assert client.get("/x") == {"ok": True}
    assert sleeps == [0.5, 1.0]


def test_client_errors_are_not_retried() -> None:
    opener = FakeOpener((404, {"error": "nope"}), (200, {}))
    client = HttpClient("http://api.test", opener=opener, sleep=lambda s: None)
    with pytest.raises(HttpError) as info:
        client.get("/missing")
    assert info.value.status == 404
    assert len(opener.requests) == 1


def test_metrics_extra_is_optional(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "acme_metrics", None)  # import raises ImportError
    assert HttpClient("http://api.test", opener=FakeOpener((200, [1]))).get("/") == [1]
    seen: list[float] = []
    fake = types.SimpleNamespace(
        histogram=lambda name: types.SimpleNamespace(observe=seen.append),
        counter=lambda name: types.SimpleNamespace(inc=lambda: None),
    )
    monkeypatch.setitem(sys.modules, "acme_metrics", fake)
    HttpClient("http://api.test", opener=FakeOpener((200, [1]))).get("/")
    assert len(seen) == 1


@pytest.fixture
def local_server() -> Iterator[str]:
    calls = {"n": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            calls["n"] += 1
            status = 500 if calls["n"] == 1 else 200
            body = json.dumps({"attempt": calls["n"]}).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_real_urllib_against_local_server(local_server: str) -> None:
    config = Config({"http": {"base_url": local_server, "timeout": "2", "backoff": "0"}})
    no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    client = HttpClient.from_config(config, opener=no_proxy)
    assert client.signer is None
    assert client.get("/status") == {"attempt": 2}
