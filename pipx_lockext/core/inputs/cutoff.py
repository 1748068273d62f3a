"""The upload-date cutoff (`--uploaded-prior-to`, `[tool.reqlock] uploaded-prior-to`) and
PEP 700 upload times, as values (pure core).

A cutoff is written one way whatever form it was given in, so that the lock header, the
input digest and `check` compare like with like: an instant as RFC 3339 in UTC
(`2026-06-01T00:00:00Z`), a duration as ISO 8601 (`P7D`, `PT12H`, `P1DT6H`). A duration
means "that long before the compile that resolves"; it is recorded and digested as the
duration, never as the instant it gave, so a lock with a cool-down stays fresh as days
pass. Turning it into an instant needs the time now, which the caller passes in: nothing
here reads a clock.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

UTC = timezone.utc

NONE = "none"
"""The command-line value that drops a recorded cutoff."""

_INSTANT = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?"
    r"([Zz]|[+-]\d{2}:\d{2})?)?"
)
_DURATION = re.compile(
    r"P(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,7})H)?(?:(\d{1,9})M)?(?:(\d{1,10})S)?)?"
)
_PEP700 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z")
"""PEP 700's `upload-time`: `yyyy-mm-ddThh:mm:ss.ffffffZ`, fraction optional, UTC only."""
MAX_DAYS = 36500
FORMS = (
    "an RFC 3339 time with Z or an offset (2026-06-01T00:00:00Z), a date "
    "(2026-06-01, midnight UTC) or an ISO 8601 duration before now (P7D, PT12H)"
)


def parse_cutoff(text: str) -> str:
    """The cutoff in its one written form; ValueError saying which forms are accepted."""
    value = text.strip()
    if value.upper().startswith("P"):
        return _duration_text(value.upper())
    match = _INSTANT.fullmatch(value)
    if match is None:
        raise ValueError(f"not a date, time or duration: {text!r}; give {FORMS}")
    if match.group(4) is not None and match.group(8) is None:
        raise ValueError(f"{text!r} has no time zone: add Z (UTC) or an offset such as +02:00")
    return format_instant(_instant(match, text))


def is_duration(cutoff: str) -> bool:
    return cutoff.startswith("P")


def cutoff_instant(cutoff: str, now: datetime | None) -> datetime:
    """The instant a written cutoff stands for: itself, or `now` less the duration
    (ValueError for a duration without `now`)."""
    if is_duration(cutoff):
        if now is None:
            raise ValueError(f"the cutoff {cutoff} is relative: it needs the time now")
        return now.astimezone(UTC) - _duration(cutoff)
    return datetime.fromisoformat(cutoff.replace("Z", "+00:00"))


def format_instant(when: datetime) -> str:
    """RFC 3339 in UTC, with a fraction only when there is one."""
    when = when.astimezone(UTC)
    spec = "seconds" if not when.microsecond else "microseconds"
    return when.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def parse_upload_time(value: object) -> datetime:
    """A PEP 700 `upload-time` (index data: untrusted); ValueError when it is not one."""
    if not isinstance(value, str) or not _PEP700.fullmatch(value):
        raise ValueError(f"not an RFC 3339 UTC time as PEP 700 asks: {value!r:.60}")
    head, _, fraction = value[:-1].partition(".")
    micro = f".{fraction[:6]:0<6}" if fraction else ""  # Python keeps microseconds
    try:
        return datetime.fromisoformat(f"{head}{micro}+00:00")
    except ValueError:
        raise ValueError(f"not a real time: {value!r:.60}") from None


def _instant(match: re.Match[str], text: str) -> datetime:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int(f"{fraction[1:7]:0<6}") if fraction else 0
    try:
        offset = _offset(zone or "Z")
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0),
            int(second or 0), micro, tzinfo=offset,
        )  # fmt: skip
    except ValueError as exc:
        raise ValueError(f"not a real date or time: {text!r} ({exc})") from None


def _offset(zone: str) -> timezone:
    if zone in ("Z", "z"):
        return UTC
    sign = -1 if zone[0] == "-" else 1
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _duration_text(value: str) -> str:
    match = _DURATION.fullmatch(value)
    if match is None or value in ("P", "PT") or value.endswith("T"):
        months = "Y" in value or "M" in value.partition("T")[0]
        hint = "; years and months have no fixed length: say days" if months else ""
        what = "not an ISO 8601 duration in weeks, days, hours, minutes and seconds"
        raise ValueError(f"{what}: {value!r}{hint}")
    span = _duration(value)
    if span <= timedelta(0) or span > timedelta(days=MAX_DAYS):
        raise ValueError(f"{value!r}: a duration must be above zero and at most {MAX_DAYS} days")
    return value


def _duration(value: str) -> timedelta:
    match = _DURATION.fullmatch(value)
    if match is None:
        raise ValueError(f"not a duration: {value!r}")
    weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
