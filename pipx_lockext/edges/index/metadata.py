"""What a distribution file says about itself: its core metadata and, for an sdist, its
build requirements (edge: reads bytes through `integrity.Downloads`, archives through
`archives`, sdist builds through `sdistbuild`, and keeps metadata in the `cache`).

It owns the fallback chain, every step verified before its metadata is used: the PEP 658
`.metadata` file when the index lists it with a sha256, else the whole file checked
against its sha256 (no range reads: a part of a file cannot be checked against the whole
file's hash, and a `.metadata` listed without a hash is as unverified); for an sdist, its
PKG-INFO when PEP 643 says it is reliable or its pyproject.toml declares the same
statically (PEP 621, `staticproject`), else what its PEP 517 backend builds, its
build requirements installed by the `Installer` it is given (none: it builds nothing).
Metadata is cached only under the hash that verified it (`cache.FROM_METADATA_FILE` or
`cache.FROM_FILE`), never when no hash did. It must not fetch anything except through
`Downloads`, nor run fetches in parallel (the client does).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName

from pipx_lockext import __version__
from pipx_lockext.core.errors import escaped
from pipx_lockext.core.index.coremeta import (
    BadDistribution,
    CoreMetadata,
    MetadataError,
    parse_metadata,
)
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.core.index.staticproject import declared_statically
from pipx_lockext.core.resolution.directurls import file_name
from pipx_lockext.edges.index.archives import (
    READER,
    ArchiveError,
    sdist_metadata,
    sdist_pyproject,
    wheel_metadata,
)
from pipx_lockext.edges.index.cache import (
    FROM_FILE,
    FROM_METADATA_FILE,
    Cache,
    MetadataSource,
)
from pipx_lockext.edges.index.integrity import Downloads
from pipx_lockext.edges.index.network import redact
from pipx_lockext.edges.index.sdistbuild import (
    BuildError,
    Installer,
    UnpackError,
    build_metadata,
    build_requirements,
)
from pipx_lockext.edges.venvs.processes import Runner, run_process

Verified = tuple[str, MetadataSource]
"""The sha256 that verified a metadata text, and whose it is."""


class MetadataReader:
    """Core metadata and build requirements of distribution files."""

    def __init__(
        self,
        downloads: Downloads,
        cache: Cache | None,
        install: Installer | None,
        run: Runner = run_process,
    ) -> None:
        self.downloads, self.cache = downloads, cache
        self.install = install
        """How an sdist's build requirements are installed before its backend runs. None
        in the reader of the Source build requirements are resolved through: there no
        sdist is built at all."""
        self.run = run
        """What runs the backend's hooks."""

    def metadata(self, file: DistFile) -> CoreMetadata:
        """The release's core metadata; BadDistribution when it cannot be read."""
        data = self._cached(file)
        key = None
        if data is None:
            data, key = self._fetch_once(file)
        try:
            meta = parse_metadata(data)
        except MetadataError as exc:
            raise BadDistribution(f"{file.filename}: {exc}") from None
        _same_release(file, meta)
        if key and self.cache:
            self.cache.store_metadata(key[0], data, key[1])
        return meta

    def _fetch_once(self, file: DistFile) -> tuple[bytes, Verified | None]:
        """`fetch`, remembering in the cache a file whose archive cannot be read (a fact
        about its hash-checked bytes; a failed build is not remembered: it may pass on
        another try)."""
        reader = f"{__version__}-{READER}"
        known = self.cache.unreadable(file.sha256, reader) if self.cache and file.sha256 else None
        if known is not None:
            raise BadDistribution(escaped(known))
        try:
            return self.fetch(file)
        except _Unreadable as exc:
            if self.cache and file.sha256:
                self.cache.store_unreadable(file.sha256, reader, str(exc))
            raise BadDistribution(str(exc)) from None

    def is_cached(self, file: DistFile) -> bool:
        """Whether the cache holds this file's metadata (a cheap look, nothing read)."""
        if self.cache is None:
            return False
        return bool(
            (file.sha256 and self.cache.has_metadata(file.sha256, FROM_FILE))
            or (
                file.metadata_sha256
                and self.cache.has_metadata(file.metadata_sha256, FROM_METADATA_FILE)
            )
        )

    def _cached(self, file: DistFile) -> bytes | None:
        if self.cache is None:
            return None
        found = self.cache.metadata(file.sha256, FROM_FILE) if file.sha256 else None
        if found is None and file.metadata_sha256:
            found = self.cache.metadata(file.metadata_sha256, FROM_METADATA_FILE)
        return found

    def archive(self, name: NormalizedName, url: str) -> tuple[DistFile, CoreMetadata]:
        """A direct URL's source archive (see `Source.archive`): its file, named
        `name-version.ext` from the metadata its backend builds, and that metadata."""
        base, _, fragment = url.partition("#")
        given = fragment.removeprefix("sha256=") if fragment.startswith("sha256=") else None
        real = file_name(base)
        # `whole` checks the bytes against the user's `#sha256=` when there is one.
        data = self.downloads.whole(DistFile(real, base, given))
        sha = hashlib.sha256(data).hexdigest()
        text = self.cache.metadata(sha, FROM_FILE) if self.cache else None
        if text is None:
            text = self._built(data, real, redact(base))
        try:
            meta = parse_metadata(text)
        except MetadataError as exc:
            raise BadDistribution(f"{redact(base)}: {exc}") from None
        if meta.name != name:
            raise BadDistribution(
                f"{redact(base)}: its metadata says {meta.name} {meta.version}, not {name}"
            )
        if self.cache:
            # No index lists a hash for this file: `sha` is the one computed above from the
            # very bytes that were built, so the metadata is kept under the hash it came from.
            self.cache.store_metadata(sha, text, FROM_FILE)
        ext = ".zip" if real.lower().endswith(".zip") else ".tar.gz"
        return DistFile(f"{name}-{meta.version}{ext}", base, sha), meta

    def _built(self, data: bytes, filename: str, where: str) -> bytes:
        if self.install is None:
            raise BadDistribution(f"{where}: not built (a build requirement is never built "
                                  "from source)")  # fmt: skip
        try:
            return build_metadata(data, filename, self.install, self.run)
        except BuildError as exc:
            raise BadDistribution(f"{where}: {exc}") from None

    def build_requirements(self, file: DistFile) -> tuple[Requirement, ...]:
        """An sdist's build requirements (its bytes checked against the index's hash);
        BadDistribution when they cannot be read."""
        try:
            texts = build_requirements(self.downloads.whole(file), file.filename)
            return tuple(Requirement(text) for text in texts)
        except (BuildError, InvalidRequirement) as exc:
            raise BadDistribution(f"{file.filename}: build requirements: {exc}") from None

    def fetch(self, file: DistFile) -> tuple[bytes, Verified | None]:
        """The metadata bytes, by the first way in the chain that has them, and the hash
        that verified them (None: no hash did, as for a find-links directory's file)."""
        if file.metadata_sha256:
            data = self.downloads.metadata_file(file)
            if data is not None:
                return data, (file.metadata_sha256, FROM_METADATA_FILE)
        kind = file.parsed.kind if file.parsed else None
        key: Verified | None = (file.sha256, FROM_FILE) if file.sha256 else None
        try:
            if kind == "wheel":
                return wheel_metadata(self.downloads.whole(file), file.filename), key
            if kind == "sdist":
                return self._sdist(file), key
        except ArchiveError as exc:
            raise _Unreadable(str(exc)) from None
        raise BadDistribution(f"{file.filename}: neither a wheel nor an sdist")

    def _sdist(self, file: DistFile) -> bytes:
        """PKG-INFO when it is reliable (`_reliable`), else what the backend builds."""
        data = self.downloads.whole(file)
        pkg_info = sdist_metadata(data, file.filename)
        if _reliable(pkg_info, lambda: sdist_pyproject(data, file.filename)):
            return pkg_info
        if self.install is None:
            raise BadDistribution(f"{file.filename}: not built (a build requirement is "
                                  "never built from its sdist)")  # fmt: skip
        try:
            return build_metadata(data, file.filename, self.install, self.run)
        except UnpackError as exc:
            raise _Unreadable(str(exc)) from None
        except BuildError as exc:
            raise BadDistribution(str(exc)) from None


def _reliable(pkg_info: bytes, pyproject: Callable[[], bytes | None]) -> bool:
    """Whether an sdist's PKG-INFO says what its build would: PEP 643 says so, or its
    pyproject.toml declares the same statically (`declared_statically`)."""
    try:
        meta = parse_metadata(pkg_info)
    except MetadataError:
        return False  # the backend may still produce good metadata
    if meta.static_for_resolution:
        return True
    declared = pyproject()
    return declared is not None and declared_statically(declared, meta)


class _Unreadable(BadDistribution):
    """An archive that cannot be read: the same bytes never will be (see `_fetch_once`)."""


def _same_release(file: DistFile, meta: CoreMetadata) -> None:
    """A file's metadata must be of the release its name says: a wheel named gamma-1.1
    whose METADATA says gamma 2.0 (or another project) is passed over, never resolved as
    what it claims inside."""
    named = file.parsed
    if named is None or (meta.name == named.name and meta.version == named.version):
        return
    raise BadDistribution(
        f"{file.filename}: its metadata says {meta.name} {meta.version}, not the "
        f"{named.name} {named.version} its file name says"
    )
