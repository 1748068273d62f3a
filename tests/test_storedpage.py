"""The cache's form of a PEP 691 page: read back release by release, equal to the page it
was made from, and refused (so fetched again) when it does not add up."""

from __future__ import annotations

import json

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from pipx_lockext.core.index.indexpages import PageError, parse_html, parse_json
from pipx_lockext.core.index.storedpage import parse_stored, stored_body

PAGE = "https://example.org/simple/demo/"
DEMO = canonicalize_name("demo")
SHA = "ab" * 32


def entry(filename: str, **more: object) -> dict[str, object]:
    return {"filename": filename, "url": f"../../f/{filename}", "hashes": {"sha256": SHA}, **more}


ENTRIES = [
    entry(
        "demo-1.0-py3-none-any.whl",
        **{"requires-python": ">=3.9", "upload-time": "2024-01-02T03:04:05Z"},
    ),
    entry("demo-2.0.tar.gz", yanked="broken"),
    entry("demo-1.0.tar.gz", **{"core-metadata": {"sha256": "cd" * 32}}),
    entry("demo-1.0-py2.7.egg"),
    entry("other-3.0.zip"),
]


def page_body(*entries: dict[str, object]) -> bytes:
    return json.dumps({"meta": {"api-version": "1.1"}, "files": list(entries)}).encode()


def test_a_stored_page_reads_back_as_the_page_it_was_made_from():
    page = parse_json(page_body(*ENTRIES), PAGE)
    body = stored_body(page)
    assert body is not None
    stored = parse_stored(body, PAGE)
    assert sorted(stored.versions(DEMO)) == sorted(page.versions(DEMO))
    for version in (Version("1.0"), Version("2.0")):
        assert stored.release(DEMO, version) == page.release(DEMO, version)
    assert stored.release(canonicalize_name("other"), Version("3.0"))
    assert sorted(f.filename for f in stored.files()) == sorted(e["filename"] for e in ENTRIES)
    one = stored.release(DEMO, Version("1.0"))[0]
    assert one.url == "https://example.org/f/demo-1.0-py3-none-any.whl"
    assert (one.requires_python, one.upload_time_text) == (">=3.9", "2024-01-02T03:04:05Z")


def test_a_release_is_read_only_when_asked_for():
    """An entry that is not what its key says (a hash carrying pip options) is refused
    when its release is read, as on the index's own page, and costs nothing before."""
    bad = entry("demo-3.0.tar.gz", hashes={"sha256": "a" * 64 + "\n--trusted-host x"})
    stored = parse_stored(stored_body(parse_json(page_body(*ENTRIES, bad), PAGE)) or b"", PAGE)
    assert stored.release(DEMO, Version("1.0"))
    with pytest.raises(PageError, match="sha256 is not 64 hex digits"):
        stored.release(DEMO, Version("3.0"))


def test_html_pages_are_kept_as_the_index_sent_them():
    assert stored_body(parse_html(b'<a href="demo-1.0.tar.gz">demo</a>', PAGE)) is None


def _stored(header: object, rest: bytes) -> bytes:
    return json.dumps(header).encode() + b"\n" + rest


RELEASE = json.dumps([entry("demo-1.0.tar.gz")]).encode()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json\n", "invalid header"),
        (_stored({"demo": 1}, b""), "the header is not a list"),
        (_stored([["demo", "1.0", len(RELEASE) + 1]], RELEASE), "does not add up"),
        (_stored([["demo", "1.0", len(RELEASE)]], RELEASE + b" "), "does not add up"),
        (_stored([["demo", "1.0", -1]], b""), "not a \\[name, version, length\\]"),
        (_stored([["demo", "1.0 ", len(RELEASE)]], RELEASE), "no release"),
        (_stored([["demo", "1.0"]], RELEASE), "not a \\[name, version, length\\]"),
        (_stored([["demo", "1.0", len(RELEASE)], ["demo", "1.0.0", 0]], RELEASE), "named twice"),
    ],
)
def test_a_stored_page_that_does_not_add_up_is_refused(body: bytes, message: str):
    with pytest.raises(PageError, match=message):
        parse_stored(body, PAGE)


@pytest.mark.parametrize(
    ("chunk", "message"),
    [
        (json.dumps([entry("demo-2.0.tar.gz")]).encode(), "filed under another release"),
        (json.dumps([entry("other-1.0.tar.gz")]).encode(), "filed under another release"),
        (json.dumps({"filename": "demo-1.0.tar.gz"}).encode(), "not a list of files"),
        (b"[]", "not a list of files"),
        (json.dumps([{"url": "x"}]).encode(), "without a filename"),
        (b"[{", "invalid release"),
    ],
)
def test_a_release_filed_wrongly_in_the_stored_page_is_refused_when_read(chunk, message):
    """The cache is untrusted: a file of demo 2.0 filed under 1.0 would be locked as 1.0."""
    stored = parse_stored(_stored([["demo", "1.0", len(chunk)]], chunk), PAGE)
    assert stored.versions(DEMO) == [Version("1.0")]
    with pytest.raises(PageError, match=message):
        stored.release(DEMO, Version("1.0"))
