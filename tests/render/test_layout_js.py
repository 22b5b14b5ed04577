"""The HTML view's layout (assets/layout.js, run by Node.js) draws what layout.py draws."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from typing import Any

import pytest

from orchestrator.render.graphview import select
from orchestrator.render.layout import Layout, compute_layout, node_width
from orchestrator.render.svg import is_weak, layout_of, meta_line
from tests.conftest import REPO_ROOT
from tests.render.helpers import make_graph, synthetic_graph

LAYOUT_JS = REPO_ROOT / "orchestrator/render/assets/layout.js"
pytestmark = pytest.mark.skipif(shutil.which("node") is None,
                                reason="needs Node.js (apt-get install nodejs; CI installs it)")
Case = dict[str, Any]


def random_case(seed: int, count: int, folders: int, density: float) -> Case:
    rng = random.Random(seed)  # noqa: S311  # a reproducible test graph, not a secret
    names = [f"p{i:03d}-{rng.choice(['a', 'bb', 'ccc'])}" for i in range(count)]
    edges = [(rng.choice(names), rng.choice(names)) for _ in range(int(count * density))]
    groups = {n: f"f{rng.randrange(folders)}" for n in names} if folders > 1 else None
    return {"names": names, "edges": edges, "widths": {n: node_width(n, "1.0 · x") for n in names},
            "groups": groups, "weak": [e for e in edges if rng.random() < 0.3]}


def view_case(group: bool, count: int = 0) -> Case:
    view = select(synthetic_graph(count) if count else make_graph())
    edges = view.graph.edges()
    folders = {n: view.folder(n) for n in view.names}
    return {"names": view.names, "edges": [(e.source, e.target) for e in edges],
            "widths": {n: node_width(n, meta_line(view, n)) for n in view.names},
            "groups": folders if group else None,
            "weak": [(e.source, e.target) for e in edges if is_weak(e)]}


def hub_case() -> Case:
    names = ["core", *(f"integration-{i:02d}" for i in range(1, 40))]
    extra = [("core", n) for n in names[1:]]
    return {"names": names, "edges": [(n, "core") for n in names[1:]] + extra,
            "widths": {n: node_width(n) for n in names}, "groups": None, "weak": extra}


def ring_case() -> Case:
    names = [f"area-{i:02d}" for i in range(13)]
    return {"names": names, "edges": [(a, b) for a in names for b in names if a != b],
            "widths": {n: node_width(n) for n in names}, "groups": None, "weak": []}


def run_js(cases: list[Case]) -> list[dict[str, Any]]:
    script = (f"const L = require({json.dumps(str(LAYOUT_JS))});"
              "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(cases.map(c => "
              "L.computeLayout(c.names, c.edges, c.widths, c.groups, c.weak))));")
    proc = subprocess.run(["node", "-e", script], input=json.dumps(cases), capture_output=True,
                          text=True, check=True, timeout=120)
    found: list[dict[str, Any]] = json.loads(proc.stdout)
    return found


def numbers(d: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]


def same_path(ours: str, theirs: str) -> bool:
    """Equal but for rounding: Python rounds a tie of `:.1f` to even, JavaScript up."""
    a, b = numbers(ours), numbers(theirs)
    return re.sub(r"[-\d.]+", "#", ours) == re.sub(r"[-\d.]+", "#", theirs) and all(
        abs(x - y) <= 0.11 for x, y in zip(a, b, strict=True))


def assert_same(ours: Layout, theirs: dict[str, Any]) -> None:
    assert ours.width == pytest.approx(theirs["width"], abs=1e-9)
    assert ours.height == pytest.approx(theirs["height"], abs=1e-9)
    for name, box in ours.nodes.items():
        other = theirs["nodes"][name]
        assert (box.row, box.group) == (other["row"], other["group"]), name
        assert box.x == pytest.approx(other["x"], abs=1e-9), name
        assert box.y == pytest.approx(other["y"], abs=1e-9), name
    assert [(e.source, e.target, e.upward, e.mutual, e.trunk, e.loop) for e in ours.edges] == [
        (e["source"], e["target"], e["upward"], e["mutual"], e["trunk"], e["loop"])
        for e in theirs["edges"]]
    assert all(same_path(e.d, t["d"]) for e, t in zip(ours.edges, theirs["edges"], strict=True))
    assert [(t.target, t.bus) for t in ours.trunks] == [
        (t["target"], t["bus"]) for t in theirs["trunks"]]
    assert len(ours.buses) == len(theirs["buses"])
    assert all(same_path(b, o) for b, o in zip(ours.buses, theirs["buses"], strict=True))
    assert all(same_path(t.d, o["d"]) for t, o in zip(ours.trunks, theirs["trunks"], strict=True))
    assert [(g.name, round(g.x, 6), round(g.y, 6), round(g.width, 6), round(g.height, 6))
            for g in ours.groups] == [
        (g["name"], round(g["x"], 6), round(g["y"], 6), round(g["width"], 6),
         round(g["height"], 6)) for g in theirs["groups"]]


def test_javascript_lays_out_exactly_as_python() -> None:
    cases = [random_case(seed, *shape) for seed in range(12)
             for shape in [(5, 1, 1.5), (25, 3, 2.0), (60, 4, 3.0), (14, 1, 5.0)]]
    cases += [view_case(True), view_case(False), view_case(True, 300), hub_case(), ring_case()]
    results = run_js(cases)
    assert any(e["loop"] for r in results for e in r["edges"])  # banded groups are covered
    assert any(e["mutual"] for r in results for e in r["edges"])
    assert any(r["trunks"] for r in results)
    assert any(r["buses"] for r in results)
    for case, theirs in zip(cases, results, strict=True):
        groups = case["groups"]
        ours = compute_layout(case["names"], [tuple(e) for e in case["edges"]], case["widths"],
                              groups, [tuple(e) for e in case["weak"]])
        assert_same(ours, theirs)


def test_the_svg_view_of_the_example_is_the_html_view_s() -> None:
    view = select(make_graph())
    theirs = run_js([view_case(True)])[0]
    assert_same(layout_of(view), theirs)
