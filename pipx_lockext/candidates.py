"""Which releases of a project can be installed in one environment, and why the others
cannot (pure core).

A release is usable in an environment when some file of it installs there: a wheel whose
tags the environment supports, or an sdist (unless binaries only are allowed), and whose
Requires-Python admits the environment's Python. Every release left out gets a reason, so
that a failed resolution can say which versions were skipped and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.environments import Environment
from pipx_lockext.indexpages import DistFile


@dataclass(frozen=True)
class Release:
    """One version of a project as offered in an environment."""

    name: NormalizedName
    version: Version
    files: tuple[DistFile, ...]
    """Every file of the release on the index (all platforms: the lock hashes them all)."""
    usable: tuple[DistFile, ...]
    """The files that install in this environment, wheels first."""

    @property
    def yanked(self) -> str | None:
        """The yank reason when every usable file is yanked (PEP 592), else None."""
        reasons = [f.yanked for f in self.usable]
        if any(r is None for r in reasons):
            return None
        return next((r for r in reasons if r), "")

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


@dataclass(frozen=True)
class Offer:
    """What an index offers for one project in one environment."""

    releases: tuple[Release, ...]
    """Usable releases, newest first."""
    skipped: tuple[Skipped, ...]


def offer(
    name: NormalizedName,
    files: Iterable[DistFile],
    env: Environment,
    *,
    only_binary: bool = False,
) -> Offer:
    """Group `files` by version and keep the releases that install in `env`."""
    by_version: dict[Version, list[DistFile]] = {}
    for file in files:
        parsed = file.parsed
        if parsed is not None and parsed.name == name:
            by_version.setdefault(parsed.version, []).append(file)
    releases, skipped = [], []
    for version in sorted(by_version, reverse=True):
        group = tuple(by_version[version])
        usable, reason = _usable(group, env, only_binary)
        if usable:
            releases.append(Release(name, version, group, usable))
        else:
            skipped.append(Skipped(version, reason))
    return Offer(tuple(releases), tuple(skipped))


def _usable(
    files: tuple[DistFile, ...], env: Environment, only_binary: bool
) -> tuple[tuple[DistFile, ...], str]:
    python_ok = [f for f in files if _admits(f.requires_python, env)]
    if not python_ok:
        return (), f"requires Python {files[0].requires_python}"
    wheels = [f for f in python_ok if f.filename.endswith(".whl")]
    fitting = sorted(
        (f for f in wheels if not env.supported_tags.isdisjoint(f.tags)), key=_wheel_order
    )
    sdists = [] if only_binary else [f for f in python_ok if not f.filename.endswith(".whl")]
    usable = tuple(fitting + sorted(sdists, key=lambda f: f.filename))
    if usable:
        return usable, ""
    if only_binary and not wheels:
        return (), "only an sdist, and binaries only are allowed"
    return (), f"no wheel for {env.platform_name} and CPython {env.python}" + (
        "" if only_binary else ", and no sdist"
    )


def _wheel_order(file: DistFile) -> tuple[bool, str]:
    # A pure wheel first: its metadata is the same everywhere, so one fetch serves all
    # environments.
    return (not file.filename.endswith("-none-any.whl"), file.filename)


def _admits(requires_python: str | None, env: Environment) -> bool:
    if not requires_python:
        return True
    spec = _specifier(requires_python)
    return spec is None or spec.contains(env.full_version, prereleases=True)


@lru_cache(maxsize=4096)
def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None  # pip ignores a Requires-Python it cannot parse
