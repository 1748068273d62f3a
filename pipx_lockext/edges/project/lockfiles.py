"""A project's lock files on disk (edge: the project's output folder and the freshness
stamp). The one place that reads them, with one rule for a missing or unreadable file, and
that stamps a project found fresh. What the files mean is `core.lockfiles.lockset`'s."""

from __future__ import annotations

import os
from pathlib import Path

from pipx_lockext.core.errors import LocalError
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.lockset import LOCK_SUFFIX, LockSet
from pipx_lockext.edges.project import stamp


def read_locks(inputs: ProjectInputs) -> LockSet:
    """Every lock and build lock of every layer, and the lock files of layers gone."""
    root = Path(inputs.root)
    paths = [
        path
        for layer in inputs.layer_names()
        for path in (inputs.lock_file(layer), inputs.build_lock_file(layer))
    ]
    texts = {path: read_text(root / path, path) for path in paths}
    folder = inputs.settings.output_dir
    orphans = tuple(
        f"{folder}/{found.name}"
        for found in sorted((root / folder).glob(f"*{LOCK_SUFFIX}"))
        if f"{folder}/{found.name}" not in texts
    )
    return LockSet(inputs, texts, orphans)


def read_text(path: Path, display: str) -> str | None:
    """A lock's text; None when it (or a folder on its path) is not there. Bytes that are
    not UTF-8 read as U+FFFD, which no well-formed lock holds, so `check` names the line."""
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise LocalError(f"{display}: cannot read ({exc.strerror or exc})") from None


def remember(locks: LockSet) -> None:
    """Stamp a fresh project so that the next check answers without parsing anything;
    forget the stamp of one that is not."""
    inputs = locks.inputs
    if not locks.fresh():
        stamp.forget(inputs.root)
        return
    files = {
        dep.where.file
        for layer in inputs.layers
        for dep in (*layer.requirements, *layer.constraints)
    }
    files |= {layer.file for layer in inputs.layers}
    paths = [os.path.join(inputs.root, file) for file in sorted(files)]
    stamp.record(inputs.root, inputs.settings.output_dir, list(inputs.layer_names()), paths)
