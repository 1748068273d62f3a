"""Locks compiled by reqlock install with real pip, in hash-checking mode, on every
interpreter of the matrix found on this machine (SPEC "Lock file format", "Environments").

One project is compiled once per module against a fake index whose releases make the lock
split: a pin that differs by Python version, a Windows-only dependency with no file that
installs elsewhere, an extra, an sdist-only release pip must build, and a backport needed
below Python 3.11. Each interpreter gets a fresh venv (`python -m venv`, its own pip) and
plain `pip install -r dev.lock.txt`: the `--hash` options alone put pip in hash-checking
mode. The venv must then hold exactly the lock's pins whose markers are true in that venv's
own marker environment, and `pip check` must be clean. A lock with one hash digit changed
must install nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tests.fakeindex import FakeIndex, Release
from tests.integration.lockread import lock_requirements, pins_for, run_reqlock
from tests.integration.machine import (
    MARKER_ENVIRONMENT,
    find_python,
    isolated,
    pyenv_versions,
    run,
)

pytestmark = pytest.mark.integration

PYTHONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
PLATFORMS = ("linux-x86_64", "windows-x86_64", "macos-arm64")

RELEASES = (
    # The pin that differs by Python: 2.0 dropped Python < 3.11, so no single version serves
    # the whole matrix and the lock needs one line per version with a python_version marker.
    Release("lib", "1.0", requires_python="<3.11"),
    Release("lib", "2.0", requires_python=">=3.11"),
    # A Windows-only dependency whose only file is a win_amd64 wheel: on Linux and macOS
    # pip must not even try it, or it fails for want of an installable file.
    Release("tool", "1.0", requires_dist=('winonly; sys_platform == "win32"',)),
    Release("winonly", "1.0", wheels=("py3-none-win_amd64",), sdist=False),
    # An extra: speedup comes in only through fancy[speed].
    Release("fancy", "1.0", requires_dist=('speedup>=1; extra == "speed"',)),
    Release("speedup", "1.0", sdist=False),
    # Only an sdist, its Requires-Dist known only once built: reqlock asks its backend and
    # pip builds it on install (the in-tree backend needs no build dependencies, which
    # pip would not hash-check).
    Release("sdonly", "1.0", requires_dist=("leaf",), wheels=(), dynamic=("Requires-Dist",)),
    Release("leaf", "1.0"),
    # A backport below 3.11, as tomli is for tomllib.
    Release("reader", "1.0", requires_dist=('tomli>=1; python_version < "3.11"',)),
    Release("tomli", "2.0.1"),
    # The dev layer's own root, sharing lib and fancy with base.
    Release("checker", "1.0", requires_dist=("lib>=1", "fancy")),
)

PYPROJECT = """
[project]
name = "demo"
version = "0"
requires-python = ">=3.8"
dependencies = ["lib", "tool", "fancy[speed]", "sdonly", "reader"]

[dependency-groups]
dev = ["checker"]

[tool.reqlock]
python = {pythons}
platforms = {platforms}
index-url = "{url}"
"""

# The marker variables each declared platform fixes (PEP 508 values as CPython reports them).
PLATFORM_MARKERS = {
    "linux-x86_64": {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
    },
    "windows-x86_64": {
        "sys_platform": "win32",
        "platform_system": "Windows",
        "os_name": "nt",
        "platform_machine": "AMD64",
    },
    "macos-arm64": {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "os_name": "posix",
        "platform_machine": "arm64",
    },
}

# PEP 508's marker environment in the standard library alone (a fresh venv has no
# `packaging`), so markers are judged by what the venv's own interpreter reports.


INSTALLED = """
import importlib.metadata as m, json
print(json.dumps([[d.metadata["Name"], d.version] for d in m.distributions()]))
"""


def expected_pins(python: str, platform: str, layer: str) -> dict[str, str]:
    """What must be installed on one environment of the matrix, worked out by hand."""
    old = tuple(map(int, python.split("."))) < (3, 11)
    pins = {"lib": "1.0" if old else "2.0", "tool": "1.0", "fancy": "1.0", "speedup": "1.0"}
    pins |= {"sdonly": "1.0", "leaf": "1.0", "reader": "1.0"}
    if old:
        pins["tomli"] = "2.0.1"
    if platform == "windows-x86_64":
        pins["winonly"] = "1.0"
    if layer == "dev":
        pins["checker"] = "1.0"
    return pins


# --- the compiled project, once per module ---------------------------------------------------


@dataclass(frozen=True)
class Locked:
    root: Path
    index: FakeIndex

    def lock(self, layer: str) -> Path:
        return self.root / "requirements" / f"{layer}.lock.txt"


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Locked]:
    index = FakeIndex(RELEASES, tmp=tmp_path_factory.mktemp("index")).start()
    try:
        root = tmp_path_factory.mktemp("project")
        pyproject = PYPROJECT.format(
            pythons=json.dumps(PYTHONS), platforms=json.dumps(PLATFORMS), url=index.url
        )
        (root / "pyproject.toml").write_text(textwrap.dedent(pyproject).lstrip())
        with isolated(tmp_path_factory):
            code, err = run_reqlock("compile", "--project", str(root))
        assert code == 0, err
        yield Locked(root, index)
    finally:
        index.stop()


# --- interpreters, venvs and pip ---------------------------------------------------------------


@dataclass(frozen=True)
class Venv:
    python: Path
    """The venv's interpreter."""
    created: subprocess.CompletedProcess[str]
    """What `python -m venv` answered; each test checks its own."""


class Venvs:
    """Fresh venvs (`python -m venv`, with the pip each interpreter bundles), made in the
    background as soon as the module starts: ensurepip takes most of this module's time,
    and overlaps the pip runs of the tests that come first."""

    def __init__(self, root: Path, pythons: dict[str, Path]) -> None:
        self._pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
        self._made = {
            name: self._pool.submit(self._make, python, root / name)
            for name, python in pythons.items()
        }

    @staticmethod
    def _make(python: Path, where: Path) -> Venv:
        return Venv(where / "bin" / "python", run(python, "-m", "venv", where))

    def get(self, name: str) -> Path:
        venv = self._made[name].result()
        assert venv.created.returncode == 0, venv.created.stdout + venv.created.stderr
        return venv.python

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Venvs]:
    found = {version: find_python(version) for version in PYTHONS}
    pythons = {version: path for version, path in found.items() if path is not None}
    made = Venvs(tmp_path_factory.mktemp("venvs"), {**pythons, "own": Path(sys.executable)})
    yield made
    made.close()


def pip(python: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return run(python, "-m", "pip", *args)


def pip_install(python: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return pip(python, "install", "--no-cache-dir", "--disable-pip-version-check", *args)


def json_from(python: Path, script: str) -> object:
    done = run(python, "-c", script)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def marker_environment(python: Path) -> dict[str, str]:
    environment = json_from(python, MARKER_ENVIRONMENT)
    assert isinstance(environment, dict)
    return environment


def installed(python: Path) -> dict[str, str]:
    """Every distribution the venv's interpreter sees, canonical name to version."""
    found = json_from(python, INSTALLED)
    assert isinstance(found, list)
    return {canonicalize_name(name): version for name, version in found}


# --- the tests -------------------------------------------------------------------------------


@pytest.mark.parametrize("layer", ["base", "dev"])
@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("python", PYTHONS)
def test_each_environment_of_the_matrix_gets_exactly_its_pins(
    locked: Locked, python: str, platform: str, layer: str
) -> None:
    """Every marker is true on exactly the environments that need its pin, including the
    Windows and macOS ones no interpreter here can install on."""
    environment = {
        **PLATFORM_MARKERS[platform],
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    requirements = lock_requirements(locked.lock(layer))
    assert pins_for(requirements, environment) == expected_pins(python, platform, layer)


def test_the_lock_is_in_hash_checking_form_on_the_fake_index(locked: Locked) -> None:
    text = locked.lock("dev").read_text()
    assert f"--index-url {locked.index.url}\n" in text
    for requirement in text.replace("\\\n", " ").splitlines():
        if requirement and not requirement.startswith(("#", "-", " ")):
            assert " --hash=sha256:" in requirement, requirement
    # every file of a release is hashed, the win_amd64-only one too
    for file in locked.index.files.values():
        assert f"--hash=sha256:{file.sha256}" in text, file.filename


@pytest.mark.parametrize("version", PYTHONS)
def test_plain_pip_install_gives_exactly_the_pins_for_the_interpreter(
    locked: Locked, venvs: Venvs, version: str
) -> None:
    if find_python(version) is None:
        pytest.skip(
            f"no Python {version}: looked for {pyenv_versions()}/{version}*/bin/python "
            f"and python{version} on PATH"
        )
    python = venvs.get(version)
    environment = marker_environment(python)
    assert environment["python_version"] == version
    before = installed(python)  # pip, and setuptools below 3.12

    done = pip_install(python, "-r", locked.lock("dev"))
    assert done.returncode == 0, done.stdout + done.stderr

    after = installed(python)
    assert after == {**before, **pins_for(lock_requirements(locked.lock("dev")), environment)}
    checked = pip(python, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    old = version in ("3.8", "3.9", "3.10")
    assert after["lib"] == ("1.0" if old else "2.0")
    assert ("tomli" in after) == old
    assert {"fancy", "speedup", "sdonly", "leaf", "checker"} <= after.keys()
    if environment["sys_platform"] != "win32":
        assert "winonly" not in after


def test_a_tampered_hash_installs_nothing_and_the_true_lock_then_installs(
    locked: Locked, venvs: Venvs, tmp_path: Path
) -> None:
    python = venvs.get("own")  # the interpreter running the tests
    before = installed(python)
    text = locked.lock("dev").read_text()
    # speedup's pin has one file, hence one hash. Of a pin with a wheel and an sdist, a
    # wrong wheel hash alone would not fail: pip drops files whose index hash is not
    # allowed, and would build the sdist instead.
    digest = locked.index.files["speedup-1.0-py3-none-any.whl"].sha256
    assert text.count(digest) == 1
    wrong = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    tampered = tmp_path / "dev.lock.txt"
    tampered.write_text(text.replace(digest, wrong))

    done = pip_install(python, "-r", tampered)
    assert done.returncode != 0
    assert "DO NOT MATCH THE HASHES" in done.stderr, done.stdout + done.stderr
    assert wrong in done.stderr
    assert installed(python) == before

    # --require-hashes changes nothing for a lock that is already fully hashed.
    done = pip_install(python, "--require-hashes", "-r", locked.lock("base"))
    assert done.returncode == 0, done.stdout + done.stderr
    environment = marker_environment(python)
    assert installed(python) == {
        **before,
        **pins_for(lock_requirements(locked.lock("base")), environment),
    }
