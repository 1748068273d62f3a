"""A lock split inside Python series installs with real pip, in hash-checking mode, on
every interpreter of the matrix found here (SPEC "Environments": a Python `X.Y` is the
whole series `X.Y.*`).

The fake index holds what real projects declare: a release excluded only on early patch
releases (cryptography 44: `!=3.9.0,!=3.9.1`), a backport needed below a patch release
(`python_full_version < "3.10.2"`, importlib-metadata), and a release needing a later
patch (`>=3.11.3`, async-timeout). The pyenv interpreters (3.8.18, 3.9.18, 3.10.13,
3.11.7, …) sit above every split point, so each must get the newer pins, which a lock
holding for X.Y.0 only would never give them.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.version import Version

from tests.fakeindex import FakeIndex, Release
from tests.integration.machine import find_python, isolated, run, where_looked
from tests.integration.test_lock_install import (
    installed,
    lock_requirements,
    marker_environment,
    pins_for,
    pip,
    pip_install,
    run_reqlock,
)

pytestmark = pytest.mark.integration

PYTHONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")

RELEASES = (
    Release("crypto", "44.0", requires_python=">=3.9,!=3.9.0,!=3.9.1"),
    Release("crypto", "43.0", requires_python=">=3.7"),
    Release("meta", "8.0", requires_dist=('zipish>=3; python_full_version < "3.10.2"',)),
    Release("zipish", "3.20"),
    Release("timeout", "5.0", requires_python=">=3.11.3"),
    Release("timeout", "4.0"),
)

PYPROJECT = """
[project]
name = "demo"
version = "0"
requires-python = ">=3.8"
dependencies = ["crypto", "meta", "timeout"]

[tool.reqlock]
python = {pythons}
platforms = ["linux-x86_64"]
index-url = "{url}"
"""


def expected(full_version: str) -> dict[str, str]:
    """What pip must install on an interpreter of this exact version, worked out by hand."""
    version = Version(full_version)
    pins = {"meta": "8.0"}
    pins["crypto"] = "44.0" if version >= Version("3.9.2") else "43.0"
    pins["timeout"] = "5.0" if version >= Version("3.11.3") else "4.0"
    if version < Version("3.10.2"):
        pins["zipish"] = "3.20"
    return pins


@pytest.fixture(scope="module")
def lock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    index = FakeIndex(RELEASES, tmp=tmp_path_factory.mktemp("index")).start()
    try:
        root = tmp_path_factory.mktemp("project")
        text = PYPROJECT.format(pythons=json.dumps(PYTHONS), url=index.url)
        (root / "pyproject.toml").write_text(textwrap.dedent(text).lstrip())
        with isolated(tmp_path_factory):
            code, err = run_reqlock("compile", "--project", str(root))
        assert code == 0, err
        yield root / "requirements" / "base.lock.txt"
    finally:
        index.stop()


def test_the_lock_splits_the_series_with_python_full_version(lock: Path) -> None:
    lines = {str(r) for r in lock_requirements(lock)}
    assert 'crypto==43.0; python_full_version < "3.9.2"' in lines
    assert 'crypto==44.0; python_full_version >= "3.9.2"' in lines
    assert 'zipish==3.20; python_full_version < "3.10.2"' in lines
    assert 'timeout==5.0; python_full_version >= "3.11.3"' in lines
    assert "# environments: python 3.8-3.13 on linux-x86_64" in lock.read_text()


@pytest.mark.parametrize("version", PYTHONS)
def test_plain_pip_installs_the_pins_of_the_interpreters_patch_release(
    lock: Path, tmp_path: Path, version: str
) -> None:
    found = find_python(version)
    if found is None:
        pytest.skip(f"no Python {version}: {where_looked(version)}")
    made = pip_venv(found, tmp_path / "venv")
    environment = marker_environment(made)
    before = installed(made)
    done = pip_install(made, "-r", lock)  # the --hash options alone: hash-checking mode
    assert done.returncode == 0, done.stdout + done.stderr
    after = installed(made)
    new = {name: v for name, v in after.items() if before.get(name) != v}
    assert new == expected(environment["python_full_version"])
    assert new == pins_for(lock_requirements(lock), environment)
    checked = pip(made, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def pip_venv(python: Path, where: Path) -> Path:
    created = run(python, "-m", "venv", where)
    assert created.returncode == 0, created.stdout + created.stderr
    return where / "bin" / "python"
