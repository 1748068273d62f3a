"""HTTP for the index client (edge: the network; the only module that opens connections).

One thread-safe urllib3 pool manager; bounded retries with backoff for connection errors,
timeouts, truncated bodies and 5xx; redirects followed here, hop by hop, so that
credentials go only to their own origin. Every body is read in pieces under the caller's
size cap (counted after decompression) and an overall deadline (`deadline`): pip's timeout
bounds each read, which a server sending a byte at a time never trips. Failures become
typed errors naming the URL with credentials masked. Nothing here parses pages or touches the disk.
"""

from __future__ import annotations

import base64
import netrc
import os
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit
from urllib.request import getproxies

import urllib3
from urllib3.exceptions import HTTPError, ProtocolError, SSLError

from pipx_lockext.core.errors import NetworkError, TransientNetworkError
from pipx_lockext.core.index.netconfig import NetConfig

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_REDIRECTS = 10
BACKOFF = 0.25
"""Seconds before the first retry; doubled each time, capped at BACKOFF_MAX."""
BACKOFF_MAX = 4.0
CHUNK = 256 * 1024
DEADLINE_TIMEOUTS = 2
"""A whole answer may take this many times pip's timeout, plus the time its length needs
at MIN_RATE."""
MIN_RATE = 32 * 1024
"""Bytes per second: the slowest transfer a large file is still given time for."""


def redact(url: str) -> str:
    """The URL with its credentials masked as `****` (user kept when there is a password)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, sep, _ = userinfo.partition(":")
    masked = f"{user}:****" if sep else "****"
    return urlunsplit(parts._replace(netloc=f"{masked}@{host}"))


def _origin(parts: SplitResult) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return (parts.scheme, (parts.hostname or "").lower(), parts.port or default)


def split_credentials(url: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without userinfo, and the (user, password) it held, expanded from ${VAR}."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    creds = (unquote(os.path.expandvars(user)), unquote(os.path.expandvars(password)))
    return urlunsplit(parts._replace(netloc=host)), creds


class Stopped(NetworkError):
    """A request cut short because the run that wanted it is over (`Http.stop`): nobody
    waits for its answer any more."""


@dataclass(frozen=True)
class Response:
    """A complete HTTP response (the body read and length-checked)."""

    url: str
    """The final URL, after redirects, without credentials."""
    status: int
    headers: Mapping[str, str] = field(repr=False)
    """Header names lower-cased."""
    body: bytes = field(repr=False)


class Credentials:
    """Who we are, per origin: from URLs in the configuration, then netrc."""

    def __init__(self, urls: tuple[str, ...], netrc_file: str | None = None) -> None:
        self._by_origin: dict[tuple[str, str, int | None], tuple[str, str]] = {}
        for url in urls:
            bare, creds = split_credentials(url)
            if creds:
                self._by_origin.setdefault(_origin(urlsplit(bare)), creds)
        self._netrc = _load_netrc(netrc_file)

    def header(self, url: str) -> dict[str, str]:
        """The Authorization header for this URL's own origin, or none."""
        parts = urlsplit(url)
        creds = self._by_origin.get(_origin(parts))
        if creds is None and self._netrc is not None and parts.hostname:
            found = self._netrc.authenticators(parts.hostname)
            creds = (found[0], found[2] or "") if found else None
        if creds is None:
            return {}
        token = base64.b64encode(f"{creds[0]}:{creds[1]}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}


def _load_netrc(path: str | None) -> netrc.netrc | None:
    path = path or os.environ.get("NETRC") or str(Path.home() / ".netrc")
    try:
        return netrc.netrc(path) if Path(path).is_file() else None
    except (netrc.NetrcParseError, OSError):
        return None  # pip ignores a broken netrc too


class Http:
    """A thread-safe HTTP client: `get` returns a whole response or raises NetworkError."""

    def __init__(
        self,
        config: NetConfig,
        *,
        pool_size: int = 10,
        sleep: Callable[[float], None] = time.sleep,
        netrc_file: str | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> None:
        urls = config.all_urls
        self.credentials = Credentials(urls, netrc_file)
        self.config = config
        self._sleep = sleep
        self._trusted = {h.lower() for h in config.trusted_hosts}
        if self._trusted:  # the user chose to trust these hosts; do not warn on every request
            urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
        self._proxies = getproxies() if proxies is None else proxies
        self._pool_size = pool_size
        self._pools: dict[tuple[str | None, bool], urllib3.PoolManager] = {}
        self._pools_lock = threading.Lock()
        self.stopping = threading.Event()
        """Set by `stop`; builds started for this run's fetches watch it too."""

    def close(self) -> None:
        for pool in self._pools.values():
            pool.clear()

    def stop(self) -> None:
        """End the run's traffic: a request not yet sent fails at once and a body being
        read at its next piece (`Stopped`), so that fetches still running ahead for a run
        that has its answer (an error, a conflict) do not hold up its exit."""
        self.stopping.set()

    def _pool(self, url: str, verify: bool) -> urllib3.PoolManager:
        """The pool for this URL: through the proxy the environment names for its scheme
        (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, as pip reads them), verified unless trusted."""
        parts = urlsplit(url)
        proxy = self._proxies.get(parts.scheme)
        host = (parts.hostname or "").lower()
        if proxy and (_is_loopback(host) or _bypass(host, self._proxies.get("no", ""))):
            proxy = None
        with self._pools_lock:
            pool = self._pools.get((proxy, verify))
            if pool is None:
                pool = self._pools[(proxy, verify)] = self._new_pool(proxy, verify)
            return pool

    def _new_pool(self, proxy: str | None, verify: bool) -> urllib3.PoolManager:
        options: dict[str, Any] = {
            "maxsize": self._pool_size,
            "block": True,
            "timeout": urllib3.Timeout(connect=self.config.timeout, read=self.config.timeout),
            "retries": False,
            "cert_reqs": ssl.CERT_REQUIRED if verify else ssl.CERT_NONE,
        }
        if verify:
            options.update(ca_certs=self.config.cert, cert_file=self.config.client_cert)
        if proxy:
            return urllib3.ProxyManager(proxy, **options)
        return urllib3.PoolManager(num_pools=20, **options)

    def get(self, url: str, headers: Mapping[str, str] | None = None, *, limit: int) -> Response:
        """GET, following redirects; 4xx/5xx responses other than retried ones are returned.
        A body over `limit` bytes (decompressed) is a NetworkError naming the limit."""
        url, _ = split_credentials(url)
        for _ in range(MAX_REDIRECTS):
            response = self._with_retries(url, dict(headers or {}), limit)
            location = response.headers.get("location")
            if response.status not in {301, 302, 303, 307, 308} or not location:
                return response
            url, _ = split_credentials(urljoin(url, location))
            if urlsplit(url).scheme not in {"http", "https"}:
                raise NetworkError(f"{redact(url)}: refused: redirected to a non-web URL")
        raise NetworkError(f"{redact(url)}: too many redirects")

    def post(
        self, url: str, body: bytes, headers: Mapping[str, str] | None = None, *, limit: int
    ) -> Response:
        """POST `body` (a query such as OSV's, safe to repeat: retried as GET is); a
        redirect is returned, not followed."""
        url, _ = split_credentials(url)
        return self._with_retries(url, dict(headers or {}), limit, body)

    def _with_retries(
        self, url: str, headers: dict[str, str], limit: int, body: bytes | None = None
    ) -> Response:
        delay, attempt = BACKOFF, 0
        while True:
            try:
                response = self._once(url, headers, limit, body)
            except NetworkError as exc:
                if attempt >= self.config.retries or not exc.transient:
                    raise
            else:
                if response.status not in RETRY_STATUSES or attempt >= self.config.retries:
                    return response
            attempt += 1
            self._sleep(delay)
            delay = min(delay * 2, BACKOFF_MAX)

    def _once(
        self, url: str, headers: dict[str, str], limit: int, data: bytes | None = None
    ) -> Response:
        if self.stopping.is_set():
            raise Stopped(f"{redact(url)}: not fetched: the run is over")
        parts = urlsplit(url)
        trusted = parts.hostname in self._trusted or parts.netloc.lower() in self._trusted
        if parts.scheme == "http" and not trusted and not _is_loopback(parts.hostname):
            raise NetworkError(f"{url}: plain HTTP to an untrusted host (use --trusted-host)")
        pool = self._pool(url, verify=not trusted)
        sent = {**headers, **self.credentials.header(url)}
        started = time.monotonic()
        try:
            method = "GET" if data is None else "POST"
            raw = pool.request(
                method, url, body=data, headers=sent, redirect=False, preload_content=False
            )
            try:
                body = self._body(raw, url, limit, started)
            except BaseException:
                raw.close()  # half read: the connection is closed before it goes back
                raise
            finally:
                raw.release_conn()
        except SSLError as exc:
            raise NetworkError(f"{url}: TLS certificate problem ({exc})") from None
        except (HTTPError, OSError) as exc:
            raise TransientNetworkError(f"{url}: {_describe(exc)}") from None
        names = {k.lower(): v for k, v in raw.headers.items()}
        return Response(url, raw.status, names, body)

    def _body(self, raw: urllib3.BaseHTTPResponse, url: str, limit: int, started: float) -> bytes:
        """The whole body, decompressed, in pieces: refused past `limit` bytes, or when it
        takes longer than the overall deadline (`DEADLINE_TIMEOUTS` and `MIN_RATE`)."""
        declared = raw.headers.get("content-length", "")
        expected = int(declared) if declared.isdigit() else 0
        if expected > limit:
            raise NetworkError(f"{url}: refused: {expected} bytes is over the {_size(limit)} cap")
        parts: list[bytes] = []
        size = 0
        while chunk := raw.read1(CHUNK):
            size += len(chunk)
            if size > limit:
                raise NetworkError(f"{url}: refused: the body is over the {_size(limit)} cap")
            parts.append(chunk)
            if self.stopping.is_set():
                raise Stopped(f"{redact(url)}: not read to its end: the run is over")
            allowed = DEADLINE_TIMEOUTS * self.config.timeout + max(expected, size) / MIN_RATE
            if time.monotonic() - started > allowed:
                raise TransientNetworkError(
                    f"{url}: too slow: not complete after {allowed:.0f} s (the overall "
                    f"deadline: {DEADLINE_TIMEOUTS} x pip's timeout, plus {_size(MIN_RATE)}/s)"
                )
        return b"".join(parts)


def _size(count: int) -> str:
    """A byte count as a person reads a cap: `64 MiB`, `32 KiB`."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:g} {unit}"
    return f"{count} bytes"


def _bypass(host: str, no_proxy: str) -> bool:
    """Whether NO_PROXY exempts `host` (entries are host names or domain suffixes)."""
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        if entry == "*" or (
            entry and (host == entry.lstrip(".") or host.endswith("." + entry.lstrip(".")))
        ):
            return True
    return False


def _is_loopback(host: str | None) -> bool:
    return host in {"127.0.0.1", "localhost", "::1"}


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ProtocolError) and "IncompleteRead" in str(exc):
        return "connection closed before the whole body arrived (truncated download)"
    if isinstance(exc, urllib3.exceptions.NewConnectionError):  # a TimeoutError subclass
        return "cannot connect"
    if isinstance(exc, urllib3.exceptions.TimeoutError):
        return "timed out"
    return str(exc)
