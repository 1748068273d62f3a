"""Core metadata out of whole distribution files (edge: archive bytes).

A wheel's METADATA is found through the zip central directory, an sdist's PKG-INFO at the
top of the archive; the caller has checked the file's hash first. It must not fetch.
"""

from __future__ import annotations

import io
import tarfile
import zipfile

from packaging.utils import canonicalize_name

from pipx_lockext.edges.index.transport import METADATA_LIMIT

READER = 1
"""Bumped when what this module refuses (or reads differently) changes: the cache keeps
which files it could not read under this number (see `Cache.unreadable`)."""


class ArchiveError(ValueError):
    """An archive without the metadata it should hold, or not an archive at all."""


def wheel_metadata(data: bytes, filename: str) -> bytes:
    """METADATA from a whole wheel."""
    return _from_zip(io.BytesIO(data), filename)


def _from_zip(handle: io.BytesIO, filename: str) -> bytes:
    try:
        with zipfile.ZipFile(handle) as archive:
            return _capped_zip(archive, _metadata_member(archive.namelist(), filename), filename)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise ArchiveError(f"{filename}: not a readable wheel ({exc})") from None


def _capped_zip(archive: zipfile.ZipFile, member: str, filename: str) -> bytes:
    """A member no bigger than METADATA_LIMIT, checked before it is decompressed (zipfile
    never reads past the size the member declares)."""
    size = archive.getinfo(member).file_size
    if size > METADATA_LIMIT:
        cap = f"{METADATA_LIMIT >> 20} MiB"
        raise ArchiveError(f"{filename}: {member} is {size} bytes, over the {cap} cap")
    return archive.read(member)


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
    found = _sdist_member(data, filename, "PKG-INFO")
    if found is None:
        raise ArchiveError(f"{filename}: no PKG-INFO at the top of the archive")
    return found


def sdist_pyproject(data: bytes, filename: str) -> bytes | None:
    """pyproject.toml at the top of an sdist, or None when it has none."""
    return _sdist_member(data, filename, "pyproject.toml")


def _sdist_member(data: bytes, filename: str, basename: str) -> bytes | None:
    """The one file `basename` in the sdist's top directory (capped), or None."""
    try:
        if filename.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                member = _top(archive.namelist(), basename, filename)
                return _capped_zip(archive, member, filename) if member else None
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            member = _top(tar.getnames(), basename, filename)
            return _capped_tar(tar, member, filename) if member else None
    except (tarfile.TarError, zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise ArchiveError(f"{filename}: not a readable sdist ({exc})") from None


def _capped_tar(tar: tarfile.TarFile, name: str, filename: str) -> bytes:
    info = tar.getmember(name)
    member = tar.extractfile(info)
    if member is None:
        raise ArchiveError(f"{filename}: {name} is not a file")
    if info.size > METADATA_LIMIT:
        raise ArchiveError(f"{filename}: {name} is over the {METADATA_LIMIT >> 20} MiB cap")
    return member.read()


def _top(names: list[str], basename: str, filename: str) -> str | None:
    found = [n for n in names if n.count("/") == 1 and n.endswith("/" + basename)]
    if len(found) > 1:
        raise ArchiveError(f"{filename}: {len(found)} top-level {basename} files")
    return found[0] if found else None
