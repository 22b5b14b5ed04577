"""Running the CLI in-process, with stdout and stderr kept apart."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Result:
    """`orchestrator -C root ARGS...` through the real entry point (and its error handling)."""
    from orchestrator.cli.main import main

    capsys.readouterr()
    try:
        main(["-C", str(root), *args])
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return Result(code, out, err)
