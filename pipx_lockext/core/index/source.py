"""`Source`: everything the core reads from package indexes, as one protocol (pure core).

The resolver, the lock builder, the build-lock builder and `verify` see the indexes only
through this seam; `edges.index.client` implements it over HTTP, find-links and the cache,
and tests implement it in memory. It owns the contract (what each call returns and
raises), not any fetching: nothing here does I/O or knows about threads.

Results never depend on the `prefetch…` calls, which only warm what is asked for next; an
implementation that fetches nothing ahead may make them do nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from packaging.requirements import Requirement
from packaging.utils import NormalizedName

from pipx_lockext.core.index.coremeta import CoreMetadata
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.core.index.listing import Listing


class Source(Protocol):
    """What the core reads from the indexes: files per project, and per file its
    metadata, its sha256 and (for an sdist) what building it needs.

    Errors: NetworkError for an index or file host that cannot answer, IntegrityError for
    bytes unlike the hash the index listed; BadDistribution (from `metadata` and
    `build_requirements`) for one file that cannot be read, which the caller passes over.
    """

    def files(self, name: NormalizedName) -> Listing:
        """Every file of the project, by version (no versions: no index has it). Reading
        a version's files may raise the errors above too."""
        ...

    def metadata(self, file: DistFile) -> CoreMetadata:
        """The core metadata of the release `file` belongs to."""
        ...

    def sha256(self, file: DistFile) -> str:
        """The file's sha256: the index's when it lists one, else read from the file."""
        ...

    def build_requirements(self, file: DistFile) -> tuple[Requirement, ...]:
        """An sdist's `[build-system].requires` (PEP 518/517 defaults when absent)."""
        ...

    def archive(self, name: NormalizedName, url: str) -> DistFile:
        """The file of a direct URL to a source archive whose file name names no version
        (`…/archive/stable.zip`): downloaded once (checked against a `#sha256=` fragment,
        IntegrityError otherwise), built for its metadata, which must be `name`'s. The
        file returned carries the sha256 of the bytes built and a file name
        `name-version.ext` from that metadata; `metadata` answers for it.
        BadDistribution when it cannot be read or built, or is another project."""
        ...

    def prefetch(self, names: Iterable[NormalizedName]) -> None:
        """Start finding these projects' files; returns at once."""
        ...

    def prefetch_metadata(self, files: Iterable[DistFile]) -> None:
        """Start reading these files' metadata; returns at once."""
        ...
