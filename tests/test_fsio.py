"""Atomic, all-or-nothing file replacement."""

from __future__ import annotations

import os

import pytest

from pipx_lockext.core.errors import LocalError
from pipx_lockext.edges.project import fsio


def test_writes_all_files_and_leaves_no_temp_files(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "sub" / "b.txt"
    a.write_text("old a")
    fsio.replace_files({a: "new a", b: "new b"})
    assert (a.read_text(), b.read_text()) == ("new a", "new b")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "b.txt", "sub"]


def test_failure_midway_restores_every_file(tmp_path, monkeypatch):
    a, b, c = (tmp_path / n for n in ("a.txt", "b.txt", "c.txt"))
    a.write_text("old a")
    b.write_text("old b")
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # the third target fails, after two were replaced
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(fsio.os, "replace", flaky_replace)
    with pytest.raises(
        LocalError, match=r"c\.txt: cannot write \(disk full\); no file was changed"
    ):
        fsio.replace_files({a: "new a", b: "new b", c: "new c"})
    monkeypatch.setattr(fsio.os, "replace", real_replace)
    assert (a.read_text(), b.read_text()) == ("old a", "old b")
    assert not c.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


@pytest.mark.skipif(
    os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root ignores modes"
)
def test_permission_denied_is_a_local_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "x.txt"
    target.write_text("old")
    folder.chmod(0o500)
    try:
        with pytest.raises(LocalError, match="permission denied"):
            fsio.replace_files({target: "new"})
    finally:
        folder.chmod(0o700)
    assert target.read_text() == "old"


def test_new_files_get_the_umask_mode_and_old_files_keep_theirs(tmp_path):
    old = tmp_path / "old.txt"
    old.write_text("x")
    old.chmod(0o640)
    umask = os.umask(0o022)
    try:
        fsio.replace_files({tmp_path / "new.txt": "new", old: "changed"})
    finally:
        os.umask(umask)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o644
    assert old.stat().st_mode & 0o777 == 0o640


def test_temp_files_a_killed_write_left_are_swept(tmp_path):
    """Issue 14 item 5: a killed compile left `.base.lock.txt.*.tmp` files for good."""
    target = tmp_path / "base.lock.txt"
    stale = tmp_path / ".base.lock.txt.k1ll3d.tmp"
    stale.write_text("half a lock")
    other = tmp_path / ".other.txt.abc.tmp"
    other.write_text("not ours to sweep")
    fsio.replace_files({target: "new\n"})
    assert target.read_text() == "new\n"
    assert not stale.exists()
    assert other.exists()
