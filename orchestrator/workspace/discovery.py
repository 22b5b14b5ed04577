"""Discovery: from a snapshot of the repository to the set of packages and their edges."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from orchestrator.errors import ConfigError
from orchestrator.workspace.catalog import Catalog, Record
from orchestrator.workspace.config import Config, config_file_settings, parse_config
from orchestrator.workspace.edges import (
    PROBLEM_CODES,
    LineParser,
    add_requirement_files,
    internal_edges,
    problem_findings,
    resolve_dynamic,
)
from orchestrator.workspace.globs import matches_member
from orchestrator.workspace.members import (
    SETUP_FILES,
    Members,
    is_pyproject,
    member_dirs,
    named_packages,
    pyproject_dirs,
    pyproject_path,
    setup_only_findings,
    unmatched_services,
)
from orchestrator.workspace.model import NO_SETTINGS, Finding, Package
from orchestrator.workspace.names import PYPROJECT, canonical
from orchestrator.workspace.parsecache import ParseCache, cache_key
from orchestrator.workspace.snapshot import Snapshot, read_regular
from orchestrator.workspace.tomlfile import parse_toml, table

if TYPE_CHECKING:  # the metadata reader is imported when a file is read
    from orchestrator.workspace.metadata import ProjectMetadata

__all__ = ["PYPROJECT", "Sources", "Workspace", "discover", "rediscover"]


class Sources(NamedTuple):
    """What discovery read, kept so that a commit whose tree differs only at known paths (the
    merge base of a range, from HEAD) can be discovered by reading just those paths."""

    root_doc: dict[str, Any]  # the parsed root pyproject.toml ({} when there is none)
    pyproject_dirs: frozenset[str]  # every directory with a pyproject.toml, "." for the root
    setup_files: tuple[str, ...]  # every setup.py and setup.cfg, in the snapshot's order
    metadata: dict[str, ProjectMetadata]  # each readable member pyproject.toml
    root_data: bytes | None = None  # the root pyproject.toml as read


@dataclass(frozen=True)
class Workspace:
    """Every internal package at one point of history, and what discovery noticed."""

    root: Path
    config: Config
    catalog: Catalog
    findings: tuple[Finding, ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()  # (pyproject path, why) when not strict
    label: str = "working tree"
    checked: bool = field(default=True, compare=False)  # read strictly: every check passed
    # Some package's metadata comes from files besides its pyproject.toml (setuptools'
    # requirement files, a build backend asked for dynamic dependencies).
    reads_other_files: bool = field(default=False, compare=False)
    # Member pyproject.toml files read that are not packages' (no name, unreadable).
    other_members: tuple[str, ...] = field(default=(), compare=False, repr=False)
    # What discovery read, fetched only when the workspace is derived from (it is stored
    # apart from a cached workspace).
    read_sources: Callable[[], Sources | None] | None = field(default=None, compare=False,
                                                                repr=False)

    @cached_property
    def packages(self) -> tuple[Package, ...]:
        return tuple(self.catalog.values())

    @property
    def by_name(self) -> Catalog:
        return self.catalog

    @cached_property
    def by_path(self) -> Mapping[str, Package]:
        return _ByPath(self.catalog)

    @cached_property
    def sources(self) -> Sources | None:
        return self.read_sources() if self.read_sources is not None else None

    @property
    def member_files(self) -> list[str]:
        """Every member pyproject.toml discovery read."""
        return [pyproject_path(d) for d in self.catalog.paths] + list(self.other_members)

    def get(self, name: str) -> Package | None:
        return self.catalog.get(canonical(name))

    def owner(self, path: str) -> Package | None:
        """The package whose directory is the deepest ancestor of `path`."""
        name = self.owner_name(path)
        return self.catalog[name] if name is not None else None

    def owner_name(self, path: str) -> str | None:
        """The name of `owner(path)`, without making the package."""
        name = self._owners.get(directory := posixpath.dirname(path), "")
        if name == "":
            name = self._owners[directory] = self._owner_name(directory)
        return name

    @cached_property
    def _owners(self) -> dict[str, str | None]:
        return {}  # directory -> the owner's name: files share their directories

    def _owner_name(self, directory: str) -> str | None:
        paths = self.catalog.paths
        while True:
            name = paths.get(directory or ".")
            if name is not None or not directory:
                return name
            directory = posixpath.dirname(directory)


class _ByPath(Mapping[str, Package]):
    """Packages by directory, made from the catalog's records on use."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def __getitem__(self, path: str) -> Package:
        return self.catalog[self.catalog.paths[path]]

    def __iter__(self) -> Iterator[str]:
        return iter(self.catalog.paths)

    def __len__(self) -> int:
        return len(self.catalog.paths)


def load_config(snapshot: Snapshot, override: Path | None) -> tuple[Config, dict[str, Any]]:
    """The effective Config and the parsed root pyproject.toml ({} when there is none)."""
    return config_of(snapshot.read(PYPROJECT), override)


def config_of(data: bytes | None, override: Path | None) -> tuple[Config, dict[str, Any]]:
    """The effective Config from the root pyproject.toml's contents (None: there is none)
    or the --config file, and the parsed root file."""
    root_doc = parse_toml(data, PYPROJECT) if data is not None else {}
    if override is not None:
        return config_file_settings(read_override(override), str(override)), root_doc
    return config_from(root_doc), root_doc


def read_override(override: Path) -> dict[str, Any]:
    """The --config file, parsed."""
    try:
        raw = read_regular(override, f"config file {override}")
    except OSError as e:
        raise ConfigError(f"cannot read config file {override}: {e.strerror}") from e
    return parse_toml(raw, str(override))


def config_from(root_doc: dict[str, Any]) -> Config:
    """The settings of the parsed root pyproject.toml."""
    tool = root_doc.get("tool", {})
    if not isinstance(tool, dict) or not isinstance(tool.get("orchestrator", {}), dict):
        raise ConfigError(f"{PYPROJECT}: [tool.orchestrator] must be a table")
    raw_table = table(root_doc, "tool.orchestrator")
    if not raw_table:
        return Config()
    return parse_config(raw_table, PYPROJECT, allow_package_keys=True)


def discover(
    snapshot: Snapshot,
    root: Path,
    *,
    config_file: Path | None = None,
    cache: ParseCache | None = None,
    strict: bool = True,
) -> Workspace:
    """Read every member pyproject.toml of `snapshot` into a Workspace.

    With `strict`, a pyproject.toml that cannot be read is an error; otherwise it is
    recorded in `unreadable` so the caller can decide (the merge base side does).
    """
    with snapshot.locating():
        return _discover(snapshot, root, config_file, cache or ParseCache(None), strict)


def _discover(snapshot: Snapshot, root: Path, config_file: Path | None, cache: ParseCache,
              strict: bool) -> Workspace:
    paths = snapshot.paths()
    directories = pyproject_dirs(paths)
    # One batch for the root file and every pyproject.toml the cache lacks (at a commit).
    snapshot.prefetch([pyproject_path(d) for d in directories],
                      unless=lambda path, key: path != PYPROJECT and cache_key(path, key) in cache)
    root_data = snapshot.read(PYPROJECT)
    config, root_doc = config_of(root_data, config_file)
    setup_files = tuple(p for p in paths if posixpath.basename(p) in SETUP_FILES)
    sources = Sources(root_doc, frozenset(directories), setup_files, {}, root_data)
    return _assemble(snapshot, root, config, sources, {}, cache, strict, None)


def rediscover(
    snapshot: Snapshot,
    near: Workspace,
    changed: Collection[str],
    *,
    cache: ParseCache | None = None,
    strict: bool = True,
) -> Workspace | None:
    """`snapshot`'s workspace derived from `near`'s, whose tree differs from it at most at
    the `changed` paths: only the changed pyproject.toml files are read. None when that
    cannot give exactly what `discover` would (the root pyproject.toml reads differently),
    so the caller discovers in full."""
    with snapshot.locating():
        return _rediscover(snapshot, near, changed, cache, strict)


def _rediscover(snapshot: Snapshot, near: Workspace, changed: Collection[str],
                cache: ParseCache | None, strict: bool) -> Workspace | None:
    relevant = [p for p in changed if is_pyproject(p) or posixpath.basename(p) in SETUP_FILES]
    carried = {p: why for p, why in near.unreadable if p not in changed}
    if any("\n" in p for p in relevant) or (strict and carried):
        return None
    if not relevant and not near.reads_other_files and (near.checked or not strict):
        return replace(near, label=snapshot.label)  # nothing it read changed
    sources = near.sources
    if sources is None:
        return None
    root_data = sources.root_data
    if PYPROJECT in changed:  # the settings and members come from it: the same, or decline
        root_data = snapshot.read(PYPROJECT)
        if not _reads_as(root_data, sources.root_doc):
            return None
    present = snapshot.keys(relevant)
    directories = set(sources.pyproject_dirs)
    setup_files = set(sources.setup_files)
    for path in relevant:
        if is_pyproject(path):
            _toggle(directories, posixpath.dirname(path) or ".", path in present)
        else:
            _toggle(setup_files, path, path in present)
    # Within a directory, setup.cfg sorts before setup.py, as in a commit's tree.
    ordered = tuple(sorted(setup_files, key=lambda p: (posixpath.dirname(p), p)))
    known: dict[str, ProjectMetadata | str] = {
        p: meta for p, meta in sources.metadata.items()  # other files feed some of them
        if p not in changed and not meta.requirement_files and meta.dynamic_source is None}
    known.update(carried)
    derived = Sources(sources.root_doc, frozenset(directories), ordered, {}, root_data)
    cache = cache if cache is not None else ParseCache(None)
    return _assemble(snapshot, near.root, near.config, derived, known, cache, strict, near)


def _reads_as(data: bytes | None, doc: dict[str, Any]) -> bool:
    """Whether a root pyproject.toml's contents (None: none) parse to `doc` (a comment or
    its layout changed, nothing it says)."""
    try:
        return (parse_toml(data, PYPROJECT) if data is not None else {}) == doc
    except ConfigError:
        return False


def _toggle(items: set[str], item: str, present: bool) -> None:
    if present:
        items.add(item)
    else:
        items.discard(item)


def _assemble(
    snapshot: Snapshot,
    root: Path,
    config: Config,
    sources: Sources,
    known: dict[str, ProjectMetadata | str],
    cache: ParseCache,
    strict: bool,
    near: Workspace | None,
) -> Workspace:
    """The workspace of a layout: members chosen, their metadata read, packages built (or
    taken from `near` when nothing they are made of differs)."""
    candidates, explicit = member_dirs(sorted(sources.pyproject_dirs), config, sources.root_doc,
                                       strict)
    files = [pyproject_path(d) for d in candidates]
    metadata, unreadable = _read_all(snapshot, files, known, cache, strict, explicit)
    findings = list(setup_only_findings(sources.setup_files, sources.pyproject_dirs, config))
    findings.extend(unmatched_services(config, candidates))
    if config.resolve_dynamic:
        resolve_dynamic(snapshot, metadata, cache, findings)
    packages = _packages(metadata, config, findings, Members(explicit, strict, unreadable),
                         near, cache.line)
    read = Sources(sources.root_doc, sources.pyproject_dirs, sources.setup_files, metadata,
                   sources.root_data)
    return Workspace(
        root=root,
        config=config,
        catalog=packages,
        findings=tuple(sorted(findings, key=lambda f: (f.path or "", f.code))),
        unreadable=tuple(sorted(unreadable.items())),
        label=snapshot.label,
        checked=strict,
        other_members=tuple(f for f in files
                            if (posixpath.dirname(f) or ".") not in packages.paths),
        reads_other_files=any(
            m.requirement_files or m.dynamic_source is not None
            or (config.resolve_dynamic and m.dynamic_dependencies) for m in metadata.values()),
        read_sources=lambda: read,
    )


def _read_all(
    snapshot: Snapshot, files: list[str], known: dict[str, ProjectMetadata | str],
    cache: ParseCache, strict: bool, explicit: bool,
) -> tuple[dict[str, ProjectMetadata], dict[str, str]]:
    """Metadata of each file (`known`: already read, or why it could not be), from the
    cache when it has the file's blob, else parsed (and cached). `explicit`: the members
    were named by a setting, not found by looking for every pyproject.toml."""
    found: dict[str, ProjectMetadata] = {}
    unreadable: dict[str, str] = {}
    for path in [p for p in files if p in known]:
        value = known[path]
        if isinstance(value, str):
            unreadable[path] = value
        else:
            found[path] = value
    keys = snapshot.keys([p for p in files if p not in known])
    misses = []
    for path, key in keys.items():
        cached = cache.get(cache_key(path, key))
        if cached is None:
            misses.append(path)
        else:
            found[path] = cached
    if misses:
        from orchestrator.workspace.metadata import read_metadata
    for path, data in snapshot.contents(misses).items():
        try:
            meta = read_metadata(parse_toml(data, path), path)
        except ConfigError as e:
            e = _explained(e, snapshot, path)
            if strict and not explicit and e.hint is None:  # a template, perhaps
                e.hint = NOT_A_MEMBER_HINT
            if strict:
                raise e from e.__cause__
            unreadable[path] = e.message
            continue
        cache.put(cache_key(path, keys[path]), meta)
        found[path] = meta
    cache.save()
    add_requirement_files(snapshot, found, unreadable, strict)
    return found, unreadable


NOT_A_MEMBER_HINT = ("every pyproject.toml is a member when none is named: set `members` in "
                     "[tool.orchestrator] or [tool.uv.workspace] to leave this one out, or "
                     "pass -C DIR to start in the workspace's own folder")


def _explained(error: ConfigError, snapshot: Snapshot, path: str) -> ConfigError:
    """A pyproject.toml committed as a symbolic link reads as the link's text: say so."""
    target = snapshot.link_target(path)
    if target is None:
        return error
    return ConfigError(f"{path} is a symbolic link to {target!r} at {snapshot.label}; git "
                       "stores the link, not the file it points to",
                       hint="commit the file itself in the package directory")


def _packages(
    metadata: dict[str, ProjectMetadata], config: Config, findings: list[Finding],
    members: Members, near: Workspace | None, parse: LineParser,
) -> Catalog:
    named = named_packages(metadata, findings, members)
    internal = {name: directory for name, (directory, _) in named.items()}
    reusable = _reusable(near, named, config)
    unchanged = {pyproject_path(d) for d, (meta, _) in reusable.items()
                 if metadata.get(pyproject_path(d)) is meta}
    findings.extend(problem_findings({p: m for p, m in metadata.items() if p not in unchanged},
                                      set(internal), parse))
    if near is not None and unchanged:  # the same file, the same names: the same findings
        findings.extend(f for f in near.findings
                        if f.code in PROBLEM_CODES and f.path in unchanged)
    entries: dict[str, Package | Record] = {}
    for name, (directory, meta) in named.items():
        built_from, entry = reusable.get(directory, (None, None))
        if built_from is not meta or entry is None:
            entry = _package(name, directory, meta, internal, config, parse)
        entries[name] = entry
    return Catalog(entries)


def external_findings(workspace: Workspace, snapshot: Snapshot) -> Iterable[Finding]:
    """PEP 508 lines naming external packages that packaging rejects: discovery does not
    parse them (no edge depends on them); `check` reports them."""
    from orchestrator.workspace.metadata import parse_line, unparsable

    sources = workspace.sources
    if sources is not None:
        metadata = sources.metadata
    else:  # what discovery read is gone (a stored file removed): read the members again
        metadata, _ = _read_all(snapshot, workspace.member_files, {}, ParseCache(None),
                                strict=False, explicit=True)
    for path, meta in sorted(metadata.items()):
        for lead, line, _kind, where in meta.lines:
            if lead not in workspace.catalog and isinstance(why := parse_line(line), str):
                yield Finding("warning", "invalid-metadata",
                              f"{path}: {unparsable(line, where, why)}", path)


def _reusable(near: Workspace | None, named: dict[str, tuple[str, ProjectMetadata]],
              config: Config) -> dict[str, tuple[ProjectMetadata, Package | Record]]:
    """`near`'s packages by directory (objects, or records not yet made into objects), with
    the metadata each was built from, when they can be taken as they are: the same internal
    names in the same directories (so the same edges), the same config."""
    if near is None or near.sources is None or near.config != config \
            or {d: n for n, (d, _) in named.items()} != near.catalog.paths:
        return {}
    metadata = near.sources.metadata
    found = {}
    for directory, name in near.catalog.paths.items():
        pyproject = pyproject_path(directory)
        if pyproject in metadata:
            found[directory] = (metadata[pyproject], near.catalog.entry(name))
    return found


def _package(name: str, directory: str, meta: ProjectMetadata, internal: dict[str, str],
             config: Config, parse: LineParser) -> Record:
    """The package's record (catalog.py): made into a Package only if it is looked at."""
    settings = meta.settings
    return (meta.version, directory,
            "service" if matches_member(directory, config.services) else "library",
            internal_edges(name, directory, meta, internal, parse), meta.dynamic,
            settings.to_record() if settings != NO_SETTINGS else None, meta.dynamic_source)


