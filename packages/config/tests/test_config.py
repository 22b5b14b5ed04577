from pathlib import Path

import pytest

from acme_config import Config, ConfigError


def test_from_env_strips_prefix_and_nests_sections() -> None:
    env = {"ACME_DB__POOL_SIZE": "8", "ACME_DEBUG": "yes", "OTHER_VAR": "x"}
    config = Config.from_env("ACME_", environ=env)
    assert dict(config) == {"db.pool_size": "8", "debug": "yes"}
    assert config.get_int("db.pool_size") == 8
    assert config.get_bool("debug") is True


def test_from_toml_flattens_tables(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[db]\npath = "app.sqlite"\npool_size = 2\n\n[log]\nlevel = "DEBUG"\n')
    config = Config.from_toml(path)
    assert config.get_str("db.path") == "app.sqlite"
    assert config.get_int("db.pool_size") == 2
    assert config["log.level"] == "DEBUG"


def test_defaults_and_missing_keys() -> None:
    config = Config({"timeout": "2.5"})
    assert config.get_float("timeout") == 2.5
    assert config.get_int("retries", default=3) == 3
    with pytest.raises(ConfigError, match="missing required config key: retries"):
        config.get_int("retries")


def test_type_errors_are_config_errors() -> None:
    config = Config({"port": "eighty", "flag": "maybe", "enabled": True})
    with pytest.raises(ConfigError, match="port must be an integer"):
        config.get_int("port")
    with pytest.raises(ConfigError, match="flag must be a boolean"):
        config.get_bool("flag")
    with pytest.raises(ConfigError):
        config.get_int("enabled")


def test_merged_later_wins(tmp_path: Path) -> None:
    base = Config({"db": {"path": "a.sqlite", "pool_size": 2}})
    override = Config.from_env("ACME_", environ={"ACME_DB__PATH": "b.sqlite"})
    merged = base.merged(override)
    assert merged.get_str("db.path") == "b.sqlite"
    assert merged.get_int("db.pool_size") == 2
    assert base.get_str("db.path") == "a.sqlite"


def test_bad_toml_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        Config.from_toml(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("this is = = not toml")
    with pytest.raises(ConfigError, match="invalid TOML"):
        Config.from_toml(broken)
