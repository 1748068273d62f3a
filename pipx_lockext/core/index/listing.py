"""`Listing`: a project's files on the indexes, grouped by version (pure core).

What `Source.files` answers, the same in every environment. The versions are known at
once; the files of a version are read when first asked for, through the function the
source gives (which checks them and may raise its errors then): projects such as boto3
list thousands of releases with tens of thousands of files, and a resolution decides one
or two of them. It must not fetch or decide what installs where (`candidates` does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Final

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.index.indexpages import DistFile


class Listing:
    """A project's versions, newest first, and the files of each, read on first use."""

    def __init__(
        self,
        name: NormalizedName,
        versions: Iterable[Version],
        read: Callable[[Version], tuple[DistFile, ...]],
    ) -> None:
        self.name: Final = name
        self.versions: Final = tuple(sorted(set(versions), reverse=True))
        """Every version with at least one file, newest first."""
        self._read, self._listed = read, frozenset(self.versions)
        # Filled from the resolving thread and from fetch threads that read ahead: a
        # version read twice at once gives equal files, so no lock is needed.
        self._files: dict[Version, tuple[DistFile, ...]] = {}

    @classmethod
    def of(cls, name: NormalizedName, files: Iterable[DistFile]) -> Listing:
        """The listing of files already read: those named `name`, grouped by version."""
        by_version: dict[Version, list[DistFile]] = {}
        for file in files:
            parsed = file.parsed
            if parsed is not None and parsed.name == name:
                by_version.setdefault(parsed.version, []).append(file)
        grouped = {version: tuple(group) for version, group in by_version.items()}
        return cls(name, grouped, grouped.__getitem__)

    def files(self, version: Version) -> tuple[DistFile, ...]:
        """The files of `version` (empty when it is not listed)."""
        found = self._files.get(version)
        if found is None:
            found = self._read(version) if version in self._listed else ()
            self._files[version] = found
        return found

    def all_files(self) -> tuple[DistFile, ...]:
        """The files of every version, newest first (every version is read)."""
        return tuple(f for version in self.versions for f in self.files(version))
