"""Reading TOML with clear errors: the file and line at fault, never a traceback."""

from __future__ import annotations

import tomllib
from typing import Any

from orchestrator.errors import ConfigError


def parse_toml(data: bytes, path: str) -> dict[str, Any]:
    """Parse TOML bytes; `path` names the file in any error."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path} is not valid UTF-8 ({e.reason} at byte {e.start})") from e
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        message = str(e)
        if message.endswith("(at end of document)"):  # name the line there too
            last = text.count("\n") + (0 if text.endswith("\n") else 1)
            message = message.replace("end of document", f"end of document, line {last}")
        raise ConfigError(f"{path} is not valid TOML: {message}") from e
    except RecursionError as e:  # valid TOML, but deeper than the parser can follow
        raise ConfigError(f"{path} nests arrays or tables too deeply to be read",
                          hint="flatten the deeply nested value") from e


def table(data: dict[str, Any], dotted: str) -> dict[str, Any]:
    """The table at a dotted path such as "tool.orchestrator", or {} when absent."""
    node: Any = data
    for part in dotted.split("."):
        node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return {}
    return node if isinstance(node, dict) else {}
