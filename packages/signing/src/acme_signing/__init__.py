"""HMAC request signing and verification."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlencode

from acme_config import Config

__version__ = "2.1.0"

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "SignatureError",
    "Signer",
    "canonical_request",
    "__version__",
]

SIGNATURE_HEADER = "X-Acme-Signature"
TIMESTAMP_HEADER = "X-Acme-Timestamp"

Query = Mapping[str, str] | None


class SignatureError(Exception):
    """Raised when a request signature is missing, stale or does not match."""


def canonical_request(method: str, path: str, query: Query, body: bytes, timestamp: int) -> str:
    """Build the newline-separated string that is signed for a request."""
    sorted_query = urlencode(sorted((query or {}).items()))
    body_hash = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path or "/", sorted_query, body_hash, str(timestamp)])


class Signer:
    """Signs and verifies requests with a shared secret key."""

    def __init__(
        self,
        key: bytes,
        max_skew: int = 300,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not key:
            raise ValueError("signing key must not be empty")
        self._key = key
        self.max_skew = max_skew
        self._clock = clock

    @classmethod
    def from_config(cls, config: Config, clock: Callable[[], float] = time.time) -> Signer:
        """Create a signer from ``signing.key`` and ``signing.max_skew``."""
        key = config.get_str("signing.key").encode("utf-8")
        return cls(key, max_skew=config.get_int("signing.max_skew", default=300), clock=clock)

    def sign(self, method: str, path: str, query: Query, body: bytes, timestamp: int) -> str:
        """Return the hex HMAC-SHA256 of the canonical request."""
        message = canonical_request(method, path, query, body, timestamp).encode("utf-8")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def sign_headers(
        self, method: str, path: str, query: Query = None, body: bytes = b""
    ) -> dict[str, str]:
        """Return the timestamp and signature headers for a request made now."""
        timestamp = int(self._clock())
        signature = self.sign(method, path, query, body, timestamp)
        return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature}

    def verify(
        self,
        method: str,
        path: str,
        query: Query,
        body: bytes,
        timestamp: int,
        signature: str,
    ) -> None:
        """Raise SignatureError unless the signature is valid and fresh."""
        if abs(self._clock() - timestamp) > self.max_skew:
            raise SignatureError("request timestamp outside allowed clock skew")
        expected = self.sign(method, path, query, body, timestamp)
        if not hmac.compare_digest(expected, signature):
            raise SignatureError("signature mismatch")

    def verify_headers(
        self,
        method: str,
        path: str,
        query: Query,
        body: bytes,
        headers: Mapping[str, str],
    ) -> None:
        """Verify a request using its timestamp and signature headers."""
        lowered = {name.lower(): value for name, value in headers.items()}
        try:
            timestamp = int(lowered[TIMESTAMP_HEADER.lower()])
            signature = lowered[SIGNATURE_HEADER.lower()]
        except (KeyError, ValueError) as exc:
            raise SignatureError("missing or malformed signature headers") from exc
        self.verify(method, path, query, body, timestamp, signature)
