"""The index client: `core.index.source.Source` over the configured indexes and find-links
(edge: runs the fetches of `pages`, `findlinks` and `metadata` in a thread pool).

It owns concurrency and order: one future per project page, metadata, hash and build
requirements, started on first request (`prefetch…` starts them early, `files` and the
rest wait for them), and speculation (fetching ahead what the resolver will most likely
ask next). It also decides which indexes a name is taken from (`first-index` or every one,
in `NetConfig.indexes` order), asks every index so as to warn about a name that several
offer with different releases (`warnings`), and puts find-links after them. Results
never depend on the order in which fetches finish. It must not fetch, cache, parse or
check bytes itself: the modules it wires do. `open_repository` is the one way commands build it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import TypeVar

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from pipx_lockext.core.errors import NetworkError, UsageError
from pipx_lockext.core.index.coremeta import CoreMetadata
from pipx_lockext.core.index.indexpages import DistFile, ProjectPage
from pipx_lockext.core.index.listing import Listing
from pipx_lockext.core.index.netconfig import NetConfig, from_pip, with_index
from pipx_lockext.core.inputs.settings import IndexSettings
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.edges.index.buildenv import BuildEnvironments
from pipx_lockext.edges.index.cache import Cache, default_cache_dir
from pipx_lockext.edges.index.findlinks import FindLinks
from pipx_lockext.edges.index.integrity import Downloads, same_bytes_everywhere
from pipx_lockext.edges.index.metadata import MetadataReader
from pipx_lockext.edges.index.network import Http, redact
from pipx_lockext.edges.index.pages import Pages, every_file, release_files
from pipx_lockext.edges.index.pipconfig import pip_options
from pipx_lockext.edges.index.transport import Transport
from pipx_lockext.edges.venvs.processes import stoppable

T = TypeVar("T")


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
        builds: bool = True,
        progress: Progress = NO_PROGRESS,
    ) -> None:
        self.config = config
        self._progress = progress
        """Told when each fetch starts and ends (from the pool's threads)."""
        transport = Transport(http)
        self._pages = Pages(transport, cache, offline=offline, refresh=refresh)
        self._links = FindLinks(config.find_links, transport)
        self._downloads = Downloads(transport)
        # Build requirements are resolved through a second client over the same indexes
        # that builds nothing (builds=False) and has its own pool (see BuildEnvironments).
        own = partial(IndexRepository, config, http, cache, offline=offline, refresh=refresh,
                      workers=4, speculate=False, builds=False, progress=progress)  # fmt: skip
        self._envs = BuildEnvironments(own, self._downloads) if builds else None
        self._http = http
        self._reader = MetadataReader(self._downloads, cache, self._envs, stoppable(http.stopping))
        self.speculate = speculate
        """Fetch ahead what the resolver will most likely ask for next: the newest
        release's metadata when a project's files arrive, the project pages of its
        dependencies when metadata arrives. Only the time changes, never a result."""
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="reqlock-fetch")
        self._lock = threading.Lock()
        self._files: dict[str, Future[Listing]] = {}
        self._metadata: dict[str, Future[CoreMetadata]] = {}
        self._cached: dict[str, bool] = {}
        """Per file URL, whether its metadata was in the cache when first asked about."""
        self._fresh: dict[str, bool] = {}
        """Per project, whether its pages were fresh in the cache when first asked about."""
        self._hashes: dict[str, Future[str]] = {}
        self._builds: dict[str, Future[tuple[Requirement, ...]]] = {}
        self._archives: dict[str, Future[DistFile]] = {}
        self._shadowed: dict[str, str] = {}
        self._asked: set[str] = set()
        self._closed = False

    def close(self) -> None:
        """Stop: queued work is cancelled, and running work ends at its next download
        piece or build poll (`Http.stop`), so that the exit does not wait for fetches
        ahead that nobody needs any more (a root's sdist build went on for seconds after
        a conflict was reported)."""
        self._closed = True
        self._http.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._envs is not None:
            self._envs.close()

    def prefetch(self, names: Iterable[NormalizedName]) -> None:
        if not self._closed:
            for name in names:
                if not self._page_cached(name):
                    self._files_of(name)

    def prefetch_metadata(self, files: Iterable[DistFile]) -> None:
        if not self._closed:
            for file in files:
                if not self._in_cache(file):
                    self._metadata_of(file)

    def files(self, name: NormalizedName) -> Listing:
        """Every file of the project: from the first index that has it (or all of them,
        with `unsafe-best-match`), plus find-links, in a stable order."""
        with self._lock:
            self._asked.add(canonicalize_name(name))
        return self._files_of(name, inline=self._page_cached(name)).result()

    def _page_cached(self, name: NormalizedName) -> bool:
        """Whether every page `name` is looked up on is fresh in the cache: then the files
        are read on the thread that needs them (as `_in_cache` for metadata)."""
        key = canonicalize_name(name)
        known = self._fresh.get(key)
        if known is None:
            indexes = self.config.indexes_for(key)
            known = all(self._pages.served_from_cache(index, key) for index in indexes)
            self._fresh[key] = known
        return known

    def project_names(self, name: NormalizedName) -> frozenset[NormalizedName]:
        """Every project the indexes that `name` is looked up on list (their root pages),
        to suggest the name meant; what cannot be had is left out (an error that is
        already being reported must not become a network error)."""
        found: list[frozenset[NormalizedName]] = []
        for index in self.config.indexes_for(name):
            work = partial(self._pages.project_names, index)
            with contextlib.suppress(NetworkError):
                found.append(self._reported("page", f"the project list of {redact(index)}", work))
        return found[0] if len(found) == 1 else frozenset().union(*found)

    def warnings(self) -> tuple[str, ...]:
        """What the caller should tell the user, sorted: each name asked for (never one
        only fetched ahead, so that speculation changes no output) that more than one
        index offers with different releases."""
        with self._lock:
            return tuple(self._shadowed[n] for n in sorted(self._asked & self._shadowed.keys()))

    def metadata(self, file: DistFile) -> CoreMetadata:
        """The release's core metadata; BadDistribution when it cannot be read."""
        return self._metadata_of(file, inline=self._in_cache(file)).result()

    def _in_cache(self, file: DistFile) -> bool:
        """Whether the file's metadata is in the cache: then it is read on the thread
        that needs it, when it does, never fetched ahead (reading it is work for the
        interpreter, not a wait: a pool thread doing it only takes turns at the
        interpreter lock with the resolver)."""
        known = self._cached.get(file.url)
        if known is None:
            known = self._cached[file.url] = self._reader.is_cached(file)
        return known

    def sha256(self, file: DistFile) -> str:
        """The file's sha256: the index's when it lists one, else read from the file
        (find-links directories and pages without hash fragments)."""
        if file.sha256:
            return file.sha256
        work = partial(self._downloads.sha256, file)
        return self._start(self._hashes, file.url, work, "hash", file.filename).result()

    def archive(self, name: NormalizedName, url: str) -> DistFile:
        """A direct URL's source archive, downloaded and built once per run (see
        `Source.archive`); its metadata is then what `metadata` answers for it."""
        work = partial(self._archive, name, url)
        # Per name too: the name check is part of the answer (built once: the second
        # finds the metadata cached under the bytes' hash).
        return self._start(self._archives, f"{name} {url}", work, "build", url).result()

    def _archive(self, name: NormalizedName, url: str) -> DistFile:
        file, meta = self._reader.archive(name, url)
        done: Future[CoreMetadata] = Future()
        done.set_result(meta)
        with self._lock:
            self._metadata.setdefault(file.url, done)
        return file

    def build_requirements(self, file: DistFile) -> tuple[Requirement, ...]:
        """An sdist's build requirements (its bytes checked against the index's hash);
        BadDistribution when they cannot be read."""
        work = partial(self._reader.build_requirements, file)
        return self._start(self._builds, file.url, work, "build", file.filename).result()

    def _files_of(self, name: str, *, inline: bool = False) -> Future[Listing]:
        key = canonicalize_name(name)
        return self._start(self._files, key, partial(self._find, key), "page", key, inline=inline)

    def _metadata_of(self, file: DistFile, *, inline: bool = False) -> Future[CoreMetadata]:
        work = partial(self._read, file)
        return self._start(
            self._metadata, file.url, work, "metadata", file.filename, inline=inline
        )

    def _start(
        self,
        table: dict[str, Future[T]],
        key: str,
        work: Callable[[], T],
        kind: str,
        what: str,
        *,
        inline: bool = False,
    ) -> Future[T]:
        """The one future computing `work()` for `key`, started on first request (a fetch
        of `kind` naming `what`, as progress reports it); `inline`: computed now, on the
        calling thread, unless another request has started it."""
        future = table.get(key)  # most requests find it: no lock to wait for then
        if future is not None:
            return future
        with self._lock:
            future = table.get(key)
            if future is not None:
                return future
            if not inline:
                future = table[key] = self._pool.submit(self._reported, kind, what, work)
                return future
            future = table[key] = Future()
        try:
            future.set_result(work())
        except BaseException as exc:
            future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise  # Ctrl-C stops the run, whoever waits on the future
        return future

    def _reported(self, kind: str, what: str, work: Callable[[], T]) -> T:
        self._progress.fetch_started(kind, what)
        try:
            return work()
        finally:
            self._progress.fetch_finished(kind, what)

    def _find(self, name: NormalizedName) -> Listing:
        offered = self._offered(name)
        used = offered[:1] if self.config.index_strategy == "first-index" else offered
        # Find-links are not filtered by upload time: they carry none, and are the user's own.
        links = [f for f in self._links.files() if f.parsed and f.parsed.name == name]
        warning = shadowing(name, offered)
        if warning:
            with self._lock:
                self._shadowed[name] = warning
        cutoff = self.config.uploaded_before
        if cutoff is None:
            pages = [page for _, page in used]
            versions = {v for page in pages for v in page.versions(name)}
            versions.update(f.parsed.version for f in links if f.parsed)
            listing = Listing(name, versions, partial(_release, pages, links, name))
        else:  # every file's upload time is read at once: a release may be all late
            found = [f for index, page in used for f in uploaded_before(page, cutoff, index)]
            same_bytes_everywhere([*found, *links])
            listing = Listing.of(name, [*found, *links])
        if self.speculate:
            self.prefetch_metadata(_likely_metadata(listing))
        return listing

    def _offered(self, name: str) -> list[tuple[str, ProjectPage]]:
        """Each index that offers `name`, with its page, in the configured order. Every
        index is asked (to warn about shadowing), but once one offers the name under
        `first-index`, a later one that cannot answer costs only the warning."""
        offered: list[tuple[str, ProjectPage]] = []
        for index in self.config.indexes_for(name):
            try:
                page = self._pages.project_page(index, name)
            except NetworkError:
                if offered and self.config.index_strategy == "first-index":
                    continue
                raise
            if page is not None and not page.empty:
                offered.append((index, page))
        return offered

    def _read(self, file: DistFile) -> CoreMetadata:
        meta = self._reader.metadata(file)
        if self.speculate:
            self.prefetch(
                canonicalize_name(r.name) for r in meta.requires_dist if not _needs_extra(r)
            )
        return meta


def uploaded_before(page: ProjectPage, cutoff: datetime, index: str) -> tuple[DistFile, ...]:
    """The files on `index`'s page that were uploaded before `cutoff`; a file whose
    upload time the index does not give is a NetworkError naming the index: its lack, not
    the project's (an HTML-only index never gives one)."""
    files = every_file(page)
    for file in files:
        if file.upload_time is None:
            what = (
                f"the upload-time it gives for {file.filename} is {file.upload_time_problem}"
                if file.upload_time_problem
                else f"gives no upload-time for {file.filename} (PEP 700: JSON pages only)"
            )
            raise NetworkError(
                f"{redact(index)}: {what}; --uploaded-prior-to needs one for every file: "
                "use an index that serves PEP 700 upload times, or drop the cutoff"
            )
    return tuple(f for f in files if f.upload_time is not None and f.upload_time < cutoff)


def _release(
    pages: list[ProjectPage], links: list[DistFile], name: NormalizedName, version: Version
) -> tuple[DistFile, ...]:
    """The files of one release on every page used and in find-links, in that order."""
    found = [f for page in pages for f in release_files(page, name, version)]
    found.extend(f for f in links if f.parsed and f.parsed.version == version)
    same_bytes_everywhere(found)  # a file name belongs to one release: all are compared
    return tuple(found)


def shadowing(name: str, offered: list[tuple[str, ProjectPage]]) -> str | None:
    """The warning for a name that several indexes offer with different releases (the
    first one listed is the one used), naming the `[tool.reqlock.package-index]` line that
    settles it; None when they all offer the same files (a mirror)."""
    if len(offered) < 2:
        return None
    first, page = offered[0]
    mine = _releases(every_file(page))
    other = next(
        (index for index, more in offered[1:] if _releases(every_file(more)) != mine), None
    )
    if other is None:
        return None
    return (
        f"{name} is offered by {redact(first)} and by {redact(other)} with different "
        f"releases; it is taken from {redact(first)}: if that is right, pin it there in "
        f'pyproject.toml, [tool.reqlock.package-index] {name} = "{redact(first)}"'
    )


def _releases(files: Iterable[DistFile]) -> frozenset[tuple[str, str | None]]:
    return frozenset((f.filename, f.sha256) for f in files)


def _likely_metadata(listing: Listing) -> list[DistFile]:
    """The file whose metadata a resolver most likely needs first: the pure wheel of the
    newest final, unyanked release. None when that release has no pure wheel: which of
    its wheels installs is not known here (the provider fetches ahead the one that does),
    and an sdist may mean a build."""
    for version in listing.versions:
        if version.is_prerelease:
            continue
        files = listing.files(version)
        if any(f.yanked is None for f in files):
            pure = [f for f in files if f.yanked is None and f.filename.endswith("-none-any.whl")]
            return sorted(pure, key=lambda f: f.filename)[:1]
    return []


def _needs_extra(requirement: Requirement) -> bool:
    return requirement.marker is not None and "extra" in str(requirement.marker)


def open_repository(
    index: IndexSettings,
    *,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    offline: bool = False,
    refresh: bool = False,
    environ: Mapping[str, str] | None = None,
    progress: Progress = NO_PROGRESS,
) -> IndexRepository:
    """The repository a command reads: `index` (the project's settings, with any
    command-line flags over them) over pip's configuration; the cache in `cache_dir`
    (default: `default_cache_dir`)."""
    try:
        config = from_pip(pip_options(environ))
    except ValueError as exc:
        raise UsageError(f"pip configuration: {exc}") from None
    config = with_index(config, index, datetime.now(timezone.utc))
    cache = None if no_cache else Cache(cache_dir or default_cache_dir(environ))
    return IndexRepository(
        config, Http(config), cache, offline=offline, refresh=refresh, progress=progress
    )
