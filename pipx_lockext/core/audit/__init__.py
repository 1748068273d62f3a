"""Vulnerability audit of the locks against OSV advisories (pure core)."""
