"""Index pages as bytes: the project list, PEP 691 JSON and PEP 503 HTML project pages,
the flat find-links page, and which of JSON or HTML a request's Accept header gets.

Pure: it takes built files and options and returns bytes; it neither reads files nor talks
HTTP. The metadata keys follow PEP 658/714: JSON says `core-metadata` and
`dist-info-metadata`, HTML says `data-core-metadata` and `data-dist-info-metadata`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal
from urllib.parse import quote

from packaging.utils import NormalizedName
from packaging.version import Version

from tests.fakeindex.builder import BuiltFile

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "text/html"
API_VERSION = "1.1"
Format = Literal["json", "html"]
MetadataKeys = Literal["both", "core", "dist-info"]
_JSON_TYPES = (JSON_TYPE, "application/vnd.pypi.simple.latest+json")
_HTML_TYPES = (
    "application/vnd.pypi.simple.v1+html",
    "application/vnd.pypi.simple.latest+html",
    HTML_TYPE,
    "text/*",
    "*/*",
)


@dataclass(frozen=True)
class PageOptions:
    """How pages describe files."""

    root: str
    """Scheme, host and port, e.g. `http://127.0.0.1:8080`; used for absolute URLs."""
    metadata_files: bool = True
    """Advertise PEP 658 `.metadata` files (for wheels, as PyPI does)."""
    metadata_keys: MetadataKeys = "both"
    absolute_urls: bool = False


def choose_format(accept: str | None, formats: Sequence[Format]) -> Format:
    """JSON when the client accepts it at least as much as HTML; a bare `*/*` gets HTML,
    as on PyPI. A format the index does not speak falls back to the one it does."""
    quality = _qualities(accept or "")
    json_q = max(quality.get(t, 0.0) for t in _JSON_TYPES)
    html_q = max(quality.get(t, 0.0) for t in _HTML_TYPES)
    wanted: Format = "json" if json_q > 0 and json_q >= html_q else "html"
    return wanted if wanted in formats else formats[0]


def _qualities(accept: str) -> dict[str, float]:
    quality: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0  # a malformed weight makes the type unacceptable, not an error
        quality[media.lower()] = max(q, quality.get(media.lower(), 0.0))
    return quality


def project_list(names: Mapping[NormalizedName, str], fmt: Format) -> bytes:
    """`/simple/`: every project by display name, linking to its normalized page."""
    if fmt == "json":
        projects = [{"name": names[key]} for key in sorted(names)]
        return _json({"meta": {"api-version": API_VERSION}, "projects": projects})
    links = [f'<a href="{key}/">{escape(names[key])}</a><br />' for key in sorted(names)]
    return _html("Simple index", links)


def project_page(
    name: NormalizedName, files: Sequence[BuiltFile], fmt: Format, options: PageOptions
) -> bytes:
    """`/simple/<name>/`: the files of one project, oldest version first."""
    ordered = sorted(files, key=lambda f: (Version(f.release.version), f.filename))
    base = "../../files/"
    if fmt == "json":
        versions = sorted({Version(f.release.version) for f in files})
        return _json(
            {
                "meta": {"api-version": API_VERSION},
                "name": name,
                "versions": [str(v) for v in versions],
                "files": [_json_file(f, _href(f, base, options), options) for f in ordered],
            }
        )
    anchors = [_anchor(f, _href(f, base, options), options) for f in ordered]
    return _html(f"Links for {name}", anchors)


def links_page(files: Iterable[BuiltFile], options: PageOptions) -> bytes:
    """`/links/`: a flat page for `--find-links`, every file with its sha256 fragment."""
    anchors = [
        f'<a href="{escape(_href(f, "../files/", options))}#sha256={f.sha256}">'
        f"{escape(f.filename)}</a><br />"
        for f in sorted(files, key=lambda f: f.filename)
    ]
    return _html("Links", anchors)


def _href(file: BuiltFile, relative_base: str, options: PageOptions) -> str:
    # Local versions put "+" in file names; PyPI quotes it, so clients must unquote.
    quoted = quote(file.filename)
    return f"{options.root}/files/{quoted}" if options.absolute_urls else relative_base + quoted


def _metadata_keys(file: BuiltFile, options: PageOptions) -> list[str]:
    if not (options.metadata_files and file.is_wheel):
        return []
    return {
        "both": ["core-metadata", "dist-info-metadata"],
        "core": ["core-metadata"],
        "dist-info": ["dist-info-metadata"],
    }[options.metadata_keys]


def _json_file(file: BuiltFile, url: str, options: PageOptions) -> dict[str, object]:
    entry: dict[str, object] = {
        "filename": file.filename,
        "url": url,
        "hashes": {"sha256": file.sha256},
        "size": file.size,
        "yanked": file.release.yanked,
    }
    if file.release.requires_python is not None:
        entry["requires-python"] = file.release.requires_python
    uploaded = file.release.upload_time_of(file.filename)
    if uploaded is not None:
        entry["upload-time"] = uploaded  # PEP 700: JSON pages only, as on PyPI
    for key in _metadata_keys(file, options):
        entry[key] = {"sha256": file.metadata_sha256}
    return entry


def _anchor(file: BuiltFile, url: str, options: PageOptions) -> str:
    attributes = [f'href="{escape(url)}#sha256={file.sha256}"']
    if file.release.requires_python is not None:
        attributes.append(f'data-requires-python="{escape(file.release.requires_python)}"')
    yanked = file.release.yanked
    if yanked is not False:
        reason = "" if yanked is True else str(yanked)
        attributes.append(f'data-yanked="{escape(reason)}"')
    for key in _metadata_keys(file, options):
        attributes.append(f'data-{key}="sha256={file.metadata_sha256}"')
    return f"<a {' '.join(attributes)}>{escape(file.filename)}</a><br />"


def _json(value: object) -> bytes:
    return json.dumps(value, indent=1, sort_keys=True).encode()


def _html(title: str, lines: Iterable[str]) -> bytes:
    head = (
        f'<meta name="pypi:repository-version" content="{API_VERSION}">'
        f"<title>{escape(title)}</title>"
    )
    body = "\n".join(["<!DOCTYPE html>", f"<html><head>{head}</head><body>", *lines])
    return (body + "\n</body></html>\n").encode()
