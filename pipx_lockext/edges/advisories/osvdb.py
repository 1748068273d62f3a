"""OSV records from an offline database (edge: the local disk): a folder of `*.json`
records, or the zip osv.dev publishes per ecosystem (`PyPI/all.zip`).

Everything read is untrusted: only regular files are read, every record and the whole
database are size-capped (counted as read, after decompression, not as the zip header
claims), and a record that is not JSON is skipped with a warning. A database that is not
there or is not a folder or zip is `SourceUnreadable` (exit 4). What a record means is
`core.audit.osv`'s; nothing here interprets one.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

from pipx_lockext.core.audit.osv import SourceUnreadable

RECORD_LIMIT = 16 << 20
"""Bytes of one record (the largest PyPI records are tens of KB)."""
TOTAL_LIMIT = 4 << 30
"""Bytes of the whole database, decompressed (PyPI's all.zip is a few hundred MB)."""
COUNT_LIMIT = 1_000_000
"""Records in one database (PyPI has tens of thousands)."""

Record = tuple[str, object]
"""(where it was read, the decoded JSON, or the reason it could not be decoded)."""


def read_database(path: Path, shown: str) -> Iterator[Record]:
    """Every record of the folder or zip at `path` (`shown` names it in messages)."""
    if path.is_dir():
        return _folder(path, shown)
    if path.is_file() and zipfile.is_zipfile(path):
        return _zip(path, shown)
    if not path.exists():
        raise SourceUnreadable(f"{shown}: no such OSV database (a folder or a zip)")
    raise SourceUnreadable(f"{shown}: not an OSV database (a folder of *.json or a zip)")


def _folder(path: Path, shown: str) -> Iterator[Record]:
    total = 0
    files = sorted(p for p in path.rglob("*.json") if p.is_file() and not p.is_symlink())
    _count(len(files), shown)
    for file in files:
        where = f"{shown}/{file.relative_to(path).as_posix()}"
        try:
            with file.open("rb") as handle:
                data = handle.read(RECORD_LIMIT + 1)
        except OSError as exc:
            raise SourceUnreadable(f"{where}: cannot read ({exc.strerror or exc})") from None
        total = _add(total, len(data), shown)
        yield where, decode(data, where)


def _zip(path: Path, shown: str) -> Iterator[Record]:
    total = 0
    try:
        with zipfile.ZipFile(path) as archive:
            entries = [i for i in archive.infolist() if i.filename.endswith(".json")]
            _count(len(entries), shown)
            for info in sorted(entries, key=lambda i: i.filename):
                where = f"{shown}:{info.filename}"
                with archive.open(info) as handle:
                    data = handle.read(RECORD_LIMIT + 1)
                total = _add(total, len(data), shown)
                yield where, decode(data, where)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise SourceUnreadable(f"{shown}: cannot read the zip ({exc})") from None


def decode(data: bytes, where: str) -> object:
    """The record's JSON; a string saying why when it is not one (the matcher skips it)."""
    if len(data) > RECORD_LIMIT:
        return f"over the {RECORD_LIMIT >> 20} MiB cap for one record"
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        return f"not JSON ({str(exc)[:80]})"


def _count(count: int, shown: str) -> None:
    if count > COUNT_LIMIT:
        raise SourceUnreadable(f"{shown}: refused: over {COUNT_LIMIT} records")


def _add(total: int, size: int, shown: str) -> int:
    total += size
    if total > TOTAL_LIMIT:
        raise SourceUnreadable(f"{shown}: refused: over the {TOTAL_LIMIT >> 30} GiB cap")
    return total
