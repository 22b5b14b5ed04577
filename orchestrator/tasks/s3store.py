"""Artifacts in an S3-compatible bucket (`s3://bucket/prefix`), through obstore.

obstore (the `orchestrator[s3]` extra) is a thin binding of the Rust `object_store` crate:
about 17 ms to import and open a store and 15 MB installed, with no Python dependencies of
its own, where boto3 takes over 200 ms and 36 MB. Credentials, region and endpoint come
from the standard AWS variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
`AWS_REGION`, `AWS_ENDPOINT_URL`, ...), as every S3 tool reads them.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from orchestrator.errors import OrchestratorError
from orchestrator.tasks.stores import (
    MAX_DOWNLOAD,
    Artifact,
    Credentials,
    StoreError,
    describe,
)

TAG = "artifact-tag"  # user metadata, sent as x-amz-meta-artifact-tag
EXTRA = "orchestrator[s3]"


def _obstore() -> Any:
    try:
        import obstore
        import obstore.exceptions
        import obstore.store
    except ImportError as e:
        raise OrchestratorError(
            f"an s3:// remote cache needs the {EXTRA} extra",
            hint=f"pip install '{EXTRA}' (it installs obstore)") from e
    return obstore


class S3Store:
    def __init__(self, url: str, creds: Credentials):
        self.lib = _obstore()
        parts = urlsplit(url)
        self.where = describe(url)
        self.timeout = creds.timeout
        seconds = f"{creds.timeout:g}s"
        options: dict[str, Any] = {"timeout": seconds, "connect_timeout": seconds}
        if _endpoint().startswith("http://"):
            options["allow_http"] = True  # a local S3-compatible server
        self.store = self.lib.store.S3Store(
            parts.netloc, prefix=parts.path.strip("/") or None, client_options=options,
            retry_config={"max_retries": 0, "retry_timeout": timedelta(seconds=creds.timeout)})

    def status(self) -> str:
        """A bucket has no word on it: its first answer tells."""
        return "unknown"

    def get(self, key: str) -> Artifact | None:
        try:
            result = self.lib.get(self.store, key)
            too_big = result.meta["size"] > MAX_DOWNLOAD
            body = b"" if too_big else bytes(result.bytes())
        except FileNotFoundError:
            return None
        except Exception as e:  # obstore raises its own hierarchy, and OSError
            raise self._failure(e) from None
        if too_big:
            raise StoreError("invalid", f"{self.where}: an artifact is larger than "
                                        f"{MAX_DOWNLOAD} bytes")
        return Artifact(body, result.attributes.get(TAG))

    def put(self, key: str, body: bytes, *, tag: str | None, duration_ms: int) -> None:
        attributes = {"Content-Type": "application/octet-stream"}
        if tag is not None:
            attributes[TAG] = tag
        try:
            self.lib.put(self.store, key, body, attributes=attributes, use_multipart=False)
        except Exception as e:  # as above
            raise self._failure(e) from None

    def _failure(self, error: Exception) -> StoreError:
        """A refusal by class; anything else (no answer, a 5xx) turns the store off for the
        run, since the S3 client has already waited out its timeout."""
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        refused = (self.lib.exceptions.PermissionDeniedError,
                   self.lib.exceptions.UnauthenticatedError)
        if isinstance(error, refused):
            return StoreError("refused", f"{self.where} refused the credentials: {text}")
        return StoreError("unreachable", f"{self.where} failed: {text}")


def _endpoint() -> str:
    import os

    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") \
        or os.environ.get("AWS_ENDPOINT") or ""
