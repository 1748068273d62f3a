"""The form the cache keeps a PEP 691 page in: its entries release by release, each
release's readable alone (pure core).

Reading a cached page used to be reading the whole JSON of it again: warehouse's 267
pages hold 217,000 file entries, a fifth of a warm compile, for the few releases a
resolution decides. In this form a page is a header line, a JSON list of
`[name, version, length]`, one per release (`""`, `""` for files that are neither wheels
nor sdists), followed by each release's entries as a JSON list of `length` bytes. Reading
it parses the header only; a release's entries are parsed, and checked as any page's
(`indexpages`), when the release is read. The cache is untrusted as an index is: the header
must add up, and every entry must be of the release the header files it under.
"""

from __future__ import annotations

import json
from typing import Any

from pipx_lockext.core.index.filenames import ReleaseKey, release_key_of
from pipx_lockext.core.index.indexpages import (
    DistFile,
    PageError,
    ProjectPage,
    json_entry,
    json_file,
)

STORED_TYPE = "application/vnd.reqlock.releases.v1+json"
"""The content type the cache records a page in this form under."""

_ENCODE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=True, check_circular=False).encode


def stored_body(page: ProjectPage) -> bytes | None:
    """`page` in the stored form; None for a page not parsed from PEP 691 entries."""
    if page.raw is None:
        return None
    header, chunks = [], []
    for key, entries in page.raw.items():
        chunk = _ENCODE(entries).encode("ascii")
        name, version = ("", "") if key is None else (key[0], str(key[1]))
        header.append([name, version, len(chunk)])
        chunks.append(chunk)
    return b"\n".join([_ENCODE(header).encode("ascii"), b"".join(chunks)])


def parse_stored(body: bytes, url: str) -> ProjectPage:
    """A page kept by `stored_body` (PageError when it is not in that form)."""
    head, _, rest = body.partition(b"\n")
    try:
        header = json.loads(head)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PageError(f"stored page: invalid header ({exc})") from None
    if not isinstance(header, list):
        raise PageError("stored page: the header is not a list")
    groups: dict[ReleaseKey | None, tuple[ReleaseKey | None, bytes]] = {}
    start = 0
    for item in header:
        key, length = _header_item(item)
        if key in groups:  # the later would hide the earlier's files
            raise PageError(f"stored page: a release named twice: {item!r:.80}")
        groups[key] = (key, rest[start : start + length])
        start += length
    if start != len(rest):
        raise PageError("stored page: the header does not add up to the body")
    return ProjectPage(url, groups, _read_release)


def _header_item(item: Any) -> tuple[ReleaseKey | None, int]:
    if not (
        isinstance(item, list)
        and len(item) == 3
        and isinstance(item[0], str)
        and isinstance(item[1], str)
        and type(item[2]) is int
        and item[2] >= 0
    ):
        raise PageError(f"stored page: not a [name, version, length] entry: {item!r:.80}")
    if item[0] == item[1] == "":
        return None, item[2]
    key = release_key_of(item[0], item[1])
    if key is None:
        raise PageError(f"stored page: no release {item[0]!r} {item[1]!r}")
    return key, item[2]


def _read_release(group: tuple[ReleaseKey | None, bytes], url: str) -> tuple[DistFile, ...]:
    key, chunk = group
    try:
        entries = json.loads(chunk)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PageError(f"stored page: invalid release ({exc})") from None
    if not isinstance(entries, list) or not entries:
        raise PageError("stored page: a release that is not a list of files")
    files = []
    for entry in entries:
        file = json_file(json_entry(entry), url)
        named = file.parsed and (file.parsed.name, file.parsed.version)
        if named != key:
            raise PageError(f"stored page: {file.filename!r} is filed under another release")
        files.append(file)
    return tuple(files)
