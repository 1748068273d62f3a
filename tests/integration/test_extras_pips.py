"""A lock whose project is asked for with and without extras installs with every pip from
22.2 to the newest, in hash-checking mode (SPEC "Lock file format"; issue 13 item 4).

pip before 23.3 takes `x>=1`, `x[e]>=1` and `x[f]>=1` as three requirements and, in
hash-checking mode, refuses any of them that has no `==` line of its own ("all requirements
must have their versions pinned with =="), once the index holds a newer x than the pin.
pip 23.3 and later accept either line alone. reqlock writes `x==1.0`, `x[e]==1.0` and
`x[f]==1.0` with the same hashes; this installs that lock with each pip found here.

The pips: the one each interpreter of the matrix bundles (3.8 to 3.13), and each pip wheel
found in `$REQLOCK_PIP_WHEELS` (default /tmp/pips; fill it with
`pip download --no-deps -d /tmp/pips pip==22.2 pip==22.3.1 ...`), installed from there
alone into a venv of Python 3.11: the test never reaches a real index, and skips a pip
whose wheel is not there.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

from pipx_lockext.cli.main import main
from tests.fakeindex import FakeIndex, Release
from tests.integration.machine import find_python, isolated, run, where_looked

pytestmark = pytest.mark.integration

BUNDLED = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
"""Interpreters whose own pip is tried (23.0.1, 23.2.1 and 24.2 on this machine)."""
WHEELS = ("22.2", "22.3.1", "23.0.1", "23.1.2", "23.2.1", "23.3.2", "24.0", "24.2", "25.0.1")
"""pip versions tried from local wheels, plus the newest wheel found there."""
WHEEL_DIR = Path(os.environ.get("REQLOCK_PIP_WHEELS", "/tmp/pips"))

RELEASES = (
    # x 1.1 is newer than the pin: the pip versions that refuse take it as a candidate
    # for the ask without its own `==` line, which hash-checking mode forbids.
    Release("x", "1.0", requires_dist=('y>=1; extra == "e"', 'z>=1; extra == "f"')),
    Release("x", "1.1", requires_dist=('y>=1; extra == "e"', 'z>=1; extra == "f"')),
    Release("y", "1.0"),
    Release("z", "1.0"),
    Release("asks-e", "1.0", requires_dist=("x[e]>=1,<1.1",)),
    Release("asks-f", "1.0", requires_dist=("x[f]>=1",)),
    Release("asks-plain", "1.0", requires_dist=("x<3,>=1",)),  # as requests asks urllib3
)

PYPROJECT = """\
[project]
name = "demo"
version = "0"
dependencies = ["asks-e", "asks-f", "asks-plain"]

[tool.reqlock]
python = ["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"]
platforms = ["linux-x86_64"]
index-url = "{url}"
"""

EXPECTED = {"x": "1.0", "y": "1.0", "z": "1.0", "asks-e": "1.0", "asks-f": "1.0"}
EXPECTED |= {"asks-plain": "1.0"}


@pytest.fixture(scope="module")
def lock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    index = FakeIndex(RELEASES, tmp=tmp_path_factory.mktemp("index")).start()
    try:
        root = tmp_path_factory.mktemp("project")
        (root / "pyproject.toml").write_text(PYPROJECT.format(url=index.url))
        out = io.StringIO()
        with (
            isolated(tmp_path_factory),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(out),
            contextlib.suppress(SystemExit),
        ):
            main(["compile", "--project", str(root)])
        path = root / "requirements" / "base.lock.txt"
        assert path.is_file(), out.getvalue()
        yield path
    finally:
        index.stop()


def wheel_pips() -> dict[str, Path]:
    """pip version to its wheel in WHEEL_DIR (the newest also as "newest")."""
    found = {}
    for wheel in WHEEL_DIR.glob("pip-*.whl"):
        with contextlib.suppress(ValueError):
            found[str(parse_wheel_filename(wheel.name)[1])] = wheel
    if found:
        found["newest"] = found[max(found, key=Version)]
    return found


class Pips:
    """A venv per pip, made in the background as the module starts (ensurepip and the pip
    install take most of the time)."""

    def __init__(self, root: Path) -> None:
        self._pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2)
        self._made: dict[str, Future[tuple[Path | None, str]]] = {}
        for version in BUNDLED:
            self._made[version] = self._pool.submit(self._bundled, version, root / version)
        for version, wheel in wheel_pips().items():
            self._made[f"pip {version}"] = self._pool.submit(
                self._from_wheel, wheel, root / f"pip-{version}"
            )

    @staticmethod
    def _bundled(version: str, where: Path) -> tuple[Path | None, str]:
        python = find_python(version)
        if python is None:
            return None, f"no Python {version}: {where_looked(version)}"
        return Pips._venv(python, where)

    @staticmethod
    def _from_wheel(wheel: Path, where: Path) -> tuple[Path | None, str]:
        python = find_python("3.11") or Path(sys.executable)
        made, why = Pips._venv(python, where)
        if made is None:
            return made, why
        done = run(made, "-m", "pip", "install", "-q", "--no-index", wheel)
        return (made, "") if done.returncode == 0 else (None, done.stdout + done.stderr)

    @staticmethod
    def _venv(python: Path, where: Path) -> tuple[Path | None, str]:
        done = run(python, "-m", "venv", where)
        assert done.returncode == 0, done.stdout + done.stderr
        return where / "bin" / "python", ""

    def get(self, name: str) -> Path:
        if name not in self._made:
            pytest.skip(f"no wheel of {name} in {WHEEL_DIR} (set REQLOCK_PIP_WHEELS)")
        python, why = self._made[name].result()
        if python is None:
            pytest.skip(why)
        return python

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope="module")
def pips(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pips]:
    made = Pips(tmp_path_factory.mktemp("pips"))
    yield made
    made.close()


def test_the_lock_repeats_x_for_each_ask(lock: Path) -> None:
    lines = [line for line in lock.read_text().splitlines() if line.startswith("x")]
    assert lines == ["x==1.0 \\", "x[e]==1.0 \\", "x[f]==1.0 \\"]


@pytest.mark.parametrize("name", [*BUNDLED, *(f"pip {v}" for v in WHEELS), "pip newest"])
def test_each_pip_installs_the_lock_in_hash_checking_mode(
    lock: Path, pips: Pips, name: str, tmp_path: Path
) -> None:
    python = pips.get(name)
    version = run(python, "-m", "pip", "--version").stdout.split()[1]
    target = tmp_path / "target"
    done = run(python, "-m", "pip", "install", "--no-cache-dir", "--target", target, "-r", lock)
    assert done.returncode == 0, f"pip {version}:\n{done.stdout}{done.stderr}"
    stems = [info.name.removesuffix(".dist-info") for info in target.glob("*.dist-info")]
    installed = {canonicalize_name(n): v for n, v in (s.rsplit("-", 1) for s in stems)}
    assert installed == EXPECTED, f"pip {version}"
