"""One reqlock at a time per project (edge: an advisory lock held by the OS).

Two compiles, or a compile and a sync, must never interleave their writes. The lock is
the OS's advisory lock on the project folder itself (flock), so nothing is written into
the project and a crashed process releases it by exiting; on Windows, where folders cannot
be locked, it is a lock file in the cache directory named after the project. The second
process waits, saying so, then goes on or gives up after `REQLOCK_LOCK_TIMEOUT` seconds
(default 300) with exit 6.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from pipx_lockext.core.errors import LocalError
from pipx_lockext.edges.project.stamp import cache_dir

DEFAULT_TIMEOUT = 300.0

HELD: set[int] = set()
"""The lock descriptors this process holds now: every child started meanwhile inherits
them (`processes.run_process`), so a pip left running by a killed sync keeps the project
locked until it ends, and the next sync cannot rebuild the venv under it."""


def timeout_from(environ: dict[str, str] | os._Environ[str]) -> float:
    try:
        return float(environ.get("REQLOCK_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT


@contextlib.contextmanager
def project_lock(
    root: Path, waiting: Callable[[str], None] = lambda _m: None, timeout: float | None = None
) -> Iterator[None]:
    """Hold the project's lock for the duration of the block."""
    limit = timeout_from(os.environ) if timeout is None else timeout
    fd = _open(root)
    try:
        _acquire(fd, root, limit, waiting)
        HELD.add(fd)
        yield
    finally:
        HELD.discard(fd)
        os.close(fd)  # closing releases the lock (once no child holds a copy)


def _open(root: Path) -> int:
    if sys.platform != "win32":
        return os.open(root, os.O_RDONLY)
    key = f"{zlib.crc32(str(root.resolve()).encode()):08x}"
    folder = Path(cache_dir()) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return os.open(folder / f"{key}.lock", os.O_RDWR | os.O_CREAT)


def _acquire(fd: int, root: Path, limit: float, waiting: Callable[[str], None]) -> None:
    deadline = time.monotonic() + limit
    told = False
    while not _try_lock(fd):
        if time.monotonic() >= deadline:
            raise LocalError(
                f"{root}: another reqlock has held this project for over {limit:g} s; "
                "try again when it is done (REQLOCK_LOCK_TIMEOUT sets the wait)"
            )
        if not told:
            waiting(f"waiting for another reqlock working on {root}")
            told = True
        time.sleep(0.1)


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt  # noqa: PLC0415 - exists on Windows only

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl  # noqa: PLC0415 - exists outside Windows only

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
