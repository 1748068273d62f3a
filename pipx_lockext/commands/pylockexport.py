"""The `export --format pylock` use case (shell): PEP 751 `pylock.<layer>.toml` files from
the layers' fresh `.lock.txt` files, never from a second resolution.

The locks are read and refused when `check` would refuse them (exit 1); then the index
pages (the project's index settings and cache, as compile reads them) give each locked
hash its file's URL and size, the core builds and validates each Pylock, and every file is
written all-or-nothing. Nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from pipx_lockext.commands.compiling import selected_layers
from pipx_lockext.commands.convert import WriteResult, apply_changes
from pipx_lockext.core.errors import NotTrue
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.lockparse import LockedPin, ParsedLock
from pipx_lockext.core.lockfiles.lockset import LockSet
from pipx_lockext.core.lockfiles.pylock import (
    FileRecord,
    ReleaseKey,
    build_pylock,
    pylock_name,
    release_key,
    render_pylock,
)
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.edges.project.fsio import plan_changes
from pipx_lockext.edges.project.loader import load_project
from pipx_lockext.edges.project.lockfiles import read_locks

if TYPE_CHECKING:
    from pipx_lockext.core.index.source import Source


def export_pylock(
    root: Path,
    layers: tuple[str, ...],
    output_dir: Path | None,
    dry_run: bool,
    progress: Progress = NO_PROGRESS,
) -> WriteResult:
    """`reqlock export --format pylock [LAYER...]`: `pylock.<layer>.toml` beside the locks
    (or in `output_dir`) for the layers named, all of them when none is."""
    inputs = load_project(root)
    locks = read_locks(inputs).recorded()
    chosen = selected_layers(inputs, layers)
    parsed = _fresh_locks(locks, chosen)
    files = _index_files(inputs, parsed.values(), progress)
    folder = output_dir or root / inputs.settings.output_dir
    texts = {}
    for layer, lock in parsed.items():
        display = inputs.lock_file(layer)
        pylock = build_pylock(lock, display, files)
        texts[folder / pylock_name(layer)] = render_pylock(pylock, display)
    return apply_changes(plan_changes(root, texts, confined=output_dir is None), dry_run)


def _fresh_locks(locks: LockSet, layers: tuple[str, ...]) -> dict[str, ParsedLock]:
    """Each layer's lock, when `check` finds every one fresh and well formed (NotTrue
    naming what is wrong otherwise: a pylock file of a stale lock would be stale too)."""
    findings = locks.findings(layers)
    if findings:
        found = "; ".join(str(f) for f in findings)
        raise NotTrue(f"{found}; export writes pylock files from fresh locks only")
    return {layer: lock for layer in layers if (lock := locks.lock(layer)) is not None}


def _index_files(
    inputs: ProjectInputs, locks: Iterable[ParsedLock], progress: Progress
) -> dict[ReleaseKey, tuple[FileRecord, ...]]:
    """The files the index lists for each locked release, with their sha256."""
    from pipx_lockext.edges.index.client import open_repository  # noqa: PLC0415 - network only here

    pins = {release_key(pin): pin for lock in locks for pin in lock.pins}
    repository = open_repository(inputs.settings.index, progress=progress)
    try:
        repository.prefetch({pin.name for pin in pins.values() if pin.url is None})
        return {key: _records(repository, pin) for key, pin in sorted(pins.items())}
    finally:
        repository.close()


def _records(source: Source, pin: LockedPin) -> tuple[FileRecord, ...]:
    from pipx_lockext.core.resolution.pins import locked_files  # noqa: PLC0415 - start-up

    return tuple(
        FileRecord(f.filename, f.url, source.sha256(f), f.size, f.upload_time)
        for f in locked_files(source, pin)
    )
