"""One reqlock at a time per project: the second waits, then proceeds, or gives up with
exit 6 after REQLOCK_LOCK_TIMEOUT, leaving every lock as it was."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from pipx_lockext.edges.project.projectlock import project_lock
from pipx_lockext.edges.venvs.processes import run_process
from tests.test_compile import PYPROJECT, RELEASES


def test_a_held_project_makes_compile_give_up_with_exit_6(
    make_project, fake_index, reqlock, monkeypatch
):
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})
    monkeypatch.setenv("REQLOCK_LOCK_TIMEOUT", "0.3")
    with project_lock(root):
        result = reqlock("compile", "--project", root)
    assert result.code == 6
    assert "another reqlock has held this project for over 0.3 s" in result.err
    assert not (root / "requirements").exists()


def test_the_second_waits_then_proceeds(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})
    held = threading.Event()

    def hold() -> None:
        with project_lock(root):
            held.set()
            time.sleep(0.5)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    start = time.monotonic()
    result = reqlock("compile", "--project", root)
    holder.join()
    assert result.code == 0, result.err
    assert time.monotonic() - start >= 0.4
    assert (root / "requirements/base.lock.txt").is_file()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to list open fds")
def test_a_child_started_while_the_project_is_held_holds_it_too(tmp_path):
    """Issue 14 item 5: a SIGKILLed sync released the lock while its pip ran on; a child
    now carries a copy of the lock, so the project stays held until it ends."""
    code = (
        "import os\n"
        "for n in os.listdir('/proc/self/fd'):\n"
        "    try: print(os.readlink(f'/proc/self/fd/{n}'))\n"
        "    except OSError: pass\n"  # the descriptor listdir itself used
    )
    with project_lock(tmp_path):
        held = run_process([sys.executable, "-c", code])
    alone = run_process([sys.executable, "-c", code])
    assert str(tmp_path) in held.stdout.splitlines()
    assert str(tmp_path) not in alone.stdout.splitlines()
