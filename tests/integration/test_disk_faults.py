"""Faults of the machine itself: a full disk while the locks are written (exit 6, every
old lock byte for byte), and compiles killed at random moments (each lock old or
complete, never truncated). Real file systems and real processes, no patching."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipx_lockext.core.lockfiles.lockparse import parse_lock
from tests.test_compile import PYPROJECT, RELEASES

pytestmark = pytest.mark.integration


@pytest.fixture
def tiny_disk():
    """Mounts a 64 KiB tmpfs on a folder (needs the right to mount: root in a container or
    CI here); unmounted afterwards."""
    mounted: list[Path] = []

    def mount(folder: Path) -> Path:
        folder.mkdir()
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", str(folder)], check=False)


def test_a_full_disk_is_exit_6_with_every_old_lock_untouched(
    make_project, fake_index, reqlock, tiny_disk
):
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        text.replace("[tool.reqlock]", '[tool.reqlock]\noutput-dir = "locks"')
    )
    tiny_disk = tiny_disk(root / "locks")  # inside the project: reqlock writes only there
    assert reqlock("compile", "--project", root).code == 0
    before = {p.name: p.read_bytes() for p in tiny_disk.iterdir()}
    filler = tiny_disk / "filler"
    with filler.open("wb") as out, contextlib.suppress(OSError):  # no room for a new lock
        out.write(b"\0" * (64 * 1024))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('dev = ["tool"]', 'dev = ["tool", "leaf"]'))
    result = reqlock("compile", "--project", root)
    assert result.code == 6, result.err
    assert "disk full" in result.err
    assert "no file was changed" in result.err
    filler.unlink()
    assert {p.name: p.read_bytes() for p in tiny_disk.iterdir()} == before


def test_a_compile_killed_at_any_moment_leaves_each_lock_old_or_complete(
    make_project, fake_index, tmp_path
):
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})
    env = {**os.environ, "REQLOCK_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "pipx_lockext", "compile", "--project", str(root), "-U"]
    subprocess.run(command, env=env, check=True, capture_output=True)
    start = time.monotonic()
    subprocess.run(command, env=env, check=True, capture_output=True)
    duration = time.monotonic() - start
    randomness = random.Random(1234)
    for _ in range(8):
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(randomness.uniform(0, duration))
        process.send_signal(signal.SIGKILL)
        process.wait()
        for lock in (root / "requirements").glob("*.lock.txt"):
            parsed = parse_lock(lock.read_text())
            assert parsed.problems == (), (lock, parsed.problems)
            assert parsed.pins, lock


def test_ctrl_c_during_compile_stops_now_with_the_locks_as_they_were(
    make_project, fake_index, tmp_path
):
    """Issue 14 item 5: Ctrl-C waited ~39 s for the fetches under way. The index here
    answers after a minute; the compile must be gone long before, exit 130."""
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})
    env = {**os.environ, "REQLOCK_CACHE_DIR": str(tmp_path / "cache"), "PIP_TIMEOUT": "120"}
    command = [sys.executable, "-m", "pipx_lockext", "compile", "--project", str(root)]
    index.fault("/simple/*", "delay", seconds=60)
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    while not index.requests:  # the fetch is under way
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=20)  # a third of the index's delay
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("compile still running 20 s after Ctrl-C")
    assert process.returncode == 130, err
    assert "aborted" in err
    assert "Traceback" not in err
    assert not (root / "requirements").exists()
