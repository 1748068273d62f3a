"""Core metadata parsing: lenient like installers, PEP 643 reliability of sdist PKG-INFO."""

from __future__ import annotations

import pytest

from pipx_lockext.core.index.coremeta import MetadataError, parse_metadata

METADATA = b"""\
Metadata-Version: 2.3
Name: Foo_Bar
Version: 1.0.post1
Requires-Python: >=3.9
Requires-Dist: dep>=1
Requires-Dist: rich; extra == "Fancy"
Provides-Extra: Fancy
License: a field the resolver never reads, with odd content \xff
Dynamic: license

A long description.
"""


def test_fields_the_resolver_reads():
    meta = parse_metadata(METADATA)
    assert (meta.name, str(meta.version)) == ("foo-bar", "1.0.post1")
    assert [str(r) for r in meta.requires_dist] == ["dep>=1", 'rich; extra == "fancy"']
    assert str(meta.requires_python) == ">=3.9"
    assert meta.provides_extra == ("fancy",)
    assert meta.static_for_resolution  # Dynamic names only the license


@pytest.mark.parametrize(
    ("version", "dynamic", "static"),
    [("2.2", "", True), ("2.2", "Dynamic: Requires-Dist\n", False),
     ("2.4", "Dynamic: requires-python\n", False), ("2.1", "", False)],
)  # fmt: skip
def test_pep_643_decides_whether_pkg_info_is_reliable(version, dynamic, static):
    text = f"Metadata-Version: {version}\nName: a\nVersion: 1\n{dynamic}"
    assert parse_metadata(text.encode()).static_for_resolution is static


def test_unparsable_requires_python_is_ignored_as_pip_does():
    meta = parse_metadata(
        b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Python: >=3.6.*\n"
    )
    assert meta.requires_python is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"Metadata-Version: 2.1\nName: a\n", "without Name or Version"),
        (b"Metadata-Version: 2.1\nName: a\nVersion: one\n", "invalid Version 'one'"),
        (b"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b (>=\n", "Requires-Dist"),
    ],
)
def test_unusable_metadata_names_the_field(text, message):
    with pytest.raises(MetadataError, match=message):
        parse_metadata(text)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"])
def test_the_description_body_is_not_read_as_fields(newline):
    body = b"Requires-Dist: evil\nName: other\n" * 3  # header-like lines of a README
    text = METADATA.replace(b"A long description.\n", body).replace(b"\n", newline)
    meta = parse_metadata(text)
    assert (meta.name, [r.name for r in meta.requires_dist]) == ("foo-bar", ["dep", "rich"])


def test_fields_after_a_lone_carriage_return_are_still_read():
    # The email parser splits lines on a lone CR too: the cut must not end the fields early.
    text = b"Metadata-Version: 2.1\rName: a\rVersion: 1\rRequires-Dist: b\r\n\nbody\n"
    assert [r.name for r in parse_metadata(text).requires_dist] == ["b"]
