"""A persistent cache of parsed pyproject.toml metadata, keyed by git blob id.

Parsing is most of the work of reading a large workspace; a file's blob id names its
contents exactly, so an entry can never be stale. Entries are decoded once per process
and kept: both sides of a range share most of their files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.workspace import cachefile

if TYPE_CHECKING:  # imported when an entry is decoded, not by a run that needs none
    from orchestrator.workspace.metadata import ProjectMetadata

FORMAT = 11  # bump whenever ProjectMetadata, its record or its reading changes
VERSION = cachefile.version(FORMAT)
ROOT_PYPROJECT = "pyproject.toml"


def cache_key(path: str, blob: str) -> str:
    """The entry of the pyproject.toml at `path` whose git blob id is `blob`."""
    # The root's table is read differently (its tasks are the workspace's).
    return blob + (":root" if path == ROOT_PYPROJECT else "")


class ParseCache:
    """Entries on disk (`path`, or none), decoded on first use and then kept in memory.

    The file is `marshal` of plain tuples (`ProjectMetadata.to_record`): several times
    quicker to read and write than JSON, which was the larger part of a cold run's saving.
    """

    def __init__(self, path: Path | None):
        self.path = path
        self._entries: dict[str, tuple[Any, ...]] = {}
        self._lines: dict[str, tuple[str, str, str, tuple[str, ...]] | str] = {}
        self._decoded: dict[str, ProjectMetadata] = {}
        self._dirty = False
        found = cachefile.read(path, VERSION)
        if isinstance(found, tuple) and len(found) == 2 and all(isinstance(f, dict)
                                                                for f in found):
            self._entries, self._lines = found

    def __contains__(self, key: str) -> bool:
        return key in self._decoded or key in self._entries

    def get(self, key: str) -> ProjectMetadata | None:
        found = self._decoded.get(key)
        if found is None:
            raw = self._entries.get(key)
            if raw is None:
                return None
            from orchestrator.workspace.metadata import ProjectMetadata

            try:
                found = ProjectMetadata.from_record(raw)
            except (ValueError, TypeError):
                return None  # a damaged entry is a miss: the file is parsed again
            self._decoded[key] = found
        return found

    def put(self, key: str, metadata: ProjectMetadata) -> None:
        self._decoded[key] = metadata
        self._entries[key] = metadata.to_record()
        self._dirty = True

    def line(self, text: str) -> tuple[str, str, str, tuple[str, ...]] | str:
        """A PEP 508 line as packaging parses it (`metadata.parse_line`), kept: the lines
        that name internal packages are parsed again by every discovery that builds edges."""
        found = self._lines.get(text)
        if found is None:
            from orchestrator.workspace.metadata import parse_line

            found = self._lines[text] = parse_line(text)
            self._dirty = True
        return found

    def save(self) -> None:
        """Write atomically, so that concurrent runs never see a torn file."""
        if self._dirty and cachefile.write(self.path, VERSION, (self._entries, self._lines)):
            self._dirty = False


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
