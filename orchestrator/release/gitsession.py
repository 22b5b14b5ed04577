"""GitPython's Repo and Git, with every git process they start in a session of its own.

GitPython keeps `git cat-file --batch` processes alive between reads. In the orchestrator's
own process group they would die with it when a terminal signals the whole group (Ctrl-C),
and the reads that decide what to put back (is the release commit there?) would fail just
when they are needed. In their own session only the orchestrator is signalled, and it
decides. Imported only once a release first touches git (see vcs).
"""

from __future__ import annotations

from typing import Any

import git


class SessionGit(git.cmd.Git):
    """Starts every git command in a new session (`setsid`), out of reach of the signals a
    terminal sends to the orchestrator's process group."""

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("start_new_session", True)
        return super().execute(*args, **kwargs)


class SessionRepo(git.Repo):
    GitCommandWrapperType = SessionGit
