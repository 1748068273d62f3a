"""The index client: which files a project has, and what a release's metadata says
(shell: wires `network`, `cache`, the page parsers and the archive readers).

The core sees only the `core.index.source.Source` protocol. `IndexRepository` implements
it over the configured indexes and find-links, fetching in a thread pool: `prefetch…`
starts work the resolver will need soon, `files` and `metadata` wait for it. Results never
depend on the order in which fetches finish.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

from pipx_lockext.core.errors import IntegrityError, NetworkError, UsageError
from pipx_lockext.core.index.coremeta import (
    BadDistribution,
    CoreMetadata,
    MetadataError,
    parse_metadata,
)
from pipx_lockext.core.index.indexpages import (
    ACCEPT,
    DistFile,
    PageError,
    ProjectPage,
    parse_html,
    parse_page,
)
from pipx_lockext.core.index.netconfig import NetConfig, from_pip, with_index
from pipx_lockext.core.inputs.settings import IndexSettings
from pipx_lockext.edges.index.archives import (
    TAIL,
    ArchiveError,
    sdist_metadata,
    wheel_metadata,
    wheel_metadata_by_ranges,
)
from pipx_lockext.edges.index.cache import Cache, CachedPage, default_cache_dir
from pipx_lockext.edges.index.network import Http, Response, redact, split_credentials
from pipx_lockext.edges.index.pipconfig import pip_options
from pipx_lockext.edges.index.sdistbuild import BuildError, build_metadata, build_requirements

T = TypeVar("T")

DEFAULT_MAX_AGE = 600.0
"""Freshness of a page whose index sends no Cache-Control (`--refresh` overrides it)."""


class IndexRepository:
    """A `Source` over simple indexes and find-links, with a cache and a thread pool."""

    def __init__(
        self,
        config: NetConfig,
        http: Http,
        cache: Cache | None,
        *,
        offline: bool = False,
        refresh: bool = False,
        workers: int = 16,
        speculate: bool = True,
    ) -> None:
        self.config, self.http, self.cache = config, http, cache
        self.offline, self.refresh = offline, refresh
        self.speculate = speculate
        """Fetch ahead what the resolver will most likely ask for next: the newest
        release's metadata when a project's files arrive, the project pages of its
        dependencies when metadata arrives. Only the time changes, never a result."""
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="reqlock-fetch")
        self._lock = threading.Lock()
        self._files: dict[str, Future[tuple[DistFile, ...]]] = {}
        self._metadata_of: dict[str, Future[CoreMetadata]] = {}
        self._hashes: dict[str, Future[str]] = {}
        self._builds: dict[str, Future[tuple[Requirement, ...]]] = {}
        self._closed = False
        self._links: tuple[DistFile, ...] | None = None
        self._links_lock = threading.Lock()

    def close(self) -> None:
        """Stop: queued work is cancelled and running work starts nothing new."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def prefetch(self, names: Iterable[NormalizedName]) -> None:
        if self._closed:
            return
        for name in names:
            self._start(self._files, canonicalize_name(name), self._find)

    def prefetch_metadata(self, files: Iterable[DistFile]) -> None:
        if self._closed:
            return
        for file in files:
            self._start(self._metadata_of, file.url, self._metadata_work(file))

    def files(self, name: NormalizedName) -> tuple[DistFile, ...]:
        """Every file of the project: from the first index that has it (or all of them,
        with `unsafe-best-match`), plus find-links, in a stable order."""
        return self._start(self._files, canonicalize_name(name), self._find).result()

    def metadata(self, file: DistFile) -> CoreMetadata:
        """The release's core metadata; BadDistribution when it cannot be read."""
        return self._start(self._metadata_of, file.url, self._metadata_work(file)).result()

    def sha256(self, file: DistFile) -> str:
        """The file's sha256: the index's when it lists one, else read from the file
        (find-links directories and pages without hash fragments)."""
        if file.sha256:
            return file.sha256
        return self._start(self._hashes, file.url, self._hash_work(file)).result()

    def build_requirements(self, file: DistFile) -> tuple[Requirement, ...]:
        """An sdist's build requirements (its bytes checked against the index's hash);
        BadDistribution when they cannot be read."""
        return self._start(self._builds, file.url, self._build_work(file)).result()

    def _build_work(self, file: DistFile) -> Callable[[str], tuple[Requirement, ...]]:
        def work(_url: str) -> tuple[Requirement, ...]:
            try:
                texts = build_requirements(self._whole(file), file.filename)
                return tuple(Requirement(text) for text in texts)
            except (BuildError, InvalidRequirement) as exc:
                raise BadDistribution(f"{file.filename}: build requirements: {exc}") from None

        return work

    def _hash_work(self, file: DistFile) -> Callable[[str], str]:
        return lambda _url: hashlib.sha256(self._whole(file)).hexdigest()

    def _metadata_work(self, file: DistFile) -> Callable[[str], CoreMetadata]:
        return lambda _url: self._metadata(file)

    def _start(self, table: dict[str, Future[T]], key: str, work: Callable[[str], T]) -> Future[T]:
        """The one future computing `work(key)`, started on first request."""
        with self._lock:
            future = table.get(key)
            if future is None:
                future = table[key] = self._pool.submit(work, key)
            return future

    # -- files ---------------------------------------------------------------------------

    def _find(self, name: str) -> tuple[DistFile, ...]:
        found: list[DistFile] = []
        for index in self.config.indexes_for(name):
            page = self._project_page(index, name)
            if page is not None and page.files:
                found.extend(page.files)
                if self.config.index_strategy == "first-index":
                    break
        found.extend(f for f in self._find_links() if f.parsed and f.parsed.name == name)
        _same_bytes_everywhere(found)
        if self.speculate:
            self.prefetch_metadata(_likely_metadata(found))
        return tuple(found)

    def _project_page(self, index: str, name: str) -> ProjectPage | None:
        url = f"{split_credentials(index)[0].rstrip('/')}/{name}/"
        cached = self.cache.page(url) if self.cache else None
        now = self.cache.clock() if self.cache else 0.0
        if cached and (self.offline or (not self.refresh and cached.fresh(now))):
            return _parse(cached)
        if self.offline:
            raise NetworkError(f"{redact(url)}: not in the cache, and --offline forbids fetching")
        response = self._get(url, _validators(cached))
        if response.status == 304 and cached:
            return _parse(self._store(cached, response))
        if response.status == 404:
            return None
        _check_status(response, url)
        page = CachedPage(
            url, response.headers.get("content-type", "text/html"), response.body,
            response.headers.get("etag"), response.headers.get("last-modified"),
        )  # fmt: skip
        return _parse(self._store(page, response))

    def _store(self, page: CachedPage, response: Response) -> CachedPage:
        page = replace(page, max_age=_max_age(response))
        return self.cache.store_page(page) if self.cache else page

    def _find_links(self) -> tuple[DistFile, ...]:
        # Read once, under a lock rather than in the pool: workers waiting on a queued
        # pool task could take every thread and never let it run.
        with self._links_lock:
            if self._links is None:
                files = (f for loc in self.config.find_links for f in self._link_files(loc))
                self._links = tuple(files)
            return self._links

    def _link_files(self, location: str) -> Iterable[DistFile]:
        path = _local_path(location)
        if path is not None and path.is_dir():
            entries = sorted(p for p in path.iterdir() if p.is_file())
            return (DistFile(p.name, p.as_uri(), None) for p in entries)
        response = self._get(location, {"Accept": "text/html"})
        _check_status(response, location)
        try:
            return parse_html(response.body, response.url).files
        except PageError as exc:
            raise NetworkError(f"{redact(location)}: unreadable find-links page ({exc})") from None

    def _get(self, url: str, headers: dict[str, str]) -> Response:
        path = _local_path(url)
        if path is None:
            return self.http.get(url, headers)
        if path.is_dir():
            path = path / "index.html"
        try:
            body = path.read_bytes()
        except OSError:
            return Response(url, 404, {}, b"")
        return Response(url, 200, {"content-type": "text/html"}, body)

    # -- metadata ------------------------------------------------------------------------

    def _metadata(self, file: DistFile) -> CoreMetadata:
        data = self.cache.metadata(file.sha256) if self.cache and file.sha256 else None
        fetched = data is None
        if data is None:
            data = self._fetch_metadata(file)
        try:
            meta = parse_metadata(data)
        except MetadataError as exc:
            raise BadDistribution(f"{file.filename}: {exc}") from None
        if fetched and self.cache and file.sha256:
            self.cache.store_metadata(file.sha256, data)
        if self.speculate:
            self.prefetch(
                canonicalize_name(r.name) for r in meta.requires_dist if not _needs_extra(r)
            )
        return meta

    def _fetch_metadata(self, file: DistFile) -> bytes:
        if file.has_metadata_file:
            response = self._get(file.url + ".metadata", {})
            if response.status == 200:
                _check_hash(response.body, file.metadata_sha256, file.url + ".metadata")
                return response.body
        kind = file.parsed.kind if file.parsed else None
        try:
            if kind == "wheel":
                return self._wheel_metadata(file)
            if kind == "sdist":
                return self._sdist_metadata(file)
        except ArchiveError as exc:
            raise BadDistribution(str(exc)) from None
        raise BadDistribution(f"{file.filename}: neither a wheel nor an sdist")

    def _wheel_metadata(self, file: DistFile) -> bytes:
        if _local_path(file.url) is None:
            response = self._get(file.url, {"Range": f"bytes=-{TAIL}"})
            total = _range_total(response)
            if total is not None:
                read = self._range_reader(file.url)
                return wheel_metadata_by_ranges(read, total, response.body, file.filename)
            if response.status == 200:
                _check_hash(response.body, file.sha256, file.url)
                return wheel_metadata(response.body, file.filename)
        return wheel_metadata(self._whole(file), file.filename)

    def _sdist_metadata(self, file: DistFile) -> bytes:
        """PKG-INFO when PEP 643 says it is reliable, else what the backend builds."""
        data = self._whole(file)
        pkg_info = sdist_metadata(data, file.filename)
        try:
            if parse_metadata(pkg_info).static_for_resolution:
                return pkg_info
        except MetadataError:
            pass  # the backend may still produce good metadata
        try:
            return build_metadata(data, file.filename, self.config)
        except BuildError as exc:
            raise BadDistribution(str(exc)) from None

    def _range_reader(self, url: str) -> Callable[[int, int], bytes]:
        def read(start: int, end: int) -> bytes:
            response = self._get(url, {"Range": f"bytes={start}-{end - 1}"})
            if response.status != 206 or len(response.body) != end - start:
                raise NetworkError(f"{redact(url)}: bad range response ({response.status})")
            return response.body

        return read

    def _whole(self, file: DistFile) -> bytes:
        response = self._get(file.url, {})
        _check_status(response, file.url)
        _check_hash(response.body, file.sha256, file.url)
        return response.body


def _same_bytes_everywhere(files: list[DistFile]) -> None:
    """The same file name offered with two different hashes (by two indexes, or an index
    and find-links) means one of them serves other bytes than it claims: refuse both."""
    seen: dict[str, DistFile] = {}
    for file in files:
        other = seen.setdefault(file.filename, file)
        if file.sha256 and other.sha256 and file.sha256 != other.sha256:
            raise IntegrityError(
                f"{file.filename}: {redact(other.url)} and {redact(file.url)} serve different "
                f"bytes under the same name (sha256 {other.sha256} and {file.sha256})"
            )


def _likely_metadata(files: list[DistFile]) -> list[DistFile]:
    """The file whose metadata a resolver most likely needs first: a wheel of the newest
    final, unyanked release, a pure one when there is one (no sdist: that may mean a
    build)."""
    releases = [f for f in files if f.parsed and f.yanked is None and f.parsed.kind == "wheel"]
    finals = [f for f in releases if f.parsed and not f.parsed.version.is_prerelease]
    if not finals:
        return []
    newest = max(f.parsed.version for f in finals if f.parsed)
    mine = [f for f in finals if f.parsed and f.parsed.version == newest]
    return [min(mine, key=lambda f: (not f.filename.endswith("-none-any.whl"), f.filename))]


def _needs_extra(requirement: Requirement) -> bool:
    return requirement.marker is not None and "extra" in str(requirement.marker)


def _parse(page: CachedPage) -> ProjectPage:
    try:
        return parse_page(page.body, page.content_type, page.url)
    except PageError as exc:
        raise NetworkError(f"{redact(page.url)}: unreadable index page ({exc})") from None


def _validators(cached: CachedPage | None) -> dict[str, str]:
    headers = {"Accept": ACCEPT}
    if cached and cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached and cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    return headers


def _max_age(response: Response) -> float:
    """How long a page stays fresh: the index's Cache-Control, else PyPI's own 600 s."""
    control = response.headers.get("cache-control")
    if control is None:
        return DEFAULT_MAX_AGE
    for directive in control.split(","):
        key, _, value = directive.strip().partition("=")
        if key.lower() == "max-age" and value.isdigit():
            return float(value)
    return 0.0


def _check_status(response: Response, url: str) -> None:
    if response.status in {401, 403}:
        what = f"authentication failed (HTTP {response.status})"
        raise NetworkError(f"{redact(url)}: {what}; check the credentials for this index")
    if response.status != 200:
        raise NetworkError(f"{redact(url)}: HTTP {response.status}")


def _check_hash(body: bytes, expected: str | None, url: str) -> None:
    if not expected:
        return
    got = hashlib.sha256(body).hexdigest()
    if got != expected:
        raise IntegrityError(
            f"{redact(url)}: sha256 {got} does not match the index's {expected}; "
            "the file was changed or corrupted on its way"
        )


def _range_total(response: Response) -> int | None:
    if response.status != 206:
        return None
    total = response.headers.get("content-range", "").rpartition("/")[2]
    return int(total) if total.isdigit() else None


def _local_path(location: str) -> Path | None:
    """The local path a find-links entry or `file:` URL names; None for a web URL."""
    parts = urlsplit(location)
    if parts.scheme == "file":
        return Path(url2pathname(unquote(parts.path)))
    if parts.scheme in {"http", "https"}:
        return None
    return Path(location)


def open_repository(
    index: IndexSettings,
    *,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    offline: bool = False,
    refresh: bool = False,
    environ: Mapping[str, str] | None = None,
) -> IndexRepository:
    """The repository a command reads: `index` (the project's settings, with any
    command-line flags over them) over pip's configuration; the cache in `cache_dir`
    (default: `default_cache_dir`)."""
    try:
        config = from_pip(pip_options(environ))
    except ValueError as exc:
        raise UsageError(f"pip configuration: {exc}") from None
    config = with_index(config, index)
    cache = None if no_cache else Cache(cache_dir or default_cache_dir(environ))
    return IndexRepository(config, Http(config), cache, offline=offline, refresh=refresh)
