import json
import urllib.request
from typing import Any

import pytest

from acme_gateway import Gateway, RouteNotFound, Upstream
from acme_http import HttpError
from acme_signing import SignatureError, Signer

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


class Recorder:
    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.requests: list[urllib.request.Request] = []

    def open(self, request: urllib.request.Request, timeout: float) -> Reply:
        self.requests.append(request)
        return Reply(self.status, {"url": request.full_url})


UPSTREAMS = [
    Upstream("/orders", "http://api.internal", b"api-key"),
    Upstream("/orders/admin", "http://admin.internal/v2", b"admin-key"),
    Upstream("/", "http://static.internal", b"static-key"),
]


def make_gateway(recorder: Recorder, inbound: Signer | None = None) -> Gateway:
    return Gateway(UPSTREAMS, inbound=inbound, opener=recorder, clock=lambda: NOW, retries=0)


def test_longest_prefix_wins() -> None:
    gateway = make_gateway(Recorder())
    assert gateway.route("/orders/admin/users")[0].base_url == "http://admin.internal/v2"
    assert gateway.route("/orders/42")[2] == "/42"
    assert gateway.route("/ordersfoo")[0].base_url == "http://static.internal"


def test_forward_signs_with_upstream_key() -> None:
    recorder = Recorder()
    result = make_gateway(recorder).forward("POST", "/orders/admin/users", body=b'{"a": 1}')
    assert result == {"url": "http://admin.internal/v2/users"}
    sent = recorder.requests[0]
    assert sent.get_header("X-forwarded-prefix") == "/orders/admin"
    admin = Signer(b"admin-key", clock=lambda: NOW)
    admin.verify_headers("POST", "/v2/users", None, b'{"a": 1}', dict(sent.header_items()))
    with pytest.raises(SignatureError):
        Signer(b"api-key", clock=lambda: NOW).verify_headers(
            "POST", "/v2/users", None, b'{"a": 1}', dict(sent.header_items()))


def test_inbound_signature_is_checked() -> None:
    inbound = Signer(b"edge-key", clock=lambda: NOW)
    gateway = make_gateway(Recorder(), inbound=inbound)
    with pytest.raises(SignatureError):
        gateway.forward("GET", "/orders/1")
    headers = inbound.sign_headers("GET", "/orders/1", {"x": "1"})
    assert gateway.forward("GET", "/orders/1", query={"x": "1"}, headers=headers) == {
        "url": "http://api.internal/1?x=1"}


def test_missing_route_and_upstream_errors() -> None:
    gateway = Gateway([Upstream("/orders", "http://api.internal", b"k")], opener=Recorder(404))
    with pytest.raises(RouteNotFound):
        gateway.route("/billing")
    with pytest.raises(HttpError) as info:
        gateway.forward("GET", "/orders/9")
    assert info.value.status == 404
