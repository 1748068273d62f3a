"""Index pages as values: PEP 691 JSON and PEP 503 HTML parsed into `DistFile`s (pure core).

The parsers take the bytes of a page and the URL it was fetched from, and return a
`ProjectPage` whose entries become `DistFile`s release by release, as they are read;
fetching lives in `edges.index.pages` and choosing what to fetch in `edges.index.client`.
Two spellings of the PEP 658/714 metadata key exist and both are read: JSON says
`core-metadata` / `dist-info-metadata`, HTML says `data-core-metadata` /
`data-dist-info-metadata`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache, partial
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin

from packaging.utils import (
    NormalizedName,
)
from packaging.version import Version

from pipx_lockext.core.errors import escaped
from pipx_lockext.core.index.filenames import (
    FileName,
    ReleaseKey,
    parse_filename,
    release_key_of,
    split_filename,
)
from pipx_lockext.core.inputs.cutoff import parse_upload_time

if TYPE_CHECKING:
    from packaging.tags import Tag

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
"""Ask for PEP 691 JSON first; an index that only speaks HTML still answers."""


class PageError(ValueError):
    """A page that cannot be read as an index page (the caller names the URL)."""


@dataclass(frozen=True)
class DistFile:
    """One file an index lists for a project."""

    filename: str
    url: str
    """Absolute URL, without the hash fragment."""
    sha256: str | None
    """The index's sha256 of the file (lower-case hex), when it gives one."""
    requires_python: str | None = None
    yanked: str | None = None
    """None when not yanked; the reason ("" when none was given) when yanked (PEP 592)."""
    metadata_sha256: str | None = None
    """sha256 of the PEP 658 `.metadata` file; "" when listed without a hash."""
    size: int | None = None
    upload_time_text: str | None = None
    """PEP 700 `upload-time` as the index gives it (JSON pages only), read only when an
    upload-date cutoff asks (`upload_time`): a large page lists thousands of files."""
    parsed: FileName | None = field(init=False, repr=False, compare=False)
    """The file name's parts; None for a file that is neither a wheel nor an sdist. Read
    as the file is made: every file's is needed (to group a page by version), and
    Python 3.11's `cached_property` holds one lock for every instance, which the fetch
    threads reading pages side by side queued on (40% of a warm compile's samples)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "parsed", parse_filename(self.filename))

    @property
    def upload_time(self) -> datetime | None:
        """When it was uploaded; None when the index does not say, or not readably."""
        return self._upload[0]

    @property
    def upload_time_problem(self) -> str | None:
        """Why the index's `upload-time` could not be read (then `upload_time` is None);
        only an upload-date cutoff needs it, so a page is not refused for it."""
        return self._upload[1]

    @property
    def _upload(self) -> tuple[datetime | None, str | None]:
        # Remembered by hand: the fetch threads ask side by side (see `parsed`).
        found: tuple[datetime | None, str | None] | None = self.__dict__.get("_upload_read")
        if found is None:
            found = _upload_time(self.upload_time_text)
            object.__setattr__(self, "_upload_read", found)
        return found

    @property
    def has_metadata_file(self) -> bool:
        """Whether the index serves `<url>.metadata` (PEP 658/714)."""
        return self.metadata_sha256 is not None

    @cached_property
    def tags(self) -> frozenset[Tag]:
        """A wheel's tags (empty for an sdist); parsed only when asked, as pages of big
        projects list tens of thousands of wheels and few of them are ever considered."""
        parts = self.filename[:-4].split("-") if self.filename.endswith(".whl") else []
        return _wheel_tags("-".join(parts[-3:])) if len(parts) in {5, 6} else frozenset()


@lru_cache(maxsize=4096)
def _wheel_tags(text: str) -> frozenset[Tag]:
    """The tags a wheel file name's last three parts (`cp313-cp313-manylinux_…`) stand
    for: the same few texts recur across every release of every project."""
    from packaging.tags import InvalidTag, parse_tag  # noqa: PLC0415 - only wheels need it

    try:
        return parse_tag(text)
    except InvalidTag:  # `py36+-none-any`: installs nowhere, as pip sees it
        return frozenset()


class ProjectPage:
    """A project's page on one index (or the files one find-links location offers), its
    entries grouped by the release their file names name.

    An entry becomes a `DistFile` (checked as such) only when its release is read:
    a large page lists tens of thousands of files, and a resolution reads the few
    releases it decides. Reading the same release again gives the same files; two
    threads reading it at once may both read it, to equal results.
    """

    def __init__(
        self,
        url: str,
        groups: dict[ReleaseKey | None, Any],
        read: Callable[[Any, str], tuple[DistFile, ...]],
        raw: dict[ReleaseKey | None, list[Any]] | None = None,
    ) -> None:
        self.url = url
        self._groups, self._read = groups, read
        """Each release's entries (None: files that are neither wheels nor sdists), as
        `read` makes them into `DistFile`s."""
        self.raw = raw
        """The PEP 691 entries by release, when the page was parsed from them: what the
        cache keeps, in a form read release by release too (`storedpage`)."""
        self._releases: dict[ReleaseKey, tuple[DistFile, ...]] = {}

    @property
    def empty(self) -> bool:
        """Whether the page lists no file at all."""
        return not self._groups

    def versions(self, name: NormalizedName) -> list[Version]:
        """The versions of `name` that the page has files of, in no order."""
        return [key[1] for key in self._groups if key is not None and key[0] == name]

    def release(self, name: NormalizedName, version: Version) -> tuple[DistFile, ...]:
        """The files of one release, in page order (PageError when one is malformed)."""
        key = (name, version)
        found = self._releases.get(key)
        if found is None:
            group = self._groups.get(key)
            found = () if group is None else self._read(group, self.url)
            self._releases[key] = found
        return found

    def files(self) -> tuple[DistFile, ...]:
        """Every file, release by release in the order the page first names them, whatever
        its name (PageError when one is malformed)."""
        return tuple(f for group in self._groups.values() for f in self._read(group, self.url))


def _entries_page(
    url: str, entries: list[Any], read: Callable[[Any, str], DistFile], *, raw: bool = False
) -> ProjectPage:
    """A page of entries that `read` makes into `DistFile`s one by one (`raw`: PEP 691
    entries, kept as `ProjectPage.raw`)."""
    groups: dict[ReleaseKey | None, list[Any]] = {}
    for entry in entries:
        groups.setdefault(_release_key(entry), []).append(entry)
    return ProjectPage(url, groups, partial(_read_each, read), groups if raw else None)


def _read_each(
    read: Callable[[Any, str], DistFile], entries: list[Any], url: str
) -> tuple[DistFile, ...]:
    return tuple(read(entry, url) for entry in entries)


def _release_key(entry: Any) -> ReleaseKey | None:
    """The release an entry's file name names (a `DistFile` or a raw JSON entry, whose
    `filename` the parser checked); None for a file that is neither a wheel nor an sdist.
    No `FileName` is made: this runs for every file of every page."""
    filename = entry.filename if isinstance(entry, DistFile) else entry["filename"]
    parts = split_filename(filename)
    return None if parts is None else release_key_of(parts[0], parts[1])


def parse_page(body: bytes, content_type: str, url: str) -> ProjectPage:
    """Parse a page by its Content-Type: PEP 691 JSON, else PEP 503 HTML."""
    if content_type.split(";", maxsplit=1)[0].strip().lower() == JSON_TYPE:
        return parse_json(body, url)
    return parse_html(body, url)


def parse_json(body: bytes, url: str) -> ProjectPage:
    """Parse a PEP 691 project page: the page's shape and every entry's file name now,
    the rest of an entry when its release is read (`ProjectPage`)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PageError(f"invalid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise PageError("not a PEP 691 project page (no 'files' list)")
    version = str(data.get("meta", {}).get("api-version", "1.0"))
    if version.split(".", maxsplit=1)[0] != "1":
        raise PageError(f"unsupported simple API version {version}")
    for item in data["files"]:
        json_entry(item)
    return _entries_page(url, data["files"], json_file, raw=True)


def json_entry(item: object) -> dict[str, Any]:
    """A PEP 691 file entry: a table with a string `filename` (PageError otherwise)."""
    if type(item) is not dict or type(item.get("filename")) is not str:
        raise PageError(f"a file entry without a filename: {item!r:.80}")
    return item


def json_file(item: Mapping[str, Any], page_url: str) -> DistFile:
    """A PEP 691 file entry (a table with a string `filename`) as a `DistFile`, every
    value checked (PageError naming the file)."""
    if not isinstance(item.get("url"), str):
        raise PageError(f"file {item['filename']!r} has no url")
    filename = item["filename"]
    hashes = item.get("hashes") or {}
    if not isinstance(hashes, dict):
        raise PageError(f"file {filename!r}: hashes is not a table")
    metadata = item.get("core-metadata", item.get("dist-info-metadata"))
    size = item.get("size")
    uploaded = item.get("upload-time")
    return DistFile(
        filename=filename,
        url=_absolute(page_url, item["url"]),
        sha256=_sha256(hashes.get("sha256"), filename),
        requires_python=_text(item.get("requires-python"), filename, "requires-python"),
        yanked=_yanked(item.get("yanked", False)),
        metadata_sha256=_metadata_json(metadata, filename),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        upload_time_text=uploaded
        if uploaded is None or isinstance(uploaded, str)
        else repr(uploaded),
    )


_PLAIN_WEB_URL = re.compile(r"https?://[^#?]*")


def _absolute(page_url: str, href: str) -> str:
    """`href` resolved against the page, without its fragment. A plain absolute web URL
    (what PyPI lists: a page holds thousands) is its own answer: `urljoin` would return
    it unchanged, at a cost that dominated reading large pages."""
    if _PLAIN_WEB_URL.fullmatch(href):
        return href
    return urldefrag(urljoin(page_url, href))[0]


def _upload_time(value: object) -> tuple[datetime | None, str | None]:
    """PEP 700's `upload-time`, read strictly; what is wrong with it when it is there but
    not in PEP 700's form (shown escaped: it is index data)."""
    if value is None:
        return None, None
    try:
        return parse_upload_time(value), None
    except ValueError as exc:
        return None, escaped(str(exc))


def _yanked(value: object) -> str | None:
    """The yank reason, escaped: it is only ever shown to a person."""
    if value is False or value is None:
        return None
    return escaped(value) if isinstance(value, str) else ""


def _metadata_json(value: object, filename: str) -> str | None:
    if isinstance(value, dict):
        return _sha256(value.get("sha256"), f"{filename}.metadata") or ""
    return "" if value is True else None


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _sha256(value: object, filename: str) -> str | None:
    """A sha256 as the index gives it, lower-cased; anything but 64 hex digits makes the
    page unreadable (it would be written into locks, or compared with downloaded bytes)."""
    if type(value) is str and _SHA256.fullmatch(value):
        return value  # as PyPI gives it (checked first: a page lists thousands)
    if value is None or value == "":
        return None
    digest = value.lower() if isinstance(value, str) else None
    if digest is None or not _SHA256.fullmatch(digest):
        raise PageError(f"file {filename!r}: sha256 is not 64 hex digits: {value!r:.80}")
    return digest


def _text(value: object, filename: str, key: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise PageError(f"file {filename!r}: {key} is not a string: {value!r:.80}")
    return value


def parse_html(body: bytes, url: str) -> ProjectPage:
    """Parse a PEP 503 project page or a find-links page: every anchor is a file."""
    parser = _AnchorParser()
    parser.feed(body.decode("utf-8", errors="replace"))
    base = urljoin(url, parser.base) if parser.base else url
    files = (_html_file(attrs, base) for attrs in parser.anchors)
    # Read whole: the parser has already made a table of every anchor.
    return _entries_page(url, [f for f in files if f is not None], _as_read)


def _as_read(file: DistFile, _page_url: str) -> DistFile:
    return file


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str | None]] = []
        self.base: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(dict(attrs))
        elif tag == "base" and self.base is None:
            self.base = dict(attrs).get("href")


def _html_file(attrs: Mapping[str, str | None], base: str) -> DistFile | None:
    href = attrs.get("href")
    if not href:
        return None
    absolute, fragment = urldefrag(urljoin(base, href))
    filename = absolute.rsplit("/", 1)[-1].split("?", 1)[0]
    return DistFile(
        filename=unquote(filename),
        url=absolute,
        sha256=_fragment_sha256(fragment, filename),
        requires_python=attrs.get("data-requires-python") or None,
        yanked=_yanked(attrs["data-yanked"] or True) if "data-yanked" in attrs else None,
        metadata_sha256=_metadata_html(attrs),
    )


def _fragment_sha256(fragment: str, filename: str) -> str | None:
    algo, _, value = fragment.partition("=")
    return _sha256(value, filename) if algo == "sha256" else None


def _metadata_html(attrs: Mapping[str, str | None]) -> str | None:
    for key in ("data-core-metadata", "data-dist-info-metadata"):  # PEP 714 name first
        if key in attrs:
            # "true" or "sha256=<hex>"; any value means the file exists (PEP 658).
            algo, _, digest = (attrs[key] or "").partition("=")
            return (_sha256(digest, "a .metadata file") or "") if algo == "sha256" else ""
    return None
