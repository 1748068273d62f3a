"""Core metadata out of distribution files, whole or by HTTP ranges (edge: archive bytes).

A wheel's METADATA is found through the zip central directory, so with range requests only
the tail of the file and the METADATA member are read. An sdist's PKG-INFO is read from
the whole archive (sdists are small, and their hash must be checked anyway).
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Callable

from packaging.utils import canonicalize_name

TAIL = 64 * 1024
"""Bytes fetched from the end of a wheel first: the central directory nearly always fits."""

RangeReader = Callable[[int, int], bytes]
"""Fetches bytes [start, end) of a remote file."""


class ArchiveError(ValueError):
    """An archive without the metadata it should hold, or not an archive at all."""


def wheel_metadata(data: bytes, filename: str) -> bytes:
    """METADATA from a whole wheel."""
    return _from_zip(io.BytesIO(data), filename)


def wheel_metadata_by_ranges(read: RangeReader, size: int, tail: bytes, filename: str) -> bytes:
    """METADATA from a remote wheel of `size` bytes whose last bytes are `tail`."""
    return _from_zip(_RangeFile(read, size, tail), filename)


def _from_zip(handle: io.RawIOBase | io.BytesIO, filename: str) -> bytes:
    try:
        with zipfile.ZipFile(handle) as archive:
            return archive.read(_metadata_member(archive.namelist(), filename))
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise ArchiveError(f"{filename}: not a readable wheel ({exc})") from None


def _metadata_member(names: list[str], filename: str) -> str:
    project = canonicalize_name(filename.split("-", 1)[0])
    found = [
        n
        for n in names
        if n.count("/") == 1
        and n.endswith(".dist-info/METADATA")
        and canonicalize_name(n.split("-", 1)[0]) == project
    ]
    if len(found) != 1:
        raise ArchiveError(f"{filename}: expected one .dist-info/METADATA, found {len(found)}")
    return found[0]


def sdist_metadata(data: bytes, filename: str) -> bytes:
    """PKG-INFO at the top of an sdist (`.tar.gz` or `.zip`)."""
    try:
        if filename.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                return archive.read(_pkg_info(archive.namelist(), filename))
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            member = tar.extractfile(_pkg_info(tar.getnames(), filename))
            if member is None:
                raise ArchiveError(f"{filename}: PKG-INFO is not a file")
            return member.read()
    except (tarfile.TarError, zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise ArchiveError(f"{filename}: not a readable sdist ({exc})") from None


def _pkg_info(names: list[str], filename: str) -> str:
    found = [n for n in names if n.count("/") == 1 and n.endswith("/PKG-INFO")]
    if len(found) != 1:
        raise ArchiveError(f"{filename}: no PKG-INFO at the top of the archive")
    return found[0]


class _RangeFile(io.RawIOBase):
    """A seekable read-only file over a remote one, fetching what zipfile asks for."""

    def __init__(self, read: RangeReader, size: int, tail: bytes) -> None:
        super().__init__()
        self._read, self._size, self._pos = read, size, 0
        self._chunks: dict[int, bytes] = {size - len(tail): tail}

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]  # RawIOBase's Buffer type is too wide for 3.10
        end = min(self._pos + len(buffer), self._size)
        if end <= self._pos:
            return 0
        data = self._slice(self._pos, end)
        buffer[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def _slice(self, start: int, end: int) -> bytes:
        for at, chunk in self._chunks.items():
            if at <= start and end <= at + len(chunk):
                return chunk[start - at : end - at]
        # Read ahead a little: zipfile reads a local header, then the member right after.
        ahead = min(self._size, max(end, start + 32 * 1024))
        chunk = self._read(start, ahead)
        self._chunks[start] = chunk
        return chunk[: end - start]
