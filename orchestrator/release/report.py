"""Release plans and results as text: a table for people, JSON for scripts."""

from __future__ import annotations

import json

from orchestrator.release.model import ApplyResult, Reason, Release, ReleasePlan


def render_json(plan: ReleasePlan) -> str:
    return json.dumps(plan.to_json(), indent=2) + "\n"


def render_table(plan: ReleasePlan) -> str:
    """How many packages have no tag yet, one line per release with its reasons, a warning
    for each package left out, then notes."""
    if not plan.releases:
        return _untagged(plan) + _nothing(plan) + _warnings(plan) + _notes(plan)
    rows = [("package", "current", "next", "bump", "tag", "why")]
    rows += [(r.name, r.current or "-", r.next, r.bump, r.tag, _why(r)) for r in plan.releases]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row[:5], widths, strict=True))
             + "  " + row[5] for row in rows]
    return (_untagged(plan) + "\n".join(line.rstrip() for line in lines) + "\n"
            + _warnings(plan) + _notes(plan))


def _nothing(plan: ReleasePlan) -> str:
    """A package left out of the plan is not one that did not change."""
    if not plan.skipped:
        return "Nothing to release: no package changed since its last release.\n"
    count = len(plan.skipped)
    which = "1 package is" if count == 1 else f"{count} packages are"
    return (f"Nothing to release: {which} not planned (below); no other package changed "
            "since its last release.\n")


def _untagged(plan: ReleasePlan) -> str:
    count = len(plan.untagged)
    if not count:
        return ""
    which = "1 package has" if count == 1 else f"{count} packages have"
    return (f"{which} no release tag yet ({_some(plan.untagged)}): each is released at its "
            "current version. If those versions were released before, run `orchestrator "
            "release init` to tag them as the baseline.\n\n")


def _some(names: tuple[str, ...]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _warnings(plan: ReleasePlan) -> str:
    return "".join([*(f"warning: {s.name} ({s.path}) is not planned: {s.reason}\n"
                      for s in plan.skipped),
                    *(f"warning: {w.message}\n" for w in plan.warnings)])


def _notes(plan: ReleasePlan) -> str:
    return "".join(f"note: {n}\n" for n in plan.notes)


def _why(release: Release) -> str:
    text = "; ".join(_reason(r) for r in release.reasons)
    return text + ("" if release.publish else " (service: tagged, not uploaded)")


def _reason(reason: Reason) -> str:
    if reason.type == "commits":
        count = len(reason.commits)
        return f"{count} commit{'s' if count != 1 else ''}: " + ", ".join(
            c.split(" ", 1)[1] if " " in c else c for c in reason.commits[:3]) + (
            ", ..." if count > 3 else "")
    if reason.type == "dependency":
        moved = (f" ({reason.spec_from} -> {reason.spec_to})"
                 if reason.spec_from is not None else "")
        return f"depends on {reason.via}{moved}"
    if reason.type == "group":
        return f"released with its group {reason.group}"
    return {"first-release": "first release (no tag yet)",
            "promotion": "pre-release promoted to final",
            "manual": "--bump",
            "version-set": "version already set by hand"}.get(reason.type, reason.type)


def render_outcome(outcome: ApplyResult | ReleasePlan) -> str:
    """What `release apply` did, or the plan when there was nothing to release."""
    if isinstance(outcome, ReleasePlan):
        return render_table(outcome)
    return render_applied(outcome)


def render_applied(result: ApplyResult) -> str:
    lines = []
    if result.resumed:
        lines.append(f"Release commit {result.commit[:12]} already made.")
    else:
        lines.append(f"Committed release {result.commit[:12]}.")
    lines += [f"tagged {tag}" for tag in result.created]
    lines += [f"tag {tag} already there" for tag in result.existing]
    if result.pushed:
        lines.append(f"pushed the commit and {len(result.created) + len(result.existing)} "
                     f"tags to {result.pushed}")
    lines += [f"note: {note}" for note in result.notes]
    lines += [f"warning: {s.name} ({s.path}) was not released: {s.reason}"
              for s in result.skipped]
    return "\n".join(lines) + "\n"
