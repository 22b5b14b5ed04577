"""`check`: findings as text or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence

from orchestrator.workspace.model import Finding


def render_json(findings: Sequence[Finding]) -> str:
    return json.dumps({
        "errors": sum(f.severity == "error" for f in findings),
        "warnings": sum(f.severity == "warning" for f in findings),
        "findings": [
            {"severity": f.severity, "code": f.code, "message": f.message,
             "path": f.path, "package": f.package}
            for f in findings
        ],
    }, indent=2)


def render_text(findings: Sequence[Finding], packages: int) -> str:
    lines = [f"{f.severity:<7} {f.code}: {f.message}" for f in findings]
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    lines.append(f"{packages} packages checked: {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)
