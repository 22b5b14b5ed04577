"""The one error hierarchy: each error carries a user-facing sentence and an exit code."""

from __future__ import annotations


class OrchestratorError(Exception):
    """A problem the user can fix; the CLI prints the message and exits with `exit_code`."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None, detail: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.detail = detail


class ConfigError(OrchestratorError):
    """Invalid configuration or metadata: a file that cannot be read as the tool expects."""


class GitError(OrchestratorError):
    """A git command failed or a ref could not be resolved."""


class CycleError(OrchestratorError):
    """An order was needed but the graph has a cycle."""

    def __init__(self, cycle: list[str], *, purpose: str, kinds: list[str] | None = None,
                 hint: str | None = None):
        """`kinds`: the edge kinds of each step (cycle[i] -> cycle[i+1]), when known."""
        targets = [*cycle[1:], cycle[0]]
        steps = [f"{t} ({k})" for t, k in zip(targets, kinds, strict=True)] if kinds else targets
        path = " -> ".join([cycle[0], *steps])
        super().__init__(f"cannot {purpose}: dependency cycle {path}", hint=hint)
        self.cycle = cycle


class FailedError(OrchestratorError):
    """A task, check or release step failed: exit 1 after reporting."""

    exit_code = 1
