"""Where OSV advisories are read from: an offline database or the OSV API (edge)."""
