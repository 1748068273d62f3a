"""The files of the configured find-links locations (edge: local directories, and
find-links pages read through `transport`).

It owns turning each location into `DistFile`s, once per run: a local directory lists its
files (sorted, with no hash: it is read from the file when a lock needs it); anything else
(a local or remote HTML page) is parsed as a PEP 503 page. It must not filter by project,
cache, or check hashes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from pipx_lockext.core.errors import NetworkError
from pipx_lockext.core.index.indexpages import DistFile, PageError, parse_html
from pipx_lockext.edges.index.network import redact
from pipx_lockext.edges.index.transport import (
    Transport,
    check_status,
    local_path,
    web_links_only,
)


class FindLinks:
    """Every file the find-links `locations` offer, read on first use."""

    def __init__(self, locations: Iterable[str], transport: Transport) -> None:
        self.locations = tuple(locations)
        self.transport = transport
        self._files: tuple[DistFile, ...] | None = None
        self._lock = threading.Lock()

    def files(self) -> tuple[DistFile, ...]:
        """The files of every location, in the order the locations are configured."""
        # Read once, under a lock rather than in the client's pool: workers waiting on a
        # queued pool task could take every thread and never let it run.
        with self._lock:
            if self._files is None:
                self._files = tuple(f for loc in self.locations for f in self._read(loc))
            return self._files

    def _read(self, location: str) -> Iterable[DistFile]:
        path = local_path(location)
        if path is not None and path.is_dir():
            entries = sorted(p for p in path.iterdir() if p.is_file())
            return (DistFile(p.name, p.as_uri(), None) for p in entries)
        response = self.transport.get(location, {"Accept": "text/html"})
        check_status(response, location)
        try:
            files = parse_html(response.body, response.url).files()
        except PageError as exc:
            raise NetworkError(f"{redact(location)}: unreadable find-links page ({exc})") from None
        web_links_only(location, files)
        return files
