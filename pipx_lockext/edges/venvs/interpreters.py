"""Finding the Python interpreters on this machine (edge: the machine's PATH, pyenv's
folder, the Windows `py` launcher).

Looked for, in order: `pythonX.Y` on PATH (pyenv's shims skipped: they fail for a version
pyenv has not made active), the newest patch release of X.Y under pyenv's versions
(`$PYENV_ROOT` or `~/.pyenv`), and `py -X.Y` on Windows. A `pythonX.Y` that belongs to a
venv (reqlock's own, when it is on PATH) stands for the installation the venv was made
from: that is what virtualenv builds a new venv on, so it is what is shown and used. A
missing version is an error that says where it looked. `current_platform` names the
platform of this machine (for pip-compile mode, and for the interpreter that builds sdists
at compile time).
"""

from __future__ import annotations

import os
import platform
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pipx_lockext.core.environments import PythonVersion
from pipx_lockext.core.errors import UsageError
from pipx_lockext.edges.venvs.processes import Runner, run_process


@dataclass(frozen=True)
class Interpreter:
    """A CPython found on the machine."""

    version: PythonVersion
    path: str
    found_in: str
    """"PATH", "pyenv" or "py launcher"."""


@dataclass(frozen=True)
class Finder:
    """Where to look; `environ` and `platform` are the machine's unless a test says."""

    environ: Mapping[str, str]
    platform: str = sys.platform
    run: Runner = run_process

    @classmethod
    def here(cls) -> Finder:
        return cls(dict(os.environ))

    def find(self, version: PythonVersion) -> list[Interpreter]:
        """Every interpreter of `version`, in the order of preference (one per real file:
        /bin/python3.11 and /usr/bin/python3.11 are often the same)."""
        found = [*self._on_path(version), *self._pyenv(version), *self._launcher(version)]
        unique: dict[str, Interpreter] = {}
        for interpreter in map(_base, found):
            unique.setdefault(os.path.realpath(interpreter.path), interpreter)
        return list(unique.values())

    def first(self, version: PythonVersion) -> Interpreter:
        """The interpreter used for `version`; UsageError (exit 2) naming where it looked."""
        found = self.find(version)
        if not found:
            raise UsageError(f"no Python {version} on this machine; looked in {self.places()}")
        return found[0]

    def places(self) -> str:
        places = [f"python{{X.Y}} on PATH ({len(self._path_dirs())} folders)"]
        places.append(f"{self._pyenv_root() / 'versions'}")
        if self.platform == "win32":
            places.append("py -X.Y")
        return ", ".join(places)

    def _path_dirs(self) -> list[str]:
        dirs = self.environ.get("PATH", "").split(os.pathsep)
        return [d for d in dirs if d and not d.rstrip("/\\").endswith("shims")]

    def _on_path(self, version: PythonVersion) -> list[Interpreter]:
        names = [f"python{version}.exe"] if self.platform == "win32" else [f"python{version}"]
        found = []
        for folder in self._path_dirs():
            for name in names:
                candidate = Path(folder) / name
                if candidate.is_file() and os.access(candidate, os.X_OK):
                    found.append(Interpreter(version, str(candidate), "PATH"))
        return found

    def _pyenv_root(self) -> Path:
        root = self.environ.get("PYENV_ROOT")
        return Path(root) if root else Path(self.environ.get("HOME", "~")).expanduser() / ".pyenv"

    def _pyenv(self, version: PythonVersion) -> list[Interpreter]:
        folder = self._pyenv_root() / "versions"
        try:
            names = os.listdir(folder)
        except OSError:
            return []
        pattern = re.compile(rf"{version.major}\.{version.minor}\.(\d+)")
        patches = sorted(
            ((int(m.group(1)), n) for n in names if (m := pattern.fullmatch(n))), reverse=True
        )
        found = []
        for _, name in patches:
            binary = folder / name / ("python.exe" if self.platform == "win32" else "bin/python")
            if binary.is_file():
                found.append(Interpreter(version, str(binary), "pyenv"))
        return found

    def _launcher(self, version: PythonVersion) -> list[Interpreter]:
        if self.platform != "win32":
            return []
        result = self.run(["py", f"-{version}", "-c", "import sys; print(sys.executable)"])
        if result.returncode != 0 or not result.stdout.strip():
            return []
        return [Interpreter(version, result.stdout.strip(), "py launcher")]


def _base(interpreter: Interpreter) -> Interpreter:
    """A venv's interpreter as the base it was made from, saying so."""
    base = base_of(interpreter.path)
    if base == interpreter.path:
        return interpreter
    venv = Path(interpreter.path).parent.parent
    return Interpreter(interpreter.version, base, f"{interpreter.found_in}: base of venv {venv}")


def base_of(path: str) -> str:
    """The interpreter of the installation a venv's python was made from (read from the
    venv's `pyvenv.cfg`); `path` itself when it is not in a venv or the base is gone."""
    values = pyvenv_cfg_of(path)
    if values is None:
        return path
    home = values.get("home")
    named = [values.get("base-executable"), values.get("executable")]
    named.append(str(Path(home) / Path(path).name) if home else None)
    for candidate in named:
        if candidate and Path(candidate).is_file() and pyvenv_cfg_of(candidate) is None:
            return candidate
    return path


def pyvenv_cfg_of(path: str) -> dict[str, str] | None:
    """The `pyvenv.cfg` of the venv `path` (an interpreter) belongs to, if any."""
    executable = Path(path)
    for config in (executable.parent.parent / "pyvenv.cfg", executable.parent / "pyvenv.cfg"):
        values = pyvenv_cfg(config)
        if values:
            return values
    return None


def pyvenv_cfg(path: Path) -> dict[str, str]:
    """The `key = value` lines of a venv's `pyvenv.cfg` ({} when there is none)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return {}
    pairs = (line.partition("=") for line in text.splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, _, value in pairs}


def current_platform() -> str:
    """The reqlock platform name of this machine (pip-compile locks for the machine, and
    compile builds sdists on it)."""
    machine = platform.machine().lower()
    names = {
        ("linux", "x86_64"): "linux-x86_64",
        ("linux", "aarch64"): "linux-aarch64",
        ("darwin", "arm64"): "macos-arm64",
        ("darwin", "x86_64"): "macos-x86_64",
        ("win32", "amd64"): "windows-x86_64",
    }
    name = names.get((sys.platform, machine))
    if name is None:
        raise UsageError(
            f"this machine ({sys.platform} {machine}) is not a platform reqlock knows; "
            "give --platform"
        )
    return name
