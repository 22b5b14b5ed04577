"""Headless Chromium for the browser tests, started the way NOTES.md describes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
MERMAID_JS = REPO_ROOT / ".orchestrator/node/node_modules/mermaid/dist/mermaid.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--no-first-run", "--disable-component-update", "--disable-sync",
         "--window-size=1400,900"]

needs_chromium = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() or not CHROMEDRIVER.exists(),
                       reason="needs /usr/bin/chromium and /usr/bin/chromedriver "
                              "(apt-get install chromium chromium-driver; CI installs them)"),
]


def start_chromium(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    return webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)


def open_page(driver: Any, path: Path, timeout: float = 20) -> None:
    """Load a file and wait until its script has drawn and wired everything."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get_log("browser")  # start each page with empty logs
    driver.get_log("performance")
    driver.get(path.as_uri())
    WebDriverWait(driver, timeout).until(
        lambda d: d.execute_script("return document.documentElement.dataset.ready") is not None
    )


def console_errors(driver: Any) -> list[str]:
    return [str(e["message"]) for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def requested_urls(driver: Any) -> list[str]:
    """Every URL the pages requested, except those of the browser's own chrome:// pages
    (its new-tab page loads in the background of a fresh profile)."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        params = message["params"]
        if not str(params.get("documentURL", "")).startswith("chrome://"):
            urls.append(str(params["request"]["url"]))
    return urls


def only_the_page(urls: list[str], page: Path) -> bool:
    return all(url == page.as_uri() or url.startswith("data:") for url in urls)
