from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import run_cli
from tests.conftest import REPO_ROOT
from tests.gitutil import GitRepo
from tests.render.helpers import parse_svg

EXAMPLE = ["acme-api", "acme-config", "acme-db", "acme-gateway", "acme-http", "acme-log",
           "acme-metrics", "acme-signing", "acme-testing", "acme-worker"]


def test_default_is_a_plain_tree_when_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "graph")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert "\x1b[" not in result.stdout
    assert result.stdout.startswith("acme-api 2.0.1 service\n")
    assert "├── acme-db" in result.stdout


def test_json_is_node_link_data(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "graph", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(EXAMPLE) <= {n["id"] for n in data["nodes"]}
    node = next(n for n in data["nodes"] if n["id"] == "acme-db")
    assert node["path"] == "packages/db" and node["kind"] == "library"
    assert node["affected"] is False
    edge = next(e for e in data["edges"]
                if (e["source"], e["target"]) == ("acme-db", "acme-testing"))
    assert edge["kinds"] == ["group"]


def test_focus_depth_and_kind(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "graph", "--format", "json", "--focus", "acme-db",
                     "--depth", "1", "--kind", "runtime")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    names = {n["id"] for n in data["nodes"]}
    assert {"acme-db", "acme-api", "acme-worker", "acme-config", "acme-log"} <= names
    assert "acme-testing" not in names and "acme-gateway" not in names
    assert all(e["kinds"] == ["runtime"] for e in data["edges"])


def test_reverse_tree_lists_dependents(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "graph", "--reverse", "--focus", "acme-signing",
                     "--depth", "1")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "acme-signing 2.1.0"
    assert {"acme-api", "acme-gateway", "acme-http"} == {
        line.split()[1] for line in lines[1:]}


def test_unknown_focus_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "graph", "--focus", "acme-nope")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "acme-nope" in result.stderr and "Traceback" not in result.stderr


def test_base_without_affected_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "graph", "--base", "main")
    assert result.exit_code == 2
    assert "--affected" in result.stderr


@pytest.mark.parametrize("fmt", ["html", "svg", "dot", "mermaid", "markdown"])
def test_writes_every_format_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       fmt: str) -> None:
    target = tmp_path / f"graph.{fmt}"
    result = run_cli(capsys, REPO_ROOT, "graph", "--format", fmt, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    text = target.read_text(encoding="utf-8")
    for name in EXAMPLE:
        assert name in text
    if fmt == "svg":
        parse_svg(text)


def test_drawing_does_not_import_networkx() -> None:
    code = ("import sys\nfrom orchestrator.cli.main import main\n"
            "try:\n    main(['-C', sys.argv[1], 'graph', '--format', 'html', '-o', sys.argv[2]])\n"
            "except SystemExit as e:\n    assert not e.code, e.code\n"
            "print('networkx' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(REPO_ROOT), "/dev/null"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def affected_repo(repo: GitRepo) -> GitRepo:
    repo.package("libs/core", "core")
    repo.package("libs/util", "util", dependencies=["core>=1.0"])
    repo.package("apps/web", "web", dependencies=["util"])
    repo.package("apps/other", "other")
    repo.commit("initial")
    repo.write("libs/util/src/util/__init__.py", '"""util, changed."""\n')
    return repo


def test_affected_colours_what_the_change_touches(capsys: pytest.CaptureFixture[str],
                                                  repo: GitRepo) -> None:
    affected_repo(repo)
    result = run_cli(capsys, repo.root, "graph", "--format", "json", "--affected",
                     "--base", "main")
    assert result.exit_code == 0, result.stderr
    nodes = {n["id"]: n for n in json.loads(result.stdout)["nodes"]}
    assert {n for n, v in nodes.items() if v["affected"]} == {"util", "web"}
    assert nodes["util"]["state"] == "changed"
    assert nodes["util"]["reasons"][0]["files"] == ["libs/util/src/util/__init__.py"]
    reason = nodes["web"]["reasons"][0]
    assert (reason["type"], reason["via"]) == ("dependency", "util")


def test_only_affected_mermaid_for_a_pull_request(capsys: pytest.CaptureFixture[str],
                                                  repo: GitRepo) -> None:
    affected_repo(repo)
    result = run_cli(capsys, repo.root, "graph", "--format", "mermaid", "--only-affected",
                     "--base", "main")
    assert result.exit_code == 0, result.stderr
    assert "  class util changed" in result.stdout
    assert "  class web dependency" in result.stdout
    assert "core" not in result.stdout and "other" not in result.stdout


def drawn(fmt: str, text: str) -> tuple[set[str], set[tuple[str, str]] | None]:
    """The packages (and, where a format draws them all, the edges) an output shows."""
    if fmt == "json":
        data = json.loads(text)
        return ({n["id"] for n in data["nodes"]},
                {(e["source"], e["target"]) for e in data["edges"]})
    if fmt == "tree":
        names = {line.lstrip("│├└─ ").split()[0] for line in text.splitlines()}
        return names, None
    if fmt == "dot":
        return (set(re.findall(r'^\s+"([^"]+)" \[label=', text, re.MULTILINE)),
                set(re.findall(r'^\s+"([^"]+)" -> "([^"]+)"', text, re.MULTILINE)))
    if fmt == "mermaid":
        ids = dict(re.findall(r'^\s+(\w+)\["([^<"]+)<br/>', text, re.MULTILINE))
        links = re.findall(r"^\s+(\w+) -(?:->|\.->)(?:\|[^|]*\|)? (\w+)$", text, re.MULTILINE)
        return set(ids.values()), {(ids[a], ids[b]) for a, b in links}
    if fmt == "svg":
        root = parse_svg(text)
        svg = "{http://www.w3.org/2000/svg}"
        names = {g.get("data-name", "") for g in root.iter(f"{svg}g") if g.get("data-name")}
        edges = set()
        for path in root.iter(f"{svg}path"):
            if path.get("data-source"):
                pair = (path.get("data-source", ""), path.get("data-target", ""))
                edges.add(pair)
                if "cycle" in path.get("class", "") and path.get("marker-end") and \
                        path.get("marker-start"):
                    edges.add(pair[::-1])
        return names, edges
    data = json.loads(re.search(r'id="graph-data">(.*?)</script>', text, re.S)
                      .group(1))  # type: ignore[union-attr]
    names = [p["name"] for p in data["packages"]]
    return set(names), {(names[e[0]], names[e[1]]) for e in data["edges"]}


SELECTIONS = [
    ["--focus", "acme-db", "--depth", "1"],
    ["--focus", "acme-signing", "--reverse", "--depth", "1"],
    ["--focus", "acme-http"],
    ["--kind", "runtime"],
    ["--depth", "1"],
]


@pytest.mark.parametrize("selection", SELECTIONS, ids=" ".join)
def test_every_format_draws_the_same_selection(capsys: pytest.CaptureFixture[str],
                                               selection: list[str]) -> None:
    outputs = {}
    for fmt in ("json", "tree", "dot", "mermaid", "svg", "html"):
        result = run_cli(capsys, REPO_ROOT, "graph", "--format", fmt, *selection)
        assert result.exit_code == 0, result.stderr
        outputs[fmt] = drawn(fmt, result.stdout)
    names, edges = outputs.pop("json")
    assert len(names) > 2
    for fmt, (found, found_edges) in outputs.items():
        assert found == names, fmt
        assert found_edges in (None, edges), fmt


def test_markdown_is_the_chart_fenced_for_a_comment(capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, REPO_ROOT, "graph", "--format", "markdown")
    assert result.exit_code == 0, result.stderr
    chart = run_cli(capsys, REPO_ROOT, "graph", "--format", "mermaid").stdout
    assert result.stdout == f"```mermaid\n{chart}```\n"


def test_graph_at_a_commit_reads_git_objects(capsys: pytest.CaptureFixture[str],
                                             repo: GitRepo) -> None:
    repo.package("packages/a", "acme-a", version="1.0.0")
    repo.package("packages/b", "acme-b", dependencies=["acme-a>=1"])
    repo.commit("first")
    repo.git("tag", "v1")
    repo.package("packages/b", "acme-b")  # the edge is gone in the working tree
    result = run_cli(capsys, repo.root, "graph", "--at", "v1", "--format", "json")
    edges = json.loads(result.stdout)["edges"]
    assert [(e["source"], e["target"]) for e in edges] == [("acme-b", "acme-a")]
    now = run_cli(capsys, repo.root, "graph", "--format", "json")
    assert json.loads(now.stdout)["edges"] == []
    both = run_cli(capsys, repo.root, "graph", "--at", "v1", "--affected", "--head", "v1")
    assert both.exit_code == 2
