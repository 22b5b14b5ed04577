from __future__ import annotations

from pathlib import Path

import pytest

from tests.gitutil import GitRepo, make_repo

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """An empty git repository on branch main."""
    return make_repo(tmp_path)


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests decide CI variables themselves; the machine running them may set some."""
    import os

    for var in list(os.environ):
        if var.startswith(("GITHUB_", "GITLAB_", "CI_")) or var in ("CI", "NO_COLOR"):
            monkeypatch.delenv(var, raising=False)
