"""Core metadata out of whole distribution files (edge: archive bytes).

A wheel's METADATA is found through the zip central directory, an sdist's PKG-INFO at the
top of the archive; the caller has checked the file's hash first. It must not fetch.
"""

from __future__ import annotations

import io
import tarfile
import zipfile

from packaging.utils import canonicalize_name


class ArchiveError(ValueError):
    """An archive without the metadata it should hold, or not an archive at all."""


def wheel_metadata(data: bytes, filename: str) -> bytes:
    """METADATA from a whole wheel."""
    return _from_zip(io.BytesIO(data), filename)


def _from_zip(handle: io.BytesIO, filename: str) -> bytes:
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
