"""What a distribution's file name says: project, version and kind (pure core).

A wheel's and an sdist's file names are read strictly, by string tests, and each
distinct name and version text once (a page lists tens of thousands of files): a name
pip could not match (`leaf-9.0 -py3-none-any.whl`) is no release at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version


@dataclass(frozen=True)
class FileName:
    """What a distribution's file name says: project, version and kind."""

    name: NormalizedName
    version: Version
    kind: Literal["wheel", "sdist"]


ReleaseKey = tuple[NormalizedName, Version]
"""A release a file belongs to, as its file name says."""


def release_key_of(name: str, version: str) -> ReleaseKey | None:
    """The release a name and a version text stand for; None when either is invalid."""
    parsed_name, parsed_version = _name(name), _version(version)
    if parsed_name is None or parsed_version is None:
        return None
    return parsed_name, parsed_version


def parse_filename(filename: str) -> FileName | None:
    """Name, version and kind of a wheel or sdist; None when it is neither (e.g. `.egg`).

    Only the name and version are read (cached per distinct text, since a release's many
    wheels share them); wheel tags are left to `DistFile.tags`.
    """
    parts = split_filename(filename)
    return None if parts is None else _file_name(*parts)


def split_filename(filename: str) -> tuple[str, str, Literal["wheel", "sdist"]] | None:
    """The name and version texts of a wheel or sdist file name, and which it is (string
    tests only: this runs for every file of every page)."""
    if filename.endswith(".whl"):
        if filename.count("-") not in {4, 5}:
            return None
        name, version, _ = filename.split("-", 2)
        return name, version, "wheel"
    if filename.endswith(".tar.gz"):
        stem = filename[:-7]
    elif filename.endswith(".zip"):
        stem = filename[:-4]
    else:
        stem = ""
    name, _, version = stem.rpartition("-")
    return name, version, "sdist"


@lru_cache(maxsize=65536)
def _file_name(name: str, version: str, kind: Literal["wheel", "sdist"]) -> FileName | None:
    """One shared value for every file of a release (a page lists thousands of files)."""
    parsed_name, parsed_version = _name(name), _version(version)
    if parsed_name is None or parsed_version is None:
        return None
    return FileName(parsed_name, parsed_version, kind)


@lru_cache(maxsize=4096)
def _name(text: str) -> NormalizedName | None:
    valid = bool(text) and all(c.isascii() and (c.isalnum() or c in "._-") for c in text)
    return canonicalize_name(text) if valid else None


@lru_cache(maxsize=65536)
def _version(text: str) -> Version | None:
    # packaging forgives surrounding spaces ("1.1 " is 1.1); a file name must not: pip
    # would never find the release a lock names after it.
    if not text or not all(c.isascii() and (c.isalnum() or c in "._+!-") for c in text):
        return None
    try:
        return Version(text)
    except InvalidVersion:
        return None
