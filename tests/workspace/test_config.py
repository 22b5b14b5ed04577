from __future__ import annotations

import pytest

from orchestrator.errors import ConfigError
from orchestrator.workspace.config import (
    DEFAULT_GLOBAL_FILES,
    Config,
    parse_config,
    parse_package_settings,
    read_config_file,
)


def test_defaults_when_nothing_is_configured() -> None:
    config = Config()
    assert config.members is None
    assert config.services == ("services/*",)
    assert config.global_files == DEFAULT_GLOBAL_FILES
    assert set(config.tasks) == {"test", "build"}
    assert config.release.tag_format == "{name}-v{version}"


def test_every_documented_key_is_read_and_its_origin_kept() -> None:
    raw = {
        "members": ["libs/*"],
        "services": ["apps/*"],
        "base": "origin/develop",
        "global-files": ["/ruff.toml"],
        "tasks": {"lint": "ruff check .", "test": {"command": ["pytest", "-x"], "env": {"A": "1"}}},
        "release": {"tag-format": "{name}@{version}", "dependents": "always",
                    "repository-url": "http://127.0.0.1:1/", "publish-services": True},
    }
    config = parse_config(raw, "pyproject.toml", allow_package_keys=False)
    assert config.members == ("libs/*",)
    assert config.base == "origin/develop"
    assert config.global_files == ("/ruff.toml",)
    assert config.tasks["lint"].command == ("ruff", "check", ".")
    assert config.tasks["test"].command == ("pytest", "-x")
    assert config.tasks["test"].env == (("A", "1"),)
    assert config.tasks["build"].needs_dependencies  # builtins survive
    assert config.release.dependents == "always"
    assert config.release.publish_services
    assert config.origins["base"] == "pyproject.toml"
    assert "services" in config.origins


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"member": ["x"]}, "unknown key 'member' (did you mean 'members'?)"),
        ({"globalfiles": []}, "did you mean 'global-files'?"),
        ({"members": "packages/*"}, "members must be a list of strings"),
        ({"release": {"tag-fromat": "x"}}, "did you mean 'tag-format'?"),
        ({"release": {"dependents": "sometimes"}}, "must be 'out-of-range', 'always' or 'never'"),
        ({"release": {"tag-format": "{name}-v"}}, "'{name}-v' must contain {version}"),
        ({"release": {"tag-format": ["v{version}", "{pkg}-{version}"]}},
         "'{pkg}-{version}' has the placeholder {pkg}; use {name}, {path}, {version}"),
        ({"release": {"tag-format": []}}, "must name at least one format"),
        ({"release": {"groups": {"name": "x"}}}, "[[tool.orchestrator.release.groups]]"),
        ({"release": {"groups": [{"members": ["a"]}]}}, "groups[0] needs a 'name'"),
        ({"release": {"groups": [{"name": "g"}]}}, "groups[0] (g) needs 'members'"),
        ({"release": {"groups": [{"name": "g", "members": ["a"],
                                  "tag-format": "{path}@{version}"}]}},
         "has the placeholder {path}; use {name}, {version}"),
        ({"release": {"groups": [{"name": "g", "members": ["a"]}, {"name": "g", "members": []}]}},
         "two groups are named 'g'"),
        ({"release": {"tag-name": "x"}}, "unknown key 'tag-name'"),
        ({"tasks": {"lint": {"comand": "x"}}}, "did you mean 'command'?"),
        ({"tasks": {"lint": {"env": {}}}}, "needs a 'command'"),
        ({"tasks": {"lint": "unbalanced 'quote"}}, "cannot be split into arguments"),
        ({"tasks": {"lint": []}}, "is empty"),
    ],
)
def test_invalid_settings_name_the_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=None) as info:
        parse_config(raw, "pyproject.toml", allow_package_keys=False)
    assert message in info.value.message
    assert "pyproject.toml" in info.value.message


def test_config_file_may_be_a_bare_table_or_a_pyproject() -> None:
    bare = read_config_file(b'members = ["a/*"]\n', "ci.toml")
    nested = read_config_file(b'[tool.orchestrator]\nmembers = ["b/*"]\n', "ci.toml")
    assert bare.members == ("a/*",)
    assert nested.members == ("b/*",)
    assert bare.source == "ci.toml"


def test_invalid_toml_names_file_and_line() -> None:
    with pytest.raises(ConfigError) as info:
        read_config_file(b'members = ["a"\nbase = 1\n', "ci.toml")
    assert info.value.message.startswith("ci.toml is not valid TOML")
    assert "line" in info.value.message


def test_package_settings_and_task_overrides() -> None:
    settings = parse_package_settings(
        {"ignore": ["docs/**"], "tasks": {"test": {"needs-dependencies": True}}},
        "packages/a/pyproject.toml",
    )
    assert settings.ignore == ("docs/**",)
    override = settings.task("test")
    assert override is not None and override.needs_dependencies is True
    assert Config().tasks["test"].with_override(override).needs_dependencies


def test_workspace_keys_are_refused_in_a_member_package() -> None:
    with pytest.raises(ConfigError, match="unknown key 'members'"):
        parse_package_settings({"members": []}, "packages/a/pyproject.toml")


def test_invalid_toml_at_the_end_still_names_a_line() -> None:
    with pytest.raises(ConfigError) as info:
        read_config_file(b'members = ["a"]\nbase = ', "ci.toml")
    assert "end of document, line 2" in info.value.message


def test_release_groups_tag_format_lists_and_tag_names_are_read() -> None:
    config = parse_config({"release": {
        "tag-format": ["{name}=={version}", "{path}-v{version}"],
        "groups": [{"name": "sdk", "members": ["libs/sdk", "libs/inst-*"],
                    "tag-format": "v{version}"}, {"name": "cli", "members": ["libs/cli"]}]}},
        "pyproject.toml", allow_package_keys=False)
    assert config.release.tag_formats == ("{name}=={version}", "{path}-v{version}")
    assert config.release.tag_format == "{name}=={version}"  # the one new tags are written in
    assert [(g.name, g.members, g.tag_formats) for g in config.release.groups] == [
        ("sdk", ("libs/sdk", "libs/inst-*"), ("v{version}",)), ("cli", ("libs/cli",), None)]
    settings = parse_package_settings({"release": {"tag-name": "sdk"}}, "libs/sdk/pyproject.toml")
    assert settings.tag_name == "sdk"
    root = parse_config({"release": {"tag-name": "core"}}, "pyproject.toml",
                        allow_package_keys=True)  # the root package's own, beside the rest
    assert root.release.tag_formats == ("{name}-v{version}",)


@pytest.mark.parametrize(("raw", "message"), [
    ({"release": {"tag-format": "x"}}, "'tag-format' is a workspace setting, read from the "
                                       "root's [tool.orchestrator.release]"),
    ({"release": {"tag-nmae": "x"}}, "unknown key 'tag-nmae' (did you mean 'tag-name'?)"),
    ({"release": {"tag-name": ""}}, "tag-name '' must be a non-empty name without braces"),
    ({"release": {"tag-name": 3}}, "tag-name must be a string"),
    ({"release": "sdk"}, "[tool.orchestrator.release] must be a table"),
])
def test_a_packages_release_table_holds_only_its_tag_name(raw: dict[str, object],
                                                          message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_package_settings(raw, "libs/sdk/pyproject.toml")
    assert message in info.value.message and "libs/sdk/pyproject.toml" in info.value.message
