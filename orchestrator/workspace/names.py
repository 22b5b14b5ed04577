"""Names the workspace compares by: project names (PEP 503) and the files it reads by name.

A module of its own, without the metadata reader, so that a warm run that reads no
metadata does not import it.
"""

from __future__ import annotations

import re
from functools import lru_cache

PYPROJECT = "pyproject.toml"
LOCK_FILE = "uv.lock"

_SEPARATORS = re.compile(r"[-_.]+")


@lru_cache(maxsize=65536)
def canonical(name: str) -> str:
    """PEP 503 normalisation (memoised: a workspace repeats its names everywhere)."""
    return _SEPARATORS.sub("-", name).lower()


def is_valid_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", name, re.IGNORECASE))
