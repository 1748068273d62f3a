"""Metadata of an sdist whose PKG-INFO cannot be trusted, from its PEP 517 backend
(edge: subprocesses and a scratch directory).

The sdist is unpacked into a temporary directory; its build requirements (the static
`[build-system].requires`, then with what `get_requires_for_build_wheel` adds) are
installed there by an injected `Installer` (`buildenv`: reqlock's own resolution,
hash-checked wheels unpacked by reqlock, no pip); then a small hook script runs
`prepare_metadata_for_build_wheel`, or `build_wheel` when the backend lacks it, in a fresh
interpreter that sees the standard library and those requirements only (`-I -S`).
Building runs the project's code, as pip does; the result is the METADATA the wheel would
carry on the interpreter reqlock runs on. It must not install anything itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from pipx_lockext.edges.venvs.processes import Runner, run_process

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by the 3.10 tox env
    import tomli as tomllib

BUILD_TIMEOUT = 900.0
"""Seconds a backend may take."""

LEGACY_BACKEND = "setuptools.build_meta:__legacy__"
LEGACY_REQUIRES = ("setuptools>=40.8.0",)
"""PEP 517's defaults for a project without `[build-system]`."""


_HOOK = r"""
import importlib, json, os, site, sys
overlay, backend_spec, backend_path, hook, out, answer = sys.argv[1:7]
site.addsitedir(overlay)  # after the standard library; .pth files honoured
if backend_path:
    sys.path[:0] = [os.path.abspath(p) for p in json.loads(backend_path)]
module, _, obj = backend_spec.partition(":")
backend = importlib.import_module(module)
for part in filter(None, obj.split(".")):
    backend = getattr(backend, part)
if hook == "requires":
    get = getattr(backend, "get_requires_for_build_wheel", None)
    result = get({}) if get else []
elif hasattr(backend, "prepare_metadata_for_build_wheel"):
    result = ["metadata", backend.prepare_metadata_for_build_wheel(out, {})]
else:
    result = ["wheel", backend.build_wheel(out, {})]
with open(answer, "w") as handle:  # not stdout: backends print there
    json.dump(result, handle)
"""


class BuildError(RuntimeError):
    """The backend could not produce metadata; the message ends with its last output."""


class UnpackError(BuildError):
    """An sdist this module will not unpack (a link, a member outside its directory, a
    broken archive): a fact about its bytes, the same on every try."""


class Installer(Protocol):
    """Installs build requirements, and all they need, into a new directory `target`;
    BuildError naming `filename` (the sdist being built) when it cannot."""

    def __call__(self, requires: Sequence[str], target: Path, filename: str) -> None: ...


def build_requirements(sdist: bytes, filename: str) -> tuple[str, ...]:
    """What an sdist's `[build-system].requires` asks for (PEP 518's default for a project
    without one): what pip installs into the build environment to build it."""
    with tempfile.TemporaryDirectory(prefix="reqlock-build-") as scratch:
        source = _unpack(sdist, filename, Path(scratch) / "src")
        return _build_system(source)[0]


def build_metadata(
    sdist: bytes, filename: str, install: Installer, run: Runner = run_process
) -> bytes:
    """The METADATA an sdist's backend produces, its build requirements installed by
    `install` before any of its code runs."""
    with tempfile.TemporaryDirectory(prefix="reqlock-build-") as scratch:
        root = Path(scratch)
        source = _unpack(sdist, filename, root / "src")
        requires, backend, backend_path = _build_system(source)
        overlay = _installed(install, requires, root / "overlay", filename)
        spec = (backend, backend_path)
        extra = _hook(run, overlay, source, (*spec, "requires", ""), filename)
        if extra:  # resolved again with the static ones, so that they fit together
            overlay = _installed(install, (*requires, *extra), root / "overlay-all", filename)
        out = root / "out"
        out.mkdir()
        kind, name = _hook(run, overlay, source, (*spec, "metadata", str(out)), filename)
        if kind == "metadata":
            return (out / name / "METADATA").read_bytes()
        with zipfile.ZipFile(out / name) as wheel:
            member = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
            return wheel.read(member)


def _installed(install: Installer, requires: Sequence[str], target: Path, filename: str) -> Path:
    target.mkdir()
    if requires:
        install(requires, target, filename)
    return target


def _unpack(sdist: bytes, filename: str, dest: Path) -> Path:
    dest.mkdir()
    archive = dest.parent / filename
    archive.write_bytes(sdist)
    try:
        if filename.endswith(".zip"):
            with zipfile.ZipFile(archive) as zipped:
                for name in zipped.namelist():
                    _check_member(name, filename)
                zipped.extractall(dest)
        else:
            with tarfile.open(archive) as tar:
                for member in tar.getmembers():
                    _check_member(member.name, filename)
                    if not (member.isfile() or member.isdir()):
                        raise UnpackError(f"{filename}: links and devices are not unpacked")
                # Every member was checked above; the "data" filter checks again where
                # this Python has it (3.10.12+, 3.11.4+, 3.12+).
                if hasattr(tarfile, "data_filter"):
                    tar.extractall(dest, filter="data")
                else:  # pragma: no cover - older patch releases
                    tar.extractall(dest)
    except (tarfile.TarError, zipfile.BadZipFile) as exc:
        raise UnpackError(f"{filename}: cannot unpack ({exc})") from None
    except OSError as exc:  # the disk here, not the archive: may pass on another try
        raise BuildError(f"{filename}: cannot unpack ({exc})") from None
    tops = [p for p in dest.iterdir() if p.is_dir()]
    if len(tops) != 1:
        raise UnpackError(f"{filename}: expected one top-level directory")
    return tops[0]


def _check_member(name: str, filename: str) -> None:
    if name.startswith(("/", "\\")) or ".." in Path(name).parts:
        raise UnpackError(f"{filename}: refuses to unpack {name!r} outside its directory")


def _build_system(source: Path) -> tuple[tuple[str, ...], str, str]:
    pyproject = source / "pyproject.toml"
    table = {}
    if pyproject.is_file():
        try:
            table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("build-system", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise BuildError(f"{source.name}/pyproject.toml: invalid ({exc})") from None
    if "build-backend" not in table:
        return tuple(table.get("requires", LEGACY_REQUIRES)), LEGACY_BACKEND, ""
    path = json.dumps(table["backend-path"]) if "backend-path" in table else ""
    return tuple(table.get("requires", ())), table["build-backend"], path


def _hook(
    run: Runner, overlay: Path, source: Path, args: tuple[str, ...], filename: str
) -> list[str]:
    answer = source.parent / "answer.json"
    # -I -S: no site-packages of reqlock's own, no PYTHON* variables, no user site; the
    # overlay alone is added (see _HOOK).
    command = [sys.executable, "-I", "-S", "-c", _HOOK, str(overlay), *args, str(answer)]
    result = run(command, _hook_environment(), source, timeout=BUILD_TIMEOUT)
    if result.returncode != 0:
        raise BuildError(f"{filename}: the build backend failed: {tail(result)}")
    try:
        values = json.loads(answer.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BuildError(f"{filename}: the build backend gave no answer: {tail(result)}") from None
    if not isinstance(values, list):
        raise BuildError(f"{filename}: the build backend gave no list: {tail(result)}")
    return [str(item) for item in values]


def _hook_environment() -> dict[str, str]:
    """The environment of a child process at compile time: the user's, less pip's and
    Python's own variables (a backend must not pick up an index from them)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON"))}


def tail(result: subprocess.CompletedProcess[str]) -> str:
    lines = (result.stderr or result.stdout or "").strip().splitlines()
    return " | ".join(lines[-3:]) or f"exit code {result.returncode}"
