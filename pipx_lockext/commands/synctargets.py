"""Which venvs a `sync` or `run` works on, and `python list` (shell): the layer (`dev`
when it exists, else `base`), the Python versions asked for or the first configured one
found on this machine, and the layer's lock, refused when `check` would refuse it for
anything but staleness. It must not create or change a venv: `syncing` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipx_lockext.core.environments import DEFAULT_PYTHONS, PythonVersion
from pipx_lockext.core.errors import NotTrue, UnknownLayer, UsageError
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.lockparse import ParsedLock
from pipx_lockext.core.lockfiles.lockset import LockSet
from pipx_lockext.edges.project.loader import load_project
from pipx_lockext.edges.venvs.interpreters import Finder, Interpreter
from pipx_lockext.edges.venvs.venvs import Venv


@dataclass(frozen=True)
class SyncOptions:
    """Which layer, on which Pythons."""

    layer: str | None = None
    """None: `dev` when it exists, else `base`."""
    pythons: tuple[str, ...] = ()
    all_pythons: bool = False
    reinstall: bool = False
    skip_missing: bool = False
    """With all_pythons: a configured version not on this machine is left out silently
    (tox's --skip-missing-interpreters), instead of a failed row."""


@dataclass(frozen=True)
class Target:
    """One venv to sync: a Python version, its interpreter, and the lock it follows."""

    version: PythonVersion
    interpreter: Interpreter
    venv: Venv
    layer: str
    lock_file: str


def missing_pythons(inputs: ProjectInputs, layer: str, finder: Finder) -> list[PythonVersion]:
    """The layer's Python versions that have no interpreter on this machine."""
    versions = sorted({env.python for env in inputs.matrix(layer)})
    return [version for version in versions if not finder.find(version)]


def choose_layer(inputs: ProjectInputs, asked: str | None) -> str:
    """The layer asked for, else `dev` when it exists, else `base`."""
    names = inputs.layer_names()
    if asked is None:
        return "dev" if "dev" in names else "base"
    if asked not in names:
        raise UnknownLayer(asked, names)
    return asked


def usable_lock(locks: LockSet, layer: str) -> ParsedLock:
    """The layer's lock: UsageError when it is missing, NotTrue when `check` would refuse
    it for anything but staleness (pip never sees a lock reqlock would not have written)."""
    lock = locks.lock(layer)
    if lock is None:
        path = locks.inputs.lock_file(layer)
        raise UsageError(f"{path}: no lock for layer {layer}; run reqlock compile")
    problems = locks.form_problems(layer)
    if problems:
        raise NotTrue(f"{problems[0]}; run reqlock check")
    return lock


def stale_warning(locks: LockSet, layer: str) -> tuple[str, ...]:
    if not locks.stale(layer):
        return ()
    return (f"{locks.inputs.lock_file(layer)} is stale (its inputs changed); run reqlock compile",)


def targets(
    inputs: ProjectInputs, layer: str, options: SyncOptions, finder: Finder
) -> list[Target]:
    """The venvs to work on: the versions asked for, else the first configured one found."""
    versions = sorted({env.python for env in inputs.matrix(layer)})
    if options.pythons:
        chosen = [_version(text) for text in options.pythons]
        for version in chosen:
            if version not in versions:
                raise UsageError(
                    f"layer {layer} is locked for Python {', '.join(map(str, versions))}, "
                    f"not {version} ([tool.reqlock] python / the layer's requires-python)"
                )
        return [_target(inputs, layer, v, finder.first(v)) for v in chosen]
    found = [(v, finder.find(v)) for v in versions]
    present = [(v, hits[0]) for v, hits in found if hits]
    if not present:
        wanted = ", ".join(map(str, versions))
        raise UsageError(
            f"none of Python {wanted} is on this machine; looked in {finder.places()}"
        )
    if not options.all_pythons:
        present = present[:1]
    return [_target(inputs, layer, v, interpreter) for v, interpreter in present]


def _version(text: str) -> PythonVersion:
    try:
        return PythonVersion.parse(text)
    except ValueError as exc:
        raise UsageError(f"--python: {exc}") from None


def _target(
    inputs: ProjectInputs, layer: str, version: PythonVersion, found: Interpreter
) -> Target:
    venv = Venv(Path(inputs.root) / inputs.settings.venv_dir / str(version))
    return Target(version, found, venv, layer, inputs.lock_file(layer))


@dataclass(frozen=True)
class PythonRow:
    """One Python version: whether the project asks for it, what was found, what is used."""

    version: PythonVersion
    configured: bool
    found: tuple[Interpreter, ...]


def list_pythons(root: Path | None, finder: Finder) -> tuple[tuple[PythonRow, ...], str]:
    """`reqlock python list`: every version 3.8-3.14 found or configured; and where it looked."""
    configured: set[PythonVersion] = set()
    if root is not None:
        inputs = load_project(root)
        configured = {env.python for env in inputs.matrix()}
    versions = {PythonVersion.parse(v) for v in ("3.8", *DEFAULT_PYTHONS)} | configured
    rows = tuple(PythonRow(v, v in configured, tuple(finder.find(v))) for v in sorted(versions))
    return rows, finder.places()
