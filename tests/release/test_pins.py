"""Internal requirements pinned for publishing, in the throwaway checkout's pyproject.toml."""

from __future__ import annotations

from pathlib import Path

from orchestrator.release.pins import pin_file

POETRY = """\
[tool.poetry.dependencies]
python = ">=3.10"
acme-log = [
    { path = "../log", python = "<3.12" },
    { version = "^2.0", python = ">=3.12" },
]
acme-db = { path = "../db", develop = true }
acme-http = "*"
requests = "^2.0"
"""


def test_poetry_path_and_unpinned_entries_become_at_least_the_release(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(POETRY)
    assert pin_file(path, {"acme-log": "2.1.0", "acme-db": "1.5.0", "acme-http": "0.3.0"})
    text = path.read_text()
    assert 'acme-db = ">=1.5.0"' in text
    assert 'acme-http = ">=0.3.0"' in text
    assert 'python = "<3.12", version = ">=2.1.0"' in text
    assert '{ version = "^2.0", python = ">=3.12" }' in text
    assert "path" not in text and 'requests = "^2.0"' in text
