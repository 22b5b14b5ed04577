"""Machine-readable reports of a run: DESIGN's JSON shape and JUnit XML."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestrator.tasks.runner import TaskResult
from orchestrator.tasks.selection import Audit

if TYPE_CHECKING:
    from orchestrator.tasks.remote import RemoteStats

STATUSES = ("passed", "failed", "cached", "skipped", "no-tests")
TAIL_LINES = 50


def counts(results: Sequence[TaskResult]) -> dict[str, int]:
    found = Counter[str](r.status for r in results)
    return {status: found[status] for status in STATUSES}


def result_json(result: TaskResult) -> dict[str, Any]:
    data: dict[str, Any] = {
        "package": result.package,
        "status": result.status,
        "duration": round(result.duration, 3),
        "log": result.log,
        "cached": result.status == "cached",
        "cache": result.cache,
        "exit_code": result.exit_code,
    }
    if result.reason is not None:
        data["reason"] = result.reason
    if result.measured is not None:
        data["measured"] = round(result.measured, 3)
    if result.outputs:
        data["outputs"] = list(result.outputs)
    return data


def render_json(task: str, results: Sequence[TaskResult], *, shard: str | None = None,
                audit: Audit | None = None, remote: RemoteStats | None = None) -> str:
    """`run --format json`: results sorted by package, with counts (and the audit)."""
    data: dict[str, Any] = {
        "task": task,
        "results": [result_json(r) for r in sorted(results, key=lambda r: r.package)],
        "summary": counts(results),
    }
    if shard is not None:
        data["shard"] = shard
    if audit is not None:
        data["audit"] = audit.to_json()
    if remote is not None:
        data["remote"] = remote.to_json()
    return json.dumps(data, indent=2) + "\n"


def tail(root: Path, result: TaskResult, lines: int = TAIL_LINES) -> str:
    """The last lines of a package's log (empty when it has none)."""
    try:
        text = (root / result.log).read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


# -- JUnit ----------------------------------------------------------------------------------


def render_junit(task: str, results: Sequence[TaskResult], root: Path) -> str:
    """One test suite per package; pytest's own test cases are merged in when it wrote them."""
    suites = ET.Element("testsuites", name=f"orchestrator {task}")
    for result in sorted(results, key=lambda r: r.package):
        suites.append(_suite(task, result, root))
    _count(suites, suites.findall("testsuite"))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _suite(task: str, result: TaskResult, root: Path) -> ET.Element:
    suite = ET.Element("testsuite", name=result.package)
    cases = _pytest_cases(root / result.junit) if result.junit else []
    suite.extend(cases)
    failed_cases = any(c.find("failure") is not None or c.find("error") is not None
                       for c in cases)
    if not cases or (result.status == "failed" and not failed_cases):
        suite.append(_own_case(task, result, root))
    _count(suite, [suite])
    suite.set("time", f"{result.measured if result.measured is not None else 0.0:.3f}")
    return suite


def _own_case(task: str, result: TaskResult, root: Path) -> ET.Element:
    """A test case standing for the task itself, so every package shows up in CI."""
    case = ET.Element("testcase", classname=result.package, name=task,
                      time=f"{result.duration:.3f}")
    if result.status == "failed":
        failure = ET.SubElement(case, "failure", message=f"exit code {result.exit_code}")
        failure.text = xml_text(tail(root, result))
    elif result.status in ("skipped", "no-tests"):
        ET.SubElement(case, "skipped", message=result.reason or result.status)
    elif result.status == "cached":
        ET.SubElement(case, "system-out").text = "answered from the task cache"
    return case


def _pytest_cases(path: Path) -> list[ET.Element]:
    try:
        tree = ET.parse(path)  # noqa: S314 - pytest's own report, written by this run
    except (OSError, ET.ParseError):
        return []
    return list(tree.getroot().iter("testcase"))


def _count(target: ET.Element, suites: list[ET.Element]) -> None:
    cases = [c for s in suites for c in s.iter("testcase")]
    target.set("tests", str(len(cases)))
    for tag, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        target.set(attr, str(sum(1 for c in cases if c.find(tag) is not None)))


# Terminal colour sequences, then every character XML 1.0 cannot hold.
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """Log text as an XML document can hold it: colours dropped, control characters shown."""
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", _ANSI.sub("", text))


def check_writable(path: Path, what: str, *, directory: bool) -> None:
    """Create the directory a result will go to, or say plainly why it cannot be."""
    from orchestrator.errors import OrchestratorError

    folder = path if directory else path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OrchestratorError(f"cannot use {path} as {what}: {e.strerror}") from e
    if not directory and path.is_dir():
        raise OrchestratorError(f"cannot use {path} as {what}: it is a directory")
    if not os.access(folder, os.W_OK):
        raise OrchestratorError(f"cannot use {path} as {what}: {folder} is not writable")


def write_text(path: Path, text: str) -> None:
    from orchestrator.errors import OrchestratorError

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as e:
        raise OrchestratorError(f"cannot write {path}: {e.strerror}") from e
