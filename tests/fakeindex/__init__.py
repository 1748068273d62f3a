"""A fake package index for the test suite: declarative releases built into real files and
served over HTTP on 127.0.0.1 (PEP 503, 691, 658 and 714; ranges, auth, injected faults).

Tests never touch the internet: the index client, resolver and pip-install paths run
against this. `builder` makes the files, `pages` and `routes` decide the answers, `server`
owns sockets and threads, and `backend` is the PEP 517 backend every sdist carries.
"""

from tests.fakeindex.builder import BuiltFile, Release, build_files
from tests.fakeindex.server import FakeIndex, LoggedRequest

__all__ = ["BuiltFile", "FakeIndex", "LoggedRequest", "Release", "build_files"]
