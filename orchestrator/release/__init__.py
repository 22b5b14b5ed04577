"""Coordinated release: plan what changed, apply versions and tags, publish artifacts."""
