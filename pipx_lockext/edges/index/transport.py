"""Every request the index client makes (edge: the network through `network.Http`, and the
local disk for `file:` URLs and plain paths).

It owns routing a request: a web URL goes to `Http`; a `file:` URL or a path (a local
index, a find-links directory or page, a file listed there) is read from disk and answered
as a `Response` (200, or 404 when it cannot be read), so that everything above reads local
and remote locations alike. It also owns the one reading of a status as an error, and the
request-wide rules: a local read is of a regular file only (never a FIFO or a device), and
a page fetched from the web may link only to web URLs (`web_links_only`): `file:` URLs and
paths are honoured only from local indexes and find-links the user named. It must not
parse, cache or check hashes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from pipx_lockext.core.errors import NetworkError
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.edges.index.network import Http, Response, redact

PAGE_LIMIT = 64 << 20
"""Bytes of an index or find-links page, decompressed: PyPI's biggest JSON pages (numpy,
botocore) are a few MB, the biggest anywhere tens of MB."""
METADATA_LIMIT = 16 << 20
"""Bytes of a `.metadata` file or of METADATA / PKG-INFO in an archive (rarely over 1 MB)."""
FILE_LIMIT = 4 << 30
"""Bytes of a distribution file (PyPI's largest wheels are a few GB)."""


class Transport:
    """GET for the index client: `Http` for web URLs, the disk for local ones."""

    def __init__(self, http: Http) -> None:
        self.http = http

    def get(
        self, url: str, headers: Mapping[str, str] | None = None, *, limit: int = PAGE_LIMIT
    ) -> Response:
        """The response for `url`: a directory answers with its `index.html`. A body over
        `limit` bytes is a NetworkError naming the cap."""
        path = local_path(url)
        if path is None:
            return self.http.get(url, headers, limit=limit)
        if path.is_dir():
            path = path / "index.html"
        if not path.exists():
            return Response(url, 404, {}, b"")
        if not path.is_file():
            raise NetworkError(
                f"{redact(url)}: not a regular file (a FIFO or device is never read)"
            )
        try:
            with path.open("rb") as handle:
                body = handle.read(limit + 1)
            if len(body) > limit:
                raise NetworkError(f"{redact(url)}: refused: over the {limit >> 20} MiB cap")
        except OSError:
            return Response(url, 404, {}, b"")
        return Response(url, 200, {"content-type": "text/html"}, body)


_WEB = ("https://", "http://")


def web_links_only(page_url: str, files: Iterable[DistFile]) -> None:
    """NetworkError when a page fetched from the web links to anything but a web URL (a
    `file:` URL or a path would make us read this machine's disk on an index's say)."""
    if local_path(page_url) is not None:
        return  # a local index or find-links page the user named
    for file in files:
        # The prefix test first: a PyPI page lists thousands of https URLs.
        if not file.url.startswith(_WEB) and local_path(file.url) is not None:
            raise NetworkError(
                f"{redact(page_url)}: refused: {file.filename} links to {redact(file.url)}, "
                "not a web URL; a remote page may not name local files"
            )


def local_path(location: str) -> Path | None:
    """The local path a find-links entry or `file:` URL names; None for a web URL."""
    parts = urlsplit(location)
    if parts.scheme == "file":
        return Path(url2pathname(unquote(parts.path)))
    if parts.scheme in {"http", "https"}:
        return None
    return Path(location)


def check_status(response: Response, url: str) -> None:
    """NetworkError for anything but 200, naming the URL (credentials masked)."""
    if response.status in {401, 403}:
        what = f"authentication failed (HTTP {response.status})"
        raise NetworkError(f"{redact(url)}: {what}; check the credentials for this index")
    if response.status != 200:
        raise NetworkError(f"{redact(url)}: HTTP {response.status}")
