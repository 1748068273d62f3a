"""Writing files atomically, several at once all-or-nothing (edge: the disk).

Each new text goes to a temp file in the target's directory, is flushed and fsynced, and
only then moved over the target with `os.replace`. When anything fails, the temp files
are removed and the targets already replaced get their old bytes back, so a reader sees
every file either old or new, never truncated.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import tempfile
from dataclasses import dataclass
from glob import escape as glob_escape
from pathlib import Path

from pipx_lockext.core.errors import LocalError, UsageError


@dataclass(frozen=True)
class FileChange:
    """A file a command would write: its old text (None if absent) and its new text."""

    path: Path
    display: str
    old: str | None
    new: str

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def diff(self) -> str:
        """Unified diff from old to new ("" when unchanged)."""
        old = (self.old or "").splitlines(keepends=True)
        lines = difflib.unified_diff(
            old, self.new.splitlines(keepends=True), f"a/{self.display}", f"b/{self.display}"
        )
        return "".join(lines)


def plan_changes(
    root: Path, texts: dict[Path, str], *, confined: bool = True
) -> tuple[FileChange, ...]:
    """The change writing `texts` would make, each with its old text (None: new file).
    `confined`: every path must stay inside `root` once symlinks are followed (paths a
    project's files decide); False for a path the user gave on the command line."""
    changes = []
    for path, new in sorted(texts.items()):
        if confined:
            _inside(root, path)
        old = path.read_text(encoding="utf-8") if path.is_file() else None
        display = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        changes.append(FileChange(path, display, old, new))
    return tuple(changes)


def _inside(root: Path, path: Path) -> None:
    real = path.parent.resolve() / path.name
    if real.is_symlink():
        real = real.resolve()
    if not real.is_relative_to(root.resolve()):
        raise UsageError(
            f"{path}: would be written at {real}, outside the project (a symlink, or a "
            "setting pointing out); reqlock writes only inside the project"
        )


def replace_files(changes: dict[Path, str]) -> None:
    """Write every `path: text` in `changes`, all or none; OSError → LocalError."""
    staged: dict[Path, Path] = {}
    done: dict[Path, bytes | None] = {}
    current = Path("?")
    try:
        for current, text in sorted(changes.items()):
            current.parent.mkdir(parents=True, exist_ok=True)
            _sweep(current)
            staged[current] = _stage(current, text.encode("utf-8"))
        for current, temp in staged.items():
            old = current.read_bytes() if current.exists() else None
            os.replace(temp, current)
            done[current] = old
    except BaseException as exc:  # Ctrl-C too: every file old or new, never a mix
        _roll_back(done)
        for temp in staged.values():
            with contextlib.suppress(OSError):
                temp.unlink()
        if isinstance(exc, OSError):
            raise _local_error(current, exc) from None
        raise


def _sweep(path: Path) -> None:
    """Remove temp files a killed earlier write of `path` left (callers hold the project
    lock, so no other writer's temp file is there)."""
    for stale in path.parent.glob(f".{glob_escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()


def _stage(path: Path, data: bytes) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(name, _mode(path))  # mkstemp makes 0600; the file must read as before
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise
    return Path(name)


def _mode(path: Path) -> int:
    """The target's own permissions, or for a new file what the umask gives (0644)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _roll_back(done: dict[Path, bytes | None]) -> None:
    for path, old in done.items():
        with contextlib.suppress(OSError):
            if old is None:
                path.unlink()
            else:
                os.replace(_stage(path, old), path)


def _local_error(path: Path, exc: OSError) -> LocalError:
    what = {
        errno.ENOSPC: "disk full",
        errno.EACCES: "permission denied",
        errno.EROFS: "read-only file system",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return LocalError(f"{path}: cannot write ({what}); no file was changed")
