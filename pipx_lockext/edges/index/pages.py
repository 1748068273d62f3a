"""A project's page on one index, under the cache policy (edge: index pages through
`transport` and the `cache`).

It owns when a page is fetched: a cached page is used while fresh (the index's
Cache-Control max-age, else `DEFAULT_MAX_AGE`), always with `--offline` and never with
`--refresh`; a stale one is revalidated with its ETag / Last-Modified (304 keeps it);
404 means the index has no such project. A PEP 691 page is cached in `storedpage`'s form,
and a cached page that does not read is fetched again. A page's entries are read release
by release (`release_files`), each checked as it is read. It must not decide which indexes
to ask or in what order, nor read distribution files.
"""

from __future__ import annotations

from dataclasses import replace

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.errors import NetworkError
from pipx_lockext.core.index.indexpages import (
    ACCEPT,
    DistFile,
    PageError,
    ProjectPage,
    parse_page,
)
from pipx_lockext.core.index.projectlist import PROJECT_LIST_ACCEPT, parse_project_list
from pipx_lockext.core.index.storedpage import STORED_TYPE, parse_stored, stored_body
from pipx_lockext.edges.index.cache import Cache, CachedPage
from pipx_lockext.edges.index.network import Response, redact, split_credentials
from pipx_lockext.edges.index.transport import Transport, check_status, web_links_only

DEFAULT_MAX_AGE = 600.0
"""Freshness of a page whose index sends no Cache-Control (`--refresh` overrides it)."""


class Pages:
    """Project pages of any index, through the cache when there is one."""

    def __init__(
        self,
        transport: Transport,
        cache: Cache | None,
        *,
        offline: bool = False,
        refresh: bool = False,
    ) -> None:
        self.transport, self.cache = transport, cache
        self.offline, self.refresh = offline, refresh

    def project_page(self, index: str, name: str) -> ProjectPage | None:
        """The page of project `name` on `index`; None when the index has no such page."""
        url = _page_url(index, name)
        cached = self.cache.page(url) if self.cache else None
        page = _from_cache(cached) if cached else None
        cached = cached if page else None  # a cached page that does not read: fetched again
        if page and cached and self._served(cached):
            return page
        if self.offline:
            raise NetworkError(f"{redact(url)}: not in the cache, and --offline forbids fetching")
        response = self.transport.get(url, _validators(cached))
        if response.status == 304 and cached and page:
            self._store(cached, response)
            return page
        if response.status == 404:
            return None
        check_status(response, url)
        fetched = _as_fetched(url, response)
        page = _parse(fetched)
        stored = stored_body(page)  # a JSON page is kept release by release
        if stored is not None:
            fetched = replace(fetched, content_type=STORED_TYPE, body=stored)
        self._store(fetched, response)
        return page

    def served_from_cache(self, index: str, name: str) -> bool:
        """Whether `project_page` would answer from the cache without asking the index
        (a hint, from the entry's header: see `Cache.page_fresh`)."""
        return self.cache is not None and self._answered(
            self.cache.page_fresh(_page_url(index, name))
        )

    def project_names(self, index: str) -> frozenset[NormalizedName]:
        """Every project `index` lists on its root page, under the same cache policy as
        a project's page; NetworkError when it cannot be had."""
        url = f"{split_credentials(index)[0].rstrip('/')}/"
        cached = self.cache.page(url) if self.cache else None
        if cached is None or not self._served(cached):
            if self.offline:
                raise NetworkError(f"{redact(url)}: not in the cache (--offline)")
            headers = {**_validators(cached), "Accept": PROJECT_LIST_ACCEPT}
            response = self.transport.get(url, headers)
            if response.status != 304 or cached is None:
                check_status(response, url)
                cached = _as_fetched(url, response)
            self._store(cached, response)
        return parse_project_list(cached.body, cached.content_type)

    def _served(self, cached: CachedPage) -> bool:
        """Whether `cached` is answered without asking the index (`_answered`)."""
        return self._answered(cached.fresh(self.cache.clock() if self.cache else 0.0))

    def _answered(self, fresh: bool) -> bool:
        """Whether a cached page is answered without asking the index: while `fresh`
        (unless --refresh), and always with --offline."""
        return self.offline or (not self.refresh and fresh)

    def _store(self, page: CachedPage, response: Response) -> None:
        if self.cache:
            self.cache.store_page(replace(page, max_age=max_age(response)))


def _page_url(index: str, name: str) -> str:
    """The page of project `name` on `index`, without credentials."""
    return f"{split_credentials(index)[0].rstrip('/')}/{name}/"


def _as_fetched(url: str, response: Response) -> CachedPage:
    """A page as the index answered it, with its validators."""
    return CachedPage(
        url, response.headers.get("content-type", "text/html"), response.body,
        response.headers.get("etag"), response.headers.get("last-modified"),
    )  # fmt: skip


def max_age(response: Response) -> float:
    """How long a page stays fresh: the index's Cache-Control, else PyPI's own 600 s."""
    control = response.headers.get("cache-control")
    if control is None:
        return DEFAULT_MAX_AGE
    for directive in control.split(","):
        key, _, value = directive.strip().partition("=")
        if key.lower() == "max-age" and value.isdigit():
            return float(value)
    return 0.0


def _validators(cached: CachedPage | None) -> dict[str, str]:
    headers = {"Accept": ACCEPT}
    if cached and cached.etag:
        headers["If-None-Match"] = cached.etag
    if cached and cached.last_modified:
        headers["If-Modified-Since"] = cached.last_modified
    return headers


def _from_cache(page: CachedPage) -> ProjectPage | None:
    """A cached page, read; None when it does not read (the cache is untrusted: the page
    is fetched again)."""
    try:
        if page.content_type == STORED_TYPE:
            return parse_stored(page.body, page.url)
        return parse_page(page.body, page.content_type, page.url)
    except PageError:
        return None


def _parse(page: CachedPage) -> ProjectPage:
    try:
        return parse_page(page.body, page.content_type, page.url)
    except PageError as exc:
        raise _unreadable(page.url, exc) from None


def release_files(
    page: ProjectPage, name: NormalizedName, version: Version
) -> tuple[DistFile, ...]:
    """The files of one release on `page`, read and checked now (`ProjectPage`):
    NetworkError naming the page for an entry that is malformed or links where a page
    from the web may not."""
    try:
        files = page.release(name, version)
    except PageError as exc:
        raise _unreadable(page.url, exc) from None
    web_links_only(page.url, files)
    return files


def every_file(page: ProjectPage) -> tuple[DistFile, ...]:
    """Every file on `page`, read and checked as `release_files` reads one release's."""
    try:
        files = page.files()
    except PageError as exc:
        raise _unreadable(page.url, exc) from None
    web_links_only(page.url, files)
    return files


def _unreadable(url: str, exc: PageError) -> NetworkError:
    return NetworkError(f"{redact(url)}: unreadable index page ({exc})")
