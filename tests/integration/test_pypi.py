"""The index client against the real PyPI (run on demand: `pytest -m network`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipx_lockext.core.inputs.settings import IndexSettings
from pipx_lockext.edges.index.client import open_repository

pytestmark = pytest.mark.network


def test_reads_a_real_project_page_and_wheel_metadata(tmp_path: Path):
    repo = open_repository(
        IndexSettings(index_url="https://pypi.org/simple/"), cache_dir=tmp_path / "cache"
    )
    files = repo.files("packaging").all_files()
    wheel = next(f for f in files if f.filename == "packaging-24.2-py3-none-any.whl")
    assert wheel.sha256 == "09abb1bccd265c01f4a3aa3f7a7db064b36514d2cba19a2f694fe6150451a759"
    assert wheel.requires_python == ">=3.8"
    meta = repo.metadata(wheel)
    assert (meta.name, str(meta.version), meta.requires_dist) == ("packaging", "24.2", ())
    yanked = {f.filename: f.yanked for f in repo.files("requests").all_files()}
    assert "CVE-2024-35195" in (yanked["requests-2.32.0-py3-none-any.whl"] or "")
