"""Showing answers: the graph view to draw, then one renderer per format, each returning a `str`."""
