"""One reqlock at a time per project: the second waits, then proceeds, or gives up with
exit 6 after REQLOCK_LOCK_TIMEOUT, leaving every lock as it was."""

from __future__ import annotations

import threading
import time

from pipx_lockext.edges.project.projectlock import project_lock
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
