"""Workspaces stored by the tree they were read from, so a warm run reads none of its files.

A commit's tree id names the contents of every file discovery reads, so a workspace stored
under it (and under the contents of the --config file, when one is given) is never stale:
loading it is the whole of discovery. Packages stay records until used (see catalog.py);
what discovery read, needed only to derive another tree's workspace from this one, is kept
in a second file, read only then.

Files are cachefile's (checked `marshal`): a damaged, truncated or foreign file is a miss,
never an error and never a wrong answer.
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from orchestrator.errors import ConfigError
from orchestrator.workspace import cachefile
from orchestrator.workspace.catalog import Catalog
from orchestrator.workspace.config import Config, config_file_settings
from orchestrator.workspace.discovery import Sources, Workspace, config_from, read_override
from orchestrator.workspace.model import Finding
from orchestrator.workspace.names import PYPROJECT
from orchestrator.workspace.snapshot import read_regular
from orchestrator.workspace.tomlfile import parse_toml

FORMAT = 4  # bump whenever what is stored, or how a workspace is read, changes
VERSION = cachefile.version(FORMAT)
KEEP = 8  # trees kept: HEAD, merge bases, recent commits


class WorkspaceStore:
    """A directory of stored workspaces (`None`: storing is off), for one --config file
    (or none)."""

    def __init__(self, directory: Path | None, override: Path | None = None):
        self.directory = directory
        self.override = override
        self._files = cachefile.Folder(directory, VERSION)

    @cached_property
    def _override_data(self) -> bytes | None:
        try:
            return (read_regular(self.override, str(self.override))
                    if self.override is not None else None)
        except (OSError, ConfigError):
            return None  # discovery reports it; nothing is stored for it

    @cached_property
    def suffix(self) -> str:
        """What follows the tree id in a key: a checksum of the --config file, whose full
        text is stored and compared too."""
        data = self._override_data
        return "" if data is None else f"-{zlib.crc32(data):08x}"

    def load(self, key: str, root: Path, *, strict: bool, label: str) -> Workspace | None:
        """The workspace stored under `key`, or None. One stored leniently (its
        unreadable files recorded, not raised) does not answer a strict request."""
        payload = self._read(key, "workspace")
        if payload is None:
            return None
        try:
            return self._workspace(payload, key, root, strict=strict, label=label)
        except (ValueError, TypeError, KeyError, IndexError):
            return None  # a file of the right version but the wrong shape

    def _workspace(self, payload: Any, key: str, root: Path, *, strict: bool,
                   label: str) -> Workspace | None:
        header, records, paths, dependents, kinds = payload
        checked, volatile, docs, findings, unreadable, other_members = header
        root_data, root_doc, override_data, override_doc = docs
        if (strict and not checked) or override_data != self._override_data:
            return None
        if root_doc is None and root_data is not None:  # holds a date: not stored parsed
            root_doc = parse_toml(root_data, PYPROJECT)
        return Workspace(
            root=root, config=self._config(root_doc or {}, override_doc),
            catalog=Catalog(records, paths=paths, dependents=lambda: _decode(dependents),
                            kinds=lambda: _decode(kinds), ordered=True),
            findings=tuple(Finding(*f) for f in findings), unreadable=tuple(unreadable),
            label=label, checked=checked, reads_other_files=volatile,
            other_members=other_members,
            read_sources=self._sources_reader(key, root_data, root_doc or {}))

    def _config(self, root_doc: dict[str, Any], override_doc: dict[str, Any] | None) -> Config:
        if self.override is None:
            return config_from(root_doc)
        doc = override_doc if override_doc is not None else read_override(self.override)
        return config_file_settings(doc, str(self.override))

    def _sources_reader(self, key: str, root_data: bytes | None,
                        root_doc: dict[str, Any]) -> Callable[[], Sources | None]:
        def read() -> Sources | None:
            from orchestrator.workspace.metadata import ProjectMetadata

            payload = self._read(key, "sources")
            if payload is None:
                return None  # removed since: the caller discovers in full
            try:
                dirs, setup_files, metadata = payload
                decoded = {p: ProjectMetadata.from_record(r) for p, r in metadata.items()}
            except (ValueError, TypeError, AttributeError):
                return None  # the wrong shape: the caller discovers in full
            return Sources(root_doc, frozenset(dirs), tuple(setup_files), decoded, root_data)
        return read

    def save(self, key: str, workspace: Workspace) -> None:
        """Store a workspace (best effort: a cache that cannot be written only costs time)."""
        sources = workspace.sources
        if self.directory is None or sources is None:
            return
        catalog = workspace.catalog
        override_doc = read_override(self.override) if self.override is not None else None
        docs = (sources.root_data, _plain(sources.root_doc), self._override_data,
                _plain(override_doc))
        header = (workspace.checked, workspace.reads_other_files, docs,
                  tuple((f.severity, f.code, f.message, f.path, f.package)
                        for f in workspace.findings), workspace.unreadable,
                  workspace.other_members)
        # Records and dependents are marshalled apart, to be decoded only when used.
        main = (header, *catalog.stored(), marshal.dumps(dict(catalog.dependents)),
                marshal.dumps(dict(catalog.edge_kinds)))
        read = (sorted(sources.pyproject_dirs), sources.setup_files,
                {p: m.to_record() for p, m in sources.metadata.items()})
        self._write(key, "sources", read)
        self._write(key, "workspace", main)
        self._prune()

    def latest(self) -> str | None:
        """The tree whose workspace was stored last for this --config file (one to derive
        another from), or None."""
        if self.directory is None:
            return None
        try:
            entries = [e for e in os.scandir(self.directory) if e.name.endswith(".workspace")]
        except OSError:
            return None
        entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
        for entry in entries:
            tree, _, rest = entry.name.removesuffix(".workspace").partition("-")
            if (f"-{rest}" if rest else "") == self.suffix:
                return tree
        return None

    def _read(self, key: str, part: str) -> Any:
        return self._files.read(key, part)

    def _write(self, key: str, part: str, payload: Any) -> None:
        self._files.write(key, part, payload)

    def _prune(self) -> None:
        assert self.directory is not None
        try:
            entries = sorted((e for e in os.scandir(self.directory)
                              if e.name.endswith(".workspace")),
                             key=lambda e: e.stat().st_mtime_ns, reverse=True)
            for entry in entries[KEEP:]:
                key = entry.name.removesuffix(".workspace")
                for part in ("workspace", "sources"):
                    (self.directory / f"{key}.{part}").unlink(missing_ok=True)
        except OSError:
            pass


def _plain(doc: dict[str, Any] | None) -> dict[str, Any] | None:
    """A parsed TOML document as marshal can store it, or None (dates and times)."""
    try:
        marshal.dumps(doc)
    except ValueError:
        return None
    return doc


def _decode(part: bytes) -> Any:
    """A part of a stored file whose checksum was verified."""
    return marshal.loads(part)  # noqa: S302 - this tool's own file, checked
