"""A persistent cache of parsed pyproject.toml metadata, keyed by git blob id.

Parsing is most of the work of reading a large workspace; a file's blob id names its
contents exactly, so an entry can never be stale. Entries are decoded once per process
and kept: both sides of a range share most of their files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from orchestrator.metadata import ProjectMetadata

FORMAT = 2  # bump whenever ProjectMetadata or its reading changes
ROOT_PYPROJECT = "pyproject.toml"


def cache_key(path: str, blob: str) -> str:
    """The entry of the pyproject.toml at `path` whose git blob id is `blob`."""
    # The root's table is read differently (its tasks are the workspace's).
    return blob + (":root" if path == ROOT_PYPROJECT else "")


class ParseCache:
    """Entries on disk (`path`, or none), decoded on first use and then kept in memory."""

    def __init__(self, path: Path | None):
        self.path = path
        self._entries: dict[str, Any] = {}
        self._decoded: dict[str, ProjectMetadata] = {}
        self._dirty = False
        if path is not None:
            try:
                data = json.loads(path.read_bytes())
                if data.get("format") == FORMAT:
                    self._entries = data["entries"]
            except (OSError, ValueError, KeyError, AttributeError):
                self._entries = {}

    def __contains__(self, key: str) -> bool:
        return key in self._decoded or key in self._entries

    def get(self, key: str) -> ProjectMetadata | None:
        found = self._decoded.get(key)
        if found is None:
            raw = self._entries.get(key)
            if raw is None:
                return None
            found = self._decoded[key] = ProjectMetadata.from_json(raw)
        return found

    def put(self, key: str, metadata: ProjectMetadata) -> None:
        self._decoded[key] = metadata
        self._entries[key] = metadata.to_json()
        self._dirty = True

    def save(self) -> None:
        """Write atomically, so that concurrent runs never see a torn file."""
        if not self._dirty or self.path is None:
            return
        import tempfile  # only writers pay for it (it pulls in shutil, random, bz2)

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".pyproject-")
            # dumps, not dump: only dumps uses the C encoder, several times faster here.
            text = json.dumps({"format": FORMAT, "entries": self._entries}, separators=(",", ":"))
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, self.path)
            self._dirty = False
        except OSError:
            pass  # a cache that cannot be written only costs time


def state_dir(root: Path) -> Path:
    """`.orchestrator/` at the root, created with a .gitignore so it never shows as a change."""
    directory = root / ".orchestrator"
    if not directory.is_dir():
        try:
            directory.mkdir(exist_ok=True)
            (directory / ".gitignore").write_text("# created by orchestrator\n*\n")
        except OSError:
            pass
    return directory
