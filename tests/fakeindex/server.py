"""`FakeIndex`: built files served over real HTTP(S) on 127.0.0.1 from a daemon thread,
with a request log, Basic auth and injected faults.

It owns the socket, the threads and the state a test changes while the index runs (log,
faults); what a request gets otherwise is decided by `routes.Site`. It never prints:
the request log is `FakeIndex.requests`, and clients hanging up mid-answer are expected.
"""

from __future__ import annotations

import base64
import gzip
import hmac
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast
from urllib.parse import quote, unquote, urlsplit

from tests.fakeindex.builder import BuiltFile, Release, build_files
from tests.fakeindex.pages import Format, MetadataKeys, PageOptions
from tests.fakeindex.routes import Response, Site, ranged

FaultKind = Literal["status", "delay", "truncate", "corrupt", "gzip", "drip"]
FAULT_KINDS = ("status", "delay", "truncate", "corrupt", "gzip", "drip")
_FLIP = bytes(255 - b for b in range(256))
_UNAUTHORIZED = Response(
    401,
    (("WWW-Authenticate", 'Basic realm="fake"'), ("Content-Type", "text/plain")),
    b"unauthorized\n",
)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    """The request target as sent, query included."""
    headers: Mapping[str, str]
    """Header names in lower case."""


@dataclass(frozen=True)
class Fault:
    path_glob: str
    """fnmatch pattern over the unquoted path, without the query."""
    kind: FaultKind
    status: int = 503
    seconds: float = 0.0


class _Faults:
    """The fault rules, each with how many more times it fires (None: every time)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[tuple[Fault, int | None]] = []

    def add(self, fault: Fault, times: int | None) -> None:
        with self._lock:
            self._rules.append((fault, times))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, path: str) -> list[Fault]:
        """The faults for one request to `path`, each counted as fired once."""
        fired = []
        with self._lock:
            for i, (fault, left) in enumerate(self._rules):
                if left != 0 and fnmatchcase(path, fault.path_glob):
                    fired.append(fault)
                    self._rules[i] = (fault, None if left is None else left - 1)
        return fired


class FakeIndex:
    """A package index serving `releases`; a context manager, or `start()` and `stop()`."""

    def __init__(
        self,
        releases: Iterable[Release],
        *,
        tmp: Path,
        metadata_files: bool = True,
        metadata_keys: MetadataKeys = "both",
        absolute_urls: bool = False,
        auth: tuple[str, str] | None = None,
        formats: Sequence[Format] = ("json", "html"),
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if not formats or not set(formats) <= {"json", "html"}:
            raise ValueError(f"formats must be some of 'json', 'html', not {formats!r}")
        if metadata_keys not in ("both", "core", "dist-info"):
            raise ValueError(f"metadata_keys must be both, core or dist-info: {metadata_keys!r}")
        self.files_dir = tmp / "files"
        self.files: dict[str, BuiltFile] = build_files(releases, self.files_dir)
        # The root is known once the port is; start() fills it in.
        self._page_options = PageOptions("", metadata_files, metadata_keys, absolute_urls)
        self._formats = tuple(formats)
        self._credentials = None if auth is None else _basic_credentials(*auth)
        self._ssl_context = ssl_context
        self._faults = _Faults()
        self._rewrites: list[tuple[str, Callable[[bytes], bytes]]] = []
        self._served: dict[str, bytes] = {}
        self._log: list[LoggedRequest] = []
        self._log_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._site: Site | None = None

    def start(self) -> FakeIndex:
        if self._server is not None:
            return self
        self._server = _Server(self, self._ssl_context)
        options = replace(self._page_options, root=self.root)
        self._site = Site(self.files, options, self._formats)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fakeindex{self.root}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeIndex:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def root(self) -> str:
        """`http://127.0.0.1:PORT` (https with an `ssl_context`)."""
        if self._server is None:
            raise RuntimeError("the fake index is not running; use it as a context manager")
        scheme = "http" if self._ssl_context is None else "https"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The index URL for `--index-url`, with PEP 503's trailing slash."""
        return f"{self.root}/simple/"

    @property
    def links_url(self) -> str:
        """The flat page for `--find-links`."""
        return f"{self.root}/links/"

    def file_url(self, filename: str) -> str:
        return f"{self.root}/files/{quote(filename)}"

    @property
    def requests(self) -> list[LoggedRequest]:
        with self._log_lock:
            return list(self._log)

    def count(self, path_prefix: str) -> int:
        """How many logged requests have a path starting with `path_prefix`."""
        return sum(request.path.startswith(path_prefix) for request in self.requests)

    def clear_log(self) -> None:
        with self._log_lock:
            self._log.clear()

    def fault(
        self,
        path_glob: str,
        kind: FaultKind,
        *,
        times: int | None = None,
        status: int = 503,
        seconds: float = 0.0,
    ) -> None:
        """Misbehave on paths matching `path_glob`, `times` times or always (None).

        status: answer `status`; delay: wait `seconds` first; truncate: promise the whole
        body, send half and hang up; corrupt: send other bytes of the same length; gzip:
        send the body gzip-compressed (`Content-Encoding: gzip`, asked for or not); drip:
        send the body one byte every `seconds`.
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"fault kind must be one of {FAULT_KINDS}, not {kind!r}")
        self._faults.add(Fault(path_glob, kind, status, seconds), times)

    def clear_faults(self) -> None:
        self._faults.clear()
        self._rewrites.clear()

    def rewrite(self, path_glob: str, change: Callable[[bytes], bytes]) -> None:
        """Serve `change(body)` instead of the body of every 200 response whose path
        matches `path_glob`, and byte ranges of a file cut from it (a hostile index:
        forged pages, swapped files)."""
        self._rewrites.append((path_glob, change))

    def serve(self, path: str, data: bytes) -> str:
        """Serve `data` at `path` too (a file host's other URLs, such as a GitHub
        `/archive/<branch>.tar.gz`); its full URL."""
        self._served[path] = data
        return f"{self.root}{path}"

    def _answer(self, method: str, target: str, headers: Mapping[str, str]) -> _Answer:
        """Log the request, then decide its response and which faults shape the sending."""
        with self._log_lock:
            self._log.append(LoggedRequest(method, target, dict(headers)))
        if self._credentials is not None and not _authorized(headers, self._credentials):
            return _Answer(_UNAUTHORIZED, ())
        faults = self._faults.take(unquote(urlsplit(target).path))
        for fault in faults:
            if fault.kind == "delay":
                time.sleep(fault.seconds)
        for fault in faults:
            if fault.kind == "status":
                return _Answer(Response(fault.status, (), b"injected fault\n"), ())
        drip = max((f.seconds for f in faults if f.kind == "drip"), default=0.0)
        return _Answer(self._respond(target, headers), tuple(f.kind for f in faults), drip)

    def _respond(self, target: str, headers: Mapping[str, str]) -> Response:
        """The site's answer, rewritten: a rewritten file's byte ranges are cut from the
        rewritten body, as a host serving other bytes would cut them."""
        assert self._site is not None, "answered before start() set the site"
        path = unquote(urlsplit(target).path)
        if path in self._served:
            return ranged(self._served[path], headers.get("range"))
        changes = [change for glob, change in list(self._rewrites) if fnmatchcase(path, glob)]
        if not changes:
            return self._site.respond(target, headers)
        whole = {k: v for k, v in headers.items() if k != "range"}
        response = self._site.respond(target, whole)
        if response.status != 200:
            return response
        body = response.body
        for change in changes:
            body = change(body)
        if "range" in headers and path.startswith("/files/"):
            return ranged(body, headers["range"])
        return replace(response, body=body)


@dataclass(frozen=True)
class _Answer:
    response: Response
    kinds: tuple[FaultKind, ...]
    """Faults applied while sending: truncate, corrupt, gzip, drip."""
    drip: float = 0.0
    """Seconds between the body's bytes (drip)."""


def _basic_credentials(user: str, password: str) -> bytes:
    return b"Basic " + base64.b64encode(f"{user}:{password}".encode())


def _authorized(headers: Mapping[str, str], credentials: bytes) -> bool:
    given = headers.get("authorization", "").encode("latin-1", "replace")
    return hmac.compare_digest(given, credentials)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, index: FakeIndex, ssl_context: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.index = index
        self.ssl_context = ssl_context

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.ssl_context is None:
            super().finish_request(request, client_address)
            return
        # Handshake in the connection's thread, not the accept loop, so one stuck client
        # cannot stall the others; closing here is what hangs up a truncated answer.
        with self.ssl_context.wrap_socket(cast(socket.socket, request), server_side=True) as tls:
            super().finish_request(tls, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # hang-ups mid-answer and failed TLS handshakes are what tests provoke


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection ends instead of holding a thread forever

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet; tests read FakeIndex.requests instead

    def _handle(self, *, send_body: bool) -> None:
        index = cast(_Server, self.server).index
        headers = {name.lower(): value for name, value in self.headers.items()}
        answer = index._answer(self.command, self.path, headers)
        self._send(answer, send_body=send_body)

    def _send(self, answer: _Answer, *, send_body: bool) -> None:
        response, kinds = answer.response, set(answer.kinds)
        body = response.body.translate(_FLIP) if "corrupt" in kinds else response.body
        if "gzip" in kinds:
            body = gzip.compress(body, compresslevel=1, mtime=0)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if "gzip" in kinds:
            self.send_header("Content-Encoding", "gzip")
        if response.status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not send_body or response.status == 304:
            return
        if "truncate" in kinds:
            self.wfile.write(body[: len(body) // 2])
            self.close_connection = True
            return
        if "drip" in kinds:
            for byte in body:  # a client giving up ends this with a broken pipe
                time.sleep(answer.drip)
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            return
        self.wfile.write(body)
