"""Checked wheels unpacked into a build overlay (edge: the disk).

A backend runs with the overlay added as a site directory, nothing else (`sdistbuild`):
what it imports is what a wheel installs into purelib or platlib, so that is all that is
unpacked; console scripts, headers and the data scheme are left out (no build step sees
them: the overlay is never on PATH). Every member name is checked before anything is
written (no absolute path, no `..`, nothing outside the overlay), the total unpacked size
is capped, and executable bits are kept (a cmake or ninja binary inside a package). The
caller has checked each wheel's bytes against the index's hash. It must not fetch.
"""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

UNPACKED_LIMIT = 2 << 30
"""Bytes the wheels of one build overlay may unpack to, together."""


class WheelError(ValueError):
    """A wheel that cannot be unpacked into the overlay; the message names it."""


def unpack_wheels(
    wheels: Iterable[tuple[str, bytes]], target: Path, *, limit: int = UNPACKED_LIMIT
) -> None:
    """Unpack each (file name, bytes) wheel's importable files into `target`; WheelError
    naming the wheel, with nothing of that wheel written, when one is refused."""
    total = 0
    for filename, data in wheels:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as wheel:
                placed = [(i, p) for i in wheel.infolist() if (p := _place(i.filename, filename))]
                total += sum(info.file_size for info, _ in placed)
                if total > limit:
                    raise WheelError(f"{filename}: unpacks past the {limit} bytes cap")
                for info, where in placed:
                    _write(wheel, info, target.joinpath(*where.parts))
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise WheelError(f"{filename}: cannot unpack ({exc})") from None


def _place(name: str, filename: str) -> PurePosixPath | None:
    """Where a member goes in the overlay: its own path, or inside purelib/platlib of the
    wheel's `.data` directory moved to the root; None: left out."""
    path = PurePosixPath(name)
    if name.startswith(("/", "\\")) or "\\" in name or ".." in path.parts or ":" in name:
        raise WheelError(f"{filename}: refuses to unpack {name!r} outside the overlay")
    parts = path.parts
    if name.endswith("/") or not parts:
        return None  # a directory entry: made as its files are written
    if parts[0].endswith(".data"):
        if len(parts) > 2 and parts[1] in {"purelib", "platlib"}:
            return PurePosixPath(*parts[2:])
        return None  # scripts, headers, data: nothing a backend imports
    return path


def _write(wheel: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with wheel.open(info) as source, open(dest, "wb") as out:
        while chunk := source.read(1 << 20):
            out.write(chunk)
    mode = (info.external_attr >> 16) & 0o777
    if mode & stat.S_IXUSR:
        os.chmod(dest, os.stat(dest).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
