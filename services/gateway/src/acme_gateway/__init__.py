"""Edge gateway that routes requests by path prefix and re-signs them for upstreams."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from acme_http import HttpClient, Opener
from acme_signing import Signer

__version__ = "0.7.0"

__all__ = ["Gateway", "RouteNotFound", "Upstream", "__version__"]


class RouteNotFound(LookupError):
    """Raised when no upstream prefix matches a request path."""


@dataclass(frozen=True)
class Upstream:
    """A backend reachable under a path prefix, with its own signing key."""

    prefix: str
    base_url: str
    key: bytes
    timeout: float = 5.0


class Gateway:
    """Routes requests to upstreams by the longest matching path prefix."""

    def __init__(
        self,
        upstreams: Sequence[Upstream],
        *,
        inbound: Signer | None = None,
        opener: Opener | None = None,
        clock: Callable[[], float] = time.time,
        retries: int = 1,
    ) -> None:
        self.inbound = inbound
        ordered = sorted(upstreams, key=lambda u: len(u.prefix.rstrip("/")), reverse=True)
        self._routes: list[tuple[Upstream, HttpClient]] = [
            (
                upstream,
                HttpClient(
                    upstream.base_url,
                    Signer(upstream.key, clock=clock),
                    timeout=upstream.timeout,
                    retries=retries,
                    opener=opener,
                ),
            )
            for upstream in ordered
        ]

    def route(self, path: str) -> tuple[Upstream, HttpClient, str]:
        """Return the upstream, its client and the path left after the prefix."""
        for upstream, client in self._routes:
            prefix = upstream.prefix.rstrip("/")
            if path == prefix or path.startswith(prefix + "/") or not prefix:
                return upstream, client, path[len(prefix):] or "/"
        raise RouteNotFound(f"no upstream for {path}")

    def forward(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str] | None = None,
        body: bytes = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Verify the inbound request if configured, then forward it signed upstream."""
        if self.inbound is not None:
            self.inbound.verify_headers(method, path, query, body, headers or {})
        upstream, client, rest = self.route(path)
        forwarded = {"X-Forwarded-Prefix": upstream.prefix}
        if body:
            forwarded["Content-Type"] = "application/json"
        return client.request(method, rest, query=query, data=body, headers=forwarded)
