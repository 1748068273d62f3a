"""`reqlock compile SRC… -o OUT.txt`: pip-compile's command line for teams migrating
(shell). Same meaning as `pip-compile --generate-hashes`: the sources (`.in`/`.txt`
requirements files, or `pyproject.toml` with `--extra`/`--all-extras`) are resolved for
the interpreter reqlock runs on, unless `--python`/`--platform` ask for a matrix (then the
output carries markers, as a project lock does). The existing output's pins are kept
unless `-U`/`-P`. Nothing here prints or exits.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, replace
from pathlib import Path

from pipx_lockext.commands.compiling import (
    CompileOptions,
    CompileResult,
    check_kept_hashes,
    resolve_locks,
    summarize,
    with_matrix,
)
from pipx_lockext.core.errors import ProblemCollector, ReqlockError, UsageError
from pipx_lockext.core.inputs.layered import LayeredFiles, layer_name, read_layers
from pipx_lockext.core.inputs.project import Layer, ProjectInputs
from pipx_lockext.core.inputs.pyproject import read_pyproject
from pipx_lockext.core.inputs.settings import Settings
from pipx_lockext.core.lockfiles.lockfile import render
from pipx_lockext.core.lockfiles.lockparse import parse_lock
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.edges.project.fsio import plan_changes, replace_files
from pipx_lockext.edges.project.loader import find_project, load_project, read_all, read_toml
from pipx_lockext.edges.project.lockfiles import read_text
from pipx_lockext.edges.venvs.interpreters import current_platform

OUTPUT_LAYER = "output"


@dataclass(frozen=True)
class PipCompileOptions:
    """pip-compile's own flags, beside the ones a project compile shares."""

    sources: tuple[Path, ...]
    output: Path | None = None
    extras: tuple[str, ...] = ()
    all_extras: bool = False
    constraints: tuple[Path, ...] = ()
    header: bool = True
    annotate: bool = True


def compile_files(
    cwd: Path, wanted: PipCompileOptions, options: CompileOptions, progress: Progress = NO_PROGRESS
) -> CompileResult:
    """Resolve the sources (relative to `cwd`) into one hash-pinned requirements file."""
    wanted = _under(cwd, wanted)
    if wanted.output is None:
        _refuse_a_project_layer(cwd, wanted.sources)
    output = wanted.output or cwd / default_output(wanted.sources)
    pythons = options.pythons or (f"{sys.version_info[0]}.{sys.version_info[1]}",)
    inputs = output_inputs(cwd, wanted, pythons, options.platforms or (current_platform(),))
    display = display_path(cwd, output)
    old = read_text(output, display)
    previous = parse_lock(old) if old is not None else None
    existing = [previous] if previous is not None else []
    outcome = resolve_locks(inputs, options, existing, progress)
    if OUTPUT_LAYER in outcome.failed:  # the one layer: nothing else to write
        raise outcome.failed[OUTPUT_LAYER]
    sources = " ".join(display_path(cwd, s) for s in wanted.sources)
    lock = replace(
        outcome.locks[OUTPUT_LAYER],
        source=sources,
        description=f"{sources} (pip-compile mode)",
        command=command_line(cwd, replace(wanted, output=output), options),
    )
    if previous is not None:
        check_kept_hashes(previous, lock.pins, display)
    text = render(lock, header=wanted.header, annotate=wanted.annotate)
    changes = plan_changes(cwd, {output: text}, confined=False)  # named on the command line
    if not options.dry_run:
        replace_files({c.path: c.new for c in changes if c.changed})
    summary = summarize(display, previous, lock.pins)
    return CompileResult(False, changes, (summary,), outcome.warnings, options.dry_run)


def output_inputs(
    cwd: Path, wanted: PipCompileOptions, pythons: tuple[str, ...], platforms: tuple[str, ...]
) -> ProjectInputs:
    """The inputs whose `output` layer is the file written, on the given matrix: what the
    input digest is computed from, by `compile_files` and by `check OUT.txt` alike."""
    wanted = _under(cwd, wanted)
    return with_matrix(sources_inputs(cwd, wanted), pythons, platforms)


def _under(cwd: Path, wanted: PipCompileOptions) -> PipCompileOptions:
    """The options with every path joined to `cwd` (absolute ones stay as they are)."""
    return replace(
        wanted,
        sources=tuple(cwd / s for s in wanted.sources),
        constraints=tuple(cwd / c for c in wanted.constraints),
        output=cwd / wanted.output if wanted.output else None,
    )


def command_line(cwd: Path, wanted: PipCompileOptions, options: CompileOptions) -> str:
    """The `reqlock compile …` line the header carries: every flag that decides the
    input digest, so that `check OUT.txt` can recompute it (`pipcheck` reads it back).
    Index flags are left out: like a project's, they are not inputs of the digest."""
    args = ["reqlock", "compile", *(_relative(cwd, s) for s in wanted.sources)]
    args += [item for extra in wanted.extras for item in ("--extra", extra)]
    args += ["--all-extras"] if wanted.all_extras else []
    args += [item for c in wanted.constraints for item in ("-c", _relative(cwd, c))]
    args += [item for python in options.pythons for item in ("--python", python)]
    args += [item for platform in options.platforms for item in ("--platform", platform)]
    args += ["-o", _relative(cwd, wanted.output or cwd / default_output(wanted.sources))]
    return shlex.join(args)


def _relative(cwd: Path, path: Path) -> str:
    """The path relative to `cwd`, with `..` when outside (`-c ../shared/c.txt`): the
    header must hold in every checkout, not only where it was compiled."""
    try:
        return Path(os.path.relpath((cwd / path).resolve(), cwd.resolve())).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return display_path(cwd, path)


def _refuse_a_project_layer(cwd: Path, sources: tuple[Path, ...]) -> None:
    """`reqlock compile requirements/dev.in` in a layered project means layer dev, not a
    pip-compile of that one file for one Python: say so rather than write dev.txt."""
    for source in sources:
        if source.suffix != ".in" or not source.is_file():
            continue
        try:
            inputs = load_project(find_project(source.parent))
        except ReqlockError:
            continue  # no project around it, or one that cannot be read: plain files
        for layer in inputs.layers if inputs.source == "requirements" else ():
            if (Path(inputs.root) / layer.file).resolve() == source.resolve():
                raise UsageError(
                    f"{display_path(cwd, source)} is layer {layer.name} of the project in "
                    f"{inputs.root}: `reqlock compile {layer.name}` locks it with the other "
                    "layers for every declared Python; pip-compile mode on this one file "
                    "needs -o OUT.txt"
                )


def default_output(sources: tuple[Path, ...]) -> Path:
    """pip-compile's default: `x.txt` beside a lone `x.in`, else requirements.txt."""
    if len(sources) == 1 and sources[0].suffix == ".in":
        return sources[0].with_suffix(".txt")  # absolute when the source is
    return Path("requirements.txt")


def sources_inputs(cwd: Path, wanted: PipCompileOptions) -> ProjectInputs:
    """One synthetic project whose `output` layer holds every source."""
    tomls = [s for s in wanted.sources if s.name == "pyproject.toml"]
    files = [s for s in wanted.sources if s.name != "pyproject.toml"]
    if (tomls and files) or len(tomls) > 1:
        raise UsageError("give either one pyproject.toml or requirements files, not both")
    for source in (*wanted.sources, *wanted.constraints):
        if not source.is_file():
            raise UsageError(f"{display_path(cwd, source)}: no such file")
    if tomls:
        inputs = _pyproject_inputs(tomls[0], wanted)
    else:
        inputs = _requirements_inputs(cwd, files, wanted)
    return inputs


def _pyproject_inputs(path: Path, wanted: PipCompileOptions) -> ProjectInputs:
    inputs = read_pyproject(read_toml(path, path.name), str(path.parent))
    extras = tuple(inputs.optional_dependencies) if wanted.all_extras else wanted.extras
    for extra in extras:
        if extra not in inputs.optional_dependencies:
            raise UsageError(f"--extra {extra!r}: {path.name} has no such optional dependency")
    base = ("base",) if "base" in inputs.layer_names() else ()
    layer = Layer(OUTPUT_LAYER, str(path), includes=base, extras=extras)
    kept = tuple(x for x in inputs.layers if x.name == "base")
    return replace(inputs, layers=(*kept, layer), settings=Settings(index=inputs.settings.index))


def _requirements_inputs(cwd: Path, files: list[Path], wanted: PipCompileOptions) -> ProjectInputs:
    if wanted.extras or wanted.all_extras:
        raise UsageError("--extra and --all-extras apply to a pyproject.toml source")
    displays = tuple(display_path(cwd, f) for f in [*files, *wanted.constraints])
    sources = displays[: len(files)]
    out = ProblemCollector()
    layered = LayeredFiles(sources, read_all(cwd, displays))
    layers, index = read_layers(layered, out)
    constraints = [
        dep
        for display in displays[len(files) :]
        for dep in layered.files[display].requirements
        if display in layered.files
    ]
    out.raise_if_any()
    names = tuple(layer_name(s) for s in sources)
    combined = Layer(
        OUTPUT_LAYER, ", ".join(sources), includes=names, constraints=tuple(constraints)
    )
    return ProjectInputs(
        root=str(cwd),
        source="requirements",
        name=None,
        requires_python=None,
        layers=(*layers, combined),
        settings=Settings(index=index),
    )


def display_path(cwd: Path, path: Path) -> str:
    """The path as the header and messages write it: relative to `cwd` when inside."""
    full = (cwd / path).resolve()
    return full.relative_to(cwd).as_posix() if full.is_relative_to(cwd) else str(full)
