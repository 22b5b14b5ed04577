"""The plainest way to answer `list` and `affected`, the yardstick the tool is measured by.

    python benchmarks/baseline.py list REPO
    python benchmarks/baseline.py affected REPO --base REF --head REF

`list` globs packages/*/pyproject.toml and services/*/pyproject.toml and parses each
with tomllib; `affected` adds one `git diff --name-only` and a reverse breadth-first
search over internal requirements. No cache, no validation, standard library only.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from collections import deque
from pathlib import Path
from typing import Any

NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(doc: dict[str, Any]) -> set[str]:
    """Every name a pyproject.toml requires: dependencies, extras, groups, uv sources."""
    project = doc.get("project", {})
    texts = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        texts += extra
    for group in doc.get("dependency-groups", {}).values():
        texts += [item for item in group if isinstance(item, str)]
    names = {canonical(m.group(1)) for m in map(NAME.match, texts) if m}
    sources = doc.get("tool", {}).get("uv", {}).get("sources", {})
    return names | {canonical(name) for name in sources}


def read_packages(repo: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """Package name -> (directory, parsed pyproject.toml)."""
    found = {}
    for pattern in ("packages/*/pyproject.toml", "services/*/pyproject.toml"):
        for path in sorted(repo.glob(pattern)):
            with path.open("rb") as f:
                doc = tomllib.load(f)
            found[canonical(doc["project"]["name"])] = (path.parent.relative_to(repo).as_posix(),
                                                        doc)
    return found


def listing(repo: Path) -> dict[str, Any]:
    packages = read_packages(repo)
    return {"packages": [
        {"name": name, "version": doc["project"].get("version"), "path": directory,
         "dependencies": sorted(requirement_names(doc) & packages.keys() - {name})}
        for name, (directory, doc) in sorted(packages.items())
    ]}


def affected(repo: Path, base: str, head: str) -> dict[str, Any]:
    diff = subprocess.run(
        ["git", "-C", str(repo), "diff", "--name-only", "-z", "--no-renames", f"{base}...{head}"],
        capture_output=True, check=True,
    )
    changed = [p for p in diff.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
    packages = read_packages(repo)
    owners = {directory: name for name, (directory, _) in packages.items()}
    dependents: dict[str, set[str]] = {name: set() for name in packages}
    for name, (_, doc) in packages.items():
        for dependency in requirement_names(doc) & packages.keys() - {name}:
            dependents[dependency].add(name)
    seeds = {owner for path in changed if (owner := owner_of(path, owners)) is not None}
    reached, queue = set(seeds), deque(seeds)
    while queue:
        for dependent in dependents[queue.popleft()] - reached:
            reached.add(dependent)
            queue.append(dependent)
    return {"changed_files": changed, "directly_changed": sorted(seeds),
            "affected": sorted(reached)}


def owner_of(path: str, owners: dict[str, str]) -> str | None:
    directory = path.rpartition("/")[0]
    while directory and directory not in owners:
        directory = directory.rpartition("/")[0]
    return owners.get(directory) if directory else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["list", "affected"])
    parser.add_argument("repo", type=Path)
    parser.add_argument("--base", default="HEAD~1")
    parser.add_argument("--head", default="HEAD")
    args = parser.parse_args(argv)
    result = listing(args.repo) if args.mode == "list" else affected(args.repo, args.base,
                                                                       args.head)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
