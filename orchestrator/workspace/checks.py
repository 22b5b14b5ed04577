"""`check`: pure detectors over the workspace and its graph, each yielding findings."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from orchestrator.workspace.discovery import Workspace, external_findings
from orchestrator.workspace.graph import PackageGraph
from orchestrator.workspace.imports import ImportCache, hidden_imports
from orchestrator.workspace.model import EDGE_KINDS, EdgeKind, Finding
from orchestrator.workspace.snapshot import Snapshot

SEVERITY_ORDER = {"error": 0, "warning": 1}


def run_checks(workspace: Workspace, graph: PackageGraph, snapshot: Snapshot) -> list[Finding]:
    findings = [
        *workspace.findings,
        *external_findings(workspace, snapshot),
        *cycles(graph, workspace.config.order_kinds),
        *versions(workspace),
        *specifiers(workspace),
        *layering(workspace, graph),
        *dynamic_dependencies(workspace),
        *undeclared_imports(workspace, graph, snapshot),
        *submodules(snapshot),
    ]
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.message))


def cycles(graph: PackageGraph, order_kinds: Collection[EdgeKind]) -> Iterator[Finding]:
    hard = graph.cycles(order_kinds)
    for cycle in hard:
        yield Finding("error", "cycle", "dependency cycle " + _loop(cycle)
                      + f" ({', '.join(order_kinds)} edges: no build order exists)",
                      package=cycle[0])
    hard_members = {name for cycle in hard for name in cycle}
    others = ", ".join(k for k in EDGE_KINDS if k not in order_kinds)
    for cycle in graph.cycles():
        if not set(cycle) <= hard_members:
            yield Finding("warning", "soft-cycle", "dependency cycle " + _loop(cycle)
                          + f" that needs {others} edges (no build order is at stake)",
                          package=cycle[0])


def _loop(cycle: list[str]) -> str:
    return " -> ".join([*cycle, cycle[0]])


def versions(workspace: Workspace) -> Iterator[Finding]:
    from packaging.version import InvalidVersion, Version

    for package in workspace.packages:
        if package.version is None:
            if "version" not in package.dynamic:
                yield Finding(
                    "error", "missing-version",
                    f"{package.name} has no version: its version is missing or not a string, "
                    "and 'version' is not listed in [project].dynamic",
                    path=package.pyproject, package=package.name)
            continue
        try:
            Version(package.version)
        except InvalidVersion:
            yield Finding(
                "warning", "invalid-version",
                f"{package.name} has version {package.version!r}, which is not a PEP 440 "
                "version: ranges cannot be checked against it and it cannot be released",
                path=package.pyproject, package=package.name)


def specifiers(workspace: Workspace) -> Iterator[Finding]:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    for package in workspace.packages:
        for dep in package.dependencies:
            target = workspace.by_name[dep.name]
            if not dep.specifier or target.version is None:
                continue
            try:
                admitted = SpecifierSet(dep.specifier).contains(
                    Version(target.version), prereleases=True)
            except (InvalidSpecifier, InvalidVersion):
                continue
            if not admitted:
                yield Finding(
                    "error", "specifier-excludes-version",
                    f"{package.name} requires {dep.name}{dep.specifier} ({dep.where}) but the "
                    f"repository has {dep.name} {target.version}",
                    path=package.pyproject, package=package.name)


def layering(workspace: Workspace, graph: PackageGraph) -> Iterator[Finding]:
    for source in workspace.packages:
        if source.kind != "library":
            continue
        for name, kinds in graph.dependency_kinds(source.name):
            if workspace.by_name[name].kind == "service" and kinds != ("group",):
                yield Finding(
                    "error", "library-depends-on-service",
                    f"library {source.name} depends on service {name} "
                    f"({', '.join(kinds)}); libraries must not depend on services",
                    path=source.pyproject, package=source.name)


def dynamic_dependencies(workspace: Workspace) -> Iterator[Finding]:
    for package in workspace.packages:
        dynamic = "dependencies" in package.dynamic or "optional-dependencies" in package.dynamic
        if dynamic and package.dynamic_source is None:
            yield Finding(
                "warning", "dynamic-dependencies",
                f"{package.name} declares its dependencies dynamic, so its static graph is "
                "incomplete; [tool.uv.sources] entries stand in (set resolve-dynamic = true "
                "to ask its build backend)",
                path=package.pyproject, package=package.name)


def submodules(snapshot: Snapshot) -> Iterator[Finding]:
    """Files of a submodule are not in this repository's tree, so no package is read there."""
    for path in snapshot.git.submodules():
        yield Finding("warning", "submodule",
                      f"{path} is a git submodule: packages inside it are not members of this "
                      "workspace, and changes inside it show only as a new submodule commit",
                      path=path)


def undeclared_imports(workspace: Workspace, graph: PackageGraph,
                       snapshot: Snapshot) -> Iterator[Finding]:
    """Imports the metadata does not declare: an error when no declared path leads there
    (affected detection would miss the importer), a warning when one does, indirectly."""
    from orchestrator.workspace.parsecache import state_dir

    cache = ImportCache(state_dir(workspace.root) / "cache" / "imports.marshal")
    scan = hidden_imports(workspace, snapshot, cache)
    cache.save()
    for path in scan.unparsable:
        yield Finding("warning", "unparsable-python",
                      f"{path} is not valid Python, so its imports were not checked", path=path)
    for importer, imported, files in scan.hidden:
        where = files[0] + (f" (and {len(files) - 1} more file(s))" if len(files) > 1 else "")
        if imported in graph.all_dependencies([importer]):
            yield Finding(
                "warning", "indirect-import",
                f"{importer} imports {imported} in {where} but reaches it only through other "
                "dependencies; declare it directly",
                path=files[0], package=importer)
        else:
            yield Finding(
                "error", "undeclared-import",
                f"{importer} imports {imported} in {where} but does not declare it as a "
                "dependency, so affected detection would miss it",
                path=files[0], package=importer)
