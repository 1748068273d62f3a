"""The index client against the fake index on 127.0.0.1: pages in both formats, metadata
by PEP 658 file, by range requests, from sdists (static and built), the cache, index
strategies and find-links."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from pipx_lockext.core.errors import NetworkError
from pipx_lockext.core.index.coremeta import BadDistribution
from pipx_lockext.core.index.netconfig import NetConfig
from pipx_lockext.core.index.storedpage import STORED_TYPE
from pipx_lockext.core.progress import Progress
from pipx_lockext.edges.index.cache import Cache
from pipx_lockext.edges.index.client import IndexRepository
from pipx_lockext.edges.index.network import Http
from tests.fakeindex import FakeIndex, Release

MakeIndex = Callable[..., FakeIndex]
NAME = canonicalize_name("fooo-bar")

RELEASES = [
    Release(
        "Foo_Bar",
        "1.0",
        requires_dist=("dep>=1", 'extra-thing; extra == "fancy"'),
        requires_python=">=3.9",
        wheels=("py3-none-any", "cp312-cp312-manylinux_2_17_x86_64"),
    ),
    Release("Foo_Bar", "0.9", yanked="broken build"),
    Release("dep", "1.0", wheels=(), requires_dist=("other",), dynamic=("Requires-Dist",)),
    Release("dep", "2.0", wheels=(), requires_dist=("other>=2",)),
    Release("other", "2.0"),
]


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def repository(
    tmp_path: Path, *indexes: str, clock: Clock | None = None, **options: Any
) -> IndexRepository:
    config = NetConfig(
        index_url=indexes[0] if indexes else "http://127.0.0.1:9/simple/",
        extra_index_urls=indexes[1:],
        retries=2,
        timeout=2.0,
        **options.pop("config", {}),
    )
    cache = Cache(tmp_path / "cache", clock or Clock())
    # No fetching ahead: these tests count the requests each call makes.
    options.setdefault("speculate", False)
    return IndexRepository(config, Http(config, sleep=lambda _: None), cache, **options)


def by_name(repo: IndexRepository, name: str) -> dict[str, Any]:
    return {f.filename: f for f in repo.files(name).all_files()}


@pytest.mark.parametrize("formats", [("json",), ("html",)])
def test_files_from_either_format(fake_index: MakeIndex, tmp_path: Path, formats):
    index = fake_index(RELEASES, formats=formats)
    files = by_name(repository(tmp_path, index.url), "foo-bar")
    assert set(files) == {
        "foo_bar-1.0-py3-none-any.whl",
        "foo_bar-1.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "foo_bar-1.0.tar.gz",
        "foo_bar-0.9-py3-none-any.whl",
        "foo_bar-0.9.tar.gz",
    }
    wheel = files["foo_bar-1.0-py3-none-any.whl"]
    assert wheel.sha256 == index.files[wheel.filename].sha256
    assert wheel.requires_python == ">=3.9"
    assert wheel.has_metadata_file
    assert files["foo_bar-0.9.tar.gz"].yanked == "broken build"
    assert repository(tmp_path, index.url).files("unknown").all_files() == ()


@pytest.mark.parametrize("keys", ["core", "dist-info"])
def test_metadata_from_the_pep_658_file(fake_index: MakeIndex, tmp_path: Path, keys: str):
    index = fake_index(RELEASES, metadata_keys=keys)
    repo = repository(tmp_path, index.url)
    wheel = by_name(repo, "foo-bar")["foo_bar-1.0-py3-none-any.whl"]
    meta = repo.metadata(wheel)
    assert (meta.name, str(meta.version)) == ("foo-bar", "1.0")
    assert [str(r) for r in meta.requires_dist] == ["dep>=1", 'extra-thing; extra == "fancy"']
    assert meta.provides_extra == ("fancy",)
    assert index.count("/files/foo_bar-1.0-py3-none-any.whl.metadata") == 1
    assert index.count("/files/foo_bar-1.0-py3-none-any.whl") == 1  # the .metadata only


def test_metadata_from_the_whole_checked_wheel_without_pep_658(
    fake_index: MakeIndex, tmp_path: Path
):
    index = fake_index(RELEASES, metadata_files=False)
    repo = repository(tmp_path, index.url)
    wheel = by_name(repo, "foo-bar")["foo_bar-1.0-py3-none-any.whl"]
    assert not wheel.has_metadata_file
    assert str(repo.metadata(wheel).requires_python) == ">=3.9"
    gets = [r for r in index.requests if r.path.startswith("/files/")]
    assert [r.path for r in gets] == ["/files/foo_bar-1.0-py3-none-any.whl"]
    assert "range" not in gets[0].headers, "a part of a file cannot be checked: never ranges"


def test_sdist_metadata_static_or_built(fake_index: MakeIndex, tmp_path: Path):
    index = fake_index(RELEASES)
    repo = repository(tmp_path, index.url)
    files = by_name(repo, "dep")
    static = repo.metadata(files["dep-2.0.tar.gz"])  # PEP 643: PKG-INFO is reliable
    assert [str(r) for r in static.requires_dist] == ["other>=2"]
    built = repo.metadata(files["dep-1.0.tar.gz"])  # Requires-Dist is dynamic: build it
    assert [str(r) for r in built.requires_dist] == ["other"]


def test_an_sdist_before_pep_643_is_read_unbuilt_when_its_pyproject_declares_the_same(
    fake_index: MakeIndex, tmp_path: Path
):
    """Metadata-Version 2.1 cannot say its fields are static; a PEP 621 `[project]` table
    that declares them, with PKG-INFO agreeing, can: no build (this repository builds
    nothing, so a build would fail)."""
    table = '[project]\nname = "memlike"\ndependencies = ["jinja2>=2.9"]\n'
    releases = [
        Release("memlike", "1.0", wheels=(), metadata_version="2.1",
                requires_dist=("jinja2>=2.9",), project_table=table),
        Release("memlike", "0.9", wheels=(), metadata_version="2.1",
                requires_dist=("jinja2>=2.9",)),
        Release("memlike", "0.8", wheels=(), metadata_version="2.1",
                requires_dist=("jinja2>=2.9", "rich"), project_table=table),
    ]  # fmt: skip
    repo = repository(tmp_path, fake_index(releases).url, builds=False)
    files = by_name(repo, "memlike")
    meta = repo.metadata(files["memlike-1.0.tar.gz"])
    assert [str(r) for r in meta.requires_dist] == ["jinja2>=2.9"]
    for unsure in ("memlike-0.9.tar.gz", "memlike-0.8.tar.gz"):  # no table; a disagreeing one
        with pytest.raises(BadDistribution, match="not built"):
            repo.metadata(files[unsure])


class Fetches(Progress):
    def __init__(self) -> None:
        self.started: list[tuple[str, str, str]] = []

    def fetch_started(self, kind: str, what: str) -> None:
        self.started.append((kind, what, threading.current_thread().name))


def test_metadata_in_the_cache_is_read_where_it_is_needed_never_fetched_ahead(
    fake_index: MakeIndex, tmp_path: Path
):
    """Reading a cached entry is work for the interpreter, not a wait: a pool thread doing
    it only takes turns with the resolver (warm warehouse, with pages read the same way:
    median 1.77 s -> 1.61 s)."""
    index, clock = fake_index(RELEASES), Clock()
    wheel = by_name(repository(tmp_path, index.url, clock=clock), "foo-bar")[
        "foo_bar-1.0-py3-none-any.whl"
    ]
    first = repository(tmp_path, index.url, clock=clock)
    first.metadata(wheel)  # fetched and cached
    fetches = Fetches()
    again = repository(tmp_path, index.url, clock=clock, progress=fetches)
    again.prefetch_metadata([wheel])
    assert fetches.started == []
    assert again.metadata(wheel) == first.metadata(wheel)
    assert fetches.started == [], "read on this thread, not handed to the pool"
    assert index.count("/files/") == 1


def test_a_fresh_page_in_the_cache_is_read_where_it_is_needed(
    fake_index: MakeIndex, tmp_path: Path
):
    index, clock = fake_index(RELEASES), Clock()
    expected = by_name(repository(tmp_path, index.url, clock=clock), "foo-bar")
    fetches = Fetches()
    again = repository(tmp_path, index.url, clock=clock, progress=fetches)
    again.prefetch([NAME, canonicalize_name("foo-bar")])
    assert by_name(again, "foo-bar") == expected
    fetched = [(kind, what) for kind, what, _ in fetches.started]
    assert fetched == [("page", "fooo-bar")], "only the page not in the cache is fetched ahead"
    clock.now += 601  # stale: revalidated, on the pool
    stale = repository(tmp_path, index.url, clock=clock, progress=fetches)
    assert by_name(stale, "foo-bar") == expected
    assert ("page", "foo-bar") in {(kind, what) for kind, what, _ in fetches.started}


def test_the_cache_serves_fresh_pages_and_revalidates_stale_ones(
    fake_index: MakeIndex, tmp_path: Path
):
    index = fake_index(RELEASES)
    clock = Clock()
    first = repository(tmp_path, index.url, clock=clock)
    wheel = by_name(first, "foo-bar")["foo_bar-1.0-py3-none-any.whl"]
    first.metadata(wheel)
    index.clear_log()
    again = repository(tmp_path, index.url, clock=clock)
    assert by_name(again, "foo-bar")
    again.metadata(wheel)
    assert index.requests == [], "fresh page and cached metadata: no request at all"
    clock.now += 601  # the fake index says max-age=600
    assert by_name(repository(tmp_path, index.url, clock=clock), "foo-bar")
    (request,) = index.requests
    assert request.headers.get("if-none-match"), "revalidated with the stored ETag"
    index.clear_log()
    assert by_name(repository(tmp_path, index.url, clock=clock, refresh=True), "foo-bar")
    assert len(index.requests) == 1


def test_a_json_page_is_cached_release_by_release_and_fetched_again_when_that_does_not_read(
    fake_index: MakeIndex, tmp_path: Path
):
    """The cache keeps a PEP 691 page in its own form (a warm run reads the releases it
    decides, not the whole page); the cache is untrusted: an entry in that form that does
    not add up (its checksum fine: written so) is a miss, and the page is fetched again."""
    index = fake_index(RELEASES)
    clock = Clock()
    expected = by_name(repository(tmp_path, index.url, clock=clock), "foo-bar")
    cache = Cache(tmp_path / "cache", clock)
    url = f"{index.url.rstrip('/')}/foo-bar/"
    cached = cache.page(url)
    assert cached is not None
    assert cached.content_type == STORED_TYPE
    index.clear_log()
    assert by_name(repository(tmp_path, index.url, clock=clock), "foo-bar") == expected
    assert index.requests == []
    cache.store_page(replace(cached, body=b'[["foo-bar","1.0",99]]\n[]'))
    assert by_name(repository(tmp_path, index.url, clock=clock), "foo-bar") == expected
    assert [r.path for r in index.requests] == ["/simple/foo-bar/"]


def test_a_file_filed_under_another_release_in_the_cache_is_refused(
    fake_index: MakeIndex, tmp_path: Path
):
    index = fake_index(RELEASES)
    clock = Clock()
    repository(tmp_path, index.url, clock=clock).files("foo-bar").all_files()
    cache = Cache(tmp_path / "cache", clock)
    cached = cache.page(f"{index.url.rstrip('/')}/foo-bar/")
    assert cached is not None
    head, _, rest = cached.body.partition(b"\n")
    # The header files the first release's bytes under 9.9 instead.
    header = [
        ["foo-bar", "9.9" if i == 0 else v, n] for i, (_, v, n) in enumerate(json.loads(head))
    ]
    cache.store_page(replace(cached, body=json.dumps(header).encode() + b"\n" + rest))
    listing = repository(tmp_path, index.url, clock=clock).files("foo-bar")
    with pytest.raises(
        NetworkError,
        match=r"/simple/foo-bar/: unreadable index page .*filed under another release",
    ):
        listing.files(Version("9.9"))


def test_the_list_of_every_project_is_read_once_and_is_empty_when_it_cannot_be_had(
    fake_index: MakeIndex, tmp_path: Path
):
    """Only a hint depends on it: an index without one, or --offline before it was ever
    read, gives no names rather than an error."""
    index = fake_index(RELEASES)
    clock = Clock()
    names = repository(tmp_path, index.url, clock=clock).project_names(NAME)
    assert names == {"foo-bar", "dep", "other"}
    index.clear_log()
    assert repository(tmp_path, index.url, clock=clock).project_names(NAME) == names
    assert index.requests == [], "fresh in the cache"
    offline = repository(tmp_path / "empty", index.url, clock=clock, offline=True)
    assert offline.project_names(NAME) == frozenset()
    assert repository(tmp_path, f"{index.url}none/", clock=clock).project_names(NAME) == set()


def test_offline_uses_the_cache_and_names_what_is_missing(fake_index: MakeIndex, tmp_path: Path):
    index = fake_index(RELEASES)
    repository(tmp_path, index.url).files("foo-bar").all_files()
    clock = Clock()
    clock.now += 10_000  # stale, but offline does not ask
    offline = repository(tmp_path, index.url, clock=clock, offline=True)
    index.clear_log()
    assert by_name(offline, "foo-bar")
    with pytest.raises(NetworkError, match=r"/simple/dep/: not in the cache, and --offline"):
        offline.files("dep").all_files()
    assert index.requests == []


def test_first_index_never_takes_a_name_from_a_later_index(fake_index: MakeIndex, tmp_path):
    internal = fake_index([Release("foo-bar", "1.0"), Release("tool", "1.0")])
    public = fake_index([Release("foo-bar", "99.0"), Release("other", "1.0")])
    # pip's usual setup: the public index-url, the internal extra index searched first.
    repo = repository(tmp_path, public.url, internal.url)
    assert set(by_name(repo, "foo-bar")) == {"foo_bar-1.0-py3-none-any.whl", "foo_bar-1.0.tar.gz"}
    assert set(by_name(repo, "other")) == {"other-1.0-py3-none-any.whl", "other-1.0.tar.gz"}
    # Both were asked for foo-bar, so that the shadowing is reported; "other" is not shared.
    (warning,) = repo.warnings()
    assert warning.startswith(f"foo-bar is offered by {internal.url} and by {public.url}")
    best = repository(tmp_path, public.url, internal.url, config={"index_strategy": "x"})
    assert len(best.files("foo-bar").all_files()) == 4  # unsafe-best-match: every index


def test_find_links_directory_and_page(fake_index: MakeIndex, tmp_path: Path):
    links = fake_index([Release("local-only", "1.0"), Release("foo-bar", "5.0", sdist=False)])
    index = fake_index(RELEASES)
    for location in (str(links.files_dir), links.links_url):
        repo = repository(tmp_path / location[-5:], index.url, config={"find_links": (location,)})
        files = by_name(repo, "foo-bar")
        assert "foo_bar-5.0-py3-none-any.whl" in files
        assert "foo_bar-1.0.tar.gz" in files
        local = by_name(repo, "local-only")["local_only-1.0-py3-none-any.whl"]
        assert str(repo.metadata(local).version) == "1.0"


def test_prefetch_gives_the_same_answers_in_the_same_order(fake_index: MakeIndex, tmp_path):
    index = fake_index(RELEASES)
    names = ["foo-bar", "dep", "other", "missing"]
    serial = {n: repository(tmp_path / "a", index.url).files(n).all_files() for n in names}
    repo = repository(tmp_path / "b", index.url)
    repo.prefetch(names)
    repo.prefetch(names)  # asking twice starts nothing new
    assert {n: repo.files(n).all_files() for n in names} == serial
    assert index.count("/simple/foo-bar/") == 2  # once per repository


def test_fetching_ahead_brings_the_newest_metadata_and_the_dependencies_pages(
    tmp_path, fake_index
):
    index = fake_index(RELEASES)
    repo = repository(tmp_path, index.url, speculate=True)
    repo.files("foo-bar").all_files()
    for _ in range(100):  # the work runs in the pool; give it a moment
        paths = {r.path for r in index.requests}
        if "/simple/dep/" in paths:
            break
        time.sleep(0.05)
    assert "/files/foo_bar-1.0-py3-none-any.whl.metadata" in paths
    assert "/simple/dep/" in paths  # an unconditional dependency
    assert "/simple/extra-thing/" not in paths  # only under an extra
    repo.close()


def test_an_sdists_build_requirements_are_read_from_its_pyproject(tmp_path, fake_index):
    index = fake_index([Release("built", "1.0", wheels=(), build_requires=("helper>=2", "flit"))])
    repo = repository(tmp_path, index.url)
    (sdist,) = repo.files("built").all_files()
    assert [str(r) for r in repo.build_requirements(sdist)] == ["helper>=2", "flit"]
    repo.close()
