"""One request in, one `Response` value out: routing, PyPI's 301 to normalized names,
pages with ETags, files with byte ranges, and PEP 658 `.metadata` files.

It reads the built files from disk but knows nothing of sockets, threads, credentials or
injected faults: `server` owns those and sends what this returns.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import unquote, urlsplit

from packaging.utils import NormalizedName, canonicalize_name

from tests.fakeindex.builder import BuiltFile
from tests.fakeindex.pages import (
    HTML_TYPE,
    JSON_TYPE,
    Format,
    PageOptions,
    choose_format,
    links_page,
    project_list,
    project_page,
)

PAGE_CACHE = ("Cache-Control", "max-age=600")
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    """All but Content-Length, which the sender sets from the body."""
    body: bytes = b""


NOT_FOUND = Response(404, (("Content-Type", "text/plain"),), b"not found\n")


@dataclass(frozen=True)
class Site:
    """What the index serves, and how."""

    files: Mapping[str, BuiltFile]
    options: PageOptions
    formats: tuple[Format, ...] = ("json", "html")

    @cached_property
    def projects(self) -> dict[NormalizedName, list[BuiltFile]]:
        projects: dict[NormalizedName, list[BuiltFile]] = {}
        for file in self.files.values():
            projects.setdefault(file.release.key, []).append(file)
        return projects

    @cached_property
    def display_names(self) -> dict[NormalizedName, str]:
        return {key: files[0].release.name for key, files in self.projects.items()}

    def respond(self, target: str, headers: Mapping[str, str]) -> Response:
        """Answer a GET of `target` (path and query as sent); `headers` have lowercase names."""
        path = unquote(urlsplit(target).path)
        if path == "/simple/":
            fmt = choose_format(headers.get("accept"), self.formats)
            return _page(project_list(self.display_names, fmt), fmt, headers)
        if path.startswith("/simple/"):
            return self._project(path.removeprefix("/simple/"), headers)
        if path == "/links/":
            return _page(links_page(self.files.values(), self.options), "html", headers)
        if path.startswith("/files/"):
            return self._file(path.removeprefix("/files/"), headers.get("range"))
        return NOT_FOUND

    def _project(self, rest: str, headers: Mapping[str, str]) -> Response:
        name = rest.removesuffix("/")
        if not name or "/" in name:
            return NOT_FOUND
        key = canonicalize_name(name)
        if rest != f"{key}/":
            # As PyPI does, and before knowing whether the project exists.
            return Response(301, (("Location", f"/simple/{key}/"),), b"moved\n")
        if key not in self.projects:
            return NOT_FOUND
        fmt = choose_format(headers.get("accept"), self.formats)
        return _page(project_page(key, self.projects[key], fmt, self.options), fmt, headers)

    def _file(self, name: str, range_header: str | None) -> Response:
        if name in self.files:
            return ranged(self.files[name].path.read_bytes(), range_header)
        file = self.files.get(name.removesuffix(".metadata"))
        if name.endswith(".metadata") and file and file.is_wheel and self.options.metadata_files:
            return ranged(file.metadata, range_header)
        return NOT_FOUND


def _page(body: bytes, fmt: Format, request: Mapping[str, str]) -> Response:
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = (("ETag", etag), PAGE_CACHE, ("Vary", "Accept"))
    if _etag_matches(request.get("if-none-match"), etag):
        return Response(304, headers)
    content_type = JSON_TYPE if fmt == "json" else f"{HTML_TYPE}; charset=utf-8"
    return Response(200, (("Content-Type", content_type), *headers), body)


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in tags or etag in tags


def ranged(data: bytes, range_header: str | None) -> Response:
    headers = (("Content-Type", "application/octet-stream"), ("Accept-Ranges", "bytes"))
    span = byte_span(range_header, len(data))
    if span is None:
        return Response(200, headers, data)
    if not span:
        return Response(416, (*headers, ("Content-Range", f"bytes */{len(data)}")))
    content_range = f"bytes {span.start}-{span.stop - 1}/{len(data)}"
    return Response(
        206, (*headers, ("Content-Range", content_range)), data[span.start : span.stop]
    )


def byte_span(header: str | None, size: int) -> range | None:
    """The bytes a single-range `Range` header asks for; None when there is no usable header
    (RFC 9110 lets a server ignore it), an empty range when it cannot be satisfied."""
    match = _RANGE.fullmatch(header.strip()) if header else None
    if not match or not (match[1] or match[2]):
        return None
    if not match[1]:
        return range(max(size - int(match[2]), 0), size)
    start = int(match[1])
    if match[2] and int(match[2]) < start:
        return None
    stop = min(int(match[2]) + 1, size) if match[2] else size
    return range(start, max(stop, start))
