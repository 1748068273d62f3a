"""PEP 751 lock files (`pylock.<layer>.toml`) made from a layer's `.lock.txt` (pure core).

The pylock file is a second spelling of the same resolution, never a second resolution:
each pin of the lock becomes one `[[packages]]` entry with its marker, and each sha256 the
lock lists becomes one file of that entry, with the URL and size the index gives for it.
The model is `packaging.pylock` (validated as it is built); nothing here fetches or opens a
file. `pylock_problems` is what `check` asks of a pylock file beside a lock: it must not
import tomlkit, which only `render_pylock` needs (imported there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.markers import Marker
from packaging.pylock import (
    Package,
    PackageArchive,
    PackageSdist,
    PackageWheel,
    Pylock,
    PylockValidationError,
)
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.environments import Environment, PythonVersion
from pipx_lockext.core.errors import IntegrityError, NotTrue
from pipx_lockext.core.lockfiles.lockparse import LockedPin, ParsedLock

CREATED_BY = "reqlock"
LOCK_VERSION = Version("1.0")
SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz")
"""Source archives, in the order one is chosen when a release offers several."""


def pylock_name(layer: str) -> str:
    """`pylock.<layer>.toml`, the PEP 751 name installers accept for a named lock."""
    return f"pylock.{layer}.toml"


@dataclass(frozen=True)
class FileRecord:
    """One file of a release as the index lists it."""

    filename: str
    url: str
    sha256: str
    size: int | None = None
    upload_time: datetime | None = None


ReleaseKey = tuple[NormalizedName, str]
"""(name, version) of an index pin, or (name, URL) of a direct URL pin."""


def release_key(pin: LockedPin) -> ReleaseKey:
    return (pin.name, pin.url or str(pin.version))


def build_pylock(
    lock: ParsedLock, display: str, files: Mapping[ReleaseKey, Sequence[FileRecord]]
) -> Pylock:
    """The validated Pylock of `lock` (read from `display`), each pin's files being the
    records in `files` whose sha256 the lock lists. A listed hash no record has is an
    IntegrityError naming every such pin and hash (the index no longer offers the file)."""
    missing: list[str] = []
    packages = []
    for pin in lock.pins:
        by_hash = {r.sha256: r for r in files.get(release_key(pin), ())}
        gone = [
            f"{display}:{pin.line}: {pin.name}=={pin.version} --hash=sha256:{digest} "
            "matches no file the index lists for that release"
            for digest in pin.hashes
            if digest not in by_hash
        ]
        missing += gone
        if not gone:
            packages.append(_package(pin, [by_hash[h] for h in pin.hashes]))
    if missing:
        raise IntegrityError("; ".join(missing))
    pylock = Pylock(
        lock_version=LOCK_VERSION,
        environments=environment_markers(lock.environments) or None,
        requires_python=_requires_python(lock.environments),
        created_by=CREATED_BY,
        packages=sorted(packages, key=_order),
    )
    try:
        pylock.validate()
    except PylockValidationError as exc:
        raise NotTrue(f"{display}: its PEP 751 form does not validate ({exc})") from None
    return pylock


def _order(package: Package) -> tuple[str, Version, str]:
    return (package.name, package.version or LOCK_VERSION, str(package.marker or ""))


def _package(pin: LockedPin, records: list[FileRecord]) -> Package:
    if pin.url is not None:
        first = records[0]
        archive = PackageArchive(url=first.url, size=first.size, hashes={"sha256": first.sha256})
        return Package(name=pin.name, version=pin.version, marker=pin.marker, archive=archive)
    wheels = sorted((r for r in records if r.filename.endswith(".whl")), key=_by_name)
    # PEP 751 holds one sdist: a release with a .tar.gz and a .zip keeps the .tar.gz (the
    # lock's hash of the other one is left out; `check` asks only that no hash be foreign).
    sdists = [r for r in records if r.filename.lower().endswith(SDIST_SUFFIXES)]
    sdists.sort(key=lambda r: [r.filename.lower().endswith(s) for s in SDIST_SUFFIXES].index(True))
    return Package(
        name=pin.name,
        version=pin.version,
        marker=pin.marker,
        sdist=_dist(PackageSdist, sdists[0]) if sdists else None,
        wheels=[_dist(PackageWheel, r) for r in wheels] or None,
    )


def _by_name(record: FileRecord) -> str:
    return record.filename


def _dist(kind: type[PackageWheel] | type[PackageSdist], record: FileRecord) -> Any:
    # The file name is written only when the URL does not end with it (PEP 751 derives it).
    named = unquote(urlsplit(record.url).path.rsplit("/", 1)[-1]) == record.filename
    return kind(
        name=None if named else record.filename,
        upload_time=record.upload_time,
        url=record.url,
        size=record.size,
        hashes={"sha256": record.sha256},
    )


def environment_markers(environments: Sequence[Environment]) -> list[Marker]:
    """The lock's matrix as PEP 751 `environments`: per platform (as markers tell them
    apart), one marker per run of consecutive Python versions."""
    by_platform: dict[tuple[str, str], set[PythonVersion]] = {}
    for env in environments:
        p = env.platform
        by_platform.setdefault((p.sys_platform, p.platform_machine), set()).add(env.python)
    markers = []
    for (system, machine), pythons in sorted(by_platform.items()):
        where = f'sys_platform == "{system}" and platform_machine == "{machine}"'
        markers += [Marker(f"{_python_range(run)} and {where}") for run in _runs(pythons)]
    return markers


def _runs(pythons: set[PythonVersion]) -> list[list[PythonVersion]]:
    """Consecutive minor versions together: 3.9-3.11 and 3.13 for {3.9, 3.10, 3.11, 3.13}."""
    ordered = sorted(pythons)
    steps = groupby(enumerate(ordered), key=lambda item: (item[1].major, item[1].minor - item[0]))
    return [[version for _, version in group] for _, group in steps]


def _python_range(run: list[PythonVersion]) -> str:
    low, high = run[0], run[-1]
    floor = (
        f'python_full_version >= "{low.floor_text}"' if low.patch else f'python_version >= "{low}"'
    )
    if low == high and not low.patch:
        return f'python_version == "{low}"'
    return f'{floor} and python_version <= "{high}"'


def _requires_python(environments: Sequence[Environment]) -> SpecifierSet | None:
    """The lowest Python of the matrix (PEP 751: the minimum viable Python)."""
    if not environments:
        return None
    low = min(env.python for env in environments)
    return SpecifierSet(f">={low.floor_text}")


def pylock_problems(data: Mapping[str, Any], lock: ParsedLock) -> list[str]:
    """Why a pylock file (parsed TOML) is not the lock's: it does not validate, was not
    written by reqlock, lists other packages (name, version, marker), or a file hash the
    lock does not. Empty when it is fresh."""
    try:
        pylock = Pylock.from_dict(data)
    except PylockValidationError as exc:
        return [f"not a valid PEP 751 lock ({exc})"]
    if pylock.created_by != CREATED_BY:
        return [f"created by {pylock.created_by!r}, not by reqlock export"]
    problems = []
    locked = {_identity(p.name, p.version, p.marker) for p in lock.pins}
    listed = {_identity(p.name, p.version, p.marker) for p in pylock.packages}
    for what, names in (("lacks", locked - listed), ("has", listed - locked)):
        problems += [f"{what} {name} that the lock {_opposite(what)}" for name in sorted(names)]
    hashes = {_identity(p.name, p.version, p.marker): set(p.hashes) for p in lock.pins}
    for package in pylock.packages:
        key = _identity(package.name, package.version, package.marker)
        foreign = sorted(_file_hashes(package) - hashes.get(key, _file_hashes(package)))
        problems += [f"{key}: sha256 {h} is not among the lock's hashes" for h in foreign]
    return problems


def _opposite(what: str) -> str:
    return "has" if what == "lacks" else "lacks"


def _identity(name: str, version: Version | None, marker: Marker | None) -> str:
    where = f" ; {marker}" if marker is not None else ""
    return f"{name}=={version}{where}"


def _file_hashes(package: Package) -> set[str]:
    dists: list[PackageWheel | PackageSdist | PackageArchive] = [*(package.wheels or ())]
    dists += [d for d in (package.sdist, package.archive) if d is not None]
    return {d.hashes["sha256"] for d in dists if "sha256" in d.hashes}


def render_pylock(pylock: Pylock, source: str) -> str:
    """The TOML text of a validated Pylock: a header naming `source` (the lock it was made
    from), then the PEP 751 tables, each file an inline table on a line of its own."""
    import tomlkit  # noqa: PLC0415 - check imports this module and must not load tomlkit

    data = dict(pylock.to_dict())
    doc = tomlkit.document()
    doc.add(tomlkit.comment(f"This file is generated by reqlock from {source}; do not edit it."))
    doc.add(tomlkit.comment("To update it, run: reqlock export --format pylock"))
    for key, value in data.items():
        if key != "packages":
            doc.add(key, _multiline([_text(v) for v in value]) if key == "environments" else value)
    packages = tomlkit.aot()
    for entry in data["packages"]:
        table = tomlkit.table()
        for key, value in entry.items():
            if key == "wheels":
                table.add(key, _multiline([_inline(w) for w in value]))
            elif isinstance(value, Mapping):
                table.add(key, _inline(value))
            else:
                table.add(key, _text(value) if isinstance(value, str) else value)
        packages.append(table)
    doc.add("packages", packages)
    return tomlkit.dumps(doc)


def _inline(values: Mapping[str, Any]) -> Any:
    import tomlkit  # noqa: PLC0415 - see render_pylock

    table = tomlkit.inline_table()
    for key, value in values.items():
        table.append(key, _inline(value) if isinstance(value, Mapping) else value)
    return table


def _text(value: str) -> Any:
    """A literal string for markers ('python_version < "3.11"'), which hold double quotes."""
    import tomlkit  # noqa: PLC0415 - see render_pylock

    return tomlkit.string(value, literal='"' in value and "'" not in value)


def _multiline(values: list[Any]) -> Any:
    import tomlkit  # noqa: PLC0415 - see render_pylock

    array = tomlkit.array()
    array.extend(values)
    return array.multiline(True)
