"""The HTML view and Mermaid output in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orchestrator.render.graphview import select
from orchestrator.render.html import render_html
from orchestrator.render.mermaid import render_mermaid
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


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    browser = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    yield browser
    browser.quit()


def classes(driver: Any) -> dict[str, set[str]]:
    found: dict[str, str] = driver.execute_script(
        "const r = {}; document.querySelectorAll('#graph .node[data-name]').forEach("
        "e => { r[e.getAttribute('data-name')] = e.getAttribute('class'); }); return r;")
    return {name: set(cls.split()) for name, cls in found.items()}


def view_box(driver: Any) -> list[float]:
    text = driver.execute_script("return document.getElementById('graph').getAttribute('viewBox')")
    return [float(v) for v in text.split()]


def click_node(driver: Any, name: str) -> None:
    from selenium.webdriver.common.by import By

    for element in driver.find_elements(By.CSS_SELECTOR, "#graph .node[data-name]"):
        if element.get_attribute("data-name") == name:
            element.click()
            return
    raise AssertionError(f"{name} is not drawn")


def test_example_monorepo_view(driver: Any, capsys: pytest.CaptureFixture[str],
                               tmp_path: Path) -> None:
    page = tmp_path / "graph.html"
    assert run_cli(capsys, REPO_ROOT, "graph", "--format", "html", "-o", str(page)).exit_code == 0
    names = run_cli(capsys, REPO_ROOT, "list", "--format", "names").stdout.split()
    open_page(driver, page)

    drawn = driver.execute_script(
        "return Array.from(document.querySelectorAll('#graph .node[data-name]')).filter("
        "e => { const b = e.getBoundingClientRect(); return b.width > 20 && b.height > 20; })"
        ".map(e => e.textContent);")
    assert sorted(text.split()[0] for text in drawn) == sorted(names)

    click_node(driver, "acme-http")
    state = classes(driver)
    assert "selected" in state["acme-http"]
    for dependency in ("acme-config", "acme-signing", "acme-metrics", "acme-log"):
        assert "hl-dep" in state[dependency], dependency
    for dependent in ("acme-api", "acme-gateway"):
        assert "hl-rdep" in state[dependent], dependent
    assert not {"hl-dep", "hl-rdep"} & state["acme-worker"]
    panel = driver.execute_script("return document.getElementById('details').innerText")
    assert "acme-http" in panel and "packages/http-client" in panel
    assert "optional >=0.9" in panel  # the edge to acme-metrics, with its specifier

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

    box = driver.find_element(By.ID, "search")
    box.send_keys("til")
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
                          package("b", "packages/b")])
    page = tmp_path / "nasty.html"
    page.write_text(render_html(select(graph)), encoding="utf-8")
    open_page(driver, page)
    assert driver.execute_script("return window.pwned === undefined")
    assert nasty in classes(driver)
    click_node(driver, nasty)
    panel = driver.execute_script("return document.getElementById('details').innerText")
    assert f"packages/{nasty}" in panel
    assert console_errors(driver) == []
    urls = requested_urls(driver)
    assert page.as_uri() in urls and only_the_page(urls, page), urls


def test_five_hundred_packages_draw(driver: Any, tmp_path: Path) -> None:
    page = tmp_path / "big.html"
    page.write_text(render_html(select(synthetic_graph(500))), encoding="utf-8")
    open_page(driver, page)
    assert len(classes(driver)) == 500
    assert console_errors(driver) == []


def label_heights(driver: Any) -> list[float]:
    """On-screen heights of the package names inside the visible part of the graph."""
    found: list[float] = driver.execute_script(
        "const c = document.getElementById('graph').getBoundingClientRect();"
        "return Array.from(document.querySelectorAll('#graph .node .name')).map("
        "e => e.getBoundingClientRect()).filter(b => b.left >= c.left && b.right <= c.right"
        " && b.top >= c.top && b.bottom <= c.bottom).map(b => b.height);")
    return found


def test_five_hundred_packages_open_readable_with_fit_and_minimap(driver: Any,
                                                                   tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    graph = synthetic_graph(500)
    page = tmp_path / "big.html"
    page.write_text(render_html(select(graph, affected=affected_result(
        graph, {"pkg-0123": ["f"]}))), encoding="utf-8")
    open_page(driver, page)
    heights = label_heights(driver)
    assert heights and min(heights) >= 10, heights
    assert "pkg-0123" in driver.execute_script(  # opens on the changed package
        "const c = document.getElementById('graph').getBoundingClientRect();"
        "return Array.from(document.querySelectorAll('#graph .node.state-changed')).filter("
        "e => { const b = e.getBoundingClientRect(); return b.left >= c.left && "
        "b.right <= c.right && b.top >= c.top && b.bottom <= c.bottom; })"
        ".map(e => e.getAttribute('data-name'));")
    assert driver.find_element(By.ID, "minimap").is_displayed()

    driver.find_element(By.ID, "zoom-fit").click()
    assert len(driver.execute_script(  # every package inside the canvas
        "const c = document.getElementById('graph').getBoundingClientRect();"
        "return Array.from(document.querySelectorAll('#graph .node')).filter(e => {"
        "const b = e.getBoundingClientRect(); return b.left >= c.left - 1 && "
        "b.right <= c.right + 1 && b.top >= c.top - 1 && b.bottom <= c.bottom + 1; });")) == 500
    assert driver.execute_script(  # far out: versions hidden, the overview uncluttered
        "return document.getElementById('graph').classList.contains('lod-far') && "
        "getComputedStyle(document.querySelector('#graph .node .meta')).display === 'none'")
    assert not driver.find_element(By.ID, "minimap").is_displayed()
    driver.find_element(By.ID, "zoom-out").click()  # the whole graph is not the limit yet
    assert console_errors(driver) == []


def test_small_graphs_open_whole(driver: Any, tmp_path: Path) -> None:
    page = tmp_path / "small.html"
    page.write_text(render_html(select(make_graph())), encoding="utf-8")
    open_page(driver, page)
    assert len(label_heights(driver)) == len(make_graph().names)
    assert driver.execute_script("return document.getElementById('minimap').hidden")


@pytest.mark.skipif(not MERMAID_JS.exists(),
                    reason=f"mermaid is not installed at {MERMAID_JS} (see docs/graph.md)")
def test_mermaid_accepts_every_shape(driver: Any, tmp_path: Path) -> None:
    graph = make_graph()
    hostile = PackageGraph([package("end", 'packages/"q"<x>&#/end', [("graph", "group", "")]),
                            package("graph", "services/graph")])
    big = synthetic_graph(600)
    assert "pkg-0002" in big
    texts = {
        "plain": render_mermaid(select(graph)),
        "affected": render_mermaid(select(graph, affected=affected_result(graph, {"db": ["f"]}),
                                          only_affected=True)),
        "hostile": render_mermaid(select(hostile)),
        "collapsed": render_mermaid(select(big, affected=affected_result(big, {"pkg-0002": []}))),
        "empty": render_mermaid(select(graph, affected=affected_result(graph, {}),
                                       only_affected=True)),
    }
    page = tmp_path / "mermaid.html"
    page.write_text(f'<!DOCTYPE html><html><body><script src="{MERMAID_JS.as_uri()}"></script>'
                    "<script>mermaid.initialize({startOnLoad: false});"
                    "document.documentElement.dataset.ready = '1';</script></body></html>")
    open_page(driver, page)
    for name, text in texts.items():
        outcome = driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "mermaid.parse(arguments[0]).then(() => done('ok'), e => done(String(e)));", text)
        assert outcome == "ok", f"{name}: {outcome}\n{text[:2000]}"
