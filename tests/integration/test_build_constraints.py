"""Build requirements of sdist-only pins are locked and hash-checked by real pip: `sync`
passes `--build-constraint <layer>.build.lock.txt`, and a tampered hash there makes the
build fail (exit 5) before anything is installed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import seal
from tests.fakeindex import Release
from tests.integration.machine import find_python, where_looked

pytestmark = pytest.mark.integration

RELEASES = [
    # No wheel: pip builds it, and needs buildhelper in the build environment to do so.
    Release("built", "1.0", wheels=(), build_requires=("buildhelper>=1",)),
    Release("buildhelper", "1.0"),
    Release("buildhelper", "2.0", sdist=False),
]
PYPROJECT = """
[project]
name = "demo"
version = "0"
dependencies = ["built"]

[tool.reqlock]
python = ["{python}"]
platforms = ["linux-x86_64"]
index-url = "{url}"
"""


@pytest.fixture
def python() -> str:
    for version in ("3.12", "3.13", "3.11", "3.10"):
        if find_python(version) is not None:
            return version
    pytest.skip(f"no Python 3.10-3.13: {where_looked('3.1X')}")


@pytest.fixture(autouse=True)
def pip_in_the_test(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_CACHE_DIR", str(tmp_path / "pip-cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


def test_build_requirements_are_constrained_and_hash_checked(
    make_project, fake_index, reqlock, python, monkeypatch
):
    index = fake_index(RELEASES)
    root = make_project(
        {"pyproject.toml": textwrap.dedent(PYPROJECT.format(python=python, url=index.url))}
    )
    assert reqlock("compile", "--project", root).code == 0
    build_lock = root / "requirements/base.build.lock.txt"
    assert "buildhelper==2.0" in build_lock.read_text()
    result = reqlock("sync", "--project", root, "--python", python)
    assert result.code == 0, result.err
    site = next((root / f".venvs/{python}/lib").glob("python*/site-packages"))
    assert (site / "built").is_dir()
    assert not list(site.glob("buildhelper*"))  # a build requirement, not installed

    digest = index.files["buildhelper-2.0-py3-none-any.whl"].sha256
    build_lock.write_text(seal(build_lock.read_text().replace(digest, "0" * 64)))  # resealed
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")  # no wheel built before: pip must build
    result = reqlock("sync", "--project", root, "--python", python, "--reinstall")
    assert result.code == 5, result.err
    assert "pip refused the lock, nothing was installed" in result.err
    assert "Failed to build 'built' when installing build dependencies" in result.err
    assert (site / "built").is_dir()  # the old venv put back whole (issue 14 item 4)
