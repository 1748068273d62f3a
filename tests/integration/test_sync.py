"""`reqlock sync`, `run` and `python list` with real interpreters, real virtualenvs and
real pip against the fake index (SPEC "sync", "run", "Venvs"; issue 5).

One project, a package with an in-tree PEP 660 backend, is compiled once per module for
the oldest and the newest interpreter present among 3.9-3.13 (two keep the module fast;
the lock differs between them: `lib` splits at 3.11 and `tomli` is a backport below it).
The tests share its venvs and run in file order, each starting from a sync that makes
its own starting state, so any one of them also runs alone. Every claim about the venv
is read back with the venv's own pip (`pip list`), never with reqlock's view of it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipx_lockext.cli.main import main
from tests.conftest import seal
from tests.fakeindex import FakeIndex, Release
from tests.fakeindex import backend as fake_backend
from tests.integration.machine import (
    MARKER_ENVIRONMENT,
    find_python,
    isolated,
    run,
    where_looked,
)

pytestmark = pytest.mark.integration

CANDIDATES = ("3.9", "3.10", "3.11", "3.12", "3.13")
UNCOVERED = "3.8"
"""A version the project does not declare (and virtualenv can no longer seed)."""
SEEDED = {"pip", "setuptools", "wheel"}

RELEASES = (
    # base: a pin that differs at 3.11 and a backport below it, so "the lock's set for
    # that interpreter" is a different set on the two venvs.
    Release("lib", "1.0", requires_python="<3.11"),
    Release("lib", "2.0", requires_python=">=3.11"),
    Release("reader", "1.0", requires_dist=('tomli>=1; python_version < "3.11"',)),
    Release("tomli", "2.0.1"),
    # dev only: what switching to the base layer must take away.
    Release("checker", "1.0", requires_dist=("checkdep",)),
    Release("checkdep", "1.0"),
    # In no layer: installed by hand with pip, then found extraneous.
    Release("stray", "1.0", requires_dist=("straydep",)),
    Release("straydep", "1.0"),
    # Added to dev by the tampering test. One wheel and no sdist: with a wrong hash pip has
    # no other file to fall back to (it would quietly build an sdist whose hash is right).
    Release("newdep", "1.0", sdist=False),
)

PYPROJECT = """
[build-system]
requires = []
build-backend = "editable_backend"
backend-path = ["_backend"]

[project]
name = "demo"
version = "0"
requires-python = ">=3.8"
dependencies = ["lib", "reader"]

[dependency-groups]
dev = {dev}

[tool.reqlock]
python = {pythons}
platforms = ["linux-x86_64"]
index-url = "{url}"
{more}"""

# The project's own PEP 660 backend: pip runs it in a subprocess of the venv's Python,
# beside a copy of the fake index's backend, whose deterministic wheel writer it reuses.
# Standard library only and Python 3.9 syntax.
EDITABLE_BACKEND = '''
"""PEP 660 hooks of the test project: its editable wheel is one .pth naming src/."""
from pathlib import Path

from fakeindex_backend import PURE_TAG, dist_info_dir, wheel_file, write_wheel

NAME, VERSION = "demo", "0"
METADATA = b"Metadata-Version: 2.1\\nName: demo\\nVersion: 0\\n"


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    dist_info = dist_info_dir(NAME, VERSION)
    target = Path(metadata_directory, dist_info)
    target.mkdir(parents=True, exist_ok=True)
    (target / "METADATA").write_bytes(METADATA)
    (target / "WHEEL").write_bytes(wheel_file([PURE_TAG]))
    return dist_info


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    filename = "demo-0-" + PURE_TAG + ".whl"
    pth = {"demo.pth": (str(Path("src").resolve()) + "\\n").encode()}
    write_wheel(Path(wheel_directory, filename), pth, dist_info_dir(NAME, VERSION), METADATA,
                [PURE_TAG])
    return filename
'''

# PEP 508's marker environment from the standard library alone (the venv has no
# `packaging`), so markers are judged by what the venv's own interpreter reports.


# --- interpreters --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pythons() -> tuple[str, ...]:
    """The oldest and the newest present among 3.9-3.13 (or the one present)."""
    present = [v for v in CANDIDATES if find_python(v) is not None]
    if not present:
        pytest.skip(f"no Python of {', '.join(CANDIDATES)}: {where_looked('3.X')}")
    return tuple(dict.fromkeys([present[0], present[-1]]))


# --- the project ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    root: Path
    index: FakeIndex
    pythons: tuple[str, ...]
    """Configured in [tool.reqlock] python; the first is what `sync` uses by default."""

    def venv(self, version: str | None = None) -> Path:
        return self.root / ".venvs" / (version or self.pythons[0])

    def python(self, version: str | None = None) -> Path:
        return self.venv(version) / "bin" / "python"

    def lock(self, layer: str) -> Path:
        return self.root / "requirements" / f"{layer}.lock.txt"


def write_project(
    root: Path,
    url: str,
    pythons: tuple[str, ...],
    dev: tuple[str, ...] = ("checker",),
    more: str = "",
) -> None:
    text = PYPROJECT.format(
        dev=json.dumps(list(dev)), pythons=json.dumps(list(pythons)), url=url, more=more
    )
    (root / "pyproject.toml").write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def make_project(root: Path, url: str, pythons: tuple[str, ...], more: str = "") -> None:
    write_project(root, url, pythons, more=more)
    backend = root / "_backend"
    backend.mkdir()
    shutil.copyfile(fake_backend.__file__, backend / "fakeindex_backend.py")
    (backend / "editable_backend.py").write_text(EDITABLE_BACKEND.lstrip(), encoding="utf-8")
    (root / "src" / "demo").mkdir(parents=True)
    (root / "src" / "demo" / "__init__.py").write_text("WHO = 'the working tree'\n")


@pytest.fixture(scope="module")
def project(
    tmp_path_factory: pytest.TempPathFactory, pythons: tuple[str, ...]
) -> Iterator[Project]:
    index = FakeIndex(RELEASES, tmp=tmp_path_factory.mktemp("index")).start()
    try:
        root = tmp_path_factory.mktemp("project")
        make_project(root, index.url, pythons)
        out = io.StringIO()
        with (
            isolated(tmp_path_factory),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(out),
            pytest.raises(SystemExit) as exited,
        ):
            main(["compile", "--project", str(root)])
        assert exited.value.code == 0, out.getvalue()
        yield Project(root, index, pythons)
    finally:
        index.stop()


@pytest.fixture(autouse=True)
def pip_kept_in_the_test(
    isolated_from_the_machine: None,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The pip that reqlock starts inherits this process's environment: its cache stays in
    the test's folders, and the fake index on 127.0.0.1 is never reached through a proxy."""
    monkeypatch.setenv("PIP_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "pip-cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")


# --- the CLI, and the venv as its own pip sees it ------------------------------------------


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    """stdout, the commands' that `run` started included (captured at the descriptor)."""
    err: str


@pytest.fixture
def reqlock(capfd: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """`reqlock ARGS` in-process; the exit code and what it and its children printed."""

    def call(*args: str | Path) -> Result:
        capfd.readouterr()
        with pytest.raises(SystemExit) as exited:
            main([str(a) for a in args])
        code = exited.value.code
        out, err = capfd.readouterr()
        return Result(code if isinstance(code, int) else 1, out, err)

    return call


def synced(reqlock: Callable[..., Result], project: Project, *args: str) -> Result:
    result = reqlock("sync", "--project", project.root, *args)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    return result


def pip_list(python: Path) -> dict[str, dict[str, str]]:
    """`pip list --format=json` by canonical name."""
    done = run(python, "-m", "pip", "list", "--format=json")
    assert done.returncode == 0, done.stdout + done.stderr
    return {canonicalize_name(d["name"]): d for d in json.loads(done.stdout)}


def installed_pins(project: Project, version: str | None = None) -> dict[str, str]:
    """What the venv holds besides pip's own and the project."""
    listed = pip_list(project.python(version))
    return {n: d["version"] for n, d in listed.items() if n not in SEEDED and n != "demo"}


def expected_pins(project: Project, layer: str, version: str | None = None) -> dict[str, str]:
    """The lock's pins whose markers hold for the venv's interpreter, read with packaging
    rather than with reqlock's parser."""
    done = run(project.python(version), "-c", MARKER_ENVIRONMENT)
    assert done.returncode == 0, done.stderr
    environment = json.loads(done.stdout)
    pins: dict[str, str] = {}
    for line in project.lock(layer).read_text().replace("\\\n", " ").splitlines():
        if line.strip() and not line.lstrip().startswith(("#", "-")):
            requirement = Requirement(line.split(" --hash=")[0])
            if requirement.marker is None or requirement.marker.evaluate(environment):
                (specifier,) = requirement.specifier
                pins[canonicalize_name(requirement.name)] = specifier.version
    return pins


def assert_project_editable(project: Project, version: str | None = None) -> None:
    python = project.python(version)
    location = pip_list(python)["demo"].get("editable_project_location")
    assert location is not None
    assert Path(location).resolve() == project.root.resolve()
    imported = run(python, "-c", "import demo; print(demo.__file__)")
    assert imported.returncode == 0, imported.stderr
    source = project.root / "src" / "demo" / "__init__.py"
    assert Path(imported.stdout.strip()).resolve() == source.resolve()


def site_packages(venv: Path) -> Path:
    (site,) = venv.glob("lib/python*/site-packages")
    return site


def snapshot(folder: Path) -> dict[str, str]:
    """Every path under `folder` with its content's digest (symlinks by target); bytecode
    caches, which any Python run may write, left out."""
    state: dict[str, str] = {}
    for top, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in (*dirs, *files):
            path = Path(top, name)
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                state[key] = "-> " + os.readlink(path)
            elif path.is_dir():
                state[key] = "dir"
            else:
                state[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(map(int, version.split(".")))


# --- the tests -----------------------------------------------------------------------------


def test_sync_installs_exactly_the_lock_then_a_second_sync_starts_no_pip(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    version = project.pythons[0]
    fresh = not project.venv().exists()
    start = time.perf_counter()
    first = synced(reqlock, project)
    first_seconds = time.perf_counter() - start
    if fresh:
        assert first.err.strip() == (
            f".venvs/{version}: created, {len(expected_pins(project, 'dev'))} installed or "
            "changed, project installed (editable)"
        )
    expected = expected_pins(project, "dev")
    old = version_tuple(version) < (3, 11)
    assert expected == {
        "lib": "1.0" if old else "2.0",
        "reader": "1.0",
        "checker": "1.0",
        "checkdep": "1.0",
        **({"tomli": "2.0.1"} if old else {}),
    }
    assert installed_pins(project) == expected
    assert_project_editable(project)

    # With pip's package hidden, any pip the sync starts fails: a no-op sync must not care.
    site = site_packages(project.venv())
    hidden, fake = site / "pip.hidden", site / "zzz_fake-1.0.dist-info"
    (site / "pip").rename(hidden)
    try:
        project.index.clear_log()
        start = time.perf_counter()
        again = synced(reqlock, project)
        noop_seconds = time.perf_counter() - start
        assert again.err.strip() == f".venvs/{version}: in sync (nothing to do)"
        assert project.index.requests == []
        # ...and the hiding works: a sync that must start pip (to remove an extraneous
        # distribution) now fails, showing pip's last words, exit 1.
        fake.mkdir()
        failing = reqlock("sync", "--project", project.root)
        assert failing.code == 1, failing.err
        assert "No module named pip" in failing.err
    finally:
        shutil.rmtree(fake, ignore_errors=True)
        hidden.rename(site / "pip")
    # Figures for the person reading -s output; speed is measured in benchmarks/, never
    # asserted here (a shared two-core machine makes timed assertions flaky).
    print(
        f"first sync (venv {'created' if fresh else 'existed'}): {first_seconds:.2f} s; "
        f"no-op sync: {noop_seconds:.2f} s"
    )


def test_sync_uninstalls_what_the_lock_does_not_hold(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    synced(reqlock, project)
    python = project.python()
    done = run(python, "-m", "pip", "install", "--index-url", project.index.url, "stray")
    assert done.returncode == 0, done.stdout + done.stderr
    assert {"stray", "straydep"} <= pip_list(python).keys()

    result = synced(reqlock, project)

    assert result.err.strip() == f".venvs/{project.pythons[0]}: 2 removed (stray, straydep)"
    assert installed_pins(project) == expected_pins(project, "dev")
    assert_project_editable(project)


def test_switching_layers_removes_and_restores_the_dev_only_packages(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    synced(reqlock, project)
    version = project.pythons[0]

    base = synced(reqlock, project, "--layer", "base")

    assert base.err.strip() == f".venvs/{version}: 2 removed (checkdep, checker)"
    assert installed_pins(project) == expected_pins(project, "base")
    assert "checker" not in installed_pins(project)
    assert_project_editable(project)

    dev = synced(reqlock, project)

    assert dev.err.strip() == f".venvs/{version}: 2 installed or changed"
    assert installed_pins(project) == expected_pins(project, "dev")


def test_a_tampered_hash_installs_nothing_and_leaves_the_venv_as_it_was(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    synced(reqlock, project)
    inputs = [project.root / "pyproject.toml", *project.root.glob("requirements/*.lock.txt")]
    saved = {path: path.read_bytes() for path in inputs}
    try:
        # A new dependency, so that pip has something to download and check.
        write_project(project.root, project.index.url, project.pythons, ("checker", "newdep"))
        compiled = reqlock("compile", "--project", project.root)
        assert compiled.code == 0, compiled.err
        text = project.lock("dev").read_text()
        digest = project.index.files["newdep-1.0-py3-none-any.whl"].sha256
        assert text.count(digest) == 1, "newdep is pinned with its one file"
        wrong = digest[:-1] + ("0" if digest[-1] != "0" else "1")
        project.lock("dev").write_text(seal(text.replace(digest, wrong)))  # a sealed forgery
        before = snapshot(project.venv())

        result = reqlock("sync", "--project", project.root)

        assert result.code == 5, result.err
        assert "newdep" in result.err
        assert "Traceback" not in result.err
        assert snapshot(project.venv()) == before
    finally:
        for path, data in saved.items():
            path.write_bytes(data)
    assert "in sync (nothing to do)" in synced(reqlock, project).err


def test_reinstall_with_a_tampered_lock_keeps_the_old_venv(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    """Issue 14 item 4: `sync --reinstall` removed the old venv before pip refused the
    lock; the new venv is now made while the old one waits aside, and put back."""
    synced(reqlock, project)
    inputs = [project.root / "pyproject.toml", *project.root.glob("requirements/*.lock.txt")]
    saved = {path: path.read_bytes() for path in inputs}
    try:
        write_project(project.root, project.index.url, project.pythons, ("checker", "newdep"))
        assert reqlock("compile", "--project", project.root).code == 0
        text = project.lock("dev").read_text()
        digest = project.index.files["newdep-1.0-py3-none-any.whl"].sha256
        wrong = digest[:-1] + ("0" if digest[-1] != "0" else "1")
        project.lock("dev").write_text(seal(text.replace(digest, wrong)))
        before = snapshot(project.venv())

        result = reqlock("sync", "--project", project.root, "--reinstall")

        assert result.code == 5, result.err
        assert snapshot(project.venv()) == before
        assert not list(project.venv().parent.glob(".*.previous"))
    finally:
        for path, data in saved.items():
            path.write_bytes(data)
    assert "in sync (nothing to do)" in synced(reqlock, project).err


def test_the_same_version_from_other_bytes_is_installed_again_from_the_lock(
    project: Project, reqlock: Callable[..., Result], tmp_path: Path
) -> None:
    """Issue 14 item 2: a distribution of the locked name and version installed by hand
    from other bytes was kept ("in sync"), and `run` imported it."""
    synced(reqlock, project)
    python = project.python()
    evil = tmp_path / "checkdep-1.0-py3-none-any.whl"
    metadata = b"Metadata-Version: 2.1\nName: checkdep\nVersion: 1.0\n"
    fake_backend.write_wheel(
        evil, {"checkdep.py": b"EVIL = True\n"}, "checkdep-1.0.dist-info", metadata,
        [fake_backend.PURE_TAG],
    )  # fmt: skip
    done = run(python, "-m", "pip", "install", "--no-deps", "--force-reinstall", str(evil))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (site_packages(project.venv()) / "checkdep.py").read_bytes() == b"EVIL = True\n"
    verified = reqlock("verify", "--project", project.root, "--installed")
    assert verified.code == 5, verified.err
    assert "checkdep: " in verified.err
    assert "not the one sync installed" in verified.err

    result = synced(reqlock, project)

    assert result.err.strip().endswith(": 1 installed or changed"), result.err
    module = site_packages(project.venv()) / "checkdep.py"
    assert not module.exists() or module.read_bytes() != b"EVIL = True\n"
    assert installed_pins(project) == expected_pins(project, "dev")
    assert "in sync (nothing to do)" in synced(reqlock, project).err


def test_run_sets_the_venv_and_passes_the_exit_code_through(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    script = (
        "import os, sys; print(os.environ['VIRTUAL_ENV']); print(sys.prefix);"
        " print(os.environ['PATH'].split(os.pathsep)[0]); sys.exit(3)"
    )

    result = reqlock("run", "--project", project.root, "--", "python", "-c", script)

    assert result.code == 3, result.err
    virtual_env, prefix, first_on_path = result.out.splitlines()
    venv = project.venv()
    assert Path(virtual_env) == venv
    assert Path(prefix).resolve() == venv.resolve()  # the venv's python, found on PATH
    assert Path(first_on_path) == venv / "bin"


def test_run_all_pythons_runs_each_in_turn_then_a_summary_table(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    if len(project.pythons) < 2:
        pytest.skip(f"one Python of {', '.join(CANDIDATES)} present: {where_looked('3.X')}")
    old, new = project.pythons
    script = (
        "import sys; v = '%d.%d' % sys.version_info[:2]; print('ran', v);"
        f" sys.exit(4 if v == {new!r} else 0)"
    )

    result = reqlock(
        "run", "--all-pythons", "--project", project.root, "--", "python", "-c", script
    )

    assert result.code == 1, result.err
    assert result.out.splitlines() == [f"ran {old}", f"ran {new}"]
    assert re.search(r"^python\s+exit\s+seconds$", result.err, re.MULTILINE), result.err
    rows = re.findall(r"^(3\.\d+)\s+(\d+)\s+\d+\.\d$", result.err, re.MULTILINE)
    assert rows == [(old, "0"), (new, "4")], result.err
    assert installed_pins(project, new) == expected_pins(project, "dev", new)
    assert_project_editable(project, new)

    passing = reqlock("run", "--all-pythons", "--project", project.root, "--", "python", "-V")
    assert passing.code == 0, passing.err


def test_run_all_pythons_heads_each_version_in_a_pipe_too(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    """Issue 5: "with --all-pythons, each version in turn with a visible header"."""
    if len(project.pythons) < 2:
        pytest.skip(f"one Python of {', '.join(CANDIDATES)} present: {where_looked('3.X')}")

    result = reqlock("run", "--all-pythons", "--project", project.root, "--", "python", "-V")

    assert result.code == 0, result.err
    for version in project.pythons:
        assert re.search(rf"^==> Python {re.escape(version)}\b", result.err, re.M), result.err


def test_sync_refuses_a_python_the_project_does_not_declare(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    result = reqlock("sync", "--python", UNCOVERED, "--project", project.root)

    assert result.code == 2, result.err
    assert UNCOVERED in result.err
    assert all(version in result.err for version in project.pythons), result.err
    assert "Traceback" not in result.err
    assert not project.venv(UNCOVERED).exists()


def undeclared_present(project: Project) -> str | None:
    return next((v for v in CANDIDATES if v not in project.pythons and find_python(v)), None)


def test_sync_refuses_a_python_the_lock_does_not_cover_before_making_its_venv(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    """Declared in pyproject.toml but not compiled yet: the lock's environments lack it."""
    extra = undeclared_present(project)
    if extra is None:
        pytest.skip(f"needs a third Python of {', '.join(CANDIDATES)}")
    pyproject = project.root / "pyproject.toml"
    saved = pyproject.read_bytes()
    try:
        write_project(project.root, project.index.url, (*project.pythons, extra))
        result = reqlock("sync", "--python", extra, "--project", project.root)
        made = project.venv(extra).exists()
    finally:
        pyproject.write_bytes(saved)
        shutil.rmtree(project.venv(extra), ignore_errors=True)
    assert result.code == 2, result.err
    assert f"does not cover Python {extra}" in result.err
    assert not made, f".venvs/{extra} was created for a lock that cannot serve it"


def test_a_project_declaring_3_8_syncs_there(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    """Issue 5 asks for every interpreter present of 3.8-3.13 (the project here says
    requires-python >= 3.8, as test_lock_install's does)."""
    if find_python(UNCOVERED) is None:
        pytest.skip(f"no Python {UNCOVERED}: {where_looked(UNCOVERED)}")
    inputs = [project.root / "pyproject.toml", *project.root.glob("requirements/*.lock.txt")]
    saved = {path: path.read_bytes() for path in inputs}
    try:
        write_project(project.root, project.index.url, (UNCOVERED, *project.pythons))
        compiled = reqlock("compile", "--project", project.root)
        assert compiled.code == 0, compiled.err
        result = reqlock("sync", "--python", UNCOVERED, "--project", project.root)
        assert result.code == 0, result.err
        assert installed_pins(project, UNCOVERED) == expected_pins(project, "dev", UNCOVERED)
    finally:
        for path, data in saved.items():
            path.write_bytes(data)
        shutil.rmtree(project.venv(UNCOVERED), ignore_errors=True)


def test_sync_refuses_a_layer_on_a_python_below_its_requires_python(
    project: Project, reqlock: Callable[..., Result], tmp_path: Path
) -> None:
    old, new = project.pythons[0], project.pythons[-1]
    if not version_tuple(old) < (3, 12) <= version_tuple(new):
        pytest.skip(f"needs a Python below 3.12 and one from 3.12 on; have {project.pythons}")
    root = tmp_path / "narrow"
    root.mkdir()
    narrow = '[tool.reqlock.layers.dev]\nrequires-python = ">=3.12"\n'
    make_project(root, project.index.url, project.pythons, more=narrow)
    compiled = reqlock("compile", "--project", root)
    assert compiled.code == 0, compiled.err
    assert (
        f"# environments: python {new} on linux-x86_64\n"
        in (root / "requirements" / "dev.lock.txt").read_text()
    )

    for command in (["sync"], ["run"]):
        tail = ["--", "python", "-c", "pass"] if command == ["run"] else []
        result = reqlock(*command, "--python", old, "--project", root, *tail)
        assert result.code == 2, result.err
        assert old in result.err, result.err
        assert "requires-python" in result.err, result.err
    assert not (root / ".venvs").exists()


def test_python_list_shows_each_interpreter_present_with_its_path(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    result = reqlock("python", "list", "--project", project.root)

    assert result.code == 0, result.err
    rows = {
        m["version"]: (m["mark"], m["rest"])
        for m in re.finditer(
            r"^(?P<mark>[* ]) (?P<version>3\.\d+)\s+(?P<rest>.+)$", result.out, re.M
        )
    }
    for version in (UNCOVERED, *CANDIDATES):
        if find_python(version) is None:
            continue
        mark, rest = rows[version]
        assert mark == ("*" if version in project.pythons else " "), result.out
        path = rest.split("  (")[0]
        reported = run(path, "-c", "import sys; print('%d.%d' % sys.version_info[:2])")
        assert reported.stdout.strip() == version, (path, reported.stderr)


def test_a_missing_interpreter_is_exit_2_naming_where_it_looked(
    project: Project,
    reqlock: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path))

    for asked in ([], ["--python", project.pythons[0]]):
        result = reqlock("sync", "--project", project.root, *asked)
        assert result.code == 2, result.err
        assert str(tmp_path / "versions") in result.err, result.err
        assert "PATH" in result.err, result.err


def test_a_venv_whose_interpreter_changed_is_rebuilt(
    project: Project, reqlock: Callable[..., Result]
) -> None:
    synced(reqlock, project)
    config = project.venv() / "pyvenv.cfg"
    text = config.read_text()
    home = re.search(r"^home = (.*)$", text, re.MULTILINE)
    assert home is not None
    config.write_text(text.replace(home[0], "home = /nowhere/python/bin"))
    left = project.venv() / "left-behind"
    left.write_text("proves the venv was made anew, not patched")

    start = time.perf_counter()
    result = synced(reqlock, project)
    seconds = time.perf_counter() - start

    assert result.err.startswith(f".venvs/{project.pythons[0]}: created, "), result.err
    assert not left.exists()
    assert home[0] in config.read_text().splitlines()
    assert installed_pins(project) == expected_pins(project, "dev")
    assert_project_editable(project)
    print(f"rebuild and full sync: {seconds:.2f} s")


def test_reinstall_makes_the_venv_anew(project: Project, reqlock: Callable[..., Result]) -> None:
    synced(reqlock, project)
    left = project.venv() / "left-behind"
    left.write_text("proves the venv was made anew")

    result = synced(reqlock, project, "--reinstall")

    assert result.err.startswith(f".venvs/{project.pythons[0]}: created, "), result.err
    assert not left.exists()
    assert installed_pins(project) == expected_pins(project, "dev")
    assert_project_editable(project)


# --- every interpreter present ----------------------------------------------------------

EVERY = ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13")


@pytest.fixture(scope="module")
def every_python(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Project]:
    """A project locked for every Python of 3.8-3.13 present on this machine."""
    present = tuple(v for v in EVERY if find_python(v) is not None)
    if len(present) < 2:
        pytest.skip(f"fewer than two of {', '.join(EVERY)} present: {where_looked('3.X')}")
    index = FakeIndex(RELEASES, tmp=tmp_path_factory.mktemp("every-index")).start()
    try:
        root = tmp_path_factory.mktemp("every-project")
        make_project(root, index.url, present)
        with isolated(tmp_path_factory), pytest.raises(SystemExit) as exited:
            main(["compile", "-q", "--project", str(root)])
        assert exited.value.code == 0
        yield Project(root, index, present)
    finally:
        index.stop()


def test_run_all_pythons_syncs_and_runs_in_every_interpreter_present(
    every_python: Project, reqlock: Callable[..., Result]
) -> None:
    code = (
        "import sys, demo, importlib.metadata as m;"
        "print('ran', '%d.%d' % sys.version_info[:2], m.version('lib'))"
    )
    result = reqlock(
        "run", "--all-pythons", "--project", every_python.root, "--", "python", "-c", code
    )
    assert result.code == 0, result.err
    for version in every_python.pythons:
        assert f"==> Python {version}: python -c" in result.err
        expected = "1.0" if version in {"3.8", "3.9", "3.10"} else "2.0"
        assert f"ran {version} {expected}" in result.out
        assert re.search(rf"^{re.escape(version)}\s+0\s", result.err, re.M), result.err
