"""An sdist-only dependency whose PKG-INFO is not reliable still compiles (issue 12, item
1): its backend runs with its build requirements unpacked from the wheels reqlock
resolved and checked itself (no pip); a build requirement that is only an sdist is never
built, and the dependency is then passed over with the reason said."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.fakeindex import Release
from tests.fakeindex.backend import BUILD_LOG
from tests.test_catalog import pyproject

pytestmark = pytest.mark.integration

RELEASES = [
    # Requires-Dist left out of PKG-INFO: only the backend knows that dyn needs leaf.
    Release(
        "dyn",
        "1.0",
        requires_dist=("leaf",),
        wheels=(),
        dynamic=("Requires-Dist",),
        build_requires=("buildhelper>=1",),
    ),
    Release("buildhelper", "1.0", wheels=()),
    Release("buildhelper", "2.0", requires_dist=("buildleaf",)),
    Release("buildleaf", "1.0"),
    Release("leaf", "1.0"),
]


@pytest.fixture(autouse=True)
def hooks_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(BUILD_LOG, str(tmp_path / "hooks.log"))
    return tmp_path / "hooks.log"


def test_an_sdist_only_dependency_with_dynamic_metadata_compiles(
    make_project, fake_index, reqlock, hooks_log: Path
):
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": pyproject(("dyn",), index=index.url)})
    result = reqlock("compile", "--project", root)
    assert result.code == 0, result.err
    lock = (root / "requirements/base.lock.txt").read_text()
    assert "dyn==1.0" in lock
    assert "leaf==1.0" in lock  # known from the built metadata only
    assert hooks_log.read_text().splitlines() == [
        "dyn 1.0 get_requires_for_build_wheel",
        "dyn 1.0 prepare_metadata_for_build_wheel",
    ]
    fetched = {r.path for r in index.requests if r.path.startswith("/files/")}
    assert "/files/buildhelper-2.0-py3-none-any.whl" in fetched
    assert "/files/buildleaf-1.0-py3-none-any.whl" in fetched  # what buildhelper needs
    assert "/files/buildhelper-1.0.tar.gz" not in fetched


def test_a_build_requirement_that_is_only_an_sdist_is_not_built(
    make_project, fake_index, reqlock, hooks_log: Path
):
    releases = [r for r in RELEASES if (r.name, r.version) != ("buildhelper", "2.0")]
    index = fake_index(releases)
    root = make_project({"pyproject.toml": pyproject(("dyn",), index=index.url)})
    result = reqlock("compile", "--project", root)
    assert result.code == 3, result.err
    assert "dyn-1.0.tar.gz: its build requirements do not install from wheels" in result.err
    assert "buildhelper" in result.err
    assert "only an sdist, and binaries only are allowed" in result.err
    assert not hooks_log.exists()  # no backend ran: not dyn's, not buildhelper's
    assert "/files/buildhelper-1.0.tar.gz" not in {r.path for r in index.requests}


def without_pip(tmp_path: Path) -> Path:
    """A venv with no pip, that imports this checkout and its dependencies (as a `uv tool
    install` of reqlock has): the test interpreter's site-packages, less pip, linked in."""
    env = tmp_path / "nopip"
    venv.create(env, with_pip=False)
    deps = tmp_path / "deps"
    deps.mkdir()
    for site_dir in map(Path, site.getsitepackages()):
        for entry in site_dir.iterdir():
            if entry.name != "pip" and not entry.name.startswith("pip-"):
                target = deps / entry.name
                if not target.exists():
                    target.symlink_to(entry)
    python = env / "bin" / "python"
    site_packages = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    checkout = Path(__file__).resolve().parents[2]
    (Path(site_packages) / "checkout.pth").write_text(f"{checkout}\n{deps}\n")
    return python


@pytest.mark.skipif(sys.platform == "win32", reason="venv layout of POSIX")
def test_sdists_build_where_reqlock_was_installed_without_pip(
    make_project, fake_index, tmp_path: Path, hooks_log: Path
):
    """`uv tool install` leaves no pip beside reqlock: its build requirements are unpacked
    by reqlock itself (before, every build failed with "No module named pip")."""
    python = without_pip(tmp_path)
    probe = subprocess.run([python, "-c", "import pip"], check=False, capture_output=True)
    assert probe.returncode != 0, "pip is importable: not the case under test"
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": pyproject(("dyn",), index=index.url)})
    env = {**os.environ, "REQLOCK_CACHE_DIR": str(tmp_path / "cache")}
    result = subprocess.run(
        [python, "-m", "pipx_lockext", "compile", "--project", root],
        check=False, capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "leaf==1.0" in (root / "requirements/base.lock.txt").read_text()
