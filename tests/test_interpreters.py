"""Interpreter discovery on a made-up machine: PATH first (pyenv shims skipped), then
pyenv's newest patch release, then the Windows launcher; a missing version says where it
looked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipx_lockext.core.environments import PythonVersion
from pipx_lockext.core.errors import UsageError
from pipx_lockext.edges.venvs.interpreters import Finder

V312 = PythonVersion(3, 12)


def executable(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


@pytest.fixture
def machine(tmp_path):
    usr = executable(tmp_path / "usr/bin/python3.12")
    executable(tmp_path / "pyenv/shims/python3.12")
    executable(tmp_path / "pyenv/versions/3.12.1/bin/python")
    newest = executable(tmp_path / "pyenv/versions/3.12.10/bin/python")
    executable(tmp_path / "pyenv/versions/3.12.3t/bin/python")  # free-threaded: not 3.12
    environ = {
        "PATH": f"{tmp_path / 'pyenv/shims'}:{tmp_path / 'usr/bin'}",
        "PYENV_ROOT": str(tmp_path / "pyenv"),
    }
    return Finder(environ, platform="linux"), usr, newest


def test_path_first_then_pyenv_newest_patch_and_shims_skipped(machine):
    finder, usr, newest = machine
    found = finder.find(V312)
    assert [(i.path, i.found_in) for i in found] == [
        (str(usr), "PATH"),
        (str(newest), "pyenv"),
        (str(newest.parents[2] / "3.12.1/bin/python"), "pyenv"),
    ]
    assert finder.first(V312).path == str(usr)


def test_a_missing_version_names_where_it_looked(machine, tmp_path):
    finder, _, _ = machine
    with pytest.raises(UsageError) as caught:
        finder.first(PythonVersion(3, 9))
    message = str(caught.value)
    assert message.startswith("no Python 3.9 on this machine; looked in python{X.Y} on PATH")
    assert str(tmp_path / "pyenv" / "versions") in message


def test_the_same_file_reached_twice_counts_once(tmp_path):
    real = executable(tmp_path / "usr/bin/python3.12")
    (tmp_path / "bin").symlink_to(tmp_path / "usr/bin")
    path = f"{tmp_path / 'bin'}:{tmp_path / 'usr/bin'}"
    finder = Finder({"PATH": path, "PYENV_ROOT": str(tmp_path / "none")}, platform="linux")
    assert [i.path for i in finder.find(V312)] == [str(tmp_path / "bin/python3.12")]
    assert real.exists()


def test_the_windows_launcher_is_asked_on_windows_only(tmp_path):
    calls = []

    def run(args, env=None, cwd=None, *, capture=True, timeout=None):
        calls.append(list(args))
        return subprocess.CompletedProcess(args, 0, "C:\\Python312\\python.exe\n", "")

    environ = {"PATH": "", "PYENV_ROOT": str(tmp_path / "none")}
    found = Finder(environ, platform="win32", run=run).find(V312)
    assert [(i.path, i.found_in) for i in found] == [("C:\\Python312\\python.exe", "py launcher")]
    assert calls == [["py", "-3.12", "-c", "import sys; print(sys.executable)"]]
    assert Finder(environ, platform="linux", run=run).find(V312) == []
    assert len(calls) == 1
