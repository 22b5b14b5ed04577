"""`[tool.orchestrator]`: typed settings, validated once, with where each value came from."""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from orchestrator.errors import ConfigError
from orchestrator.workspace.model import PackageSettings, TaskOverride
from orchestrator.workspace.tomlfile import parse_toml, table

DEFAULT_GLOBAL_FILES: tuple[str, ...] = (
    "/pyproject.toml",
    "/conftest.py",
    "/pytest.ini",
    "/tox.ini",
    "/setup.cfg",
    "/.python-version",
    "/poetry.lock",
    "/pdm.lock",
    "/requirements*.txt",
    "/constraints*.txt",
)
DEFAULT_SERVICES: tuple[str, ...] = ("services/*",)

WORKSPACE_KEYS = ("members", "services", "base", "global-files", "tasks", "release",
                  "remote-cache")
PACKAGE_KEYS = ("ignore", "version-files", "tasks")
TASK_KEYS = ("command", "needs-dependencies", "inputs", "env", "global-files")
RELEASE_KEYS = ("tag-format", "dependents", "repository-url", "publish-services")

DependentsPolicy = Literal["out-of-range", "always", "never"]


@dataclass(frozen=True)
class TaskConfig:
    """A task as the root defines it (before any package's override)."""

    name: str
    command: tuple[str, ...]
    needs_dependencies: bool = False
    inputs: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    global_files: tuple[str, ...] = ()

    def with_override(self, override: TaskOverride | None) -> TaskConfig:
        """This task as one package sees it."""
        if override is None:
            return self
        return TaskConfig(
            name=self.name,
            command=override.command if override.command is not None else self.command,
            needs_dependencies=(
                override.needs_dependencies
                if override.needs_dependencies is not None
                else self.needs_dependencies
            ),
            inputs=override.inputs if override.inputs is not None else self.inputs,
            env=override.env if override.env is not None else self.env,
            global_files=(
                override.global_files if override.global_files is not None else self.global_files
            ),
        )


BUILTIN_TASKS: dict[str, TaskConfig] = {
    "test": TaskConfig("test", ("{python}", "-m", "pytest")),
    "build": TaskConfig(
        "build",
        ("{python}", "-m", "build", "--outdir", "{out}", "."),
        needs_dependencies=True,
    ),
}


@dataclass(frozen=True)
class ReleaseConfig:
    tag_format: str = "{name}-v{version}"
    dependents: DependentsPolicy = "out-of-range"
    repository_url: str | None = None
    publish_services: bool = False


@dataclass(frozen=True)
class Config:
    """The effective workspace settings."""

    members: tuple[str, ...] | None = None
    services: tuple[str, ...] = DEFAULT_SERVICES
    base: str | None = None
    global_files: tuple[str, ...] = DEFAULT_GLOBAL_FILES
    tasks: Mapping[str, TaskConfig] = field(default_factory=lambda: dict(BUILTIN_TASKS))
    release: ReleaseConfig = field(default_factory=ReleaseConfig)
    remote_cache: str | None = None  # a Turborepo remote cache API URL, or s3://bucket/prefix
    source: str = "defaults"  # the file the table was read from
    origins: Mapping[str, str] = field(default_factory=dict)  # key -> file, or "default"


def suggest(key: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_keys(raw: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
    for key in raw:
        if key not in known:
            raise ConfigError(f"{where}: unknown key '{key}'{suggest(key, known)}")


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, list):
        raise ConfigError(f"{where} must be a list of strings")
    if not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where} must be a list of strings")
    return tuple(value)


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a string")
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false")
    return value


def parse_command(value: Any, where: str) -> tuple[str, ...]:
    """A command is an argv list, or a string split the way a POSIX shell would."""
    if isinstance(value, str):
        try:
            argv = tuple(shlex.split(value))
        except ValueError as e:
            raise ConfigError(f"{where} cannot be split into arguments: {e}") from e
    else:
        argv = _strings(value, where)
    if not argv:
        raise ConfigError(f"{where} is empty")
    return argv


def _env(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"{where} must be a table of strings")
    return tuple(sorted(value.items()))


def parse_task_override(name: str, raw: Any, where: str) -> TaskOverride:
    """A task entry: a bare command, or a table of task keys."""
    if not isinstance(raw, dict):
        return TaskOverride(command=parse_command(raw, f"{where}.{name}"))
    check_keys(raw, TASK_KEYS, f"{where}.{name}")
    at = f"{where}.{name}"
    return TaskOverride(
        command=parse_command(raw["command"], f"{at}.command") if "command" in raw else None,
        needs_dependencies=(
            _bool(raw["needs-dependencies"], f"{at}.needs-dependencies")
            if "needs-dependencies" in raw
            else None
        ),
        inputs=_strings(raw["inputs"], f"{at}.inputs") if "inputs" in raw else None,
        env=_env(raw["env"], f"{at}.env") if "env" in raw else None,
        global_files=(
            _strings(raw["global-files"], f"{at}.global-files") if "global-files" in raw else None
        ),
    )


def _tasks(raw: Any, where: str) -> dict[str, TaskConfig]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    tasks = dict(BUILTIN_TASKS)
    for name, entry in raw.items():
        override = parse_task_override(name, entry, where)
        base = tasks.get(name)
        if base is None:
            if override.command is None:
                raise ConfigError(f"{where}.{name} needs a 'command'")
            base = TaskConfig(name, override.command)
        tasks[name] = base.with_override(override)
    return tasks


def _release(raw: Any, where: str) -> ReleaseConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    check_keys(raw, RELEASE_KEYS, where)
    release = ReleaseConfig()
    tag_format = _string(raw.get("tag-format", release.tag_format), f"{where}.tag-format")
    if "{name}" not in tag_format or "{version}" not in tag_format:
        raise ConfigError(f"{where}.tag-format must contain both {{name}} and {{version}}")
    dependents = raw.get("dependents", release.dependents)
    if dependents not in ("out-of-range", "always", "never"):
        raise ConfigError(
            f"{where}.dependents must be 'out-of-range', 'always' or 'never', not {dependents!r}"
        )
    url = raw.get("repository-url")
    return ReleaseConfig(
        tag_format=tag_format,
        dependents=dependents,
        repository_url=_string(url, f"{where}.repository-url") if url is not None else None,
        publish_services=_bool(
            raw.get("publish-services", False), f"{where}.publish-services"
        ),
    )


REMOTE_CACHE_SCHEMES = ("http://", "https://", "s3://")


def remote_cache_url(value: Any, where: str) -> str:
    """A remote cache URL: the Turborepo remote cache API over HTTP(S), or an S3 bucket.

    Credentials come from the environment only, so a URL that carries some is refused
    (and never echoed).
    """
    url = _string(value, where)
    if not url.startswith(REMOTE_CACHE_SCHEMES):
        raise ConfigError(f"{where} must start with http://, https:// or s3://")
    host = url.split("/")[2]
    if not host:
        raise ConfigError(f"{where} names no server or bucket")
    if "@" in host:
        raise ConfigError(f"{where} must not carry credentials; set "
                          "ORCHESTRATOR_REMOTE_CACHE_TOKEN in the environment instead")
    return url


def parse_config(raw: Mapping[str, Any], source: str, *, allow_package_keys: bool) -> Config:
    """Validate a root `[tool.orchestrator]` table into a Config."""
    where = f"{source} [tool.orchestrator]"
    known = WORKSPACE_KEYS + (PACKAGE_KEYS if allow_package_keys else ())
    check_keys(raw, tuple(dict.fromkeys(known)), where)
    defaults = Config()
    members = raw.get("members")
    return Config(
        members=_strings(members, f"{where} members") if members is not None else None,
        services=_strings(raw.get("services", list(defaults.services)), f"{where} services"),
        base=_string(raw["base"], f"{where} base") if "base" in raw else None,
        global_files=(
            _strings(raw["global-files"], f"{where} global-files")
            if "global-files" in raw
            else defaults.global_files
        ),
        tasks=_tasks(raw.get("tasks", {}), f"{where} tasks"),
        release=_release(raw.get("release", {}), f"{where} release"),
        remote_cache=remote_cache_url(raw["remote-cache"], f"{where} remote-cache")
        if "remote-cache" in raw else None,
        source=source,
        origins={key: source for key in raw},
    )


def read_config_file(data: bytes, path: str) -> Config:
    """An explicit --config file: a `[tool.orchestrator]` table, or a bare TOML of its keys."""
    doc = parse_toml(data, path)
    raw = table(doc, "tool.orchestrator") if "tool" in doc else doc
    return parse_config(raw, path, allow_package_keys=False)


def parse_package_settings(raw: Mapping[str, Any], where: str) -> PackageSettings:
    """A package's own `[tool.orchestrator]` table (workspace keys are allowed at the root)."""
    known = PACKAGE_KEYS if where != "pyproject.toml" else tuple(
        dict.fromkeys(PACKAGE_KEYS + WORKSPACE_KEYS)
    )
    check_keys(raw, known, f"{where} [tool.orchestrator]")
    tasks = raw.get("tasks", {})
    if not isinstance(tasks, dict):
        raise ConfigError(f"{where} [tool.orchestrator] tasks must be a table")
    at = f"{where} [tool.orchestrator] tasks"
    return PackageSettings(
        ignore=_strings(raw.get("ignore", []), f"{where} [tool.orchestrator] ignore"),
        version_files=_strings(
            raw.get("version-files", []), f"{where} [tool.orchestrator] version-files"
        ),
        tasks=tuple(
            (name, parse_task_override(name, entry, at)) for name, entry in sorted(tasks.items())
        ),
    )
