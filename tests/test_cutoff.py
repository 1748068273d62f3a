"""The upload-date cutoff as values: the forms `--uploaded-prior-to` and
`[tool.reqlock] uploaded-prior-to` accept, the one form they are written in, and the
instant each stands for."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pipx_lockext.core.inputs.cutoff import cutoff_instant, is_duration, parse_cutoff

UTC = timezone.utc
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("2026-06-01", "2026-06-01T00:00:00Z"),  # a date is midnight UTC
        ("2026-06-01T00:00Z", "2026-06-01T00:00:00Z"),  # the spelling
        ("2026-06-01T02:00:00+02:00", "2026-06-01T00:00:00Z"),  # offsets become UTC
        ("2026-05-31T22:30:00-01:30", "2026-06-01T00:00:00Z"),
        ("2026-06-01t00:00:00.25z", "2026-06-01T00:00:00.250000Z"),
        ("2026-06-01 00:00:00Z", "2026-06-01T00:00:00Z"),
        (" P7D ", "P7D"),
        ("p7d", "P7D"),
        ("PT12H", "PT12H"),
        ("P1W", "P1W"),
        ("P1DT6H30M", "P1DT6H30M"),
    ],
)
def test_accepted_forms_are_written_one_way(given, written):
    assert parse_cutoff(given) == written
    assert parse_cutoff(written) == written  # what a header holds reads back as itself


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("2026-06-01T00:00", "no time zone"),
        ("2026-13-01", "not a real date"),
        ("2026-02-30", "not a real date"),
        ("yesterday", "not a date, time or duration"),
        ("P1Y", "years and months have no fixed length"),
        ("P1M", "years and months have no fixed length"),  # ISO's M before T is months
        ("P", "not an ISO 8601 duration"),
        ("PT", "not an ISO 8601 duration"),
        ("P0D", "above zero"),
        ("P99999D", "at most"),
        ("P9999999999D", "not an ISO 8601 duration"),  # no overflow
        ("none", "not a date"),  # only the command line knows "none"
    ],
)
def test_refused_forms_say_why(given, said):
    with pytest.raises(ValueError, match=said):
        parse_cutoff(given)


def test_an_instant_stands_for_itself_and_a_duration_for_now_less_it():
    assert cutoff_instant("2026-06-01T00:00:00Z", NOW) == datetime(2026, 6, 1, tzinfo=UTC)
    assert cutoff_instant("P7D", NOW) == NOW - timedelta(days=7)
    assert cutoff_instant("PT12H", NOW) == NOW - timedelta(hours=12)
    assert is_duration("P7D")
    assert not is_duration("2026-06-01T00:00:00Z")
