"""The persistent cache of index pages and core metadata (edge: the cache directory).

Metadata is stored only once verified, under the hash that verified it, so an entry never
goes stale and no index can fill it for another: what was read out of a whole file checked
against its sha256 is kept under that file hash (`FROM_FILE`); a PEP 658 `.metadata` file
checked against the hash its index listed is kept under its own sha256 (`FROM_METADATA_FILE`,
content-addressed: an entry whose bytes do not hash to its name is a miss). Index pages are
stored with their validators (ETag, Last-Modified), PEP 691 ones in a form read release by
release (`core.index.storedpage`), and are fresh for the max-age the index gave; after that,
or when stored "in the future" (a clock that ran ahead), the caller revalidates them. Every
entry carries the sha256 of its header and body together: a torn, corrupted or edited entry
reads as a miss. Writes go to a temp file in the same directory and are renamed into place,
so processes sharing the cache see each entry old or new, never half written.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Literal

from pipx_lockext.edges.project.stamp import cache_dir

FORMAT = 2
"""Bumped when the entry layout changes; older entries then read as misses (version 1 held
metadata from unverified range reads and had headers outside the checksum)."""
PAGES_FORMAT = 3
"""Bumped when what a page entry holds changes: version 3 keeps PEP 691 pages in
`storedpage`'s form, which a reqlock that knows only version 2 would misread."""

MetadataSource = Literal["file", "metadata-file"]
FROM_FILE: MetadataSource = "file"
"""Keyed by the sha256 of the distribution file it was read from."""
FROM_METADATA_FILE: MetadataSource = "metadata-file"
"""Keyed by the sha256 of the PEP 658 `.metadata` file itself."""


def default_cache_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`REQLOCK_CACHE_DIR`, else the platform's user cache directory plus `reqlock`
    (decided in `stamp`, which the launcher reads before anything heavy is imported)."""
    return Path(cache_dir(environ))


@dataclass(frozen=True)
class CachedPage:
    """An index page as last fetched."""

    url: str
    content_type: str
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    stored_at: float = 0.0
    max_age: float = 0.0
    """Seconds the index said the page stays fresh (Cache-Control max-age)."""

    def fresh(self, now: float) -> bool:
        """Stored less than `max_age` ago; never when stored after `now` (a clock that ran
        ahead must not keep a page fresh for years)."""
        return 0 <= now - self.stored_at < self.max_age


class Cache:
    """Pages and metadata on disk under `root`; every failure to read is a miss."""

    def __init__(self, root: Path, clock: Callable[[], float] = time.time) -> None:
        self.root = root
        self.clock = clock

    def page(self, url: str) -> CachedPage | None:
        entry = self._read(self._page_path(url))
        if entry is None:
            return None
        header, body = entry
        try:
            page = CachedPage(**{**header, "body": body})
        except TypeError:
            return None
        return page if page.url == url else None

    def page_fresh(self, url: str) -> bool:
        """Whether a page is kept for `url` and fresh now, from its header alone (unread
        and unchecked: a hint for when to read it, `page` checks it)."""
        try:
            with self._page_path(url).open("rb") as handle:
                handle.readline()
                header = json.loads(handle.readline())
            return CachedPage(**{**header, "body": b""}).fresh(self.clock())
        except (OSError, ValueError, TypeError):
            return False

    def store_page(self, page: CachedPage) -> CachedPage:
        """Store `page` as fetched now; returns it with its `stored_at` set."""
        page = replace(page, stored_at=self.clock())
        header = {k: v for k, v in asdict(page).items() if k != "body"}
        self._write(self._page_path(page.url), header, page.body)
        return page

    def metadata(self, sha256: str, source: MetadataSource = FROM_FILE) -> bytes | None:
        """Verified metadata kept under `sha256` (see the module docstring for `source`)."""
        entry = self._read(self._metadata_path(sha256, source))
        if entry is None or (source == FROM_METADATA_FILE and _digest(entry[1]) != sha256):
            return None
        return entry[1]

    def has_metadata(self, sha256: str, source: MetadataSource = FROM_FILE) -> bool:
        """Whether an entry is kept under `sha256` (not read: `metadata` checks it)."""
        return self._metadata_path(sha256, source).is_file()

    def store_metadata(self, sha256: str, data: bytes, source: MetadataSource = FROM_FILE) -> None:
        """Keep `data`, which the caller verified against `sha256` (a file's, or for
        FROM_METADATA_FILE its own)."""
        if source == FROM_METADATA_FILE and _digest(data) != sha256:
            return
        self._write(self._metadata_path(sha256, source), {}, data)

    def unreadable(self, sha256: str, reader: str) -> str | None:
        """Why the file with this sha256 could not be read by archive reader `reader`,
        when that was found before (None: not known). What an archive holds is fixed by
        its hash, so the answer cannot change until the reader does: an old sdist that
        cannot be unpacked is not downloaded and opened again on every run."""
        entry = self._read(self._unreadable_path(sha256, reader))
        reason = entry[0].get("reason") if entry else None
        return reason if isinstance(reason, str) else None

    def store_unreadable(self, sha256: str, reader: str, reason: str) -> None:
        """Keep why the file with `sha256` (the caller checked its bytes) is unreadable."""
        self._write(self._unreadable_path(sha256, reader), {"reason": reason}, b"")

    def _unreadable_path(self, sha256: str, reader: str) -> Path:
        return self.root / f"unreadable-v{FORMAT}" / reader / sha256[:2] / sha256

    def _page_path(self, url: str) -> Path:
        key = hashlib.sha256(url.encode()).hexdigest()
        return self.root / f"pages-v{PAGES_FORMAT}" / key[:2] / key

    def _metadata_path(self, sha256: str, source: MetadataSource) -> Path:
        return self.root / f"metadata-v{FORMAT}" / source / sha256[:2] / sha256

    def _read(self, path: Path) -> tuple[dict[str, Any], bytes] | None:
        """The header and body of an entry: a digest line, then the header's JSON line and
        the body, both covered by the digest."""
        try:
            digest, _, rest = path.read_bytes().partition(b"\n")
            if digest.decode("ascii") != _digest(rest):
                return None
            head, _, body = rest.partition(b"\n")
            header = json.loads(head)
        except (OSError, ValueError):
            return None
        return (header, body) if isinstance(header, dict) else None

    def _write(self, path: Path, header: dict[str, object], body: bytes) -> None:
        """Best effort: a cache that cannot be written costs speed, never correctness."""
        rest = json.dumps(header).encode() + b"\n" + body
        data = _digest(rest).encode("ascii") + b"\n" + rest
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(temp, path)
            except OSError:
                os.unlink(temp)
                raise


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
