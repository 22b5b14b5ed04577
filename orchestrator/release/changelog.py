"""Each released package's CHANGELOG.md: a new section on top, grouped by kind of change."""

from __future__ import annotations

from orchestrator.release.model import Release, ReleasePlan

HEADER = "# Changelog\n"
_SECTIONS = (("breaking", "Breaking changes"), ("features", "Features"), ("fixes", "Fixes"),
             ("other", "Other changes"))


def section(release: Release, plan: ReleasePlan, date: str) -> str:
    """The Markdown for one release: its changes by group, dependency updates on one line."""
    lines = [f"## {release.next} ({date})", ""]
    for group, title in _SECTIONS:
        entries = [c for c in release.changes if c.group == group]
        if entries:
            lines += [f"### {title}", ""]
            lines += [f"- {_scope(c.scope)}{c.description} ({c.sha[:7]})" for c in entries]
            lines.append("")
    updates = _dependency_updates(release, plan)
    if updates:
        lines += ["### Dependencies", "", f"- Updated {updates}", ""]
    if len(lines) == 2:
        lines += ["- First release." if release.previous_tag is None
                  else "- Released as final." if release.bump == "promote"
                  else "- No user-facing changes.", ""]
    return "\n".join(lines) + "\n"


def _scope(scope: str | None) -> str:
    return f"**{scope}:** " if scope else ""


def _dependency_updates(release: Release, plan: ReleasePlan) -> str:
    via = sorted({r.via for r in release.reasons if r.type == "dependency" and r.via})
    return ", ".join(f"{name} to {dep.next}" for name in via
                     if (dep := plan.get(name)) is not None)


def prepend(existing: str | None, new_section: str) -> str:
    """Insert `new_section` after the file's title, keeping every existing byte after it."""
    if not existing:
        return f"{HEADER}\n{new_section}"
    if existing.startswith("# "):
        title, _, rest = existing.partition("\n")
        return f"{title}\n\n{new_section}\n{rest.lstrip(chr(10))}" if rest.strip() else (
            f"{title}\n\n{new_section}")
    return f"{HEADER}\n{new_section}\n{existing}"
