"""Configuration loading from environment variables and TOML files."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__version__ = "1.2.0"

__all__ = ["Config", "ConfigError", "__version__"]

_MISSING: Any = object()
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(Exception):
    """Raised when a configuration value is missing or has the wrong type."""


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Flatten nested tables into a single mapping with dotted keys."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{full}."))
        else:
            flat[full] = value
    return flat


class Config(Mapping[str, Any]):
    """An immutable mapping of dotted keys to values with typed getters."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self._values: dict[str, Any] = _flatten(values or {})

    @classmethod
    def from_env(cls, prefix: str, environ: Mapping[str, str] | None = None) -> Config:
        """Load every variable starting with ``prefix``; ``__`` separates sections."""
        env = os.environ if environ is None else environ
        values = {
            name[len(prefix):].lower().replace("__", "."): value
            for name, value in env.items()
            if name.startswith(prefix) and len(name) > len(prefix)
        }
        return cls(values)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Config:
        """Load a TOML file, raising ConfigError if it is missing or invalid."""
        try:
            with Path(path).open("rb") as handle:
                return cls(tomllib.load(handle))
        except FileNotFoundError as exc:
            raise ConfigError(f"config file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid TOML in {path}: {exc}") from exc

    def merged(self, *others: Config) -> Config:
        """Return a new Config where later configs override earlier ones."""
        combined = dict(self._values)
        for other in others:
            combined.update(other._values)
        return Config(combined)

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def _lookup(self, key: str, default: Any) -> Any:
        if key in self._values:
            return self._values[key]
        if default is _MISSING:
            raise ConfigError(f"missing required config key: {key}")
        return default

    def get_str(self, key: str, default: Any = _MISSING) -> str:
        """Return a value as a string."""
        return str(self._lookup(key, default))

    def get_int(self, key: str, default: Any = _MISSING) -> int:
        """Return a value as an integer, raising ConfigError if it is not one."""
        value = self._lookup(key, default)
        if isinstance(value, bool):
            raise ConfigError(f"{key} must be an integer, got a boolean")
        try:
            return int(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{key} must be an integer, got {value!r}") from exc

    def get_float(self, key: str, default: Any = _MISSING) -> float:
        """Return a value as a float, raising ConfigError if it is not one."""
        value = self._lookup(key, default)
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{key} must be a number, got {value!r}") from exc

    def get_bool(self, key: str, default: Any = _MISSING) -> bool:
        """Return a value as a boolean, accepting common spellings like 'yes'."""
        value = self._lookup(key, default)
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"{key} must be a boolean, got {value!r}")
