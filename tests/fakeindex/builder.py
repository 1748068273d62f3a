"""Declarative releases turned into real, installable wheels and sdists on disk.

It owns the `Release` data a test writes and the `BuiltFile`s an index serves: file names
per the wheel and sdist specs, core metadata (written by `packaging.metadata`), and the
sdist layout around the in-tree backend of `backend`. Every hash is computed from the bytes
written, and the same releases always give the same bytes. It serves nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import cast

from packaging.metadata import ExceptionGroup, Metadata, RawMetadata
from packaging.requirements import InvalidRequirement, Requirement
from packaging.tags import parse_tag
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from tests.fakeindex import backend

PYPROJECT = """\
[build-system]
requires = {requires}
build-backend = "fakeindex_backend"
backend-path = ["_backend"]
"""
_EXTRA = re.compile(r"""\bextra\s*==\s*["']([^"']+)["']|["']([^"']+)["']\s*==\s*extra\b""")


@dataclass(frozen=True)
class Release:
    """One version of one project, with the files the index offers for it."""

    name: str
    """As displayed, e.g. "Foo_Bar"; file and module names use the normalized form."""
    version: str
    requires_dist: tuple[str, ...] = ()
    """PEP 508 strings; markers and `extra == "x"` allowed (Provides-Extra is derived)."""
    requires_python: str | None = None
    wheels: tuple[str, ...] = ("py3-none-any",)
    """One wheel per tag triple; compressed sets like `manylinux_2_17_x86_64.manylinux2014_x86_64`
    are expanded in the WHEEL file."""
    sdist: bool = True
    yanked: str | bool = False
    """True, or the reason as a string."""
    dynamic: tuple[str, ...] = ()
    """Fields left out of the sdist's PKG-INFO (the built wheel still has them), and named
    in `Dynamic:` when `metadata_version` is 2.2 or later (PEP 643)."""
    metadata_version: str = "2.2"
    """Of the sdist's PKG-INFO and of every METADATA; "2.1" means PEP 643 does not apply."""
    build_requires: tuple[str, ...] = ()
    """The sdist's `[build-system].requires` (pip installs them to build it; the in-tree
    backend itself needs none)."""
    project_table: str = ""
    """TOML added to the sdist's pyproject.toml, such as a PEP 621 `[project]` table that
    declares the dependencies statically (the backend still builds from the metadata
    above: a test tells the two apart by what it declares)."""
    upload_time: str | None = None
    """PEP 700 `upload-time` of every file (JSON pages only), e.g. "2024-01-01T00:00:00Z";
    None: the page gives none."""
    upload_times: tuple[str, ...] = ()
    """Per-file overrides, `"<wheel tag triple or sdist>=<time>"` (a wheel added later)."""

    def __post_init__(self) -> None:
        problems = _tag_problems(self.wheels)
        if not self.wheels and not self.sdist:
            problems.append("no files: give wheels or sdist=True")
        if self.yanked == "":
            problems.append("yanked with an empty reason: give a reason or True")
        for entry in self.upload_times:
            key, equals, _ = entry.partition("=")
            if not equals or key not in (*self.wheels, "sdist"):
                problems.append(f"upload_times entry {entry!r}: not <wheel tag or sdist>=<time>")
        # Built now, so a bad release fails where the test writes it.
        for metadata in ("wheel_metadata", "sdist_metadata"):
            try:
                getattr(self, metadata)
            except ExceptionGroup as group:
                problems += [str(e) for e in group.exceptions if str(e) not in problems]
        if problems:
            raise ValueError(f"invalid Release {self.name} {self.version}: " + "; ".join(problems))

    def upload_time_of(self, filename: str) -> str | None:
        """The upload time the index gives for one of this release's files."""
        kind = "-".join(filename[:-4].split("-")[-3:]) if filename.endswith(".whl") else "sdist"
        for entry in self.upload_times:
            key, _, when = entry.partition("=")
            if key == kind:
                return when
        return self.upload_time

    @property
    def key(self) -> NormalizedName:
        return canonicalize_name(self.name)

    @property
    def module(self) -> str:
        """The importable top-level module (and the name part of file names)."""
        return backend.normalize(self.name)

    @property
    def normalized_version(self) -> str:
        try:
            return str(Version(self.version))
        except InvalidVersion:
            return self.version  # left for the metadata validation to report with the rest

    @property
    def provides_extra(self) -> tuple[str, ...]:
        extras = set()
        for line in self.requires_dist:
            try:
                marker = Requirement(line).marker
            except InvalidRequirement:
                continue  # reported by the metadata validation
            for match in _EXTRA.finditer(str(marker or "")):
                extras.add(canonicalize_name(match.group(1) or match.group(2)))
        return tuple(sorted(extras))

    @cached_property
    def wheel_metadata(self) -> bytes:
        """METADATA of every wheel, and what the sdist's backend writes into its wheel."""
        return _metadata_bytes(self._raw())

    @cached_property
    def sdist_metadata(self) -> bytes:
        """PKG-INFO: the wheel's metadata less the dynamic fields."""
        raw = self._raw(frozenset(f.lower().replace("-", "_") for f in self.dynamic))
        if self.dynamic and Version(self.metadata_version) >= Version("2.2"):
            raw["dynamic"] = list(self.dynamic)
        return _metadata_bytes(raw)

    def _raw(self, omit: frozenset[str] = frozenset()) -> RawMetadata:
        fields: dict[str, object] = {
            "metadata_version": self.metadata_version,
            "name": self.name,
            "version": self.normalized_version,
            "requires_dist": list(self.requires_dist),
            "provides_extra": list(self.provides_extra),
            "requires_python": self.requires_python,
        }
        kept = {k: v for k, v in fields.items() if v is not None and k not in omit}
        return cast(RawMetadata, kept)


@dataclass(frozen=True)
class BuiltFile:
    """A distribution file written to disk, as an index describes it."""

    filename: str
    path: Path
    sha256: str
    """Hex digest of the bytes on disk."""
    size: int
    release: Release
    metadata: bytes
    """Core metadata: METADATA for a wheel (served as the PEP 658 file), PKG-INFO for an sdist."""

    @property
    def metadata_sha256(self) -> str:
        return hashlib.sha256(self.metadata).hexdigest()

    @property
    def is_wheel(self) -> bool:
        return self.filename.endswith(".whl")


def build_files(releases: Iterable[Release], dest: Path) -> dict[str, BuiltFile]:
    """Write every file of `releases` into `dest`; returns them by file name, sorted."""
    dest.mkdir(parents=True, exist_ok=True)
    built: dict[str, BuiltFile] = {}
    for release in releases:
        files = [build_wheel(release, tag, dest) for tag in release.wheels]
        if release.sdist:
            files.append(build_sdist(release, dest))
        for file in files:
            if file.filename in built:
                raise ValueError(f"two releases give the same file {file.filename}")
            built[file.filename] = file
    return dict(sorted(built.items()))


def build_wheel(release: Release, tag: str, dest: Path) -> BuiltFile:
    version = release.normalized_version
    path = dest / f"{release.module}-{version}-{tag}.whl"
    tags = sorted(str(t) for t in parse_tag(tag))
    dist_info = backend.dist_info_dir(release.name, version)
    backend.write_wheel(path, _module_files(release), dist_info, release.wheel_metadata, tags)
    return _built(release, path, release.wheel_metadata)


def build_sdist(release: Release, dest: Path) -> BuiltFile:
    base = f"{release.module}-{release.normalized_version}"
    files = {
        "PKG-INFO": release.sdist_metadata,
        "pyproject.toml": (
            PYPROJECT.format(requires=json.dumps(list(release.build_requires)))
            + release.project_table
        ).encode(),
        backend.TRUE_METADATA: release.wheel_metadata,
        "_backend/fakeindex_backend.py": Path(backend.__file__).read_bytes(),
        **_module_files(release),
    }
    path = dest / f"{base}.tar.gz"
    backend.write_sdist(path, base, files)
    return _built(release, path, release.sdist_metadata)


def _module_files(release: Release) -> dict[str, bytes]:
    text = f'"""Fake project {release.name}."""\n\n__version__ = "{release.normalized_version}"\n'
    return {f"{release.module}/__init__.py": text.encode()}


def _built(release: Release, path: Path, metadata: bytes) -> BuiltFile:
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    return BuiltFile(path.name, path, sha256, len(data), release, metadata)


def _metadata_bytes(raw: RawMetadata) -> bytes:
    return Metadata.from_raw(raw).as_rfc822().as_bytes()


def _tag_problems(tags: Iterable[str]) -> list[str]:
    problems = []
    for tag in tags:
        parts = tag.split("-")
        if len(parts) != 3 or not all(parts):
            problems.append(f"wheel tag {tag!r} is not python-abi-platform")
    return problems
