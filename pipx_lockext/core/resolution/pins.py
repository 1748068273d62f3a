"""A merged lock line made a `Pin`: the release's files, each with its URL (credentials
removed), size and sha256 (pure core; hashes read through `Source`). The one place both
layer locks and build locks get their pins from, so that every output format renders
from the same files."""

from __future__ import annotations

from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.lockfiles.digest import without_credentials
from pipx_lockext.core.lockfiles.lockfile import Pin, PinFile
from pipx_lockext.core.lockfiles.lockparse import LockedPin
from pipx_lockext.core.resolution.directurls import direct_release, file_name
from pipx_lockext.core.resolution.merge import LockedRelease


def pin_of(line: LockedRelease, source: Source) -> Pin:
    """The pin of one merged line: every file of the release (all platforms and the sdist),
    sorted by file name."""
    files = tuple(
        sorted(
            (
                PinFile(f.filename, without_credentials(f.url), source.sha256(f), f.size)
                for f in line.release.files
            ),
            key=lambda f: (f.filename, f.url),
        )
    )
    direct = files[0].url if line.release.direct else None
    return Pin(line.name, line.version, line.marker, files, line.via, direct, line.extras)


def locked_files(source: Source, pin: LockedPin) -> tuple[DistFile, ...]:
    """The files of a lock's pin as its index lists them now (`verify --against-index`,
    `export --format pylock`); for a direct URL, that one file (a source archive named by
    no version, `…/archive/stable.zip`: its bytes now)."""
    if pin.url is not None:
        release = direct_release(pin.name, pin.url)
        return release.files if release else (DistFile(file_name(pin.url), pin.url, None),)
    return source.files(pin.name).files(pin.version)
