"""How soon a compile that has its answer ends: what was fetched ahead for it (a root's
sdist, read before resolution starts) is stopped, not waited for at exit. A real process,
since only its exit shows the wait."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.fakeindex import Release

pytestmark = pytest.mark.integration

RELEASES = [
    Release("web", "1.0", requires_dist=("core>=2",)),
    Release("core", "1.0"),
    Release("core", "2.0"),
    Release("bulky", "1.0", wheels=()),  # sdist only: read ahead as a root's first candidate
]


def test_a_conflict_ends_the_run_without_waiting_for_a_roots_sdist(
    make_project, fake_index, tmp_path
):
    """pyspark's 317 MB sdist kept a conflict reported in 1.3 s running for 11 s."""
    index = fake_index(RELEASES)
    index.fault("/files/bulky-*", "drip", seconds=0.05)  # minutes to send the whole file
    root = make_project({"requirements/base.in": "core<2\nweb\nbulky\n"})
    env = {**os.environ, "REQLOCK_CACHE_DIR": str(tmp_path / "cache"), "PIP_TIMEOUT": "120"}
    command = [sys.executable, "-m", "pipx_lockext", "compile", "--project", str(root),
               "--index-url", index.url, "--python", "3.12"]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    seconds = time.monotonic() - started
    assert done.returncode == 3, done.stderr
    assert "web (from requirements/base.in:2) needs core>=2" in done.stderr
    assert index.count("/files/bulky-") == 1  # its download was under way
    assert seconds < 30, f"exit took {seconds:.0f} s: the sdist's download was waited for"
