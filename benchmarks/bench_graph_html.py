"""How long the HTML view takes in a browser: to open, and to draw every package.

    python benchmarks/bench_graph_html.py --packages 500 2000 5000 [--rounds 3]

For each generated repository, `graph --format html` writes the page once; headless
Chromium (Debian's chromium and chromium-driver, driven by Selenium) then loads it
`--rounds` times and reports the medians of: navigation start to the page marking itself
drawn and wired (`data-ready`; a large graph opens on its folder overview), and "Open all"
(the page's own layout of every package, and drawing it) until the next frame is painted.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (
    BenchError,
    common_parser,
    ensure_repo,
    fail,
    render_table,
    run_checked,
    tool_argv,
    write_json,
)

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync",
         "--window-size=1400,900"]
OPEN_ALL = """
const done = arguments[arguments.length - 1], start = performance.now();
orchestratorGraph.openAll();
requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - start)));
"""


def browser(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def load_ms(driver: Any, page: Path) -> tuple[float, float]:
    """(ms to ready, ms to open everything and paint) for one load."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get("about:blank")
    driver.get(page.as_uri())
    WebDriverWait(driver, 120).until(
        lambda d: d.execute_script("return document.documentElement.dataset.ready"))
    ready = float(driver.execute_script("return document.documentElement.dataset.ready"))
    driver.set_script_timeout(300)
    return ready, float(driver.execute_async_script(OPEN_ALL))


def main(argv: list[str] | None = None) -> int:
    parser = common_parser(__doc__.split("\n\n")[0])
    parser.set_defaults(packages=[500, 2000, 5000], rounds=3, commits=0)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        driver = browser(Path(tmp) / "profile")
        try:
            for packages in args.packages:
                repo = ensure_repo(args.workdir, packages, args.seed, args.commits, args.python)
                page = Path(tmp) / f"graph-{packages}.html"
                run_checked(tool_argv(args.python, repo, "graph", "--format", "html", "-o",
                                      str(page)))
                runs = [load_ms(driver, page) for _ in range(args.rounds)]
                ready = statistics.median(r[0] for r in runs)
                everything = statistics.median(r[1] for r in runs)
                results[str(packages)] = {"ready_ms": ready, "open_all_ms": everything,
                                          "runs": runs, "bytes": page.stat().st_size}
                table.append([f"{packages:,}", f"{page.stat().st_size / 1e6:.2f}",
                              f"{ready:.0f}", f"{everything:.0f}"])
        except BenchError as e:
            return fail(e)
        finally:
            driver.quit()
    print(f"HTML view in headless Chromium, median of {args.rounds} loads (milliseconds)")
    print(render_table(["packages", "file MB", "open (overview) ms", "open all ms"], table))
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
