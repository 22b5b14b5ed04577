from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from orchestrator.tasks.reports import render_json, render_junit
from orchestrator.tasks.runner import TaskResult
from orchestrator.tasks.selection import Audit

PYTEST_XML = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="0" failures="1" skipped="0"
 tests="2" time="0.1"><testcase classname="tests.test_db" name="test_ok" time="0.01"/>
<testcase classname="tests.test_db" name="test_bad" time="0.02"><failure message="assert 1 == 2"
>assert 1 == 2</failure></testcase></testsuite></testsuites>
"""

RESULTS = [
    TaskResult("acme-db", "failed", 1.5, ".orchestrator/logs/test/acme-db.log", 1,
               measured=1.5, junit="junit/acme-db.xml"),
    TaskResult("acme-api", "skipped", 0.0, ".orchestrator/logs/test/acme-api.log",
               reason="needs acme-db, which failed"),
    TaskResult("acme-log", "cached", 0.0, ".orchestrator/logs/test/acme-log.log", 0,
               reason="cached passed", measured=2.25),
    TaskResult("acme-cli", "failed", 0.3, ".orchestrator/logs/test/acme-cli.log", 2,
               measured=0.3),
]


def test_json_report_has_the_design_shape() -> None:
    data = json.loads(render_json("test", RESULTS, shard="1/2"))
    assert data["task"] == "test"
    assert [r["package"] for r in data["results"]] == ["acme-api", "acme-cli", "acme-db",
                                                       "acme-log"]
    db = data["results"][2]
    assert {k: db[k] for k in ("package", "status", "duration", "log")} == {
        "package": "acme-db", "status": "failed", "duration": 1.5,
        "log": ".orchestrator/logs/test/acme-db.log"}
    assert data["results"][3]["cached"] is True
    assert data["results"][3]["measured"] == 2.25
    assert data["results"][0]["reason"] == "needs acme-db, which failed"
    assert data["summary"] == {"passed": 0, "failed": 2, "cached": 1, "skipped": 1,
                               "no-tests": 0}
    assert data["shard"] == "1/2"


def test_json_report_carries_the_audit() -> None:
    audit = Audit("main", "abc", ("acme-db",), ("acme-cli", "acme-db"), ("acme-cli",))
    data = json.loads(render_json("test", RESULTS, audit=audit))
    assert data["audit"]["missed"] == ["acme-cli"]
    assert data["audit"]["safe"] is False


def test_junit_has_a_suite_per_package_with_pytest_cases_merged(tmp_path: Path) -> None:
    (tmp_path / "junit").mkdir()
    (tmp_path / "junit/acme-db.xml").write_text(PYTEST_XML)
    (tmp_path / ".orchestrator/logs/test").mkdir(parents=True)
    (tmp_path / ".orchestrator/logs/test/acme-cli.log").write_text("boom\nTraceback: <&>\n")
    root = ET.fromstring(render_junit("test", RESULTS, tmp_path))  # noqa: S314 - our own output
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert sorted(suites) == ["acme-api", "acme-cli", "acme-db", "acme-log"]
    db = suites["acme-db"]
    assert [c.get("name") for c in db.iter("testcase")] == ["test_ok", "test_bad"]
    assert (db.get("tests"), db.get("failures")) == ("2", "1")
    cli = suites["acme-cli"].find("testcase/failure")
    assert cli is not None
    assert cli.get("message") == "exit code 2"
    assert "Traceback: <&>" in (cli.text or "")
    assert suites["acme-api"].find("testcase/skipped") is not None
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("5", "2", "1")


def test_junit_stays_valid_xml_when_a_log_has_colours_and_control_characters(
    tmp_path: Path,
) -> None:
    log = tmp_path / ".orchestrator/logs/lint/acme-cli.log"
    log.parent.mkdir(parents=True)
    log.write_text("ansi \x1b[31mred\x1b[0m done\x00\x07\n", encoding="utf-8")
    result = TaskResult("acme-cli", "failed", 0.3, ".orchestrator/logs/lint/acme-cli.log", 1,
                        measured=0.3)
    suites = ET.fromstring(render_junit("lint", [result], tmp_path))  # noqa: S314 (our own output)
    failure = suites.find(".//failure")
    assert failure is not None and failure.text is not None
    assert "ansi red done\\x00\\x07" in failure.text
