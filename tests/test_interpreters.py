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


def venv_on_path(tmp_path, cfg: str) -> tuple[Path, Path]:
    """A venv made from a base Python 3.12, whose bin/ is on PATH (reqlock's own venv,
    activated); `cfg` is its pyvenv.cfg with {base} for the base's bin folder."""
    base = executable(tmp_path / "base/bin/python3.12")
    venv = tmp_path / "tool-venv"
    executable(venv / "bin/python3.12")
    (venv / "pyvenv.cfg").write_text(cfg.format(base=base.parent))
    return venv, base


@pytest.mark.parametrize(
    "cfg",
    [
        "home = {base}\ninclude-system-site-packages = false\nversion = 3.12.1\n",
        "home = {base}\nexecutable = {base}/python3.12\n",
        "home = /nowhere\nbase-executable = {base}/python3.12\n",
    ],
    ids=["venv-home", "venv-executable", "virtualenv-base-executable"],
)
def test_a_venv_on_path_stands_for_the_python_it_was_made_from(tmp_path, cfg):
    venv, base = venv_on_path(tmp_path, cfg)
    finder = Finder({"PATH": str(venv / "bin"), "PYENV_ROOT": str(tmp_path)}, platform="linux")
    assert [(i.path, i.found_in) for i in finder.find(V312)] == [
        (str(base), f"PATH: base of venv {venv}")
    ]


def test_a_venv_whose_base_is_gone_is_shown_as_it_is(tmp_path):
    venv, base = venv_on_path(tmp_path, "home = {base}\n")
    base.unlink()
    finder = Finder({"PATH": str(venv / "bin"), "PYENV_ROOT": str(tmp_path)}, platform="linux")
    assert [i.path for i in finder.find(V312)] == [str(venv / "bin/python3.12")]


def test_python_list_shows_the_base_interpreter_sync_would_use(tmp_path, reqlock, monkeypatch):
    venv, base = venv_on_path(tmp_path, "home = {base}\n")
    monkeypatch.setenv("PATH", f"{venv / 'bin'}:{base.parent}")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "none"))
    monkeypatch.chdir(tmp_path)
    result = reqlock("python", "list")
    assert result.code == 0, result.err
    rows = [line for line in result.out.splitlines() if " 3.12 " in line]
    assert rows == [f"  3.12  {base}  (PATH: base of venv {venv})"]
    assert str(venv) not in result.out.replace(f"base of venv {venv}", "")
