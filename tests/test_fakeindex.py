"""The fake index itself: the files it builds are real and reproducible, its pages say what
PEP 503/691/658/714 say (including the two spellings of the metadata key), its files honour
byte ranges, and auth, faults and the request log behave as later tests rely on. Real pip
installs from it, with hashes and from an sdist built by the in-tree backend."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import importlib.util
import json
import os
import ssl
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from urllib.parse import urljoin, urlsplit

import pytest
from packaging.metadata import parse_email
from packaging.utils import parse_wheel_filename

from tests.fakeindex import FakeIndex, Release, build_files
from tests.fakeindex.backend import record_row
from tests.fakeindex.tls import openssl_missing, self_signed

JSON = "application/vnd.pypi.simple.v1+json"
PIP_ACCEPT = f"{JSON}, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"
MANYLINUX = "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64"
RELEASES = (
    Release(
        "Foo_Bar",
        "1.0",
        requires_dist=("dep>=1", 'fancy-extra; extra == "fancy"'),
        requires_python=">=3.8",
        wheels=("py3-none-any", MANYLINUX),
    ),
    Release("Foo_Bar", "0.9", yanked="broken build"),
    Release("Foo_Bar", "0.8", yanked=True, wheels=()),
    Release("dep", "1.0"),
)
WHEEL = "foo_bar-1.0-py3-none-any.whl"
MakeIndex = Callable[..., FakeIndex]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes


def fetch(url: str, headers: Mapping[str, str] | None = None, method: str = "GET") -> Reply:
    """One request, no redirects followed, no exception for 4xx/5xx (and no proxy)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        conn.request(method, parts.path, headers=dict(headers or {}))
        response = conn.getresponse()
        body = response.read()
        found = {name.lower(): value for name, value in response.getheaders()}
        return Reply(response.status, found, body)
    finally:
        conn.close()


def json_page(index: FakeIndex, project: str) -> dict:
    reply = fetch(index.url + project + "/", {"Accept": JSON})
    assert reply.headers["content-type"] == JSON
    return json.loads(reply.body)


class Anchors(HTMLParser):
    def __init__(self, html: bytes) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []
        self.feed(html.decode())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.found.append(dict(attrs))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the files ------------------------------------------------------------------------------


def test_the_same_releases_build_the_same_bytes(tmp_path: Path) -> None:
    first = build_files(RELEASES, tmp_path / "a")
    second = build_files(RELEASES, tmp_path / "b")
    assert {n: f.sha256 for n, f in first.items()} == {n: f.sha256 for n, f in second.items()}
    for file in first.values():
        assert file.sha256 == sha256(file.path.read_bytes())
        assert file.size == file.path.stat().st_size


def test_a_wheel_has_true_record_metadata_and_a_module(tmp_path: Path) -> None:
    built = build_files(RELEASES[:1], tmp_path)[f"foo_bar-1.0-{MANYLINUX}.whl"]
    name, version, _, tags = parse_wheel_filename(built.filename)
    assert (name, str(version), len(tags)) == ("foo-bar", "1.0", 2)
    with zipfile.ZipFile(built.path) as wheel:
        files = {info.filename: wheel.read(info) for info in wheel.infolist()}
        assert {info.date_time for info in wheel.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    record = files.pop("foo_bar-1.0.dist-info/RECORD").decode().splitlines()
    assert sorted(record) == sorted(
        [",".join(record_row(path, data)) for path, data in files.items()]
        + ["foo_bar-1.0.dist-info/RECORD,,"]
    )
    assert files["foo_bar-1.0.dist-info/METADATA"] == built.metadata
    assert b'__version__ = "1.0"' in files["foo_bar/__init__.py"]
    wheel_file = files["foo_bar-1.0.dist-info/WHEEL"].decode()
    assert "Tag: cp312-cp312-manylinux2014_x86_64\n" in wheel_file
    metadata, unparsed = parse_email(built.metadata)
    assert not unparsed
    assert metadata["provides_extra"] == ["fancy"]
    assert metadata["requires_python"] == ">=3.8"


@pytest.mark.parametrize(
    ("metadata_version", "dynamic"), [("2.2", ["requires-dist"]), ("2.1", None)]
)
def test_sdist_pkg_info_leaves_dynamic_fields_to_the_build(
    tmp_path: Path, metadata_version: str, dynamic: list[str] | None
) -> None:
    release = Release(
        "Late.Bloomer",
        "1.0",
        requires_dist=("dep",),
        wheels=(),
        dynamic=("Requires-Dist",),
        metadata_version=metadata_version,
    )
    built = build_files([release], tmp_path)["late_bloomer-1.0.tar.gz"]
    with tarfile.open(built.path) as sdist:
        assert {m.mtime for m in sdist.getmembers()} == {315532800}
        pkg_info, pyproject = (
            member.read()
            for name in ("PKG-INFO", "pyproject.toml")
            if (member := sdist.extractfile(f"late_bloomer-1.0/{name}")) is not None
        )
    assert pkg_info == built.metadata
    metadata, _ = parse_email(pkg_info)
    assert metadata.get("dynamic") == dynamic
    assert "requires_dist" not in metadata
    assert b'backend-path = ["_backend"]' in pyproject
    assert b"requires = []" in pyproject


def load_backend(source_tree: Path) -> ModuleType:
    path = source_tree / "_backend" / "fakeindex_backend.py"
    spec = importlib.util.spec_from_file_location(f"backend_{id(path)}", path)
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sdist_backend_builds_the_wheel_metadata_the_index_would_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = Release("Late.Bloomer", "1.0", requires_dist=("dep",), dynamic=("Requires-Dist",))
    built = build_files([release], tmp_path / "files")
    with tarfile.open(built["late_bloomer-1.0.tar.gz"].path) as sdist:
        sdist.extractall(tmp_path / "src", filter="data")
    monkeypatch.chdir(tmp_path / "src" / "late_bloomer-1.0")
    backend = load_backend(Path.cwd())
    assert backend.get_requires_for_build_wheel() == []
    dist_info = backend.prepare_metadata_for_build_wheel(str(tmp_path / "meta"))
    assert (tmp_path / "meta" / dist_info / "METADATA").read_bytes() == release.wheel_metadata
    (tmp_path / "out").mkdir()  # the frontend's job
    wheel_name = backend.build_wheel(str(tmp_path / "out"))
    assert wheel_name == "late_bloomer-1.0-py3-none-any.whl"
    rebuilt = (tmp_path / "out" / wheel_name).read_bytes()
    assert rebuilt == built[wheel_name].path.read_bytes()  # the same writer, the same bytes
    assert backend.build_sdist(str(tmp_path / "out")) == "late_bloomer-1.0.tar.gz"


def test_a_bad_release_reports_every_problem_at_once() -> None:
    with pytest.raises(ValueError, match="invalid Release") as caught:
        Release(
            "x", "one", requires_dist=("a b",), requires_python="3", wheels=("nope",), yanked=""
        )
    for part in ("'one'", "'a b'", "'3'", "'nope'", "yanked"):
        assert part in str(caught.value)


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (JSON, JSON),
        (PIP_ACCEPT, JSON),
        ("application/vnd.pypi.simple.latest+json", JSON),
        (None, "text/html; charset=utf-8"),
        ("*/*", "text/html; charset=utf-8"),
        ("text/html", "text/html; charset=utf-8"),
        (f"{JSON}; q=0.1, text/html", "text/html; charset=utf-8"),
        ("application/vnd.pypi.simple.v1+html", "text/html; charset=utf-8"),
    ],
)
def test_the_accept_header_picks_json_or_html(
    fake_index: MakeIndex, accept: str | None, expected: str
) -> None:
    index = fake_index(RELEASES)
    headers = {"Accept": accept} if accept else {}
    for url in (index.url, index.url + "foo-bar/"):
        assert fetch(url, headers).headers["content-type"] == expected


def test_an_index_answers_in_the_one_format_it_speaks(fake_index: MakeIndex) -> None:
    html_only = fake_index(RELEASES, formats=("html",))
    assert fetch(html_only.url, {"Accept": JSON}).headers["content-type"].startswith("text/html")
    json_only = fake_index(RELEASES, formats=("json",))
    assert fetch(json_only.url).headers["content-type"] == JSON


def test_the_project_list_names_every_project(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    listed = json.loads(fetch(index.url, {"Accept": JSON}).body)
    assert listed == {
        "meta": {"api-version": "1.1"},
        "projects": [{"name": "dep"}, {"name": "Foo_Bar"}],
    }
    hrefs = [a["href"] for a in Anchors(fetch(index.url).body).found]
    assert hrefs == ["dep/", "foo-bar/"]


def test_the_json_page_describes_each_file(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    page = json_page(index, "foo-bar")
    assert (page["name"], page["versions"]) == ("foo-bar", ["0.8", "0.9", "1.0"])
    files = {f["filename"]: f for f in page["files"]}
    assert list(files) == [
        "foo_bar-0.8.tar.gz",
        "foo_bar-0.9-py3-none-any.whl",
        "foo_bar-0.9.tar.gz",
        f"foo_bar-1.0-{MANYLINUX}.whl",
        WHEEL,
        "foo_bar-1.0.tar.gz",
    ]
    wheel = files[WHEEL]
    built = index.files[WHEEL]
    assert wheel["hashes"] == {"sha256": built.sha256}
    assert (wheel["size"], wheel["requires-python"], wheel["yanked"]) == (
        built.size,
        ">=3.8",
        False,
    )
    assert (
        wheel["core-metadata"] == wheel["dist-info-metadata"] == {"sha256": built.metadata_sha256}
    )
    assert urljoin(index.url + "foo-bar/", wheel["url"]) == index.file_url(WHEEL)
    assert files["foo_bar-0.9-py3-none-any.whl"]["yanked"] == "broken build"
    assert files["foo_bar-0.8.tar.gz"]["yanked"] is True
    assert "core-metadata" not in files["foo_bar-1.0.tar.gz"]  # PEP 658 files for wheels only
    assert "requires-python" not in files["foo_bar-0.9.tar.gz"]


def test_the_html_page_escapes_and_marks_each_file(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    reply = fetch(index.url + "foo-bar/")
    assert b'data-requires-python="&gt;=3.8"' in reply.body
    anchors = {
        urljoin(index.url + "foo-bar/", a["href"] or ""): a for a in Anchors(reply.body).found
    }
    built = index.files[WHEEL]
    wheel = anchors[f"{index.file_url(WHEEL)}#sha256={built.sha256}"]
    assert wheel["data-requires-python"] == ">=3.8"
    assert "data-yanked" not in wheel
    assert (
        wheel["data-core-metadata"]
        == wheel["data-dist-info-metadata"]
        == (f"sha256={built.metadata_sha256}")
    )
    by_name = {urlsplit(url).path.rsplit("/", 1)[1]: a for url, a in anchors.items()}
    assert by_name["foo_bar-0.9.tar.gz"]["data-yanked"] == "broken build"
    assert by_name["foo_bar-0.8.tar.gz"]["data-yanked"] == ""
    assert "data-core-metadata" not in by_name["foo_bar-1.0.tar.gz"]


@pytest.mark.parametrize(("keys", "present"), [("core", "core"), ("dist-info", "dist-info")])
def test_one_spelling_of_the_metadata_key(fake_index: MakeIndex, keys: str, present: str) -> None:
    index = fake_index(RELEASES, metadata_keys=keys)
    absent = {"core": "dist-info", "dist-info": "core"}[present]
    wheel = next(f for f in json_page(index, "foo-bar")["files"] if f["filename"] == WHEEL)
    assert f"{present}-metadata" in wheel
    assert f"{absent}-metadata" not in wheel
    html = fetch(index.url + "foo-bar/").body
    assert f"data-{present}-metadata=".encode() in html
    assert f"data-{absent}-metadata=".encode() not in html


def test_metadata_files_are_served_with_the_advertised_hash(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    wheel = next(f for f in json_page(index, "foo-bar")["files"] if f["filename"] == WHEEL)
    reply = fetch(index.file_url(WHEEL) + ".metadata")
    assert reply.status == 200
    assert sha256(reply.body) == wheel["core-metadata"]["sha256"]
    with zipfile.ZipFile(index.files[WHEEL].path) as archive:
        assert archive.read("foo_bar-1.0.dist-info/METADATA") == reply.body
    assert fetch(index.file_url("foo_bar-1.0.tar.gz") + ".metadata").status == 404


def test_without_metadata_files_nothing_is_advertised_or_served(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES, metadata_files=False)
    for file in json_page(index, "foo-bar")["files"]:
        assert not {"core-metadata", "dist-info-metadata"} & set(file)
    assert b"metadata=" not in fetch(index.url + "foo-bar/").body
    assert fetch(index.file_url(WHEEL) + ".metadata").status == 404


def test_absolute_urls_option(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES, absolute_urls=True)
    urls = {f["url"] for f in json_page(index, "dep")["files"]}
    assert urls == {index.file_url("dep-1.0-py3-none-any.whl"), index.file_url("dep-1.0.tar.gz")}


def test_hashes_on_the_pages_are_those_of_the_served_bytes(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    for project in ("foo-bar", "dep"):
        for file in json_page(index, project)["files"]:
            served = fetch(urljoin(index.url + project + "/", file["url"])).body
            assert sha256(served) == file["hashes"]["sha256"]
            assert len(served) == file["size"]


@pytest.mark.parametrize("path", ["/simple/Foo_Bar/", "/simple/foo.bar/", "/simple/foo-bar"])
def test_non_normalized_names_redirect_permanently(fake_index: MakeIndex, path: str) -> None:
    index = fake_index(RELEASES)
    reply = fetch(index.root + path)
    assert (reply.status, reply.headers["location"]) == (301, "/simple/foo-bar/")


@pytest.mark.parametrize(
    "path", ["/simple/nope/", "/files/nope-1.0.tar.gz", "/elsewhere", "/simple/a/b/"]
)
def test_unknown_paths_are_404(fake_index: MakeIndex, path: str) -> None:
    assert fetch(fake_index(RELEASES).root + path).status == 404


def test_pages_carry_etags_and_answer_304_when_unchanged(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    first = fetch(index.url + "dep/", {"Accept": JSON})
    assert first.headers["cache-control"] == "max-age=600"
    etag = first.headers["etag"]
    again = fetch(index.url + "dep/", {"Accept": JSON, "If-None-Match": etag})
    assert (again.status, again.body, again.headers["etag"]) == (304, b"", etag)
    as_html = fetch(index.url + "dep/", {"If-None-Match": etag})
    assert as_html.status == 200  # another representation, another tag


def test_the_find_links_page_lists_every_file_with_its_hash(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    anchors = Anchors(fetch(index.links_url).body).found
    listed = {urljoin(index.links_url, a["href"] or "") for a in anchors}
    assert listed == {
        f"{index.file_url(f.filename)}#sha256={f.sha256}" for f in index.files.values()
    }
    assert sorted(p.name for p in index.files_dir.iterdir()) == sorted(index.files)


# --- files ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-9", 0, 10),
        ("bytes=10-", 10, None),
        ("bytes=-20", -20, None),
        ("bytes=5-99999", 5, None),
    ],
)
def test_byte_ranges(fake_index: MakeIndex, header: str, start: int, stop: int | None) -> None:
    index = fake_index(RELEASES)
    data = index.files[WHEEL].path.read_bytes()
    reply = fetch(index.file_url(WHEEL), {"Range": header})
    expected = data[start:stop]
    first = len(data) + start if start < 0 else start
    assert reply.status == 206
    assert reply.body == expected
    assert (
        reply.headers["content-range"] == f"bytes {first}-{first + len(expected) - 1}/{len(data)}"
    )
    assert reply.headers["content-length"] == str(len(expected))


@pytest.mark.parametrize("header", ["bytes={size}-", "bytes=-0"])
def test_unsatisfiable_ranges_are_416(fake_index: MakeIndex, header: str) -> None:
    index = fake_index(RELEASES)
    size = index.files[WHEEL].size
    reply = fetch(index.file_url(WHEEL), {"Range": header.format(size=size)})
    assert (reply.status, reply.headers["content-range"]) == (416, f"bytes */{size}")


@pytest.mark.parametrize("header", ["bytes=9-3", "lines=0-1", "bytes=0-1,4-5"])
def test_ranges_it_cannot_use_get_the_whole_file(fake_index: MakeIndex, header: str) -> None:
    index = fake_index(RELEASES)
    reply = fetch(index.file_url(WHEEL), {"Range": header})
    assert (reply.status, len(reply.body)) == (200, index.files[WHEEL].size)


def test_head_gives_the_headers_without_the_body(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    reply = fetch(index.file_url(WHEEL), method="HEAD")
    assert (reply.status, reply.body) == (200, b"")
    assert reply.headers["content-length"] == str(index.files[WHEEL].size)
    assert reply.headers["accept-ranges"] == "bytes"
    page = fetch(index.url, method="HEAD")
    assert page.status == 200
    assert int(page.headers["content-length"]) == len(fetch(index.url).body)


# --- auth, faults, log ---------------------------------------------------------------------


def test_basic_auth(fake_index: MakeIndex) -> None:
    import base64

    index = fake_index(RELEASES, auth=("alice", "s3cret"))

    def basic(secret: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(secret.encode()).decode()}

    for url in (index.url, index.file_url(WHEEL)):
        refused = fetch(url)
        assert (refused.status, refused.headers["www-authenticate"]) == (401, 'Basic realm="fake"')
        assert fetch(url, basic("alice:wrong")).status == 401
        assert fetch(url, basic("alice:s3cret")).status == 200


def test_a_status_fault_fires_the_given_number_of_times(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    index.fault("/simple/dep/", "status", times=2, status=503)
    assert [fetch(index.url + "dep/").status for _ in range(3)] == [503, 503, 200]
    assert fetch(index.url).status == 200  # the glob decides which paths misbehave


def test_a_fault_without_times_fires_until_cleared(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    index.fault("/files/*.whl", "status", status=403)
    assert [fetch(index.file_url(WHEEL)).status for _ in range(3)] == [403, 403, 403]
    assert fetch(index.file_url("dep-1.0.tar.gz")).status == 200
    index.clear_faults()
    assert fetch(index.file_url(WHEEL)).status == 200


def test_a_delay_fault_waits_before_answering(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    # Only lower bounds are exact under load (a sleep never ends early); the second
    # request, past `times`, is told apart from a delayed one by a two-second margin.
    index.fault("/simple/", "delay", seconds=2.0, times=1)
    started = time.monotonic()
    assert fetch(index.url).status == 200
    assert time.monotonic() - started >= 2.0
    started = time.monotonic()
    fetch(index.url)
    assert time.monotonic() - started < 2.0


def test_a_truncate_fault_promises_the_whole_body_and_hangs_up(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    index.fault("/files/*", "truncate", times=1)
    with pytest.raises(http.client.IncompleteRead) as caught:
        fetch(index.file_url(WHEEL))
    assert len(caught.value.partial) == index.files[WHEEL].size // 2
    assert fetch(index.file_url(WHEEL)).body == index.files[WHEEL].path.read_bytes()


def test_a_corrupt_fault_serves_other_bytes_of_the_same_length(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    index.fault("/files/*", "corrupt")
    built = index.files[WHEEL]
    served = fetch(index.file_url(WHEEL)).body
    assert len(served) == built.size
    assert sha256(served) != built.sha256
    assert sha256(fetch(index.file_url(WHEEL) + ".metadata").body) != built.metadata_sha256


def test_a_gzip_fault_sends_the_body_compressed(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    index.fault("/files/*", "gzip")
    reply = fetch(index.file_url(WHEEL))
    assert reply.headers["content-encoding"] == "gzip"
    assert gzip.decompress(reply.body) == index.files[WHEEL].path.read_bytes()


def test_a_drip_fault_sends_the_body_a_byte_at_a_time(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    index.fault("/simple/", "drip", seconds=0.01)
    started = time.monotonic()
    reply = fetch(index.url)
    assert reply.status == 200
    assert time.monotonic() - started >= 0.01 * len(reply.body)  # a lower bound only


def test_the_request_log(fake_index: MakeIndex) -> None:
    index = fake_index(RELEASES)
    fetch(index.url, {"Accept": JSON})
    fetch(index.url + "dep/")
    fetch(index.file_url(WHEEL), method="HEAD")
    assert [(r.method, r.path) for r in index.requests] == [
        ("GET", "/simple/"),
        ("GET", "/simple/dep/"),
        ("HEAD", f"/files/{WHEEL}"),
    ]
    assert index.requests[0].headers["accept"] == JSON
    assert (index.count("/simple/"), index.count("/files/"), index.count("/links/")) == (2, 1, 0)
    index.clear_log()
    assert index.requests == []


def test_the_fixture_starts_independent_indexes(fake_index: MakeIndex) -> None:
    one, two = fake_index(RELEASES[:1]), fake_index(RELEASES[3:])
    assert one.url != two.url
    assert one.url.startswith("http://127.0.0.1:")
    assert one.url.endswith("/simple/")
    assert fetch(one.url + "dep/").status == 404
    assert fetch(two.url + "dep/").status == 200


def test_the_index_stops_on_leaving_the_context(tmp_path: Path) -> None:
    with FakeIndex(RELEASES[3:], tmp=tmp_path) as index:
        url = index.url
        assert fetch(url).status == 200
    with pytest.raises(OSError):  # noqa: PT011 - refused connection; its errno varies
        fetch(url)
    with pytest.raises(RuntimeError, match="not running"):
        _ = index.url


@pytest.mark.skipif(openssl_missing(), reason="needs the openssl command")
def test_an_ssl_context_serves_https(tmp_path: Path) -> None:
    cert, server_context = self_signed(tmp_path)
    with FakeIndex(RELEASES[3:], tmp=tmp_path, ssl_context=server_context) as index:
        assert index.url.startswith("https://127.0.0.1:")
        parts = urlsplit(index.url)
        client = ssl.create_default_context(cafile=str(cert))
        conn = http.client.HTTPSConnection(
            parts.hostname or "", parts.port, context=client, timeout=5
        )
        conn.request("GET", "/simple/dep/", headers={"Accept": JSON})
        assert json.loads(conn.getresponse().read())["name"] == "dep"
        conn.close()


# --- real pip ------------------------------------------------------------------------------


def run_pip(index: FakeIndex, target: Path, *args: str) -> None:
    # Only what this test says may reach pip: no user config, no PIP_* from the machine
    # (PIP_FIND_LINKS, PIP_INDEX_URL, PIP_EXTRA_INDEX_URL among them).
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    env["NO_PROXY"] = "127.0.0.1"
    command = [sys.executable, "-m", "pip", "install", "--no-cache-dir", "--index-url", index.url]
    done = subprocess.run(
        [*command, "--target", str(target), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def installed(target: Path) -> set[str]:
    return {p.name for p in target.iterdir() if p.name.endswith(".dist-info")}


@pytest.mark.integration
@pytest.mark.parametrize("page_format", ["json", "html"])
def test_pip_installs_with_hashes_a_project_its_dependency_and_its_extra(
    fake_index: MakeIndex, tmp_path: Path, page_format: str
) -> None:
    releases = (*RELEASES, Release("fancy-extra", "2.0"))
    index = fake_index(releases, formats=(page_format,))
    hashes: dict[str, list[str]] = {}
    for file in index.files.values():
        hashes.setdefault(f"{file.release.name}=={file.release.version}", []).append(file.sha256)
    pins = ["Foo_Bar[fancy]==1.0", "dep==1.0", "fancy-extra==2.0"]
    lines = [
        pin + "".join(f" --hash=sha256:{h}" for h in hashes[pin.replace("[fancy]", "")])
        for pin in pins
    ]
    (tmp_path / "req.txt").write_text("\n".join(lines) + "\n")
    run_pip(index, tmp_path / "t", "--require-hashes", "-r", str(tmp_path / "req.txt"))
    assert installed(tmp_path / "t") == {
        "foo_bar-1.0.dist-info",
        "dep-1.0.dist-info",
        "fancy_extra-2.0.dist-info",
    }


@pytest.mark.integration
def test_pip_builds_an_sdist_only_release_with_the_in_tree_backend(
    fake_index: MakeIndex, tmp_path: Path
) -> None:
    late = Release(
        "Late.Bloomer", "1.0", requires_dist=("dep",), wheels=(), dynamic=("Requires-Dist",)
    )
    index = fake_index((late, Release("dep", "1.0", sdist=False)))
    run_pip(index, tmp_path / "t", "late-bloomer")
    assert index.count("/files/dep-1.0-py3-none-any.whl.metadata") == 1  # pip read PEP 658
    # dep is known only from the built wheel: PKG-INFO leaves Requires-Dist to the build.
    assert installed(tmp_path / "t") == {"late_bloomer-1.0.dist-info", "dep-1.0.dist-info"}
    shown = subprocess.run(
        [sys.executable, "-c", "import late_bloomer; print(late_bloomer.__version__)"],
        env={**os.environ, "PYTHONPATH": str(tmp_path / "t")},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert shown.stdout.strip() == "1.0"


def test_the_sdist_backend_runs_on_every_python_pip_builds_with():
    """pip runs the backend inside each fake sdist on the target interpreter, 3.8 too."""
    import ast

    source = (Path(__file__).parent / "fakeindex" / "backend.py").read_text()
    ast.parse(source, feature_version=(3, 8))
