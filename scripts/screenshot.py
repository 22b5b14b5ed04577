"""Generate docs/graph.png: the HTML view of the example monorepo in headless Chromium.

The picture is made, not drawn: the script clones this repository into a temporary
directory, edits one file of `packages/log` there, runs `orchestrator graph --format html
--affected --base HEAD` on the clone, opens the page in Chromium, clicks `acme-log` and
saves a screenshot. Run it from the repository root with the project's interpreter:

    .venv/bin/python scripts/screenshot.py [--out docs/graph.png]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHANGED = "packages/log/src/acme_log/__init__.py"
SELECT = "acme-log"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync",
         "--window-size=1440,900", "--hide-scrollbars", "--force-device-scale-factor=1"]


def make_page(work: Path) -> Path:
    """The HTML view of a clone of this repository with one change in packages/log."""
    clone = work / "orchestrator-example"
    subprocess.run(["git", "clone", "-q", "--local", str(ROOT), str(clone)], check=True)
    with (clone / CHANGED).open("a", encoding="utf-8") as f:
        f.write("\n# an edit, to show what it affects\n")
    page = work / "graph.html"
    subprocess.run([sys.executable, "-m", "orchestrator", "-C", str(clone), "graph",
                    "--format", "html", "--affected", "--base", "HEAD", "-o", str(page)],
                   check=True, cwd=ROOT)
    return page


def screenshot(page: Path, out: Path, profile: Path) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(page.as_uri())
        for node in driver.find_elements(By.CSS_SELECTOR, "#graph .node[data-name]"):
            if node.get_attribute("data-name") == SELECT:
                node.click()
        time.sleep(0.4)  # let the highlight's fade finish
        driver.save_screenshot(str(out))
    finally:
        driver.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "graph.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        page = make_page(work)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        screenshot(page, args.out, work / "profile")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
