"""reqlock locks its own dependency groups: the locks in requirements/ must stay fresh
for pyproject.toml (run `reqlock compile` after changing a dependency)."""

from __future__ import annotations

from pathlib import Path

from pipx_lockext.commands.checking import check_project

ROOT = Path(__file__).resolve().parent.parent


def test_reqlocks_own_locks_are_fresh_and_well_formed():
    result = check_project(ROOT)
    assert [str(f) for f in result.findings] == []
    assert set(result.layers) == {"base", "test", "lint", "type", "dev"}
