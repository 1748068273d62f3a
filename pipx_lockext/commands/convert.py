"""The export and import use cases (shell): wire the edges to the pure core and return
result values that the CLI renders. Nothing here prints or exits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from pipx_lockext.core.errors import ProblemCollector, UsageError
from pipx_lockext.core.inputs.exporter import export_files
from pipx_lockext.core.inputs.importer import import_layers
from pipx_lockext.core.inputs.layered import LayeredFiles, read_layers
from pipx_lockext.core.inputs.pyproject import read_metadata, read_pyproject
from pipx_lockext.edges.project.fsio import FileChange, plan_changes, replace_files
from pipx_lockext.edges.project.loader import load_project, parse_toml, read_all, read_toml


@dataclass(frozen=True)
class WriteResult:
    """What a writing command did (or, with dry_run, would do)."""

    changes: tuple[FileChange, ...]
    dry_run: bool


def apply_changes(changes: tuple[FileChange, ...], dry_run: bool) -> WriteResult:
    if not dry_run:
        replace_files({c.path: c.new for c in changes if c.changed})
    return WriteResult(changes, dry_run)


def export_project(root: Path, output_dir: Path | None, dry_run: bool) -> WriteResult:
    """`reqlock export`: pyproject.toml layers to `<output-dir>/<layer>.in`."""
    inputs = load_project(root)
    if inputs.source != "pyproject":
        raise UsageError(
            "export reads pyproject.toml, but this project's layers come from "
            "requirements/*.in; use `reqlock import` to move them into pyproject.toml"
        )
    folder = output_dir or root / inputs.settings.output_dir
    texts = {folder / name: text for name, text in export_files(inputs).items()}
    return apply_changes(plan_changes(root, texts, confined=output_dir is None), dry_run)


def import_files(root: Path, files: list[Path], dry_run: bool) -> WriteResult:
    """`reqlock import FILE…`: requirements files into pyproject.toml (none named: the
    project's requirements/*.in, else its requirements.in)."""
    files = files or _default_sources(root)
    displays = tuple(_display(root, f) for f in files)
    pyproject = root / "pyproject.toml"
    old = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    data = read_toml(pyproject, "pyproject.toml") if pyproject.is_file() else {}
    out = ProblemCollector()
    meta = read_metadata(data, out)
    known = {"base"} if meta.dependencies is not None else set()
    groups = data.get("dependency-groups")
    known.update(canonicalize_name(g) for g in (groups if isinstance(groups, dict) else ()))
    layered = LayeredFiles(displays, read_all(root, displays), frozenset(known))
    layers, index = read_layers(layered, out)
    out.raise_if_any()
    extras_of = {k: tuple(d.text for d in v) for k, v in meta.optional.items()}
    new = import_layers(old, layers, index, extras_of)
    # Read back what import wrote, so that a pyproject.toml it would break is never written.
    read_pyproject(parse_toml(new, "pyproject.toml"), str(root))
    return apply_changes(plan_changes(root, {pyproject: new}), dry_run)


def _default_sources(root: Path) -> list[Path]:
    found = sorted((root / "requirements").glob("*.in"))
    if not found and (root / "requirements.in").is_file():
        found = [root / "requirements.in"]
    if not found:
        raise UsageError(
            f"no requirements/*.in or requirements.in in {root}; name the files to import"
        )
    return found


def _display(root: Path, file: Path) -> str:
    path = file.resolve()
    if not path.is_file():
        raise UsageError(f"{file}: no such file")
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
