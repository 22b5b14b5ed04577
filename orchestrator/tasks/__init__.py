"""Running a task over a selection: definitions, cache keys, plan, runner and reports."""
