"""The import rule of STYLE.md: the pure core imports no I/O module; only the CLI prints
or exits; importing the package stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipx_lockext"

CORE = [
    "errors", "dependencies", "environments", "settings", "project", "pyproject",
    "layered", "exporter", "importer", "indexpages", "netconfig", "coremeta",
    "candidates", "provider", "resolver", "merge", "lockfile", "digest", "lockparse",
    "buildlocks",
    "locking",
]  # fmt: skip
IO_MODULES = {
    "os", "io", "shutil", "tempfile", "subprocess", "socket", "urllib", "urllib3", "http",
    "pathlib", "glob", "sqlite3", "requests", "threading", "multiprocessing", "click",
}  # fmt: skip
PURE_SUBMODULES = {"urllib.parse"}
"""Parts of I/O packages that only compute (URL joining and splitting)."""
EDGES = {
    "pipx_lockext.fsio", "pipx_lockext.loader", "pipx_lockext.reqfiles",
    "pipx_lockext.network", "pipx_lockext.cache", "pipx_lockext.pipconfig",
    "pipx_lockext.archives", "pipx_lockext.sdistbuild", "pipx_lockext.stamp",
    "pipx_lockext.processes", "pipx_lockext.interpreters", "pipx_lockext.venvs",
    "pipx_lockext.projectlock",
}  # fmt: skip
SHELL = {
    "pipx_lockext.convert", "pipx_lockext.cli", "pipx_lockext.repository",
    "pipx_lockext.compiling", "pipx_lockext.checking", "pipx_lockext.launcher",
    "pipx_lockext.pipcompat", "pipx_lockext.syncing", "pipx_lockext.verifying",
    "pipx_lockext.cli_compile", "pipx_lockext.cli_venvs",
}  # fmt: skip


def imports_of(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", CORE)
def test_core_imports_no_io_and_no_outer_ring(module):
    found = imports_of(module)
    io = {n for n in found if n.split(".")[0] in IO_MODULES and n not in PURE_SUBMODULES}
    assert not io, found
    assert not found & (EDGES | SHELL), found


def test_core_module_list_is_complete():
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    edges_and_shell = {m.rsplit(".", 1)[1] for m in EDGES | SHELL}
    assert modules == set(CORE) | edges_and_shell, "classify each new module in this test"


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_only_the_cli_prints_or_exits(path):
    if path.stem in {"cli", "cli_compile", "cli_venvs", "__main__", "launcher"}:  # the CLI
        return
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            assert func not in {"print", "sys.exit", "exit", "click.echo", "os._exit"}, func


def test_importing_the_package_loads_no_heavy_module():
    code = (
        "import sys, pipx_lockext.cli; "
        "heavy = {'tomlkit', 'pip_requirements_parser', 'urllib3', 'resolvelib'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
