"""pip as the oracle: on each environment of the matrix, a lock's active pins are what pip
itself would install there (SPEC "Environments": "each environment gets what pip would
install there"; issue 13).

pip shares no code with reqlock's resolver. For each interpreter found here, its own pip
(23.0.1 to 24.x) runs `pip install --dry-run --report --ignore-installed --only-binary
:all:` on the project's roots against the same fake index; the lock's pins whose markers
are true in that interpreter's marker environment must be exactly pip's choice. pip
evaluates markers with the interpreter it runs on (its `--python-version` changes only
Requires-Python and tags), so the oracle covers the Linux environments of the matrix, one
per interpreter present; Python splits are what it checks. `same-versions` stays off.

Three fixed projects, each split by Python in its own way, then a property test over
random small indexes.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fakeindex import FakeIndex, Release
from tests.integration.lockread import lock_requirements, pins_for, run_reqlock
from tests.integration.machine import MARKER_ENVIRONMENT, find_python, isolated, run

pytestmark = pytest.mark.integration

PYTHONS = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")

PROJECTS: dict[str, tuple[tuple[str, ...], tuple[Release, ...]]] = {
    # Newest per Python, as django 4.2 / 5.2 / 6.x: each interpreter gets the newest
    # release its Python admits, and a plugin follows the framework down.
    "newest-per-python": (
        ("web", "web-plugin"),
        (
            Release("web", "4.2", requires_python=">=3.8"),
            Release("web", "5.2", requires_python=">=3.10"),
            Release("web", "6.0", requires_python=">=3.12"),
            Release("web-plugin", "1.0", requires_dist=("web>=4",)),
            Release("web-plugin", "2.0", requires_dist=("web>=5",), requires_python=">=3.10"),
            Release("backport", "1.0"),
            Release("backport", "2.0", requires_python=">=3.9"),
            Release("web-extras", "1.0", requires_dist=('backport; python_version < "3.11"',)),
        ),
    ),
    # A parent whose newest release needs a child that the oldest Pythons cannot run:
    # there pip backtracks to the older parent, which asks for the older child.
    "backtrack-on-old-python": (
        ("parent",),
        (
            Release("parent", "1.0", requires_dist=("child<2",)),
            Release("parent", "2.0", requires_dist=("child>=2",)),
            Release("child", "1.0"),
            Release("child", "2.0", requires_python=">=3.11"),
            Release("child", "2.1", requires_python=">=3.12"),
        ),
    ),
    # Wheels only for some interpreters (abi3 from cp311), and extras whose dependencies
    # differ by release.
    "tags-and-extras": (
        ("fast[speed]",),
        (
            Release("fast", "1.0", requires_dist=('speed<2; extra == "speed"',)),
            Release(
                "fast",
                "2.0",
                requires_dist=('speed>=2; extra == "speed"',),
                wheels=(
                    "cp311-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64",
                    "cp311-abi3-win_amd64",
                ),
                sdist=False,
            ),
            Release("speed", "1.0"),
            Release("speed", "2.0", requires_python=">=3.9"),
        ),
    ),
    # A bound inside a series: 2.0 excludes 3.10.0 and 3.10.1 only (as cryptography 44
    # does 3.9.0 and 3.9.1), so the 3.10 interpreter here (3.10.13) gets 2.0; and a
    # backport asked below 3.11.3 (as redis asks async-timeout).
    "patch-bounds": (
        ("patchy", "asker"),
        (
            Release("patchy", "1.0"),
            Release("patchy", "2.0", requires_python=">=3.8,!=3.10.0,!=3.10.1"),
            Release("asker", "1.0", requires_dist=('timeout; python_full_version < "3.11.3"',)),
            Release("timeout", "1.0"),
        ),
    ),
}


@dataclass(frozen=True)
class Interpreter:
    version: str
    python: Path
    markers: dict[str, str]


@pytest.fixture(scope="module")
def interpreters() -> list[Interpreter]:
    found = []
    for version in PYTHONS:
        python = find_python(version)
        if python is not None:
            done = run(python, "-c", MARKER_ENVIRONMENT)
            assert done.returncode == 0, done.stderr
            found.append(Interpreter(version, python, json.loads(done.stdout)))
    if len(found) < 2:
        pytest.skip("fewer than two of CPython 3.8-3.13 found (pyenv or pythonX.Y on PATH)")
    return found


def lock_pins(
    roots: Sequence[str],
    index: FakeIndex,
    interpreters: Sequence[Interpreter],
    root: Path,
) -> tuple[int, str, dict[str, dict[str, str]]]:
    """Compile the roots for Linux on the interpreters' versions; each version's pins."""
    pyproject = f"""
        [project]
        name = "oracle-demo"
        version = "0"
        dependencies = {json.dumps(list(roots))}

        [tool.reqlock]
        python = {json.dumps([i.version for i in interpreters])}
        platforms = ["linux-x86_64"]
        index-url = "{index.url}"
        """
    (root / "pyproject.toml").write_text(textwrap.dedent(pyproject).lstrip())
    code, out = run_reqlock("compile", "--project", str(root), "--only-binary", ":all:")
    if code != 0:
        return code, out, {}
    requirements = lock_requirements(root / "requirements" / "base.lock.txt")
    return code, out, {i.version: pins_for(requirements, i.markers) for i in interpreters}


def pip_choice(
    interpreter: Interpreter, roots: Sequence[str], index: FakeIndex, where: Path
) -> dict[str, str] | None:
    """What the interpreter's own pip would install (None: pip finds no solution)."""
    (where / "roots.txt").write_text("".join(f"{r}\n" for r in roots))
    report = where / f"report-{interpreter.version}.json"
    done = run(
        interpreter.python,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--quiet",
        "--no-cache-dir",
        "--only-binary",
        ":all:",
        "--index-url",
        index.url,
        "--report",
        report,
        "-r",
        where / "roots.txt",
    )
    if done.returncode != 0:
        assert "ResolutionImpossible" in done.stderr or "No matching" in done.stderr, done.stderr
        return None
    installs = json.loads(report.read_text())["install"]
    return {item["metadata"]["name"].lower(): item["metadata"]["version"] for item in installs}


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[list[FakeIndex]]:
    started: list[FakeIndex] = []
    yield started
    for index in started:
        index.stop()


@pytest.mark.parametrize("case", sorted(PROJECTS))
def test_each_environment_gets_what_pip_installs_there(
    case: str,
    interpreters: list[Interpreter],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    serve: list[FakeIndex],
) -> None:
    roots, releases = PROJECTS[case]
    index = FakeIndex(releases, tmp=tmp_path / "index", metadata_keys="core").start()
    serve.append(index)
    with isolated(tmp_path_factory):
        code, out, locked = lock_pins(roots, index, interpreters, tmp_path)
    assert code == 0, out
    for interpreter in interpreters:
        chosen = pip_choice(interpreter, roots, index, tmp_path)
        assert locked[interpreter.version] == chosen, f"Python {interpreter.markers}"


# --- random small indexes ---------------------------------------------------------------------

NAMES = ("pa", "pb", "pc", "pd")
REQUIRES_PYTHON = (None, None, ">=3.9", ">=3.11", "<3.11", ">=3.10.2")
ASKS = ("", ">=1", ">=2", "<2", "==1.*", ">=1,<3")
MARKERS = ("", "", '; python_version < "3.11"', '; python_full_version >= "3.10.2"')


@st.composite
def small_index(draw: st.DrawFn) -> tuple[Release, ...]:
    """Up to four projects, each with one to three releases; a project depends only on
    projects after it (no cycles), with a range and sometimes a marker."""
    releases = []
    for position, name in enumerate(NAMES):
        for version in range(1, draw(st.integers(1, 3)) + 1):
            later = NAMES[position + 1 :]
            deps = draw(st.lists(st.sampled_from(later), unique=True, max_size=2)) if later else []
            requires = tuple(
                f"{dep}{draw(st.sampled_from(ASKS))}{draw(st.sampled_from(MARKERS))}"
                for dep in deps
            )
            python = draw(st.sampled_from(REQUIRES_PYTHON))
            releases.append(Release(name, f"{version}.0", requires, requires_python=python))
    return tuple(releases)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(releases=small_index())
def test_random_indexes_lock_what_pip_installs(
    releases: tuple[Release, ...],
    interpreters: list[Interpreter],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    # The oldest, the newest, and 3.10 (3.10.13 here: past the in-series bounds).
    edges = [i for n, i in enumerate(interpreters) if n in (0, len(interpreters) - 1)]
    edges += [i for i in interpreters if i.version == "3.10" and i not in edges]
    where = tmp_path_factory.mktemp("random")
    index = FakeIndex(releases, tmp=where / "index", metadata_keys="core").start()
    try:
        with isolated(tmp_path_factory):
            code, out, locked = lock_pins(["pa"], index, edges, where)
        chosen = {i.version: pip_choice(i, ["pa"], index, where) for i in edges}
    finally:
        index.stop()
    if code != 0:
        # reqlock locks the whole matrix: it fails when pip fails on some environment.
        assert code == 3, out
        assert None in chosen.values(), f"{out}\npip: {chosen}"
        return
    assert locked == chosen
