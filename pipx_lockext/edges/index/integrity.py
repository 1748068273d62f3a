"""Distribution bytes and their hashes (edge: files and PEP 658 metadata files, fetched
through `transport`).

Every byte of a distribution file, or of its `.metadata` file, that the index client
reads enters here, and leaves through `verified`: whole files are checked against the
index's sha256 (unchecked when it lists none, as a find-links directory's files), PEP 658
files against the one the index lists for them. There are no range reads: a part of a
file cannot be checked against the whole file's hash. It also refuses a file name offered
with two hashes. It must not open archives, decide which fallback to take, cache, or
parse metadata.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from pipx_lockext.core.errors import IntegrityError
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.edges.index.network import redact
from pipx_lockext.edges.index.transport import (
    FILE_LIMIT,
    METADATA_LIMIT,
    Transport,
    check_status,
)


class Downloads:
    """Fetches a distribution file's bytes, checked wherever a hash allows it."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def whole(self, file: DistFile) -> bytes:
        """The whole file, checked against the index's sha256 when it lists one."""
        response = self.transport.get(file.url, limit=FILE_LIMIT)
        check_status(response, file.url)
        return verified(response.body, file.sha256, file.url)

    def sha256(self, file: DistFile) -> str:
        """The sha256 of the file's bytes (for a file no index listed a hash for)."""
        return hashlib.sha256(self.whole(file)).hexdigest()

    def metadata_file(self, file: DistFile) -> bytes | None:
        """The PEP 658 `.metadata` file, checked against its listed hash (callers ask only
        when there is one); None when the host does not serve it."""
        if not file.metadata_sha256:
            return None  # listed without a hash: nothing could verify it
        url = file.url + ".metadata"
        response = self.transport.get(url, limit=METADATA_LIMIT)
        if response.status != 200:
            return None
        return verified(response.body, file.metadata_sha256, url)


def verified(body: bytes, expected: str | None, url: str) -> bytes:
    """`body`, once its sha256 is `expected` (unchecked when no hash is expected)."""
    if not expected:
        return body
    got = hashlib.sha256(body).hexdigest()
    if got != expected:
        raise IntegrityError(
            f"{redact(url)}: sha256 {got} does not match the index's {expected}; "
            "the file was changed or corrupted on its way"
        )
    return body


def same_bytes_everywhere(files: Iterable[DistFile]) -> None:
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
