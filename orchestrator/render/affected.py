"""`changed`, `affected` and `why`: names, JSON, paths, a GitHub Actions matrix, a chain."""

from __future__ import annotations

import json
from functools import cache
from json.encoder import encode_basestring  # what json.dumps writes a string as

from orchestrator.changes.affected import AffectedResult, Chain, Reason
from orchestrator.workspace.model import EDGE_KINDS
from orchestrator.workspace.names import canonical
from orchestrator.workspace.values import one_line


def selected(result: AffectedResult, *, dependents: bool) -> tuple[str, ...]:
    return result.affected if dependents else result.directly_changed


def render_names(result: AffectedResult, *, dependents: bool = True, end: str = "\n") -> str:
    """One name per line; `end="\\0"` for paths with newlines, as git's -z."""
    return "".join(f"{name}{end}" for name in selected(result, dependents=dependents))


def render_paths(result: AffectedResult, *, dependents: bool = True, end: str = "\n") -> str:
    names = selected(result, dependents=dependents)
    return "".join(f"{path}{end}" for _, path in result.package_paths(names))


def render_json(result: AffectedResult, *, dependents: bool = True) -> str:
    """One top-level key per line and one package per line of `reasons`: readable in a log,
    and written by json's C encoder (an indented dump is several times slower)."""
    data = result.to_json(dependents=dependents, reasons=False)
    lines = [f"  {_dump(key)}: {_dump(value)}" for key, value in data.items()]
    inner = ",\n".join(f"    {encode_basestring(name)}: [{', '.join(map(_reason, found))}]"
                        for name, found in result.listed_reasons(dependents=dependents).items())
    lines.append('  "reasons": {' + (f"\n{inner}\n  }}" if inner else "}"))
    return "{\n" + ",\n".join(lines) + "\n}\n"


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


@cache
def _reason(reason: Reason) -> str:
    """A reason's JSON: reasons through a dependency are shared, and so is their text."""
    return _dump(reason.to_json())


def matrix(result: AffectedResult) -> dict[str, list[dict[str, str]]]:
    """A GitHub Actions `strategy.matrix`: one job per affected package."""
    pairs = result.package_paths(result.affected)
    return {"include": [{"package": name, "path": path} for name, path in pairs]}


def render_matrix(result: AffectedResult) -> str:
    return json.dumps(matrix(result), separators=(",", ":")) + "\n"


def github_outputs(result: AffectedResult) -> str:
    """Lines for `$GITHUB_OUTPUT`: every value is one line of JSON or a bare word."""
    outputs = {
        "matrix": json.dumps(matrix(result), separators=(",", ":")),
        "packages": json.dumps(list(result.affected), separators=(",", ":")),
        "any": "true" if result.affected else "false",
        "count": str(len(result.affected)),
    }
    return "".join(f"{key}={value}\n" for key, value in outputs.items())


def summary(result: AffectedResult, *, dependents: bool = True) -> str:
    """One line for stderr, saying what was compared."""
    count = len(selected(result, dependents=dependents))
    what = "affected" if dependents else "changed"
    if result.merge_base is None:
        return f"{count} of {len(result.workspace.catalog)} packages {what} ({_range(result)})"
    files = len(result.changed_files)
    return (f"{count} of {len(result.workspace.catalog)} packages {what} by {files} changed "
            f"file{'s' if files != 1 else ''} ({_range(result)})")


def _range(result: AffectedResult) -> str:
    head = result.head + (" with the working tree" if result.includes_worktree else "")
    if result.merge_base is None:
        return f"base {result.base}, head {head}, no merge base"
    return f"base {result.base}, merge base {result.merge_base[:7]}, head {head}"


def render_why(result: AffectedResult, package: str, chain: Chain | None) -> str:
    """`a/b.py → acme-db → acme-api (runtime)`, or a plain sentence when not affected."""
    name = canonical(package)
    if chain is None and name in result.removed:
        return (f"{package} was removed by this change ({_range(result)}); packages that "
                f"depended on it: {', '.join(_removed_dependents(result, name)) or 'none'}\n"
                + _kinds_note(result))
    if chain is None:
        return f"{package} is not affected by this change ({_range(result)})\n" \
            + _kinds_note(result)
    parts = [_start(chain.start), chain.steps[0][0]]
    parts += [f"{name} ({kind})" if kind else name for name, kind in chain.steps[1:]]
    return one_line(" → ".join(parts)) + "\n" + _kinds_note(result)  # paths come from a PR


def render_why_json(result: AffectedResult, package: str, chain: Chain | None) -> str:
    """The same answer as data: the chain from its first cause, step by step."""
    name = canonical(package)
    data: dict[str, object] = {
        "package": name, "affected": chain is not None, "removed": name in result.removed,
        "base": result.base, "head": result.head, "merge_base": result.merge_base,
        "affected_kinds": list(result.followed_kinds),
        "cause": chain.start.to_json() if chain is not None else None,
        "chain": [{"package": step, "kind": kind} for step, kind in chain.steps]
        if chain is not None else [],
    }
    if name in result.removed:
        data["dependents"] = _removed_dependents(result, name)
    return json.dumps(data, indent=2)


def _removed_dependents(result: AffectedResult, name: str) -> list[str]:
    return sorted(n for n, reasons in result.reasons.items()
                  if any(r.type == "removed-dependency" and r.via == name for r in reasons))


def _kinds_note(result: AffectedResult) -> str:
    """Said only when `affected-kinds` leaves some edge kinds out."""
    if set(result.followed_kinds) == set(EDGE_KINDS):
        return ""
    return f"(dependents found over {', '.join(result.followed_kinds) or 'no'} edges: " \
        "affected-kinds)\n"


def _start(reason: Reason) -> str:
    first = reason.files[0] if reason.files else ""
    more = f" (and {len(reason.files) - 1} more)" if len(reason.files) > 1 else ""
    if reason.type == "changed-files":
        return first + more
    if reason.type == "global-file":
        return f"{first}{more} (a global file: every package is affected)"
    if reason.type == "lockfile":
        if reason.detail:
            return f"{first} ({reason.detail}: every member is affected)"
        return f"{first}: {reason.change}" if reason.change else first
    if reason.type == "removed-dependency":
        return f"{reason.via} (removed)"
    if reason.type == "unreadable-base":
        return f"unreadable at the merge base: {reason.detail}"
    if reason.type == "missing-base":
        return f"no merge base, so every package is affected: {reason.detail}"
    return f"new branch, so every package is affected: {reason.detail}"
