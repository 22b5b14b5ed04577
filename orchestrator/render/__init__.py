"""Renderers: each turns model data into a `str`, in a stable sorted order."""
