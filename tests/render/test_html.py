from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from orchestrator.render.graphview import select
from orchestrator.render.html import render_html, script_json
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
    assert len(found.scripts) == 2


def test_data_carries_details_for_the_panel() -> None:
    graph = make_graph()
    page = render_html(select(graph, affected=affected_result(graph, {"db": ["packages/db/a"]})))
    data = embedded_data(page)
    nodes = {n["name"]: n for n in data["nodes"]}  # type: ignore[attr-defined]
    assert sorted(nodes) == graph.names
    assert nodes["db"]["state"] == "changed"
    assert nodes["db"]["reasons"] == [{"type": "changed-files", "files": ["packages/db/a"]}]
    assert nodes["api"]["reasons"] == [{"type": "dependency", "via": "db", "kind": "runtime"}]
    assert nodes["db"]["deps"] == [
        {"name": "core", "kinds": ["runtime"], "specifiers": {"runtime": ">=1.2,<2"}},
        {"name": "testkit", "kinds": ["group"], "specifiers": {}},
    ]
    assert nodes["api"]["kind"] == "service" and nodes["api"]["path"] == "services/api"


def test_script_breaking_text_stays_inside_the_json() -> None:
    graph = PackageGraph([
        package(NASTY, f"packages/{NASTY}", [("b", "runtime", f">=1 {NASTY}")], NASTY),
        package("b", "packages/b"),
    ])
    page = render_html(select(graph))
    assert page.count("</script>") == 2  # the two real scripts end, nothing else does
    assert "<!--" not in page
    assert "<script>alert" not in page
    data = embedded_data(page)
    (node,) = [n for n in data["nodes"] if n["name"] == NASTY]  # type: ignore[attr-defined]
    assert node["path"] == f"packages/{NASTY}" and node["version"] == NASTY
    assert node["deps"][0]["specifiers"]["runtime"] == f">=1 {NASTY}"


def test_script_json_escapes_markup_characters() -> None:
    text = script_json({"a": "</script>&<!--"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script>&<!--"}


def test_five_hundred_packages_stay_under_two_megabytes() -> None:
    graph = synthetic_graph(500)
    page = render_html(select(graph, affected=affected_result(graph, {"pkg-0003": ["f"]})))
    assert len(page.encode()) < 2_000_000
    assert len(embedded_data(page)["nodes"]) == 500  # type: ignore[arg-type]
