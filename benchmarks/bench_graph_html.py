"""How long a 500-package HTML graph takes to render in Python and to draw in Chromium.

Generates a synthetic PackageGraph in memory (no repository), writes the HTML view, opens it
in headless Chromium (Debian's chromium + chromedriver) and reports, per run, the time from
navigation start to the page's script marking it fully drawn and wired (`data-ready`), and
the browser's own first-contentful-paint. Usage:

    .venv/bin/python benchmarks/bench_graph_html.py [--packages 500] [--runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from orchestrator.render.graphview import select
from orchestrator.render.html import render_html
from orchestrator.workspace.graph import PackageGraph
from orchestrator.workspace.model import Dependency, EdgeKind, Package

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync",
         "--window-size=1400,900"]
KINDS: list[EdgeKind] = ["runtime", "runtime", "runtime", "optional", "group", "build"]


def synthetic(count: int, seed: int = 1) -> PackageGraph:
    """`count` packages in 20 folders; each depends on up to five earlier ones."""
    rng = random.Random(seed)
    packages = []
    for i in range(count):
        folder = "services" if i >= count * 0.9 else f"packages/area-{i % 20:02d}"
        deps = tuple(Dependency(f"pkg-{j:04d}", f">={j % 7}.0", rng.choice(KINDS))
                     for j in rng.sample(range(i), min(i, rng.randint(0, 5))))
        packages.append(Package(f"pkg-{i:04d}", "1.0.0", f"{folder}/pkg-{i:04d}",
                                "service" if folder == "services" else "library", deps))
    return PackageGraph(packages)


def browser(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def drawn_ms(driver: Any, page: Path) -> tuple[float, float]:
    """(ms to fully drawn and wired, ms to first contentful paint) for one load."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")
    driver.get(page.as_uri())
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.documentElement.dataset.ready"))
    ready = float(driver.execute_script("return document.documentElement.dataset.ready"))
    # Layout and paint of the whole SVG, forced before reading the clock again.
    total = float(driver.execute_script(
        "document.getElementById('graph').getBBox();"
        "return new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
        "() => r(performance.now()))));"))
    paint = driver.execute_script(
        "const p = performance.getEntriesByName('first-contentful-paint')[0];"
        "return p ? p.startTime : null;")
    return max(ready, total), float(paint or 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description="Time the HTML graph view.")
    parser.add_argument("--packages", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    graph = synthetic(args.packages)
    start = time.perf_counter()
    html = render_html(select(graph))
    render_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "graph.html"
        page.write_text(html, encoding="utf-8")
        driver = browser(Path(tmp) / "profile")
        try:
            runs = [drawn_ms(driver, page) for _ in range(args.runs)]
        finally:
            driver.quit()
    drawn = [r[0] for r in runs]
    print(f"packages: {len(graph)}  edges: {len(graph.edges())}  "
          f"html: {len(html.encode()) / 1e6:.2f} MB  python render: {render_s * 1000:.0f} ms")
    print(f"browser, navigation start to fully drawn: median {statistics.median(drawn):.0f} ms, "
          f"max {max(drawn):.0f} ms over {len(drawn)} runs; "
          f"first contentful paint median {statistics.median(r[1] for r in runs):.0f} ms")


if __name__ == "__main__":
    main()
