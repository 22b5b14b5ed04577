"""`[tool.orchestrator]`: typed settings, validated once, with where each value came from."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orchestrator.errors import ConfigError
from orchestrator.workspace.model import (
    EDGE_KINDS,
    ORDER_KINDS,
    EdgeKind,
    PackageSettings,
    TaskOverride,
)
from orchestrator.workspace.releaseconfig import (
    ReleaseConfig,
    parse_release,
    parse_tag_name,
)
from orchestrator.workspace.tomlfile import parse_toml, table
from orchestrator.workspace.values import boolean, check_keys, string, strings, suggest

DEFAULT_GLOBAL_FILES: tuple[str, ...] = (
    "/pyproject.toml",
    "/conftest.py",
    "/pytest.ini",
    "/tox.ini",
    "/setup.cfg",
    "/.python-version",
    "/uv.toml",  # what [tool.uv] in /pyproject.toml would say: indexes, constraints
    "/poetry.lock",
    "/pdm.lock",
    "/*requirements*.txt",  # requirements.txt, dev-requirements.txt, requirements-test.txt
    "/*constraints*.txt",
    "/requirements/",  # requirements/base.txt and the like
)
DEFAULT_SERVICES: tuple[str, ...] = ("services/*",)

WORKSPACE_KEYS = ("members", "services", "base", "global-files", "ignore", "affected-kinds",
                  "order-kinds", "resolve-dynamic", "remote-cache", "tasks", "release")
PACKAGE_KEYS = ("ignore", "version-files", "tasks", "release")
TASK_KEYS = ("command", "needs-dependencies", "inputs", "env", "global-files")
# Keys that only a workspace root's table has: finding one marks the root.
ROOT_ONLY_KEYS = tuple(k for k in WORKSPACE_KEYS if k not in PACKAGE_KEYS)


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
    # PyPA build, from a copy whose internal requirements are pinned to the repository's
    # versions (see orchestrator.release.installable); the variable is in the cache key.
    "build": TaskConfig(
        "build",
        ("{python}", "-m", "orchestrator.release.installable", "--outdir", "{out}", "."),
        needs_dependencies=True,
        env=(("ORCHESTRATOR_KEEP_LOCAL_REFERENCES", "${ORCHESTRATOR_KEEP_LOCAL_REFERENCES}"),),
    ),
}


@dataclass(frozen=True)
class Config:
    """The effective workspace settings."""

    members: tuple[str, ...] | None = None
    services: tuple[str, ...] = DEFAULT_SERVICES
    base: str | None = None
    global_files: tuple[str, ...] = DEFAULT_GLOBAL_FILES
    ignore: tuple[str, ...] = ()  # workspace-wide: changes here affect no package
    affected_kinds: tuple[EdgeKind, ...] = EDGE_KINDS  # what affected-ness follows
    order_kinds: tuple[EdgeKind, ...] = tuple(k for k in EDGE_KINDS if k in ORDER_KINDS)
    resolve_dynamic: bool = False  # ask build backends for dependencies they compute
    tasks: Mapping[str, TaskConfig] = field(default_factory=lambda: dict(BUILTIN_TASKS))
    release: ReleaseConfig = field(default_factory=ReleaseConfig)
    remote_cache: str | None = None  # a Turborepo remote cache API URL, or s3://bucket/prefix
    source: str = "defaults"  # the file the table was read from
    origins: Mapping[str, str] = field(default_factory=dict)  # key -> file, or "default"


def parse_command(value: Any, where: str) -> tuple[str, ...]:
    """A command is an argv list, or a string split the way a POSIX shell would."""
    if isinstance(value, str):
        import shlex

        try:
            argv = tuple(shlex.split(value))
        except ValueError as e:
            raise ConfigError(f"{where} cannot be split into arguments: {e}") from e
    else:
        argv = strings(value, where)
    if not argv:
        raise ConfigError(f"{where} is empty")
    return argv


def _env(value: Any, where: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise ConfigError(f"{where} must be a table of strings")
    return tuple(sorted(value.items()))


_TASK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def check_task_name(name: str, where: str) -> str:
    """Task names become file names (logs, cache entries, outputs): a safe word only."""
    if not _TASK_NAME.fullmatch(name):
        raise ConfigError(f"{where}: {name!r} is not a valid task name",
                          hint="a task name is up to 64 letters, digits and '.', '_', ':', "
                          "'-', starting with a letter or digit")
    return name


def parse_task_override(name: str, raw: Any, where: str) -> TaskOverride:
    """A task entry: a bare command, or a table of task keys."""
    check_task_name(name, where)
    if not isinstance(raw, dict | str | list):
        raise ConfigError(f"{where}.{name} must be a command (a string or a list of strings) "
                          "or a table of task settings")
    if not isinstance(raw, dict):
        return TaskOverride(command=parse_command(raw, f"{where}.{name}"))
    check_keys(raw, TASK_KEYS, f"{where}.{name}")
    at = f"{where}.{name}"
    return TaskOverride(
        command=parse_command(raw["command"], f"{at}.command") if "command" in raw else None,
        needs_dependencies=(
            boolean(raw["needs-dependencies"], f"{at}.needs-dependencies")
            if "needs-dependencies" in raw
            else None
        ),
        inputs=strings(raw["inputs"], f"{at}.inputs") if "inputs" in raw else None,
        env=_env(raw["env"], f"{at}.env") if "env" in raw else None,
        global_files=(
            strings(raw["global-files"], f"{at}.global-files") if "global-files" in raw else None
        ),
    )


def _kinds(raw: Any, where: str, default: tuple[EdgeKind, ...]) -> tuple[EdgeKind, ...]:
    """A list of edge kinds, in DESIGN's order; each must be one of them."""
    if raw is None:
        return default
    for kind in strings(raw, where):
        if kind not in EDGE_KINDS:
            raise ConfigError(f"{where}: unknown edge kind '{kind}'{suggest(kind, EDGE_KINDS)}",
                              hint=f"the kinds are {', '.join(EDGE_KINDS)}")
    return tuple(k for k in EDGE_KINDS if k in raw)


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


REMOTE_CACHE_SCHEMES = ("http://", "https://", "s3://")


def ref_name(value: Any, where: str) -> str:
    """A git revision; an empty one would quietly mean the default."""
    if not string(value, where).strip():
        raise ConfigError(f"{where} is empty", hint="name a branch, tag or commit, or leave "
                          "the key out for the default (origin/main, then main)")
    return str(value)


def remote_cache_url(value: Any, where: str) -> str:
    """A remote cache URL: the Turborepo remote cache API over HTTP(S), or an S3 bucket.

    Credentials come from the environment only, so a URL that carries some is refused
    (and never echoed).
    """
    url = string(value, where)
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
        members=strings(members, f"{where} members") if members is not None else None,
        services=strings(raw.get("services", list(defaults.services)), f"{where} services"),
        base=ref_name(raw["base"], f"{where} base") if "base" in raw else None,
        global_files=(
            strings(raw["global-files"], f"{where} global-files")
            if "global-files" in raw
            else defaults.global_files
        ),
        ignore=strings(raw["ignore"], f"{where} ignore") if "ignore" in raw else (),
        affected_kinds=_kinds(raw.get("affected-kinds"), f"{where} affected-kinds",
                              defaults.affected_kinds),
        order_kinds=_kinds(raw.get("order-kinds"), f"{where} order-kinds",
                           defaults.order_kinds),
        resolve_dynamic=boolean(raw.get("resolve-dynamic", False), f"{where} resolve-dynamic"),
        tasks=_tasks(raw.get("tasks", {}), f"{where} tasks"),
        release=parse_release(raw.get("release", {}), f"{where} release",
                         allow_package_keys=allow_package_keys),
        remote_cache=remote_cache_url(raw["remote-cache"], f"{where} remote-cache")
        if "remote-cache" in raw else None,
        source=source,
        origins={key: source for key in raw},
    )


def read_config_file(data: bytes, path: str) -> Config:
    """An explicit --config file: a `[tool.orchestrator]` table, or a bare TOML of its keys."""
    return config_file_settings(parse_toml(data, path), path)


def config_file_settings(doc: dict[str, Any], path: str) -> Config:
    """The settings of a --config file already parsed."""
    if not any(key in doc for key in ("tool", "project", "build-system")):
        return parse_config(doc, path, allow_package_keys=False)
    tool = doc.get("tool")
    if not isinstance(tool, dict) or "orchestrator" not in tool:
        raise ConfigError(f"{path} has no [tool.orchestrator] table",
                          hint="add one, or write the settings as bare keys in a file of "
                          "their own (members = [...])")
    if not isinstance(tool["orchestrator"], dict):
        raise ConfigError(f"{path}: [tool.orchestrator] must be a table")
    return parse_config(table(doc, "tool.orchestrator"), path, allow_package_keys=False)


def parse_package_settings(raw: Mapping[str, Any], where: str) -> PackageSettings:
    """A package's own `[tool.orchestrator]` table (workspace keys are allowed at the root)."""
    is_root = where == "pyproject.toml"
    known = PACKAGE_KEYS if not is_root else tuple(
        dict.fromkeys(PACKAGE_KEYS + WORKSPACE_KEYS)
    )
    check_keys(raw, known, f"{where} [tool.orchestrator]")
    tasks = raw.get("tasks", {})
    if not isinstance(tasks, dict):
        raise ConfigError(f"{where} [tool.orchestrator] tasks must be a table")
    at = f"{where} [tool.orchestrator] tasks"
    return PackageSettings(
        ignore=strings(raw.get("ignore", []), f"{where} [tool.orchestrator] ignore"),
        version_files=strings(
            raw.get("version-files", []), f"{where} [tool.orchestrator] version-files"
        ),
        tasks=tuple(
            (name, parse_task_override(name, entry, at)) for name, entry in sorted(tasks.items())
        ),
        tag_name=parse_tag_name(raw.get("release", {}), f"{where} [tool.orchestrator.release]",
                           is_root),
    )


