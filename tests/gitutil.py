"""Real temporary git repositories for tests: every setup command checks its exit code."""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path
from typing import Any

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "",  # replaced per repository so no user config leaks in
}


class GitRepo:
    """A repository in a temporary directory with helpers to write files and commit."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, **GIT_ENV, "HOME": str(root.parent)}
        self.env.pop("GIT_DIR", None)
        self.env.pop("GIT_WORK_TREE", None)
        for var in [k for k in self.env if k.startswith("GITHUB_") or k.startswith("CI_")]:
            self.env.pop(var)

    def git(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["git", *args], cwd=self.root, env=self.env, capture_output=True,
                              text=True, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout.strip()

    def init(self) -> GitRepo:
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "tag.gpgsign", "false")
        return self

    def write(self, path: str, content: str | bytes = "") -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(textwrap.dedent(content))
        return target

    def remove(self, path: str) -> None:
        self.git("rm", "-q", "-r", "--", path)

    def commit(self, message: str = "change", *, all_files: bool = True) -> str:
        if all_files:
            self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def package(self, path: str, name: str, version: str = "1.0.0",
                dependencies: list[str] | None = None, extra: str = "") -> None:
        """A minimal PEP 621 package with an importable module."""
        deps = json.dumps(dependencies or [])
        self.write(f"{path}/pyproject.toml",
                   f'[project]\nname = "{name}"\nversion = "{version}"\n'
                   f"dependencies = {deps}\n{textwrap.dedent(extra)}")
        module = name.replace("-", "_")
        self.write(f"{path}/src/{module}/__init__.py", f'"""{name}."""\n')


def make_repo(tmp_path: Path, files: dict[str, Any] | None = None, name: str = "repo") -> GitRepo:
    repo = GitRepo(tmp_path / name).init()
    for path, content in (files or {}).items():
        repo.write(path, content)
    return repo
