"""The folders of orchestrator/ are the pipeline, and imports only point down it.

Imports are read with `ast`, wherever they stand: at the top, inside a function, or under
`TYPE_CHECKING` (a type from an upper layer is a tie to it all the same).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGE = "orchestrator"

# Each layer may import the layers below it and itself; layers of one rank are siblings
# that never import each other.
RANKS = {
    "errors": 0, "gitrepo": 0,
    "workspace": 1,
    "context": 2,
    "changes": 3,
    "tasks": 4, "release": 4, "render": 4,
    "cli": 5,
    "__init__": 0, "__main__": 6,
}
FOUNDATION_LIMIT = 4  # modules directly under orchestrator/ besides __init__ and __main__


def layer(module: str) -> str:
    """`orchestrator.changes.diff` -> `changes`; `orchestrator` itself -> `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__" and len(parts) > 1:
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """Every module name an import statement names, with its line, relative ones resolved."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base, node.lineno
            for alias in node.names:  # `from orchestrator import tasks` names a module too
                yield f"{base}.{alias.name}", node.lineno


def violations(root: Path) -> list[str]:
    """Every import that breaks the layering rules, as `file:line: reason`."""
    found = []
    for path in sorted((root / PACKAGE).rglob("*.py")):
        module = module_name(path, root)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, line in imported(tree, module, path.name == "__init__.py"):
            problem = _problem(module, name)
            if problem:
                found.append(f"{path.relative_to(root)}:{line}: {problem}")
    return sorted(set(found))


def _problem(module: str, name: str) -> str | None:
    source = layer(module)
    if name == "click" or name.startswith("click."):
        return None if source == "cli" else "only cli/ imports click"
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    target = layer(name)
    if target not in RANKS:  # `from orchestrator import __version__`
        return None
    if target == "cli" and source not in ("cli", "__main__"):
        return "only __main__.py imports cli/"
    if target == source:
        return None
    if RANKS[target] > RANKS[source]:
        return f"{source} imports {name}, from a layer above it"
    if RANKS[target] == RANKS[source] and RANKS[source] > 0:
        return f"{source} imports {name}, a sibling layer"
    return None


def test_imports_point_down_the_pipeline() -> None:
    assert violations(REPO_ROOT) == []


def test_few_modules_stand_outside_the_pipeline_folders() -> None:
    loose = sorted(p.name for p in (REPO_ROOT / PACKAGE).glob("*.py")
                   if p.name not in ("__init__.py", "__main__.py"))
    assert len(loose) <= FOUNDATION_LIMIT, loose


def test_every_folder_says_in_one_line_which_question_it_answers() -> None:
    for init in sorted((REPO_ROOT / PACKAGE).glob("*/__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and "\n" not in doc, init


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in {"__init__.py": "", **files}.items():
        path = tmp_path / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(("files", "expected"), [
    ({"workspace/graph.py": "from orchestrator.changes.affected import x\n"},
     "workspace imports orchestrator.changes.affected, from a layer above it"),
    ({"workspace/graph.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                            "    from orchestrator.tasks.plan import Plan\n"},
     "workspace imports orchestrator.tasks.plan, from a layer above it"),
    ({"changes/diff.py": "def f():\n    from orchestrator.render import tree\n"},
     "changes imports orchestrator.render, from a layer above it"),
    ({"release/plan.py": "from ..tasks import runner\n"},
     "release imports orchestrator.tasks, a sibling layer"),
    ({"render/tree.py": "import click\n"}, "only cli/ imports click"),
    ({"tasks/runner.py": "from orchestrator.cli import main\n"},
     "only __main__.py imports cli/"),
    ({"context.py": "from orchestrator import changes\n"},
     "context imports orchestrator.changes, from a layer above it"),
])
def test_the_check_catches_each_kind_of_forbidden_import(
        tmp_path: Path, files: dict[str, str], expected: str) -> None:
    found = violations(_tree(tmp_path, files))
    assert any(v.endswith(expected) for v in found), found


def test_the_check_allows_imports_down_and_within_a_layer(tmp_path: Path) -> None:
    root = _tree(tmp_path, {
        "changes/affected.py": "from orchestrator.workspace.graph import G\nfrom . import diff\n",
        "cli/main.py": "import click\nfrom orchestrator.cli import options\n",
        "__main__.py": "from orchestrator.cli.main import main\n",
        "render/tree.py": "from orchestrator.changes.affected import A\n",
    })
    assert violations(root) == []
