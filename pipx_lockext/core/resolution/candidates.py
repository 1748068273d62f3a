"""Which releases of a project can be installed in one environment, and why the others
cannot (pure core).

A release is usable in an environment when some file of it installs there: a wheel whose
tags the environment supports, or an sdist (unless binaries only are allowed), and whose
Requires-Python admits the environment's Python. Every release left out gets a reason, so
that a failed resolution can say which versions were skipped and why.

Projects such as boto3 list thousands of releases with tens of thousands of files, and a
resolution usually needs the newest one or two: the source groups files by version once per
project (`Listing`, shared by every environment), and each environment decides usability
lazily, newest first, remembering what it decided (`Offer`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.environments import Environment
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.core.index.listing import Listing

Formats = Literal["any", "binary", "source"]
"""Which files of a release may be used: pip's --only-binary ("binary") and --no-binary
("source")."""


@dataclass(frozen=True)
class Release:
    """One version of a project as offered in an environment."""

    name: NormalizedName
    version: Version
    files: tuple[DistFile, ...]
    """Every file of the release on the index (all platforms: the lock hashes them all)."""
    usable: tuple[DistFile, ...]
    """The files that install in this environment, wheels first."""
    direct: bool = False
    """Named by a direct URL (`name @ https://…`), not found on an index."""

    @property
    def yanked(self) -> str | None:
        """The yank reason when every usable file is yanked (PEP 592), else None."""
        reasons = [f.yanked for f in self.usable]
        if any(r is None for r in reasons):
            return None
        return next((r for r in reasons if r), "")

    @property
    def from_sdist(self) -> bool:
        """Whether pip builds it here: no wheel of it installs in this environment."""
        return not self.usable[0].filename.endswith(".whl")

    @property
    def metadata_file(self) -> DistFile:
        """The file whose metadata stands for the release here: a usable wheel (metadata
        of a wheel is what gets installed), else the sdist."""
        return self.usable[0]


@dataclass(frozen=True)
class Skipped:
    """A version that is not a candidate in an environment, and why."""

    version: Version
    reason: str


class Offer:
    """What a project offers in one environment, decided lazily, newest first."""

    def __init__(self, project: Listing, env: Environment, *, formats: Formats = "any"):
        self.project, self.env, self.formats = project, env, formats
        self._decided: list[Release | Skipped] = []
        self._by_version: dict[Version, Release | Skipped] = {}

    def __iter__(self) -> Iterator[Release]:
        """Usable releases, newest first."""
        for index in range(len(self.project.versions)):
            decided = self._decide(index)
            if isinstance(decided, Release):
                yield decided

    def versions_where(self, wanted: Callable[[Version], bool]) -> Iterator[Version]:
        """Usable versions that `wanted` accepts, newest first. The cheap test on the
        version comes first: whether a release installs here is decided only for the
        versions asked about (a project with thousands of releases, few of them wanted)."""
        for index, version in enumerate(self.project.versions):
            if wanted(version) and isinstance(self._decide(index), Release):
                yield version

    def get(self, version: Version) -> Release | None:
        """The usable release of `version`, if there is one."""
        if version not in self._by_version:
            for index, each in enumerate(self.project.versions):
                if each == version:
                    self._decide(index)
                    break
        found = self._by_version.get(version)
        return found if isinstance(found, Release) else None

    @property
    def releases(self) -> tuple[Release, ...]:
        return tuple(self)

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """Every version that is not usable here, with its reason (decides them all)."""
        for index in range(len(self.project.versions)):
            self._decide(index)
        return tuple(d for d in self._decided if isinstance(d, Skipped))

    def _decide(self, index: int) -> Release | Skipped:
        version = self.project.versions[index]
        found = self._by_version.get(version)
        if found is None:
            files = self.project.files(version)
            usable, reason = _usable(files, self.env, self.formats)
            found = Release(self.project.name, version, files, usable) if usable else None
            found = found or Skipped(version, reason)
            self._by_version[version] = found
            self._decided.append(found)
        return found


def file_formats(name: str, only_binary: Collection[str], no_binary: Collection[str]) -> Formats:
    """pip's rule for one project: a setting that names it beats one for `:all:`."""
    if name in no_binary:
        return "source"
    if name in only_binary:
        return "binary"
    if ":all:" in no_binary:
        return "source"
    return "binary" if ":all:" in only_binary else "any"


def _usable(
    files: tuple[DistFile, ...], env: Environment, formats: Formats
) -> tuple[tuple[DistFile, ...], str]:
    python_ok = [f for f in files if _admits(f.requires_python, env.full_version)]
    if not python_ok:
        return (), f"requires Python {files[0].requires_python}"
    wheels = [] if formats == "source" else [f for f in python_ok if f.filename.endswith(".whl")]
    tags = env.supported_tags
    fitting = sorted((f for f in wheels if not tags.isdisjoint(f.tags)), key=_wheel_order)
    sdists = (
        [] if formats == "binary" else [f for f in python_ok if not f.filename.endswith(".whl")]
    )
    usable = tuple(fitting + sorted(sdists, key=lambda f: f.filename))
    if usable:
        return usable, ""
    if formats == "source":
        return (), "only wheels, and sdists only are allowed (--no-binary)"
    if formats == "binary" and not wheels:
        return (), "only an sdist, and binaries only are allowed"
    return (), f"no wheel for {env.platform_name} and CPython {env.python}" + (
        "" if formats == "binary" else ", and no sdist"
    )


def _wheel_order(file: DistFile) -> tuple[bool, str]:
    # A pure wheel first: its metadata is the same everywhere, so one fetch serves all
    # environments.
    return (not file.filename.endswith("-none-any.whl"), file.filename)


@lru_cache(maxsize=65536)
def _admits(requires_python: str | None, python: Version) -> bool:
    """Whether the environment's lowest patch release satisfies a file's Requires-Python
    (a series split at a Requires-Python bound is resolved again from that bound)."""
    if not requires_python:
        return True
    spec = _specifier(requires_python)
    return spec is None or spec.contains(python, prereleases=True)


def requires_python_of(files: Iterable[DistFile]) -> set[SpecifierSet]:
    """The parsed Requires-Python values the index lists for `files`."""
    found = (_specifier(f.requires_python) for f in files if f.requires_python)
    return {spec for spec in found if spec is not None}


@lru_cache(maxsize=4096)
def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None  # pip ignores a Requires-Python it cannot parse


class Ahead(Iterator["Release"]):
    """Releases in the order given, with the next few visible before they are reached
    (`peek`), so that their metadata can be fetched side by side while a walk goes on."""

    def __init__(self, releases: Iterator[Release]) -> None:
        self._rest, self._seen = releases, deque[Release]()

    def __next__(self) -> Release:
        return self._seen.popleft() if self._seen else next(self._rest)

    def peek(self, count: int) -> list[Release]:
        """The next `count` releases (fewer at the end), still to be returned."""
        while len(self._seen) < count and (item := next(self._rest, None)) is not None:
            self._seen.append(item)
        return list(self._seen)[:count]
