"""The HTML view and Mermaid output in a real headless Chromium.

The large shapes are generated workspaces (benchmarks/genrepo.py), drawn by the CLI: a
40-package hub on a cycle through an `[all]` extra, 300 packages in 12 folders, 2,000
packages. Screenshots of each view land in the test's temporary directory.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.render.graphview import select
from orchestrator.render.html import render_html
from orchestrator.render.mermaid import MAX_EDGES, MAX_TEXT, render_mermaid
from orchestrator.workspace.graph import PackageGraph
from tests.cli import run_cli
from tests.conftest import REPO_ROOT
from tests.render.browser import (
    MERMAID_JS,
    console_errors,
    needs_chromium,
    only_the_page,
    open_page,
    requested_urls,
    start_chromium,
)
from tests.render.helpers import affected_result, make_graph, package, synthetic_graph

pytestmark = needs_chromium
GENREPO = REPO_ROOT / "benchmarks" / "genrepo.py"


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    browser = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.quit()


def generated(tmp_path_factory: pytest.TempPathFactory, shape: str, count: int) -> Path:
    out = tmp_path_factory.mktemp(shape) / "repo"
    subprocess.run([sys.executable, str(GENREPO), str(out), "--packages", str(count),
                    "--shape", shape, "--commits", "0"], check=True, capture_output=True)
    return out


def html_of(capsys: pytest.CaptureFixture[str], repo: Path, page: Path, *args: str) -> Path:
    result = run_cli(capsys, repo, "graph", "--format", "html", "-o", str(page), *args)
    assert result.exit_code == 0, result.stderr
    return page


def classes(driver: Any) -> dict[str, set[str]]:
    found: dict[str, str] = driver.execute_script(
        "const r = {}; document.querySelectorAll('#graph .node[data-name]').forEach("
        "e => { r[e.getAttribute('data-name')] = e.getAttribute('class'); }); return r;")
    return {name: set(cls.split()) for name, cls in found.items()}


def folders_drawn(driver: Any) -> list[str]:
    found: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll('#graph .node.folder'))"
        ".map(e => e.getAttribute('data-folder'));")
    return found


def view_box(driver: Any) -> list[float]:
    text = driver.execute_script("return document.getElementById('graph').getAttribute('viewBox')")
    return [float(v) for v in text.split()]


def click(driver: Any, selector: str, attribute: str, value: str) -> None:
    from selenium.webdriver.common.by import By

    for element in driver.find_elements(By.CSS_SELECTOR, selector):
        if element.get_attribute(attribute) == value:
            label = element.find_elements(By.CSS_SELECTOR, ".label")
            target = label[0] if "group" in selector.split()[-1] and label else element
            driver.execute_script("orchestratorGraph.show(arguments[0])", target)
            target.click()
            return
    raise AssertionError(f"no {selector} with {attribute}={value} is drawn")


def click_node(driver: Any, name: str) -> None:
    click(driver, "#graph .node[data-name]", "data-name", name)


def search(driver: Any, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.ID, "search")
    box.clear()
    box.send_keys(text, Keys.ENTER)


VISIBLE_TEXT = """
const c = document.getElementById('graph').getBoundingClientRect();
return Array.from(document.querySelectorAll('#graph text')).filter(t => {
  const b = t.getBoundingClientRect();
  return getComputedStyle(t).display !== 'none' && b.width > 0 && b.right > c.left &&
    b.left < c.right && b.bottom > c.top && b.top < c.bottom;
}).map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
"""
# A node is covered when, at a point well inside its box, the page shows something else.
COVERED = """
const c = document.getElementById('graph').getBoundingClientRect();
const covered = [];
let seen = 0;
document.querySelectorAll('#graph .node').forEach(g => {
  const b = g.querySelector('rect').getBoundingClientRect();
  const mx = b.left + b.width / 2, my = b.top + b.height / 2;  // inside even a pill's curve
  const points = [[mx, my], [b.left + b.height / 2, my], [b.right - b.height / 2, my],
                  [mx, b.top + 3], [mx, b.bottom - 3]];
  const inside = points.filter(p => p[0] > c.left && p[0] < c.right &&
                                     p[1] > c.top && p[1] < c.bottom);
  if (!inside.length) { return; }
  seen += 1;
  if (inside.some(p => !g.contains(document.elementFromPoint(p[0], p[1])))) {
    covered.push(g.getAttribute('data-name') || g.getAttribute('data-folder'));
  }
});
return [seen, covered];
"""


def assert_initial_view_is_readable(driver: Any) -> None:
    sizes: list[float] = driver.execute_script(VISIBLE_TEXT)
    assert sizes, "no text in view"
    assert min(sizes) >= 10, sorted(sizes)[:5]
    seen, covered = driver.execute_script(COVERED)
    assert seen > 0 and covered == [], covered
    assert console_errors(driver) == []


# -- the example monorepo and small graphs ------------------------------------------------


def test_example_monorepo_view(driver: Any, capsys: pytest.CaptureFixture[str],
                               tmp_path: Path) -> None:
    page = html_of(capsys, REPO_ROOT, tmp_path / "graph.html")
    names = run_cli(capsys, REPO_ROOT, "list", "--format", "names").stdout.split()
    open_page(driver, page)
    assert sorted(classes(driver)) == sorted(names)  # small: opens whole
    assert_initial_view_is_readable(driver)

    click_node(driver, "acme-http")
    state = classes(driver)
    assert "selected" in state["acme-http"]
    for dependency in ("acme-config", "acme-signing", "acme-metrics", "acme-log"):
        assert "hl-dep" in state[dependency], dependency
    for dependent in ("acme-api", "acme-gateway"):
        assert "hl-rdep" in state[dependent], dependent
    assert not {"hl-dep", "hl-rdep"} & state["acme-worker"]
    assert driver.execute_script("return document.querySelectorAll('#graph .highlight path')"
                                 ".length") >= 6  # each highlighted edge drawn in full
    panel = driver.execute_script("return document.getElementById('details').innerText")
    assert "acme-http" in panel and "packages/http-client" in panel
    assert "optional >=0.9" in panel  # the edge to acme-metrics, with its specifier
    driver.save_screenshot(str(tmp_path / "example.png"))

    assert console_errors(driver) == []
    urls = requested_urls(driver)
    assert page.as_uri() in urls and only_the_page(urls, page), urls


def test_pan_zoom_and_search(driver: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
    from selenium.webdriver.common.by import By

    page = tmp_path / "graph.html"
    page.write_text(render_html(select(make_graph())), encoding="utf-8")
    open_page(driver, page)
    svg = driver.find_element(By.ID, "graph")
    start = view_box(driver)
    driver.find_element(By.ID, "zoom-in").click()
    zoomed = view_box(driver)
    assert zoomed[2] < start[2]
    ActionChains(driver).move_to_element_with_offset(svg, 5, 5).click_and_hold() \
        .move_by_offset(80, 40).release().perform()
    panned = view_box(driver)
    assert panned[:2] != zoomed[:2] and panned[2:] == zoomed[2:]
    ActionChains(driver).scroll_from_origin(ScrollOrigin.from_element(svg), 0, 200).perform()
    assert view_box(driver)[2] > panned[2]

    driver.find_element(By.ID, "search").send_keys("til")
    state = classes(driver)
    assert {n for n, c in state.items() if "match" in c} == {"util"}
    assert driver.find_element(By.ID, "search-count").text == "1 match"
    assert console_errors(driver) == []


def test_affected_reasons_on_click(driver: Any, tmp_path: Path) -> None:
    graph = make_graph()
    result = affected_result(graph, {"util": ["packages/util/src/util/x.py"]})
    page = tmp_path / "affected.html"
    page.write_text(render_html(select(graph, affected=result)), encoding="utf-8")
    open_page(driver, page)
    state = classes(driver)
    assert "state-changed" in state["util"] and "state-dependency" in state["api"]
    assert "unaffected" in state["core"]
    click_node(driver, "util")
    panel = driver.execute_script("return document.getElementById('details').innerText")
    assert "packages/util/src/util/x.py" in panel
    click_node(driver, "api")
    panel = driver.execute_script("return document.getElementById('details').innerText")
    assert f"depends on {result.reasons['api'][0].via}" in panel
    assert console_errors(driver) == []


def test_hostile_names_stay_text(driver: Any, tmp_path: Path) -> None:
    nasty = '</script><script>window.pwned=1</script><img src=x onerror="window.pwned=2">&"\''
    graph = PackageGraph([package(nasty, f"packages/{nasty}", [("b", "runtime", nasty)], nasty),
                          package("b", "packages/b"), package("constructor", "other/c")])
    page = tmp_path / "nasty.html"
    page.write_text(render_html(select(graph)), encoding="utf-8")
    open_page(driver, page)
    assert driver.execute_script("return window.pwned === undefined")
    assert {nasty, "constructor"} <= set(classes(driver))
    click_node(driver, nasty)
    panel = driver.execute_script("return document.getElementById('details').innerText")
    assert f"packages/{nasty}" in panel
    assert console_errors(driver) == []
    urls = requested_urls(driver)
    assert page.as_uri() in urls and only_the_page(urls, page), urls


def test_an_empty_selection_says_so(driver: Any, tmp_path: Path) -> None:
    graph = make_graph()
    page = tmp_path / "empty.html"
    page.write_text(render_html(select(graph, affected=affected_result(graph, {}),
                                       only_affected=True)), encoding="utf-8")
    open_page(driver, page)
    assert classes(driver) == {}
    assert "No packages to show" in driver.execute_script(
        "return document.getElementById('view-bar').innerText")
    assert console_errors(driver) == []


def test_small_graphs_open_whole(driver: Any, tmp_path: Path) -> None:
    page = tmp_path / "small.html"
    page.write_text(render_html(select(make_graph())), encoding="utf-8")
    open_page(driver, page)
    assert len(classes(driver)) == len(make_graph().names)
    assert folders_drawn(driver) == []
    assert driver.execute_script("return document.getElementById('minimap').hidden")
    assert driver.execute_script("return document.getElementById('list').hidden")


# -- the shapes of real repositories -------------------------------------------------------


def test_a_hub_on_a_cycle_through_an_all_extra(driver: Any, capsys: pytest.CaptureFixture[str],
                                               tmp_path_factory: pytest.TempPathFactory,
                                               tmp_path: Path) -> None:
    repo = generated(tmp_path_factory, "hub", 40)
    open_page(driver, html_of(capsys, repo, tmp_path / "hub.html"))
    driver.save_screenshot(str(tmp_path / "hub-initial.png"))
    assert len(classes(driver)) == 40  # forty packages: no overview, the whole graph
    assert_initial_view_is_readable(driver)
    width, height = driver.execute_script(
        "const b = document.getElementById('graph').getBBox(); return [b.width, b.height];")
    assert width <= 2.1 * height  # a block, not one row of forty

    click(driver, "#graph .group", "data-folder", "python/packages/lab")  # its label
    assert folders_drawn(driver) == ["python/packages/lab"]
    assert len(classes(driver)) == 36  # the four lab packages are one box
    click(driver, "#graph .node.folder", "data-folder", "python/packages/lab")
    assert folders_drawn(driver) == [] and len(classes(driver)) == 40
    driver.save_screenshot(str(tmp_path / "hub-folder-reopened.png"))

    search(driver, "agent-framework-delivery")
    assert driver.execute_script("return orchestratorGraph.selected()") == \
        "agent-framework-delivery"
    assert "selected" in classes(driver)["agent-framework-delivery"]
    assert_in_view(driver, "agent-framework-delivery")
    driver.save_screenshot(str(tmp_path / "hub-search.png"))
    assert console_errors(driver) == []


def assert_in_view(driver: Any, name: str) -> None:
    assert driver.execute_script(
        "const c = document.getElementById('graph').getBoundingClientRect();"
        "const e = Array.from(document.querySelectorAll('#graph .node[data-name]'))"
        ".find(g => g.getAttribute('data-name') === arguments[0]);"
        "const b = e.getBoundingClientRect();"
        "return b.left >= c.left && b.right <= c.right && b.top >= c.top && b.bottom <= c.bottom;",
        name)


def test_three_hundred_packages_in_twelve_folders(driver: Any,
                                                  capsys: pytest.CaptureFixture[str],
                                                  tmp_path_factory: pytest.TempPathFactory,
                                                  tmp_path: Path) -> None:
    repo = generated(tmp_path_factory, "folders", 300)
    open_page(driver, html_of(capsys, repo, tmp_path / "folders.html"))
    driver.save_screenshot(str(tmp_path / "folders-overview.png"))
    assert classes(driver) == {}  # the overview: folders only
    assert sorted(folders_drawn(driver)) == [*(f"area-{i:02d}" for i in range(12)), "services"]
    assert_initial_view_is_readable(driver)
    labels = driver.execute_script("return Array.from(document.querySelectorAll("
                                   "'#graph .node.folder .meta')).map(t => t.textContent)")
    assert all(label.endswith(" packages") for label in labels), labels

    click(driver, "#graph .node.folder", "data-folder", "area-03")
    opened = classes(driver)
    assert len(opened) > 10 and "area-03" not in folders_drawn(driver)
    assert len(folders_drawn(driver)) == 12
    driver.save_screenshot(str(tmp_path / "folders-area-03.png"))

    outside = next(n for n in driver.execute_script(
        "return JSON.parse(document.getElementById('graph-data').textContent).packages"
        ".filter(p => p.folder === 'area-07').map(p => p.name)"))
    search(driver, outside)
    focused = classes(driver)
    assert outside in focused and "selected" in focused[outside]
    assert folders_drawn(driver) == [] and len(focused) < 60  # its neighbourhood only
    assert "Focused on" in driver.execute_script(
        "return document.getElementById('view-bar').innerText")
    assert_in_view(driver, outside)
    driver.save_screenshot(str(tmp_path / "folders-search.png"))
    assert console_errors(driver) == []


@pytest.mark.slow
def test_two_thousand_packages(driver: Any, capsys: pytest.CaptureFixture[str],
                               tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    repo = generated(tmp_path_factory, "layered", 2000)
    page = html_of(capsys, repo, tmp_path / "big.html", "--affected", "--base", "HEAD")
    assert page.stat().st_size < 3_000_000
    open_page(driver, page, timeout=60)
    driver.save_screenshot(str(tmp_path / "big-overview.png"))
    assert classes(driver) == {} and sorted(folders_drawn(driver)) == ["packages", "services"]
    assert_initial_view_is_readable(driver)

    click(driver, "#graph .node.folder", "data-folder", "services")
    assert len(classes(driver)) == 190 and folders_drawn(driver) == ["packages"]
    assert_initial_view_is_readable(driver)  # it opens readable where the folder starts
    driver.save_screenshot(str(tmp_path / "big-services.png"))

    search(driver, "acme-accounts-core")
    focused = classes(driver)
    assert "selected" in focused["acme-accounts-core"] and len(focused) < 100
    assert_in_view(driver, "acme-accounts-core")
    driver.save_screenshot(str(tmp_path / "big-search.png"))
    assert console_errors(driver) == []


def test_the_package_list_shows_and_hides(driver: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    graph = synthetic_graph(120)
    page = tmp_path / "list.html"
    page.write_text(render_html(select(graph, affected=affected_result(
        graph, {"pkg-0007": ["f"]}))), encoding="utf-8")
    open_page(driver, page)
    assert driver.find_element(By.ID, "list").is_displayed()
    driver.find_element(By.ID, "affected-only").click()
    listed = driver.execute_script("return Array.from(document.querySelectorAll("
                                   "'#list-body li')).filter(li => !li.hidden)"
                                   ".map(li => li.dataset.name)")
    assert "pkg-0007" in listed and len(listed) < 120
    drawn = driver.execute_script("return orchestratorGraph.units().length")
    assert drawn < 20  # only affected packages, in their folders
    driver.find_element(By.ID, "hide-listed").click()
    assert "hidden" in driver.execute_script(
        "return document.getElementById('view-bar').innerText")
    driver.find_element(By.ID, "affected-only").click()
    driver.find_element(By.ID, "list-filter").send_keys("pkg-0007")
    driver.find_element(By.ID, "show-listed").click()
    assert driver.execute_script(
        "return JSON.parse(document.getElementById('graph-data').textContent).packages.length"
    ) == 120
    assert console_errors(driver) == []


# -- Mermaid, by its own parser and renderer -------------------------------------------------


def libs_chart(capsys: pytest.CaptureFixture[str], tmp_path_factory: pytest.TempPathFactory,
               count: int) -> str:
    """The pull-request chart of the `libs/lNNNN/pkg` workspace with core changed."""
    repo = generated(tmp_path_factory, "libs", count)
    (repo / "core" / "src" / "acme_core" / "__init__.py").write_text('"""Changed."""\n')
    result = run_cli(capsys, repo, "graph", "--format", "mermaid", "--only-affected",
                     "--base", "HEAD")
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.slow
@pytest.mark.slow
@pytest.mark.skipif(not MERMAID_JS.exists(),
                    reason=f"mermaid is not installed at {MERMAID_JS} (see docs/graph.md)")
def test_mermaid_parses_and_renders_every_shape(driver: Any, capsys: pytest.CaptureFixture[str],
                                                tmp_path_factory: pytest.TempPathFactory,
                                                tmp_path: Path) -> None:
    graph = make_graph()
    hostile = PackageGraph([package("end", 'packages/"q"<x>&#/end', [("graph", "group", "")]),
                            package("graph", "services/graph")])
    reserved = PackageGraph([package(n, f"packages/{n}", [("b", "runtime", "")])
                             for n in ("constructor", "__proto__", "toString", "valueOf")]
                            + [package("b", "packages/b")])
    big = synthetic_graph(600)
    texts = {
        "plain": render_mermaid(select(graph)),
        "affected": render_mermaid(select(graph, affected=affected_result(graph, {"db": ["f"]}),
                                          only_affected=True)),
        "hostile": render_mermaid(select(hostile)),
        "reserved": render_mermaid(select(reserved)),
        "collapsed": render_mermaid(select(big, affected=affected_result(big, {"pkg-0002": []}))),
        "empty": render_mermaid(select(graph, affected=affected_result(graph, {}),
                                       only_affected=True)),
        "libs-200": libs_chart(capsys, tmp_path_factory, 200),
        "libs-700": libs_chart(capsys, tmp_path_factory, 700),
    }
    page = tmp_path / "mermaid.html"
    page.write_text(f'<!DOCTYPE html><html><body><script src="{MERMAID_JS.as_uri()}"></script>'
                    "<script>mermaid.initialize({startOnLoad: false});"
                    "document.documentElement.dataset.ready = '1';</script></body></html>")
    open_page(driver, page)
    driver.set_script_timeout(60)
    for name, text in texts.items():
        assert len(text) <= MAX_TEXT and text.count("-->") + text.count("-.->") <= MAX_EDGES
        outcome = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "mermaid.parse(arguments[0]).then(() => mermaid.render(arguments[1], arguments[0]))"
            ".then(r => done(r.svg.includes('<svg') ? 'ok' : 'no svg'), e => done(String(e)));",
            text, f"chart-{name}")
        assert outcome == "ok", f"{name}: {outcome}\n{text[:2000]}"
