"""PEP 751 files from `reqlock export --format pylock` install with a real PEP 751 installer
(uv) the same set that plain pip installs from the `.lock.txt` they were made from (SPEC
"Beyond requirements files"), on the oldest and the newest interpreter of the matrix here.

The project is examples/webapp as it is in the repository, its index pointed at a fake
index holding releases under its dependencies' names with the shape of the real ones: a
pin that differs by Python (pytest 9 needs 3.10, so 3.9 gets 8.4), backports below 3.11,
a Windows-only dependency, a machine-dependent one (greenlet), and extras
(`psycopg[binary]`, `coverage[toml]`). For each layer and interpreter, one fresh venv gets
`uv pip install -r pylock.<layer>.toml`, another `pip install -r <layer>.lock.txt`; what
is installed must be the same names and versions, and the lock's own pins for that
interpreter. uv is found on PATH; without it the test is skipped, saying so.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fakeindex import FakeIndex, Release
from tests.integration.lockread import lock_requirements, pins_for, run_reqlock
from tests.integration.machine import MARKER_ENVIRONMENT, find_python, isolated, run

pytestmark = pytest.mark.integration

WEBAPP = Path(__file__).resolve().parents[2] / "examples" / "webapp"
PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13")
"""examples/webapp's matrix: the test takes the oldest and the newest found here."""
LAYERS = ("dev", "prod")
"""dev holds test (pytest's Python split); prod holds base and the psycopg[binary] extra."""

RELEASES = (
    Release("flask", "3.1.0", requires_python=">=3.9", requires_dist=(
        "werkzeug>=3.1", "jinja2>=3.1.2", "itsdangerous>=2.2", "click>=8.1.3", "blinker>=1.9",
        'importlib-metadata>=3.6; python_version < "3.10"',
    )),
    Release("werkzeug", "3.1.3", requires_dist=("markupsafe>=2.1.1",)),
    Release("jinja2", "3.1.6", requires_dist=("markupsafe>=2.0",)),
    Release("markupsafe", "3.0.2"),
    Release("itsdangerous", "2.2.0"),
    Release("click", "8.1.8", requires_dist=('colorama; platform_system == "Windows"',)),
    Release("colorama", "0.4.6"),
    Release("blinker", "1.9.0"),
    Release("importlib-metadata", "8.7.0", requires_dist=("zipp>=3.20",)),
    Release("zipp", "3.23.0"),
    Release("sqlalchemy", "2.0.41", requires_dist=(
        'greenlet>=1; platform_machine == "aarch64" or platform_machine == "x86_64" '
        'or platform_machine == "AMD64"',
        "typing-extensions>=4.6.0",
    )),
    Release("greenlet", "3.2.3"),
    Release("typing-extensions", "4.14.0"),
    Release("requests", "2.32.4", requires_dist=(
        "charset-normalizer<4,>=2", "idna<4,>=2.5", "urllib3<3,>=1.21.1", "certifi>=2017.4.17",
    )),
    Release("charset-normalizer", "3.4.2"),
    Release("idna", "3.10"),
    Release("urllib3", "2.5.0"),
    Release("certifi", "2025.6.15"),
    Release("pytest", "8.4.1", requires_python=">=3.9", requires_dist=(
        "iniconfig>=1", "packaging>=20", "pluggy<2,>=1.5",
        'exceptiongroup>=1; python_version < "3.11"', 'tomli>=1; python_version < "3.11"',
    )),
    Release("pytest", "9.0.1", requires_python=">=3.10", requires_dist=(
        "iniconfig>=1", "packaging>=22", "pluggy<2,>=1.5",
        'exceptiongroup>=1; python_version < "3.11"', 'tomli>=1; python_version < "3.11"',
    )),
    Release("iniconfig", "2.1.0"),
    Release("packaging", "25.0"),
    Release("pluggy", "1.6.0"),
    Release("exceptiongroup", "1.3.0",
            requires_dist=('typing-extensions>=4.6; python_version < "3.13"',)),
    Release("tomli", "2.2.1"),
    Release("pytest-cov", "6.2.1",
            requires_dist=("pytest>=6.2.5", "coverage[toml]>=7.5", "pluggy>=1.2")),
    Release("coverage", "7.9.1",
            requires_dist=('tomli; python_full_version <= "3.11.0a6" and extra == "toml"',)),
    Release("ruff", "0.12.0", wheels=(
        "py3-none-manylinux_2_17_x86_64", "py3-none-manylinux_2_17_aarch64",
        "py3-none-win_amd64", "py3-none-macosx_11_0_arm64",
    )),
    Release("gunicorn", "23.0.0", requires_dist=("packaging",)),
    Release("psycopg", "3.2.9", requires_dist=(
        'typing-extensions>=4.6; python_version < "3.13"',
        'psycopg-binary==3.2.9; implementation_name != "pypy" and extra == "binary"',
    )),
    Release("psycopg-binary", "3.2.9"),
)  # fmt: skip

INSTALLED = """
import importlib.metadata as m, json
print(json.dumps(sorted([d.metadata["Name"].lower().replace("_", "-"), d.version]
                        for d in m.distributions())))
"""
TOOLS = {"pip", "setuptools", "wheel", "distribute"}
"""What a venv holds before anything is installed (the pip venv has pip, uv's has none)."""


@dataclass(frozen=True)
class Exported:
    root: Path
    index: FakeIndex


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    index = FakeIndex(RELEASES, tmp=tmp_path_factory.mktemp("index")).start()
    try:
        root = Path(shutil.copytree(WEBAPP, tmp_path_factory.mktemp("p") / "webapp"))
        pyproject = root / "pyproject.toml"
        text = pyproject.read_text().replace(
            "[tool.reqlock]\n", f'[tool.reqlock]\nindex-url = "{index.url}"\n'
        )
        pyproject.write_text(text)
        with isolated(tmp_path_factory):
            code, err = run_reqlock("compile", "--project", str(root))
            assert code == 0, err
            code, err = run_reqlock("export", "--format", "pylock", "--project", str(root))
            assert code == 0, err
            code, err = run_reqlock("check", "--project", str(root))
            assert code == 0, err
        yield Exported(root, index)
    finally:
        index.stop()


def ends() -> list[str]:
    found = [v for v in PYTHONS if find_python(v) is not None]
    return sorted({found[0], found[-1]}, key=PYTHONS.index) if found else []


def installed(python: Path) -> dict[str, str]:
    out = run(python, "-I", "-c", INSTALLED)  # -I: not the distributions of the cwd
    assert out.returncode == 0, out.stderr
    return {name: version for name, version in json.loads(out.stdout) if name not in TOOLS}


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("version", ends() or ["none"])
def test_uv_installs_from_the_pylock_what_pip_installs_from_the_lock(
    exported: Exported, tmp_path: Path, version: str, layer: str
) -> None:
    # On PATH, else beside this interpreter (the test layer locks uv).
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    if uv is None:
        pytest.skip("uv is neither on PATH nor beside python: the PEP 751 round trip is untested")
    python = find_python(version)
    if python is None:
        pytest.skip(f"no Python of {', '.join(PYTHONS)} on this machine")
    requirements = exported.root / "requirements"
    made = run(python, "-m", "venv", tmp_path / "pip")
    assert made.returncode == 0, made.stderr
    pip_python = tmp_path / "pip" / "bin" / "python"
    lock = requirements / f"{layer}.lock.txt"
    out = run(pip_python, "-m", "pip", "install", "-q", "-r", lock)
    assert out.returncode == 0, out.stdout + out.stderr

    made = run(uv, "venv", "-q", "--python", python, tmp_path / "uv")
    assert made.returncode == 0, made.stderr
    uv_python = tmp_path / "uv" / "bin" / "python"
    pylock = requirements / f"pylock.{layer}.toml"
    out = run(uv, "pip", "install", "--no-config", "--cache-dir", tmp_path / "uv-cache",
              "--python", uv_python, "-r", pylock)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr

    from_pip, from_uv = installed(pip_python), installed(uv_python)
    assert from_uv == from_pip
    marker_env = json.loads(run(uv_python, "-c", MARKER_ENVIRONMENT).stdout)
    pins = pins_for(lock_requirements(lock), marker_env)
    assert from_uv == pins
    assert ("pytest" in pins) == (layer == "dev")
    if layer == "dev":
        assert pins["pytest"] == ("8.4.1" if version == "3.9" else "9.0.1")


@pytest.mark.network  # pip 26.1+ comes from PyPI: no interpreter here bundles one
@pytest.mark.parametrize("version", ends()[-1:] or ["none"])
def test_pip_26_1_installs_from_the_pylock_what_it_installs_from_the_lock(
    exported: Exported, tmp_path: Path, version: str
) -> None:
    python = find_python(version)
    if python is None:
        pytest.skip(f"no Python of {', '.join(PYTHONS)} on this machine")
    requirements = exported.root / "requirements"
    sets = []
    for source in (requirements / "prod.lock.txt", requirements / "pylock.prod.toml"):
        venv = tmp_path / source.name
        assert run(python, "-m", "venv", venv).returncode == 0
        pip = (venv / "bin" / "python", "-m", "pip")
        out = run(*pip, "install", "-q", "pip>=26.1", "--index-url", "https://pypi.org/simple")
        assert out.returncode == 0, out.stdout + out.stderr
        out = run(*pip, "install", "-q", "-r", source)
        assert out.returncode == 0, out.stdout + out.stderr
        sets.append(installed(venv / "bin" / "python"))
    assert sets[0] == sets[1]
    assert "psycopg-binary" in sets[1]  # the extra came through the pylock too
