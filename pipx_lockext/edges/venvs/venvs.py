"""Per-version virtualenvs on disk (edge: the venv folders, and the processes run in them
through the `Runner`).

Venvs are made with virtualenv, which seeds pip from its own cache (0.6-0.9 s here,
against 4.5 s for `python -m venv`, which runs ensurepip). What a venv holds is read from
its `*.dist-info` folders, without starting pip or Python, so a sync with nothing to do
costs almost nothing. A venv whose interpreter vanished or is another one than asked for
is rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from pipx_lockext.core.errors import LocalError
from pipx_lockext.edges.venvs.interpreters import Interpreter, pyvenv_cfg
from pipx_lockext.edges.venvs.processes import Runner

MARKERS_FILE = "reqlock-markers.json"

VIRTUALENV_OLDEST = (3, 9)
"""The oldest Python the installed virtualenv seeds pip for."""

SEEDED = frozenset({"pip", "setuptools", "wheel"})
"""What virtualenv puts in a new venv; never counted as extraneous."""

_MARKERS = (
    "import json, os, platform, sys;"
    "print(json.dumps({"
    "'implementation_name': sys.implementation.name,"
    "'implementation_version': platform.python_version(),"
    "'os_name': os.name,"
    "'platform_machine': platform.machine(),"
    "'platform_python_implementation': platform.python_implementation(),"
    "'platform_release': platform.release(),"
    "'platform_system': platform.system(),"
    "'platform_version': platform.version(),"
    "'python_full_version': platform.python_version(),"
    "'python_version': '.'.join(platform.python_version_tuple()[:2]),"
    "'sys_platform': sys.platform}))"
)


@dataclass(frozen=True)
class Venv:
    """One venv folder."""

    path: Path

    @property
    def python(self) -> Path:
        if sys.platform == "win32":
            return self.path / "Scripts" / "python.exe"
        return self.path / "bin" / "python"

    @property
    def bin(self) -> Path:
        return self.python.parent

    def matches(self, interpreter: Interpreter) -> bool:
        """Whether it exists, works, and was made from `interpreter`'s installation."""
        config = pyvenv_cfg(self.path / "pyvenv.cfg")
        if not config or not self.python.exists():
            return False
        home = config.get("home", "")
        version = config.get("version_info") or config.get("version") or ""
        wanted_home = str(Path(interpreter.path).resolve().parent)
        same_home = os.path.normcase(str(Path(home).resolve())) == os.path.normcase(wanted_home)
        return same_home and version.startswith(f"{interpreter.version}.")

    def create(self, interpreter: Interpreter, run: Runner) -> None:
        """Make (or remake) the venv from `interpreter`, with pip in it."""
        if self.path.exists():
            shutil.rmtree(self.path)
        if (interpreter.version.major, interpreter.version.minor) < VIRTUALENV_OLDEST:
            # virtualenv no longer seeds pip for these: the standard library's venv
            # (slower: it runs ensurepip) still does.
            result = run([interpreter.path, "-m", "venv", str(self.path)])
            if result.returncode != 0:
                self._failed(interpreter, result.stderr.strip()[-300:])
            return
        from virtualenv import cli_run  # noqa: PLC0415 - heavy, and only needed here

        args = [str(self.path), "--python", interpreter.path, "--quiet", "--no-setuptools"]
        args += ["--no-periodic-update"]
        try:
            cli_run(args, setup_logging=False)
        except (OSError, RuntimeError, SystemExit) as exc:
            self._failed(interpreter, str(exc))

    @contextlib.contextmanager
    def kept_aside(self) -> Iterator[None]:
        """The venv moved aside while a new one is made at its path: put back when the
        block fails (or is interrupted), dropped when it succeeds. A venv cannot be moved
        once made (its scripts name their own path), so the old one moves, not the new."""
        aside = self.path.with_name(f".{self.path.name}.previous")
        if aside.exists() and self.path.exists():
            shutil.rmtree(aside)  # left by a run killed after its new venv was complete
        elif aside.exists():
            os.replace(aside, self.path)  # left by a run killed while making the new one
        if not self.path.exists():
            yield
            return
        os.replace(self.path, aside)
        try:
            yield
        except BaseException:
            shutil.rmtree(self.path, ignore_errors=True)
            os.replace(aside, self.path)
            raise
        shutil.rmtree(aside, ignore_errors=True)

    def _failed(self, interpreter: Interpreter, why: str) -> None:
        shutil.rmtree(self.path, ignore_errors=True)  # nothing half made stays behind
        raise LocalError(f"{self.path}: could not create the venv with {interpreter.path}: {why}")

    def installed(self) -> dict[NormalizedName, Version]:
        """What is installed, read from the `*.dist-info` folder names."""
        return {name: version for name, version, _ in self._dists()}

    def editable(self, name: NormalizedName) -> bool:
        """Whether `name` is installed in editable (development) mode."""
        for each, _, folder in self._dists():
            if each == name:
                try:
                    data = json.loads((folder / "direct_url.json").read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    return False
                return bool(data.get("dir_info", {}).get("editable"))
        return False

    def _dists(self) -> Iterator[tuple[NormalizedName, Version, Path]]:
        for site in self.site_packages():
            for entry in sorted(os.listdir(site)):
                if not entry.endswith(".dist-info"):
                    continue
                name, _, version = entry.removesuffix(".dist-info").rpartition("-")
                try:
                    yield canonicalize_name(name), Version(version), site / entry
                except InvalidVersion:
                    continue

    def markers(self, run: Runner) -> dict[str, str]:
        """The PEP 508 marker environment of the venv's Python (it may differ from the
        lock's environments in a patch release or the machine). Kept in the venv, keyed
        by the interpreter file's state, so that a no-op sync starts no Python either."""
        key = _file_key(self.python)
        cache = self.path / MARKERS_FILE
        try:
            saved = json.loads(cache.read_text(encoding="utf-8"))
            if saved["key"] == key:
                return dict(saved["markers"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        result = run([str(self.python), "-I", "-c", _MARKERS])
        if result.returncode != 0:
            raise LocalError(f"{self.python}: does not run: {result.stderr.strip()[-300:]}")
        data: dict[str, str] = json.loads(result.stdout)
        with contextlib.suppress(OSError):
            cache.write_text(json.dumps({"key": key, "markers": data}), encoding="utf-8")
        return data

    def site_packages(self) -> list[Path]:
        if sys.platform == "win32":
            candidates = [self.path / "Lib" / "site-packages"]
        else:
            lib = self.path / "lib"
            candidates = sorted(lib.glob("python*/site-packages")) if lib.is_dir() else []
        return [c for c in candidates if c.is_dir()]


def _file_key(path: Path) -> str:
    """Identifies the interpreter file behind a venv's python (an in-place upgrade of
    3.12.1 to 3.12.2 changes it)."""
    try:
        real = path.resolve()
        stat = real.stat()
    except OSError:
        return ""
    return f"{real}:{stat.st_size}:{stat.st_mtime_ns}"
