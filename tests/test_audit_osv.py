"""The OSV matcher (core.audit.osv): records read as untrusted input, and which versions
each range, versions list and last_affected event covers."""

from __future__ import annotations

from typing import Any

import pytest
from packaging.version import Version

from pipx_lockext.core.audit.osv import parse_record, parse_records


def record(*affected: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "id": "PYSEC-1",
        "modified": "2026-01-01T00:00:00Z",
        "affected": list(affected),
        **fields,
    }


def pypi(name: str = "pkg", *ranges: list[dict[str, str]], versions: tuple[str, ...] = ()):
    return {
        "package": {"ecosystem": "PyPI", "name": name},
        "ranges": [{"type": "ECOSYSTEM", "events": events} for events in ranges],
        "versions": list(versions),
    }


def hit(data: dict[str, Any], version: str, name: str = "pkg"):
    advisory = parse_record(data)
    assert advisory is not None
    return advisory.hit(name, Version(version))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("version", "affected", "fixed"),
    [("0.9", False, None), ("1.0", True, "1.5"), ("1.4.9", True, "1.5"), ("1.5", False, None)],
)
def test_a_range_covers_from_introduced_up_to_fixed(version, affected, fixed):
    found = hit(record(pypi("pkg", [{"introduced": "1.0"}, {"fixed": "1.5"}])), version)
    assert (found is not None) == affected
    if found is not None:
        assert found.fixed == (Version(fixed) if fixed else None)


def test_last_affected_includes_that_version_and_gives_no_fix():
    data = record(pypi("pkg", [{"introduced": "0"}, {"last_affected": "2.0"}]))
    assert hit(data, "2.0") is not None
    assert hit(data, "2.0").fixed is None
    assert hit(data, "2.0.1") is None


def test_several_ranges_each_with_its_own_fix():
    data = record(
        pypi(
            "pkg",
            [{"introduced": "1.0"}, {"fixed": "1.2.3"}],
            [{"introduced": "2.0"}, {"fixed": "2.1"}],
        )
    )
    assert hit(data, "1.1").fixed == Version("1.2.3")
    assert hit(data, "2.0.5").fixed == Version("2.1")
    assert hit(data, "1.5") is None
    assert hit(data, "2.1") is None


def test_one_range_reopened_after_a_fix():
    events = [{"introduced": "1.0"}, {"fixed": "1.1"}, {"introduced": "1.3"}, {"fixed": "1.4"}]
    data = record(pypi("pkg", events))
    assert hit(data, "1.0").fixed == Version("1.1")
    assert hit(data, "1.2") is None
    assert hit(data, "1.3").fixed == Version("1.4")


def test_a_versions_list_alone():
    data = record(pypi("pkg", versions=("1.0", "1.1")))
    assert hit(data, "1.1") is not None
    assert hit(data, "1.1").fixed is None
    assert hit(data, "1.2") is None


def test_names_are_canonical_and_other_ecosystems_ignored():
    data = record(
        pypi("Zope.Interface", [{"introduced": "0"}]),
        {"package": {"ecosystem": "npm", "name": "other"}, "versions": ["1.0"]},
    )
    assert hit(data, "5.0", "zope-interface") is not None
    assert hit(data, "1.0", "other") is None


def test_git_ranges_say_nothing_about_releases():
    data = record(
        {
            "package": {"ecosystem": "PyPI", "name": "pkg"},
            "ranges": [{"type": "GIT", "repo": "https://x", "events": [{"introduced": "abc123"}]}],
        }
    )
    assert hit(data, "1.0") is None


def test_withdrawn_records_are_ignored():
    assert parse_record(record(pypi("pkg", [{"introduced": "0"}]), withdrawn="2026-01-02")) is None


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (record(pypi("pkg", [{"introduced": "0"}, {"fixed": "not a version!"}])), "not a PEP 440"),
        (record(pypi("pkg", versions=("1.0", 2))), "is not a string"),
        (record(pypi("pkg", [{"introduced": "0", "fixed": "1"}])), "exactly one of"),
        ({"id": "../../etc/passwd", "affected": []}, "not an advisory id"),
        ({"id": "X-1", "affected": "everything"}, "affected is not a list"),
        ([1, 2], "the record is not an object"),
    ],
)
def test_a_record_that_cannot_be_read_is_skipped_with_a_warning(data, why):
    good = record(pypi("pkg", [{"introduced": "0"}]), id="GOOD-1")
    advisories, warnings = parse_records([("db/bad.json", data), ("db/good.json", good)])
    assert [a.id for a in advisories] == ["GOOD-1"]
    assert len(warnings) == 1
    assert warnings[0].startswith("db/bad.json: advisory skipped: ")
    assert why in warnings[0]


def test_records_for_other_packages_are_passed_over_unread():
    bad_but_elsewhere = record(pypi("other", [{"introduced": "0"}, {"fixed": "nope!"}]))
    advisories, warnings = parse_records(
        [("a.json", bad_but_elsewhere), ("b.json", "not JSON (Expecting value)")],
        wanted=frozenset({"pkg"}),
    )
    assert advisories == ()
    assert warnings == ("b.json: advisory skipped: not JSON (Expecting value)",)


def test_aliases_sorted_without_the_id_and_the_summary_on_one_line():
    data = record(
        pypi("pkg", [{"introduced": "0"}]),
        aliases=["GHSA-b", "CVE-1", "PYSEC-1"],
        summary="two\nlines\x1b[31m",
    )
    advisory = parse_record(data)
    assert advisory is not None
    assert advisory.aliases == ("CVE-1", "GHSA-b")
    assert advisory.summary == "two lines\x1b[31m"  # escaped where it is shown


def test_without_a_summary_the_first_paragraph_of_the_details_is_shown():
    data = record(pypi("pkg", [{"introduced": "0"}]), details="First  line\nwrapped.\n\nMore.")
    advisory = parse_record(data)
    assert advisory is not None
    assert advisory.summary == "First line wrapped."


def test_environments_are_said_by_platforms_sharing_python_versions():
    from pipx_lockext.core.audit.findings import describe_environments
    from pipx_lockext.core.environments import Environment, PythonVersion

    def env(version: str, platform: str) -> Environment:
        return Environment(PythonVersion.parse(version), platform)

    envs = [
        env("3.10", "linux-x86_64"),
        env("3.10", "macos-arm64"),
        env("3.10", "windows-x86_64"),
        env("3.11", "windows-x86_64"),
        env("3.12", "windows-x86_64"),
    ]
    assert describe_environments(envs) == (
        "python 3.10 on linux-x86_64, macos-arm64; python 3.10-3.12 on windows-x86_64"
    )
    assert describe_environments([]) == "(none)"
