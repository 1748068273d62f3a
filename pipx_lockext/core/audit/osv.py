"""OSV advisory records as values, and which pinned versions they affect (pure core).

An OSV record (https://ossf.github.io/osv-schema/) is untrusted input, validated here
where it becomes a value: only the `PyPI` ecosystem is read, names are canonicalized,
versions parse as PEP 440 (packaging.version). A record that cannot be read that way is
skipped with a warning naming it, never a crash; a withdrawn record is ignored. Ranges of
type ECOSYSTEM and SEMVER are evaluated with their `introduced`, `fixed` and
`last_affected` events; GIT ranges (commits) say nothing about releases and are left out.
Nothing here reads a file or the network.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from pipx_lockext.core.errors import NetworkError

ECOSYSTEM = "PyPI"
RANGE_TYPES = ("ECOSYSTEM", "SEMVER")
EVENTS = ("introduced", "fixed", "last_affected", "limit")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]{0,99}")
"""What an advisory id or alias looks like (PYSEC-2024-1, GHSA-xxxx-…, CVE-2024-1)."""
SUMMARY_LIMIT = 120


@dataclass(frozen=True)
class Event:
    """One point of a range: where it starts, is fixed, or was last affected."""

    kind: str
    """"introduced", "fixed", "last_affected" or "limit"."""
    version: Version
    """"0" (introduced at the beginning) reads as version 0."""


@dataclass(frozen=True)
class Affected:
    """The versions of one package an advisory covers."""

    name: NormalizedName
    ranges: tuple[tuple[Event, ...], ...]
    """Each range's events, sorted by version."""
    versions: frozenset[Version]
    """Versions listed one by one (`affected[].versions`)."""

    def covers(self, version: Version) -> bool:
        return version in self.versions or any(_in_range(r, version) for r in self.ranges)

    def fixed_after(self, version: Version) -> Version | None:
        """The first `fixed` version above `version` in a range that covers it."""
        fixes = [
            event.version
            for events in self.ranges
            if _in_range(events, version)
            for event in events
            if event.kind == "fixed" and event.version > version
        ]
        return min(fixes, default=None)


@dataclass(frozen=True)
class Advisory:
    """One OSV record, as far as it concerns PyPI packages."""

    id: str
    aliases: tuple[str, ...]
    """Other ids of the same vulnerability (CVE-…, GHSA-…), sorted."""
    summary: str
    affected: tuple[Affected, ...]

    @property
    def names(self) -> frozenset[NormalizedName]:
        return frozenset(a.name for a in self.affected)

    def hit(self, name: NormalizedName, version: Version) -> Hit | None:
        """Whether `name==version` is affected, and the first version that fixes it."""
        mine = [a for a in self.affected if a.name == name and a.covers(version)]
        if not mine:
            return None
        fixes = [f for a in mine if (f := a.fixed_after(version)) is not None]
        return Hit(self, name, version, min(fixes, default=None))


@dataclass(frozen=True)
class Hit:
    """An advisory that affects a pin."""

    advisory: Advisory
    name: NormalizedName
    version: Version
    fixed: Version | None
    """The first release that fixes it, None when no fix is known."""


def _in_range(events: tuple[Event, ...], version: Version) -> bool:
    """The OSV evaluation: walk the events in version order; `introduced` at or below the
    version opens, `fixed` at or below it (or `last_affected` below it) closes."""
    affected = False
    for event in events:
        if event.kind == "introduced" and event.version <= version:
            affected = True
        elif _closes(event, version):
            affected = False
        elif event.kind == "limit" and event.version <= version:
            return False
    return affected


def _closes(event: Event, version: Version) -> bool:
    if event.kind == "fixed":
        return event.version <= version
    return event.kind == "last_affected" and event.version < version


class SourceUnreadable(NetworkError):
    """The advisory source cannot be read: a database folder or zip that is not there or
    not what osv.dev publishes, or the OSV API not answering (exit 4, as for an index)."""


class BadRecord(ValueError):
    """Why a record cannot be read (the caller skips it with a warning)."""


def parse_records(
    records: Iterable[tuple[str, object]], wanted: frozenset[str] | None = None
) -> tuple[tuple[Advisory, ...], tuple[str, ...]]:
    """Advisories from (where, decoded JSON) pairs, and a warning per record skipped (a
    string in place of the JSON says why the reader could not decode it). With `wanted`,
    records naming none of those packages are passed over unread."""
    advisories: list[Advisory] = []
    warnings: list[str] = []
    for where, data in records:
        if isinstance(data, str):  # the reader could not decode it, and says why
            warnings.append(f"{where}: advisory skipped: {data}")
            continue
        if wanted is not None and not _names(data) & wanted:
            continue
        try:
            advisory = parse_record(data)
        except BadRecord as exc:
            warnings.append(f"{where}: advisory skipped: {exc}")
            continue
        if advisory is not None and advisory.affected:
            advisories.append(advisory)
    return tuple(sorted(advisories, key=lambda a: a.id)), tuple(warnings)


def _names(data: object) -> set[str]:
    """The canonical PyPI names a record mentions, looked at without validating it."""
    found: set[str] = set()
    affected = data.get("affected") if isinstance(data, dict) else None
    for item in affected if isinstance(affected, list) else ():
        package = item.get("package") if isinstance(item, dict) else None
        if isinstance(package, dict) and package.get("ecosystem") == ECOSYSTEM:
            name = package.get("name")
            if isinstance(name, str):
                found.add(canonicalize_name(name))
    return found


def parse_record(data: object) -> Advisory | None:
    """One record as an Advisory; None when it is withdrawn. BadRecord when it cannot be
    read (a missing id, a field of the wrong type, a version that is not PEP 440)."""
    record = _table(data, "the record")
    ident = _ident(record.get("id"), "id")
    if record.get("withdrawn"):
        return None
    aliases = _list(record.get("aliases", []), "aliases")
    summary = record.get("summary") or record.get("details") or ""
    if not isinstance(summary, str):
        raise BadRecord(f"{ident}: summary is not a string")
    try:
        affected = tuple(
            part
            for item in _list(record.get("affected", []), "affected")
            if (part := _affected(_table(item, "affected[]"))) is not None
        )
    except BadRecord as exc:
        raise BadRecord(f"{ident}: {exc}") from None
    return Advisory(
        ident,
        tuple(sorted({_ident(a, "aliases[]") for a in aliases} - {ident})),
        _one_line(summary),
        affected,
    )


def _one_line(text: str) -> str:
    """The summary, or the first paragraph of the details, on one line and capped."""
    first = " ".join(text.strip().split("\n\n", 1)[0].split())
    return first if len(first) <= SUMMARY_LIMIT else first[: SUMMARY_LIMIT - 1] + "…"


def _affected(item: Mapping[str, object]) -> Affected | None:
    package = _table(item.get("package", {}), "affected[].package")
    if package.get("ecosystem") != ECOSYSTEM:
        return None
    name = package.get("name")
    if not isinstance(name, str) or not name:
        raise BadRecord("affected[].package.name is not a name")
    ranges = []
    for entry in _list(item.get("ranges", []), "affected[].ranges"):
        table = _table(entry, "affected[].ranges[]")
        if table.get("type") in RANGE_TYPES:
            ranges.append(_events(_list(table.get("events", []), "events")))
    versions = frozenset(_version(v) for v in _list(item.get("versions", []), "versions"))
    return Affected(canonicalize_name(name), tuple(ranges), versions)


def _events(items: list[object]) -> tuple[Event, ...]:
    events = []
    for item in items:
        table = _table(item, "events[]")
        kinds = [k for k in EVENTS if k in table]
        if len(kinds) != 1:
            raise BadRecord(f"an event needs exactly one of {', '.join(EVENTS)}")
        events.append(Event(kinds[0], _version(table[kinds[0]])))
    order = {kind: n for n, kind in enumerate(EVENTS)}
    return tuple(sorted(events, key=lambda e: (e.version, order[e.kind])))


def _version(value: object) -> Version:
    if value == "0":
        return Version("0")
    if not isinstance(value, str):
        raise BadRecord(f"version {value!r} is not a string")
    try:
        return Version(value)
    except InvalidVersion:
        raise BadRecord(f"version {value!r} is not a PEP 440 version") from None


def _table(value: object, what: str) -> Mapping[str, object]:
    if not isinstance(value, dict):
        raise BadRecord(f"{what} is not an object")
    return value


def _list(value: object, what: str) -> list[object]:
    if not isinstance(value, list):
        raise BadRecord(f"{what} is not a list")
    return value


def valid_id(text: str) -> bool:
    """Whether `text` looks like an advisory id (safe in a URL path and on a terminal)."""
    return bool(_ID.fullmatch(text))


def _ident(value: object, what: str) -> str:
    if not isinstance(value, str) or not valid_id(value):
        raise BadRecord(f"{what} is not an advisory id: {str(value)[:40]!r}")
    return value
