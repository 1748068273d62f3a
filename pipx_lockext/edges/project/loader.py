"""Finding the project and reading its input files into `ProjectInputs` (edge: reads
files; the meaning of what is read lives in `pyproject`, `layered` and `reqfiles`)."""

from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipx_lockext.core.errors import InputError, Location, ProblemCollector, UsageError
from pipx_lockext.core.inputs.layered import (
    LayeredFiles,
    ReqFile,
    read_layers,
    resolve_reference,
    with_layer_settings,
)
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.inputs.pyproject import (
    declares_dependencies,
    read_metadata,
    read_pyproject,
    tool_settings,
)
from pipx_lockext.edges.project import stamp
from pipx_lockext.edges.project.reqfiles import read_requirements_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by the 3.10 tox env
    import tomli as tomllib

REQUIREMENTS_DIR = stamp.REQUIREMENTS_DIR


def find_project(start: Path) -> Path:
    """The nearest ancestor holding pyproject.toml or requirements/*.in."""
    found = stamp.find_project(str(start.resolve()))
    if found is None:
        what = f"no pyproject.toml or {REQUIREMENTS_DIR}/*.in in {start.resolve()} or its parents"
        raise UsageError(what)
    return Path(found)


def read_toml(path: Path, display: str) -> dict[str, Any]:
    """Read and parse a TOML file; a syntax error names the file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError.single(Location(display), f"cannot read file ({exc})") from None
    return parse_toml(text, display)


def parse_toml(text: str, display: str) -> dict[str, Any]:
    """Parse TOML text; a syntax error names the file, line and column."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line, column = (int(found[1]), int(found[2])) if found else (None, None)
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", message).splitlines()[0]
        where = Location(display, line, column)
        text_at = text.splitlines()[line - 1].strip() if line else None
        raise InputError.single(where, f"invalid TOML ({reason})", text_at) from None
    return data


def load_project(root: Path) -> ProjectInputs:
    """Read every input of the project; all problems are raised together."""
    data = read_toml(root / "pyproject.toml", "pyproject.toml") if _has_pyproject(root) else {}
    # Only `source` matters here; the readers below report the settings' problems.
    settings = tool_settings(data, ProblemCollector())
    layer_files = sorted(root.glob(f"{REQUIREMENTS_DIR}/*.in"))
    source = settings.source or ("pyproject" if declares_dependencies(data) else "requirements")
    if source == "pyproject" or not layer_files:
        return read_pyproject(data, str(root))
    return _load_layered(root, data, layer_files)


def _has_pyproject(root: Path) -> bool:
    return (root / "pyproject.toml").is_file()


def _load_layered(root: Path, data: dict[str, Any], layer_files: list[Path]) -> ProjectInputs:
    out = ProblemCollector()
    settings = tool_settings(data, out)
    meta = read_metadata(data, out)
    displays = tuple(p.relative_to(root).as_posix() for p in layer_files)
    layered = LayeredFiles(displays, read_all(root, displays))
    layers, index = read_layers(layered, out)
    layers = with_layer_settings(layers, settings, out)
    out.raise_if_any()
    return ProjectInputs(
        root=str(root),
        source="requirements",
        name=meta.name,
        requires_python=meta.requires_python,
        layers=layers,
        settings=replace(settings, index=index.joined(settings.index)),
        optional_dependencies=meta.optional,
        project_dependencies=meta.dependencies,
        version=meta.version,
    )


def read_all(root: Path, displays: tuple[str, ...]) -> dict[str, ReqFile]:
    """Read the given files and every plain file they reach through -r/-c."""
    files: dict[str, ReqFile] = {}
    todo = list(displays)
    while todo:
        display = todo.pop()
        path = root / display
        if display in files or not path.is_file():
            continue  # a missing target is reported by `layered` with its line
        files[display] = read_requirements_file(path, display, root)
        for ref in files[display].includes + files[display].constraints:
            todo.append(resolve_reference(display, ref.target))
    return files
