"""What a distribution file says about itself: its core metadata and, for an sdist, its
build requirements (edge: reads bytes through `integrity.Downloads`, archives through
`archives`, sdist builds through `sdistbuild`, and keeps metadata in the `cache`).

It owns the fallback chain: the PEP 658 `.metadata` file when the index lists one, else
HTTP range reads into a remote wheel, else the whole file; for an sdist, its PKG-INFO when
PEP 643 says it is reliable, else what its PEP 517 backend builds, its build requirements
installed by the `Installer` it is given (none: it builds nothing). Metadata is cached by
the file's sha256 whatever it came from (a known gap, see the trust-boundary issue: only
verified bytes should be). It must not fetch anything except through `Downloads`, nor
run fetches in parallel (the client does).
"""

from __future__ import annotations

from packaging.requirements import InvalidRequirement, Requirement

from pipx_lockext.core.index.coremeta import (
    BadDistribution,
    CoreMetadata,
    MetadataError,
    parse_metadata,
)
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.edges.index.archives import (
    TAIL,
    ArchiveError,
    sdist_metadata,
    wheel_metadata,
    wheel_metadata_by_ranges,
)
from pipx_lockext.edges.index.cache import Cache
from pipx_lockext.edges.index.integrity import Downloads, Tail
from pipx_lockext.edges.index.sdistbuild import (
    BuildError,
    Installer,
    build_metadata,
    build_requirements,
)
from pipx_lockext.edges.index.transport import local_path


class MetadataReader:
    """Core metadata and build requirements of distribution files."""

    def __init__(
        self, downloads: Downloads, cache: Cache | None, install: Installer | None
    ) -> None:
        self.downloads, self.cache = downloads, cache
        self.install = install
        """How an sdist's build requirements are installed before its backend runs. None
        in the reader of the Source build requirements are resolved through: there no
        sdist is built at all."""

    def metadata(self, file: DistFile) -> CoreMetadata:
        """The release's core metadata; BadDistribution when it cannot be read."""
        key = file.sha256
        data = self.cache.metadata(key) if self.cache and key else None
        fetched = data is None
        if data is None:
            data = self.fetch(file)
        try:
            meta = parse_metadata(data)
        except MetadataError as exc:
            raise BadDistribution(f"{file.filename}: {exc}") from None
        if fetched and self.cache and key:
            self.cache.store_metadata(key, data)
        return meta

    def build_requirements(self, file: DistFile) -> tuple[Requirement, ...]:
        """An sdist's build requirements (its bytes checked against the index's hash);
        BadDistribution when they cannot be read."""
        try:
            texts = build_requirements(self.downloads.whole(file), file.filename)
            return tuple(Requirement(text) for text in texts)
        except (BuildError, InvalidRequirement) as exc:
            raise BadDistribution(f"{file.filename}: build requirements: {exc}") from None

    def fetch(self, file: DistFile) -> bytes:
        """The metadata bytes, by the first way in the chain that has them."""
        if file.has_metadata_file:
            data = self.downloads.metadata_file(file)
            if data is not None:
                return data
        kind = file.parsed.kind if file.parsed else None
        try:
            if kind == "wheel":
                return self._wheel(file)
            if kind == "sdist":
                return self._sdist(file)
        except ArchiveError as exc:
            raise BadDistribution(str(exc)) from None
        raise BadDistribution(f"{file.filename}: neither a wheel nor an sdist")

    def _wheel(self, file: DistFile) -> bytes:
        """METADATA from the wheel's central directory, by ranges when the host allows."""
        if local_path(file.url) is None:
            tail = self.downloads.tail(file, TAIL)
            if isinstance(tail, Tail):
                read = self.downloads.ranges(file)
                return wheel_metadata_by_ranges(read, tail.size, tail.body, file.filename)
            if tail is not None:
                return wheel_metadata(tail, file.filename)
        return wheel_metadata(self.downloads.whole(file), file.filename)

    def _sdist(self, file: DistFile) -> bytes:
        """PKG-INFO when PEP 643 says it is reliable, else what the backend builds."""
        data = self.downloads.whole(file)
        pkg_info = sdist_metadata(data, file.filename)
        try:
            if parse_metadata(pkg_info).static_for_resolution:
                return pkg_info
        except MetadataError:
            pass  # the backend may still produce good metadata
        if self.install is None:
            raise BadDistribution(f"{file.filename}: not built (a build requirement is "
                                  "never built from its sdist)")  # fmt: skip
        try:
            return build_metadata(data, file.filename, self.install)
        except BuildError as exc:
            raise BadDistribution(str(exc)) from None
