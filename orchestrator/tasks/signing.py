"""Artifact signatures in Turborepo's `x-artifact-tag` scheme, so artifacts interoperate.

The tag is HMAC-SHA256, keyed by the shared secret, over the JSON text
`{"hash":"<hash>","teamId":"<team>"}` followed by the artifact's bytes, in standard base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json


def artifact_tag(secret: bytes, team: str, key: str, body: bytes) -> str:
    """The tag an artifact is uploaded with."""
    return base64.b64encode(_digest(secret, team, key, body)).decode("ascii")


def verify(secret: bytes, team: str, key: str, body: bytes, tag: str | None) -> bool:
    """Whether `tag` is this artifact's signature (a missing or garbled tag is not)."""
    if not tag:
        return False
    try:
        # Turborepo has sent tags with and without padding over the years: accept both.
        given = base64.b64decode(tag + "=" * (-len(tag) % 4), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(given, _digest(secret, team, key, body))


def _digest(secret: bytes, team: str, key: str, body: bytes) -> bytes:
    metadata = json.dumps({"hash": key, "teamId": team}, separators=(",", ":"),
                          ensure_ascii=False)
    mac = hmac.new(secret, metadata.encode("utf-8"), hashlib.sha256)
    mac.update(body)
    return mac.digest()
