"""Affected tests, coordinated releases and dependency graphs for Python monorepos."""

__version__ = "0.1.0"
