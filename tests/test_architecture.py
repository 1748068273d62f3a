"""The import rule of STYLE.md, read from the folders: `pipx_lockext/<ring>/…` where the
rings, innermost first, are `core` (pure), `edges` (each owns one kind of I/O),
`commands` (use cases) and `cli`. A module imports only from its own ring or inner ones;
the core imports no I/O module; the import graph has no cycle; only the CLI prints or
exits; importing the CLI stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipx_lockext"
RINGS = ("core", "edges", "commands", "cli")
"""Innermost first: each may import from itself and the ones before it."""
TOP = {"__init__", "__main__"}
"""The only modules outside a ring: the version, and `python -m` handing over to the CLI."""
IO_MODULES = {
    "os", "io", "shutil", "tempfile", "subprocess", "socket", "urllib", "urllib3", "http",
    "pathlib", "glob", "sqlite3", "requests", "threading", "multiprocessing", "click",
    "concurrent",
}  # fmt: skip
PURE_SUBMODULES = {"urllib.parse"}
"""Parts of I/O packages that only compute (URL joining and splitting)."""


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def ring(module: str) -> int | None:
    """The ring index of a module of the package (None for the top-level modules)."""
    parts = module.split(".")
    return RINGS.index(parts[1]) if len(parts) > 1 and parts[1] in RINGS else None


def imports_of(path: Path) -> set[str]:
    """Every module named by an import, lazy and TYPE_CHECKING ones included."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            if node.module.startswith("pipx_lockext"):
                # `from pipx_lockext.edges.project import stamp` imports the module `stamp`.
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def internal_imports(path: Path) -> set[str]:
    known = modules()
    return {name for name in imports_of(path) if name in known and name != "pipx_lockext"}


MODULES = modules()


def test_every_module_sits_in_a_ring():
    stray = [m for m in MODULES if m != "pipx_lockext" and ring(m) is None]
    assert sorted(stray) == sorted(f"pipx_lockext.{m}" for m in TOP - {"__init__"}), stray


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_imports_point_inward(module):
    mine = ring(module)
    if mine is None:
        return
    outward = {m for m in internal_imports(MODULES[module]) if (ring(m) or 0) > mine}
    assert not outward, f"{module} ({RINGS[mine]}) imports outer rings: {sorted(outward)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if ring(m) == 0), ids=str)
def test_core_imports_no_io(module):
    found = imports_of(MODULES[module])
    io = {n for n in found if n.split(".")[0] in IO_MODULES and n not in PURE_SUBMODULES}
    assert not io, f"{module} imports I/O modules: {sorted(io)}"


def test_the_import_graph_has_no_cycle():
    packages = {m for m, p in MODULES.items() if p.name == "__init__.py"}
    # A module depends on its package's __init__, never the reverse: packages are left out.
    graph = {m: internal_imports(p) - {m} - packages for m, p in MODULES.items()}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                pytest.fail("import cycle: " + " -> ".join([*path[path.index(nxt) :], nxt]))
            if nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start)


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_only_the_cli_prints_or_exits(module):
    if ring(module) == RINGS.index("cli") or module == "pipx_lockext.__main__":
        return
    for node in ast.walk(ast.parse(MODULES[module].read_text())):
        if isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            assert func not in {"print", "sys.exit", "exit", "click.echo", "os._exit"}, func


def test_package_inits_hold_only_a_docstring():
    """Importing a ring or a seam must cost nothing (the launcher imports `stamp` early)."""
    for module, path in MODULES.items():
        if path.name != "__init__.py" or module == "pipx_lockext":
            continue
        body = ast.parse(path.read_text()).body
        assert len(body) == 1, module
        assert isinstance(body[0], ast.Expr), module
        assert isinstance(body[0].value, ast.Constant), module


def loaded_by(module: str, names: set[str]) -> str:
    """Which of `names` importing `module` loads, in a fresh interpreter (printed)."""
    code = f"import sys, {module}; print(sorted(set({sorted(names)!r}) & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_importing_the_cli_loads_no_heavy_module():
    heavy = {"tomlkit", "pip_requirements_parser", "urllib3", "resolvelib"}
    assert loaded_by("pipx_lockext.cli.main", heavy) == "[]"


def test_a_projects_check_loads_neither_the_compile_command_nor_pip_compile_mode():
    """`reqlock check` without a stamp (CI, pre-commit on a fresh clone): importing them
    cost about 20 ms of its ~150 ms."""
    heavy = {"pipx_lockext.commands.compiling", "pipx_lockext.commands.pipcompat"}
    assert loaded_by("pipx_lockext.commands.pipcheck", heavy) == "[]"
