import hashlib

import pytest

from acme_config import Config
from acme_signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    Signer,
    canonical_request,
)

NOW = 1_700_000_000


def make_signer(now: float = NOW) -> Signer:
    return Signer(b"secret", max_skew=60, clock=lambda: now)


def test_canonical_request_sorts_query_and_hashes_body() -> None:
    text = canonical_request("post", "/orders", {"b": "2", "a": "1"}, b"{}", NOW)
    assert text.split("\n") == [
        "POST",
        "/orders",
        "a=1&b=2",
        hashlib.sha256(b"{}").hexdigest(),
        str(NOW),
    ]


def test_sign_and_verify_roundtrip() -> None:
    signer = make_signer()
    headers = signer.sign_headers("GET", "/orders", {"limit": "10"})
    assert headers[TIMESTAMP_HEADER] == str(NOW)
    signer.verify_headers("GET", "/orders", {"limit": "10"}, b"", headers)


def test_tampered_request_is_rejected() -> None:
    signer = make_signer()
    headers = signer.sign_headers("POST", "/orders", body=b'{"qty": 1}')
    with pytest.raises(SignatureError, match="mismatch"):
        signer.verify_headers("POST", "/orders", None, b'{"qty": 9}', headers)


def test_stale_timestamp_is_rejected() -> None:
    headers = make_signer(NOW).sign_headers("GET", "/health")
    later = make_signer(NOW + 61)
    with pytest.raises(SignatureError, match="clock skew"):
        later.verify_headers("GET", "/health", None, b"", headers)


def test_missing_headers_and_key_from_config() -> None:
    config = Config({"signing": {"key": "from-config", "max_skew": "30"}})
    signer = Signer.from_config(config, clock=lambda: NOW)
    assert signer.max_skew == 30
    with pytest.raises(SignatureError, match="missing"):
        signer.verify_headers("GET", "/", None, b"", {SIGNATURE_HEADER: "abc"})
    other = Signer(b"another-key", clock=lambda: NOW)
    with pytest.raises(SignatureError):
        other.verify_headers("GET", "/", None, b"", signer.sign_headers("GET", "/"))
