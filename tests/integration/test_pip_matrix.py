"""Every pip from 22.2 to the newest installs reqlock's locks in hash-checking mode (SPEC
"Lock file format": "Lines install with every pip from 22.2 to the newest"; issue 13).

Three projects, each compiled once against a fake index: one whose parents ask for extras
(pip before 23.3 reads `x[e]` and `x` as two requirements), one whose dev layer asks back
for the project itself (as hypothesis asks for attrs), and one split by Python version and
platform. Each lock is installed with plain `pip install -r LOCK` (its `--hash` options
alone turn on hash-checking mode) into a fresh venv of the oldest and of the newest
interpreter here that the pip runs on, then `pip check` must be clean and the venv must
hold exactly the lock's pins for that interpreter.

Every pip runs from its wheel (`python pip-X-py3-none-any.whl/pip …`) in a venv made
`--without-pip`, so a fresh venv costs nothing. The pips that the interpreters bundle
(23.0.1, 23.2.1, 24.2 here) are found in their `ensurepip/_bundled` folders: those cases
are hermetic. The others (22.2, 24.0, 25.0.1, the newest) come from `$REQLOCK_PIP_WHEELS`
(default `~/.cache/reqlock-tests/pips`); those cases are marked `network`, and a
`pytest -m network` run downloads the wheels it lacks from PyPI.
"""

from __future__ import annotations

import email.parser
import json
import os
import textwrap
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, parse_wheel_filename
from packaging.version import Version

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
BUNDLED = ("23.0.1", "23.2.1", "24.2")
DOWNLOADED = ("22.2", "24.0", "25.0.1", "newest")
WHEEL_DIR = Path(
    os.environ.get("REQLOCK_PIP_WHEELS", Path.home() / ".cache" / "reqlock-tests" / "pips")
)

X_REQUIRES = ('y>=1; extra == "e"', 'z>=1; extra == "f"', 'y>=1; extra == "html-clean"')

PROJECTS = {
    # Parents asking for x, x[e] and x[f]: x 1.1 is newer than the pin, so a pip that
    # takes `x[e]` as its own requirement needs an `==` line for it.
    "extras": (
        """
        [project]
        name = "demo"
        version = "0"
        dependencies = ["asks-e", "asks-f", "asks-plain", "asks-spelt"]
        """,
        (
            Release("x", "1.0", requires_dist=X_REQUIRES),
            Release("x", "1.1", requires_dist=X_REQUIRES),
            Release("y", "1.0"),
            Release("z", "1.0"),
            Release("asks-e", "1.0", requires_dist=("x[e]>=1,<1.1",)),
            Release("asks-f", "1.0", requires_dist=("x[f]>=1",)),
            Release("asks-plain", "1.0", requires_dist=("x<3,>=1",)),
            # x declares `html-clean`, this asks `html_clean` (edx-i18n-tools and lxml):
            # pip 23.0 fails with an internal error unless the lock spells it as asked.
            Release("asks-spelt", "1.0", requires_dist=("x[html_clean]>=1",)),
        ),
    ),
    # The dev group's test tool asks back for the project (hypothesis and attrs): the lock
    # pins the project's newest release on the index that satisfies the ask.
    "self-reference": (
        """
        [project]
        name = "selfie"
        version = "3.0.dev0"
        dependencies = ["leaf"]

        [dependency-groups]
        dev = ["checker"]
        """,
        (
            Release("selfie", "1.0", requires_dist=("leaf",)),
            Release("selfie", "2.0", requires_dist=("leaf",)),
            Release("checker", "1.0", requires_dist=("selfie>=1.5",)),
            Release("leaf", "1.0"),
        ),
    ),
    # A pin that differs by Python, a Windows-only dependency with only a Windows wheel,
    # and a backport below Python 3.11.
    "splits": (
        """
        [project]
        name = "demo"
        version = "0"
        dependencies = ["lib", "tool", "reader"]
        """,
        (
            Release("lib", "1.0", requires_python="<3.11"),
            Release("lib", "2.0", requires_python=">=3.11"),
            Release("tool", "1.0", requires_dist=('winonly; sys_platform == "win32"',)),
            Release("winonly", "1.0", wheels=("py3-none-win_amd64",), sdist=False),
            Release("reader", "1.0", requires_dist=('tomli>=1; python_version < "3.11"',)),
            Release("tomli", "2.0.1"),
        ),
    ),
}
MORE_CONFIG = {"splits": 'no-binary = ["reader"]'}
"""reader from its sdist: the lock's `--no-binary reader` line makes pip build it."""
LAYERS = {"extras": "base", "self-reference": "dev", "splits": "base"}


@dataclass(frozen=True)
class Pip:
    version: Version
    wheel: Path


def bundled_pips() -> dict[str, Pip]:
    found = {}
    for wheel in pyenv_versions().glob("*/lib/python3*/ensurepip/_bundled/pip-*.whl"):
        version = parse_wheel_filename(wheel.name)[1]
        found[str(version)] = Pip(version, wheel)
    return found


def downloaded_pip(label: str) -> Pip:
    """The wheel of pip `label` ("newest" for the newest on PyPI), downloaded once."""
    WHEEL_DIR.mkdir(parents=True, exist_ok=True)
    if label == "newest":
        marker = WHEEL_DIR / "newest-checked"
        if not marker.exists() or not _wheels():
            _download("pip")
            marker.write_text("")
        wheel = _wheels()[-1]
    else:
        wheel = WHEEL_DIR / f"pip-{label}-py3-none-any.whl"
        if not wheel.exists():
            _download(f"pip=={label}")
    return Pip(parse_wheel_filename(wheel.name)[1], wheel)


def _wheels() -> list[Path]:
    """The pip wheels in WHEEL_DIR, oldest first."""
    return sorted(WHEEL_DIR.glob("pip-*.whl"), key=lambda w: parse_wheel_filename(w.name)[1])


def _download(spec: str) -> None:
    python = find_python("3.11") or "python3"
    done = run(python, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "-d", WHEEL_DIR, spec)  # fmt: skip
    assert done.returncode == 0, done.stderr


def interpreters_for(pip: Pip) -> list[str]:
    """The oldest and the newest interpreter here that this pip runs on: its wheel's
    Requires-Python, and pip before 23.1 breaks on Python 3.12 (pkgutil.ImpImporter is
    gone), before 24.1 it predates 3.13."""
    with zipfile.ZipFile(pip.wheel) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(wheel.read(name).decode())
    admits = SpecifierSet(metadata.get("Requires-Python", ""))
    newest = "3.11" if pip.version < Version("23.1") else "3.13"
    newest = "3.12" if Version("23.1") <= pip.version < Version("24.1") else newest
    span = PYTHONS[: PYTHONS.index(newest) + 1]
    present = [v for v in span if admits.contains(f"{v}.99") and find_python(v) is not None]
    return sorted({present[0], present[-1]}, key=PYTHONS.index) if present else []


@pytest.fixture(scope="module")
def locks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    made, indexes = {}, []
    try:
        for case, (pyproject, releases) in PROJECTS.items():
            index = FakeIndex(
                releases, tmp=tmp_path_factory.mktemp("index"), metadata_keys="core"
            ).start()
            indexes.append(index)
            root = tmp_path_factory.mktemp(case)
            config = f"""
                [tool.reqlock]
                python = {json.dumps(PYTHONS)}
                platforms = ["linux-x86_64", "windows-x86_64", "macos-arm64"]
                index-url = "{index.url}"
                {MORE_CONFIG.get(case, "")}
                """
            text = textwrap.dedent(pyproject) + textwrap.dedent(config)
            (root / "pyproject.toml").write_text(text)
            with isolated(tmp_path_factory):
                code, out = run_reqlock("compile", "--project", str(root))
            assert code == 0, f"{case}: {out}"
            made[case] = root / "requirements" / f"{LAYERS[case]}.lock.txt"
        yield made
    finally:
        for index in indexes:
            index.stop()


def install_and_check(pip: Pip, python_version: str, lock: Path, where: Path) -> None:
    python = find_python(python_version)
    assert python is not None
    venv = where / f"venv-{python_version}"
    done = run(python, "-m", "venv", "--without-pip", venv)
    assert done.returncode == 0, done.stderr
    inside = venv / "bin" / "python"
    pip_main = pip.wheel / "pip"
    label = f"pip {pip.version} on Python {python_version}"
    done = run(inside, pip_main, "install", "--no-cache-dir", "-q", "-r", lock)
    assert done.returncode == 0, f"{label}:\n{done.stdout}{done.stderr}"
    done = run(inside, pip_main, "check")
    assert done.returncode == 0, f"{label}: pip check\n{done.stdout}{done.stderr}"
    done = run(inside, "-c", MARKER_ENVIRONMENT)
    environment = json.loads(done.stdout)
    done = run(inside, pip_main, "list", "--format", "json")
    listed = {canonicalize_name(d["name"]): d["version"] for d in json.loads(done.stdout)}
    expected = pins_for(lock_requirements(lock), environment)
    assert listed == expected, label


def cases() -> Iterator[object]:
    for case in PROJECTS:
        for label in BUNDLED:
            yield pytest.param(case, label, False, id=f"{case}-pip{label}")
        for label in DOWNLOADED:
            yield pytest.param(
                case, label, True, id=f"{case}-pip{label}", marks=pytest.mark.network
            )


@pytest.mark.parametrize(("case", "label", "download"), list(cases()))
def test_the_lock_installs_with_this_pip(
    locks: dict[str, Path], case: str, label: str, download: bool, tmp_path: Path
) -> None:
    if download:
        pip = downloaded_pip(label)
    else:
        pip = bundled_pips().get(label) or pytest.skip(f"no interpreter here bundles pip {label}")
    pythons = interpreters_for(pip)
    if not pythons:
        pytest.skip(f"no interpreter here that pip {pip.version} runs on")
    for python_version in pythons:
        install_and_check(pip, python_version, locks[case], tmp_path)


def test_the_extras_lock_repeats_x_for_each_ask(locks: dict[str, Path]) -> None:
    lines = [line for line in locks["extras"].read_text().splitlines() if line.startswith("x")]
    assert lines == ["x==1.0 \\", "x[e]==1.0 \\", "x[f]==1.0 \\", "x[html_clean]==1.0 \\"]


def test_the_splits_lock_tells_pip_to_build_reader(locks: dict[str, Path]) -> None:
    assert "\n--no-binary reader\n" in locks["splits"].read_text()
