"""Where packages come from and how to reach them, as one value (pure core).

Three levels, each overriding the one before key by key, as a pip user expects: pip's own
configuration (files and `PIP_*` variables, read by `pipconfig`), then the project's
settings (`[tool.reqlock]` and options in `.in` files), then command-line flags. The rule
is `IndexSettings.over`, the only one: the lock's index lines come from the project and
flag levels through it, and what is searched from all three through it, so the two always
agree. A list such as extra-index-url is replaced as a whole by a later level that sets
it, so a lock never depends on which mirror a developer's machine happens to list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from pipx_lockext.core.inputs.cutoff import cutoff_instant
from pipx_lockext.core.inputs.settings import IndexSettings

PYPI = "https://pypi.org/simple/"
DEFAULT_TIMEOUT = 15.0
DEFAULT_RETRIES = 5
TRUE = {"1", "true", "yes", "on", "y"}


@dataclass(frozen=True)
class NetConfig:
    """Everything the index client needs to know; URLs may still hold credentials."""

    index_url: str = PYPI
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    """pip's --no-index: only find-links are read."""
    index_strategy: str = "first-index"
    cert: str | None = None
    """CA bundle to verify TLS with (pip's `cert`); None means the system's."""
    client_cert: str | None = None
    trusted_hosts: tuple[str, ...] = ()
    """Hosts (optionally `host:port`) reached over plain HTTP or unverified TLS."""
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    package_indexes: tuple[tuple[str, str], ...] = ()
    """(canonical name, index URL) pairs: that package from that index only."""
    uploaded_before: datetime | None = None
    """Only index files uploaded before this instant count (PEP 700 `upload-time`)."""

    @property
    def indexes(self) -> tuple[str, ...]:
        """The simple indexes, in the order they are asked: as uv, every extra index
        before the index-url, so that pip's usual setup (PyPI as the index-url, the
        private index as an extra) cannot be shadowed by a public upload."""
        return () if self.no_index else (*self.extra_index_urls, self.index_url)

    def indexes_for(self, name: str) -> tuple[str, ...]:
        """The indexes asked for `name`: its pinned index alone, else every index."""
        pinned = dict(self.package_indexes).get(name)
        return (pinned,) if pinned else self.indexes

    @property
    def all_urls(self) -> tuple[str, ...]:
        """Every URL that may carry credentials (for per-origin authentication)."""
        pinned = tuple(url for _, url in self.package_indexes)
        return (*self.indexes, *self.find_links, *pinned)


def from_pip(options: Mapping[str, str]) -> NetConfig:
    """A `NetConfig` from pip's effective options (normalised names, see `pipconfig`)."""
    default = NetConfig()
    timeout = options.get("timeout") or options.get("default-timeout")
    return NetConfig(
        index_url=options.get("index-url") or default.index_url,
        extra_index_urls=_split(options.get("extra-index-url")),
        find_links=_split(options.get("find-links")),
        no_index=options.get("no-index", "").lower() in TRUE,
        cert=options.get("cert") or None,
        client_cert=options.get("client-cert") or None,
        trusted_hosts=_split(options.get("trusted-host")),
        timeout=_seconds(timeout) if timeout else default.timeout,
        retries=_count(options["retries"]) if options.get("retries") else default.retries,
    )


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(value.split()) if value else ()


MAX_TIMEOUT = 3600.0
MAX_RETRIES = 100


def _seconds(text: str) -> float:
    """pip's timeout: a positive, finite number of seconds (no more than an hour)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value <= MAX_TIMEOUT:  # also false for nan
        raise ValueError(
            f"pip's timeout (PIP_TIMEOUT or pip.conf) must be a number of seconds above 0 "
            f"and at most {MAX_TIMEOUT:g}, not {text!r}"
        )
    return value


def _count(text: str) -> int:
    """pip's retries: a whole number from 0 to MAX_RETRIES."""
    if not text.strip().isdigit() or int(text) > MAX_RETRIES:
        raise ValueError(
            f"pip's retries (PIP_RETRIES or pip.conf) must be a whole number from 0 to "
            f"{MAX_RETRIES}, not {text!r}"
        )
    return int(text)


def with_index(config: NetConfig, index: IndexSettings, now: datetime | None = None) -> NetConfig:
    """`config` (pip's level) searching what `index` (the project and flag levels, already
    put together with `over`) sets over it; `now` turns a relative upload cutoff into an
    instant (it is needed only when `index` sets one)."""
    pip = IndexSettings(
        index_url=config.index_url,
        extra_index_urls=config.extra_index_urls,
        find_links=config.find_links,
        index_strategy=config.index_strategy,
        package_indexes=config.package_indexes,
    )
    found = index.over(pip)
    return replace(
        config,
        index_url=found.index_url or PYPI,
        extra_index_urls=found.extra_index_urls,
        find_links=found.find_links,
        index_strategy=found.strategy,
        package_indexes=found.package_indexes,
        uploaded_before=_instant(found.uploaded_prior_to, now),
    )


def _instant(cutoff: str | None, now: datetime | None) -> datetime | None:
    return None if cutoff is None else cutoff_instant(cutoff, now)
