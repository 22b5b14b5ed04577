from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from orchestrator.render.graphview import select
from orchestrator.render.html import OVERVIEW_ABOVE, render_html, script_json
from orchestrator.workspace.graph import PackageGraph
from tests.render.helpers import affected_result, make_graph, package, synthetic_graph

NASTY = '</script><script>alert(1)</script><!--"&\''


class Collector(HTMLParser):
    """Script bodies and every URL-bearing attribute of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.urls: list[str] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v or "" for k, v in attrs if k in ("src", "href", "xlink:href", "action")]
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def parse(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    return collector


def embedded_data(page: str) -> dict[str, object]:
    scripts = parse(page).scripts
    (data,) = [text for attrs, text in scripts if attrs.get("type") == "application/json"]
    result: dict[str, object] = json.loads(data)
    return result


def test_page_is_self_contained() -> None:
    page = render_html(select(make_graph()))
    found = parse(page)
    assert found.urls == []  # no src or href at all: nothing to fetch
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)
    assert "default-src 'none'" in page
    assert len(found.scripts) == 3  # the data, the layout, the page


def packages(data: dict[str, object]) -> dict[str, dict[str, object]]:
    return {p["name"]: p for p in data["packages"]}  # type: ignore[attr-defined, index]


def test_data_carries_details_for_the_panel() -> None:
    graph = make_graph()
    page = render_html(select(graph, affected=affected_result(graph, {"db": ["packages/db/a"]})))
    data = embedded_data(page)
    found = packages(data)
    assert list(found) == graph.names
    assert found["db"]["state"] == "changed"
    assert found["db"]["reasons"] == [{"type": "changed-files", "files": ["packages/db/a"]}]
    assert found["api"]["reasons"] == [{"type": "dependency", "via": "db", "kind": "runtime"}]
    assert "state" not in found["core"] and "reasons" not in found["core"]
    assert found["api"]["kind"] == "service" and found["api"]["path"] == "services/api"
    assert found["plugin"]["folder"] == "packages"  # the box it is drawn in
    index = {name: i for i, name in enumerate(found)}
    edges = {(e[0], e[1]): e[2:] for e in data["edges"]}  # type: ignore[attr-defined]
    assert edges[(index["db"], index["core"])] == [["runtime"], {"runtime": ">=1.2,<2"}, False]
    assert edges[(index["db"], index["testkit"])] == [["group"], {}, True]
    assert len(edges) == len(graph.edges())
    assert data["affected"] is True and data["overview"] is False


def test_large_graphs_open_on_the_overview() -> None:
    assert embedded_data(render_html(select(synthetic_graph(OVERVIEW_ABOVE))))["overview"] is False
    assert embedded_data(render_html(select(synthetic_graph(OVERVIEW_ABOVE + 1))))["overview"]


def test_script_breaking_text_stays_inside_the_json() -> None:
    graph = PackageGraph([
        package(NASTY, f"packages/{NASTY}", [("b", "runtime", f">=1 {NASTY}")], NASTY),
        package("b", "packages/b"),
    ])
    page = render_html(select(graph))
    assert page.count("</script>") == 3  # the three real scripts end, nothing else does
    assert "<!--" not in page
    assert "<script>alert" not in page
    found = packages(embedded_data(page))
    assert found[NASTY]["path"] == f"packages/{NASTY}" and found[NASTY]["version"] == NASTY
    assert embedded_data(page)["edges"][0][3]["runtime"] == f">=1 {NASTY}"  # type: ignore[index]


def test_script_json_escapes_markup_characters() -> None:
    text = script_json({"a": "</script>&<!--"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script>&<!--"}


def test_two_thousand_packages_stay_under_three_megabytes() -> None:
    graph = synthetic_graph(2000)
    page = render_html(select(graph, affected=affected_result(graph, {"pkg-0003": ["f"]})))
    assert len(page.encode()) < 3_000_000
    assert len(embedded_data(page)["packages"]) == 2000  # type: ignore[arg-type]
