"""What a git range touches: the base, the changed files, their owners, the affected set."""
