"""Signed JSON HTTP client with retries, over urllib."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from acme_config import Config
from acme_signing import Signer

__version__ = "3.0.2"

__all__ = ["HttpClient", "HttpError", "Opener", "__version__"]


class Opener(Protocol):
    """Anything with urllib's ``OpenerDirector.open`` signature."""

    def open(self, request: urllib.request.Request, /, *, timeout: float) -> Any: ...


class HttpError(Exception):
    """Raised for failed requests; ``status`` is 0 when no response arrived."""

    def __init__(self, status: int, message: str, body: bytes = b"") -> None:
        super().__init__(f"HTTP {status}: {message}")
        self.status = status
        self.body = body


def _record_metrics(method: str, status: int, seconds: float) -> None:
    """Record the request in acme-metrics when the ``metrics`` extra is installed."""
    try:
        import acme_metrics
    except ImportError:
        return
    acme_metrics.histogram("http_client_request_seconds").observe(seconds)
    acme_metrics.counter(f"http.client.{method.lower()}.{status}").inc()


class HttpClient:
    """A JSON API client bound to one base URL."""

    def __init__(
        self,
        base_url: str,
        signer: Signer | None = None,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.1,
        opener: Opener | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.signer = signer
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._opener: Opener = opener or urllib.request.build_opener()
        self._sleep = sleep

    @classmethod
    def from_config(cls, config: Config, opener: Opener | None = None) -> HttpClient:
        """Build a client from ``http.*`` keys, signing when ``signing.key`` is set."""
        return cls(
            config.get_str("http.base_url"),
            Signer.from_config(config) if "signing.key" in config else None,
            timeout=config.get_float("http.timeout", default=5.0),
            retries=config.get_int("http.retries", default=2),
            backoff=config.get_float("http.backoff", default=0.1),
            opener=opener,
        )

    def _build(
        self, method: str, path: str, query: Mapping[str, str] | None, body: bytes,
        headers: Mapping[str, str] | None,
    ) -> urllib.request.Request:
        url = self.base_url + "/" + path.lstrip("/")
        if query:
            url += "?" + urlencode(sorted(query.items()))
        all_headers = {"Accept": "application/json", **(headers or {})}
        if body:
            all_headers.setdefault("Content-Type", "application/json")
        if self.signer is not None:
            all_headers.update(self.signer.sign_headers(method, urlsplit(url).path, query, body))
        return urllib.request.Request(url, data=body or None, headers=all_headers, method=method)

    def _send(self, request: urllib.request.Request) -> tuple[int, bytes]:
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read() if exc.fp else b""
        except (urllib.error.URLError, TimeoutError) as exc:
            return 0, str(getattr(exc, "reason", exc)).encode("utf-8")

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send a request, retrying 5xx and connection errors, and decode the JSON reply."""
        method = method.upper()
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
        request = self._build(method, path, query, data, headers)
        for attempt in range(self.retries + 1):
            started = time.perf_counter()
            status, body = self._send(request)
            _record_metrics(method, status, time.perf_counter() - started)
            if status and status < 500:
                break
            if attempt < self.retries:
                self._sleep(self.backoff * 2**attempt)
        if status == 0 or status >= 400:
            reason = body.decode("utf-8", "replace")[:200] if status == 0 else "request failed"
            raise HttpError(status, f"{method} {request.full_url}: {reason}", body)
        try:
            return json.loads(body) if body else None
        except json.JSONDecodeError as exc:
            raise HttpError(status, f"invalid JSON from {request.full_url}", body) from exc

    def get(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        """Send a GET request."""
        return self.request("GET", path, query=query)

    def post(self, path: str, json_body: Any) -> Any:
        """Send a POST request with a JSON body."""
        return self.request("POST", path, json_body=json_body)
