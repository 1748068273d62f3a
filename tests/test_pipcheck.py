"""`reqlock check OUT.txt` and `reqlock check` in pip-tools' layout (issue 14 item 7):
pip-compile-mode outputs are checked offline against the sources their header names."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.fakeindex import Release

RELEASES = [
    Release("web", "1.0", requires_dist=("helper>=1",)),
    Release("helper", "1.0"),
    Release("helper", "1.5"),
]


@pytest.fixture
def piptools(make_project, fake_index):
    """pip-tools' default layout: requirements.in at the top, a constraints file elsewhere."""
    index = fake_index(RELEASES)
    return make_project(
        {
            "app/requirements.in": f"--index-url {index.url}\nweb\n",
            "shared/constraints.txt": "helper<1.5\n",
            "app/pyproject.toml": '[project]\nname = "app"\nversion = "0"\n',
        }
    )


def compile_app(reqlock, root, *more):
    args = ("requirements.in", "-c", "../shared/constraints.txt", "-o", "out/requirements.txt")
    result = reqlock("compile", "--project", root / "app", *args, *more)
    assert result.code == 0, result.err
    return root / "app/out/requirements.txt"


def test_header_records_every_flag_that_decides_the_digest(piptools, reqlock):
    out = compile_app(reqlock, piptools, "--python", "3.12", "--platform", "linux-x86_64")
    assert (
        "# To update it, run: reqlock compile requirements.in -c ../shared/constraints.txt"
        " --python 3.12 --platform linux-x86_64 -o out/requirements.txt"
    ) in out.read_text()  # relative with .. when outside: it holds in every checkout


def test_check_out_txt_fresh_then_stale_then_edited(piptools, reqlock, monkeypatch):
    out = compile_app(reqlock, piptools)
    monkeypatch.chdir(piptools)
    fresh = reqlock("check", "app/out/requirements.txt")
    assert fresh.code == 0, fresh.err
    (piptools / "shared/constraints.txt").write_text("helper<2\n")
    stale = reqlock("check", "app/out/requirements.txt")
    assert stale.code == 1
    assert "app/out/requirements.txt: stale: its sources changed" in stale.err
    assert "run: reqlock compile requirements.in -c" in stale.err
    (piptools / "shared/constraints.txt").write_text("helper<1.5\n")
    out.write_text(out.read_text().replace("web==1.0", "web==1.1"))
    edited = reqlock("check", "app/out/requirements.txt")
    assert edited.code == 1
    assert "edited since reqlock wrote it" in edited.err


def test_a_file_reqlock_did_not_write_is_exit_2(piptools, reqlock):
    (piptools / "app/requirements.txt").write_text("web==1.0\n")
    result = reqlock("check", "--project", piptools / "app", "requirements.txt")
    assert result.code == 2
    assert "requirements.txt: not written by reqlock" in result.err


def test_plain_check_in_pip_tools_layout(piptools, reqlock, monkeypatch):
    monkeypatch.chdir(piptools / "app")
    missing = reqlock("check")
    assert missing.code == 1
    assert "run: reqlock compile requirements.in -o requirements.txt" in missing.err
    result = reqlock("compile", "requirements.in", "-c", "../shared/constraints.txt")
    assert result.code == 0, result.err
    assert reqlock("check").code == 0
    (piptools / "app/requirements.in").write_text(
        (piptools / "app/requirements.in").read_text() + "helper\n"
    )
    stale = reqlock("check")
    assert stale.code == 1
    assert "requirements.txt: stale" in stale.err


def test_launcher_plain_check_in_pip_tools_layout(piptools, reqlock):
    """The launcher's fast path (pyproject.toml found) takes the same decision."""
    app = piptools / "app"
    assert reqlock("compile", "--project", app, "requirements.in").code == 0
    code = (
        "import sys; from pipx_lockext.cli import launcher\n"
        "sys.argv[1:] = ['check']\nlauncher.main()"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=app, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_check_out_txt_imports_neither_resolver_nor_http_client(piptools, reqlock):
    compile_app(reqlock, piptools)
    code = (
        "import sys; from pipx_lockext.cli.main import main\n"
        "try: main(['check', '-q', '--project', sys.argv[1], 'out/requirements.txt'])\n"
        "except SystemExit as e: code = e.code\n"
        "heavy = {'resolvelib', 'urllib3', 'tomlkit', 'pipx_lockext.core.resolution.resolver'}\n"
        "print(code, sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(piptools / "app")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.stdout.strip() == "0 []", out.stderr


def test_pyproject_extras_round_trip_through_the_header(piptools, reqlock):
    app = piptools / "app"
    (app / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["web"]\n'
        '[project.optional-dependencies]\nx = ["helper"]\n'
        f"[tool.reqlock]\nindex-url = {(app / 'requirements.in').read_text().split()[1]!r}\n"
    )
    args = ("pyproject.toml", "--all-extras", "-o", "all.txt")
    assert reqlock("compile", "--project", app, *args).code == 0
    assert "--all-extras -o all.txt" in (app / "all.txt").read_text()
    assert reqlock("check", "--project", app, "all.txt").code == 0
    pyproject = (app / "pyproject.toml").read_text()
    (app / "pyproject.toml").write_text(pyproject.replace('x = ["helper"]', 'x = ["helper<2"]'))
    assert reqlock("check", "--project", app, "all.txt").code == 1


def test_a_project_lock_is_not_an_output(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    root = make_project({"requirements/base.in": f"--index-url {index.url}\nhelper\n"})
    assert reqlock("compile", "--project", root, "--python", "3.12").code == 0
    result = reqlock("check", "--project", root, "requirements/base.lock.txt")
    assert result.code == 2
    assert "a project lock, not a pip-compile-mode output" in result.err
