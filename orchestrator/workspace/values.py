"""Typed values from raw TOML tables, each error naming where the value was read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from orchestrator.errors import ConfigError


def suggest(key: str, known: tuple[str, ...]) -> str:
    import difflib

    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_keys(raw: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in raw:
        if key not in known:
            raise ConfigError(f"{where}: unknown key '{key}'{suggest(key, known)}")


def strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list):
        raise ConfigError(f"{where} must be a list of strings")
    if not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string")
    return value


def boolean(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false")
    return value


def scrub_url(url: str) -> str:
    """`url` without any user name or password in it (even when it cannot be parsed)."""
    import re
    import urllib.parse

    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return re.sub(r"(//)[^/]*@", r"\1***@", url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc="***@" + parts.netloc.split("@")[-1]))


def one_line(text: str) -> str:
    """Text as one printable line, whatever a server, a file name or the system put in it:
    a line break or another control character could start a GitHub workflow command."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)
