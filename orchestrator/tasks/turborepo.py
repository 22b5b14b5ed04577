"""A client of Turborepo's Remote Cache HTTP API (v8), which Vercel and several self-hosted
servers speak: `PUT`, `GET` and `HEAD /v8/artifacts/{hash}` and `GET /v8/artifacts/status`,
a bearer token, the team as `teamId` (or `slug`) in the query.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from http.client import HTTPException
from typing import BinaryIO
from urllib.parse import urlencode

from orchestrator.tasks.stores import (
    MAX_DOWNLOAD,
    Artifact,
    Credentials,
    StoreError,
    describe,
)

API = "/v8/artifacts"
CHUNK = 1 << 20


class TurborepoStore:
    def __init__(self, url: str, creds: Credentials):
        self.base = url.rstrip("/")
        self.where = describe(url)
        self.creds = creds
        query = {k: v for k, v in (("teamId", creds.team), ("slug", creds.slug)) if v}
        self.query = f"?{urlencode(query)}" if query else ""

    def get(self, key: str) -> Artifact | None:
        answer = self._call("GET", key)
        if answer is None:
            return None
        body, headers = answer
        return Artifact(body, headers.get("x-artifact-tag"))

    def exists(self, key: str) -> bool:
        return self._call("HEAD", key) is not None

    def put(self, key: str, body: bytes, *, tag: str | None, duration_ms: int) -> None:
        headers = {"Content-Type": "application/octet-stream",
                   "x-artifact-duration": str(max(0, duration_ms))}
        if tag is not None:
            headers["x-artifact-tag"] = tag
        self._call("PUT", key, body, headers)

    def status(self) -> str:
        """The server's word on the cache: 'enabled', 'disabled', 'over_limit' or 'paused'."""
        import json

        answer = self._call("GET", "status")
        try:
            return str(json.loads(answer[0])["status"])[:80] if answer else "unknown"
        except (ValueError, KeyError, TypeError):
            return "unknown"

    def _call(self, method: str, path: str, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[bytes, dict[str, str]] | None:
        """One request: (body, lower-cased headers), None for 404, StoreError otherwise."""
        # the configured URL, checked to be http(s) where it was read
        request = urllib.request.Request(  # noqa: S310
            f"{self.base}{API}/{path}{self.query}", data=body, headers=headers or {},
            method=method)
        if self.creds.token:
            request.add_unredirected_header("Authorization", f"Bearer {self.creds.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.creds.timeout) as response:  # noqa: S310 - as above
                headers = {k.lower(): v for k, v in response.headers.items()}
                data = self._read(response, headers.get("content-length"))
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            raise self._refusal(e.code) from None
        except (urllib.error.URLError, HTTPException, OSError) as e:
            raise self._unreachable(getattr(e, "reason", e)) from e
        return data, headers

    def _read(self, response: BinaryIO, length: str | None) -> bytes:
        """The body, in chunks: refused once it is longer than an artifact may be (as soon
        as the server says so), or once the whole answer takes longer than the timeout (a
        server that sends a byte a second never times a single read out)."""
        too_long = StoreError("invalid", f"{self.where} sent more than {MAX_DOWNLOAD} bytes")
        if length is not None and length.isdigit() and int(length) > MAX_DOWNLOAD:
            raise too_long
        deadline = time.monotonic() + self.creds.timeout
        chunks, size = [], 0
        while chunk := response.read(CHUNK):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_DOWNLOAD:
                raise too_long
            if time.monotonic() > deadline:
                raise TimeoutError
        return b"".join(chunks)

    def _unreachable(self, reason: object) -> StoreError:
        if isinstance(reason, TimeoutError):
            return StoreError("unreachable", f"{self.where} did not answer within "
                                             f"{self.creds.timeout:g}s")
        return StoreError("unreachable", f"{self.where} is unreachable ({reason})")

    def _refusal(self, code: int) -> StoreError:
        if code in (401, 403):
            return StoreError("refused", f"{self.where} refused the credentials (HTTP {code}); "
                                         "check ORCHESTRATOR_REMOTE_CACHE_TOKEN and _TEAM")
        return StoreError("server", f"{self.where} answered HTTP {code}")
