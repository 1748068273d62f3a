"""The persistent cache of index pages and core metadata (edge: the cache directory).

Metadata is stored by the sha256 of the distribution file it describes, so an entry
never goes stale. Index pages are stored with their validators (ETag, Last-Modified) and
are fresh for the max-age the index gave; after that the caller revalidates them. Every
entry carries the sha256 of its own body: a torn or corrupted entry reads as a miss. Writes
go to a temp file in the same directory and are renamed into place, so processes sharing
the cache see each entry old or new, never half written.
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
from typing import Any

from pipx_lockext.edges.project.stamp import cache_dir

FORMAT = 1
"""Bumped when the entry layout changes; older entries then read as misses."""


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
        return now - self.stored_at < self.max_age


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

    def store_page(self, page: CachedPage) -> CachedPage:
        """Store `page` as fetched now; returns it with its `stored_at` set."""
        page = replace(page, stored_at=self.clock())
        header = {k: v for k, v in asdict(page).items() if k != "body"}
        self._write(self._page_path(page.url), header, page.body)
        return page

    def metadata(self, file_sha256: str) -> bytes | None:
        entry = self._read(self._metadata_path(file_sha256))
        return entry[1] if entry else None

    def store_metadata(self, file_sha256: str, data: bytes) -> None:
        self._write(self._metadata_path(file_sha256), {}, data)

    def _page_path(self, url: str) -> Path:
        key = hashlib.sha256(url.encode()).hexdigest()
        return self.root / f"pages-v{FORMAT}" / key[:2] / key

    def _metadata_path(self, file_sha256: str) -> Path:
        return self.root / f"metadata-v{FORMAT}" / file_sha256[:2] / file_sha256

    def _read(self, path: Path) -> tuple[dict[str, Any], bytes] | None:
        try:
            raw = path.read_bytes()
            head, _, body = raw.partition(b"\n")
            header = json.loads(head)
        except (OSError, ValueError):
            return None
        if not isinstance(header, dict) or header.pop("sha256", None) != _digest(body):
            return None
        return header, body

    def _write(self, path: Path, header: dict[str, object], body: bytes) -> None:
        """Best effort: a cache that cannot be written costs speed, never correctness."""
        data = json.dumps({**header, "sha256": _digest(body)}).encode() + b"\n" + body
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
