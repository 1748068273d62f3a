"""The persistent cache: freshness by a fake clock, corruption read as a miss, sharing."""

from __future__ import annotations

import threading
from pathlib import Path

from pipx_lockext.edges.index.cache import Cache, CachedPage, default_cache_dir


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def page(url: str = "https://example.org/simple/demo/", max_age: float = 600) -> CachedPage:
    return CachedPage(
        url, "text/html", b"<a href='demo-1.0.tar.gz'>x</a>", '"e1"', None, 0, max_age
    )


def test_page_is_fresh_for_its_max_age(tmp_path: Path):
    clock = Clock()
    cache = Cache(tmp_path, clock)
    stored = cache.store_page(page())
    assert stored.stored_at == clock.now
    again = cache.page(stored.url)
    assert again == stored
    clock.now += 599
    assert again.fresh(clock())
    clock.now += 2
    assert not again.fresh(clock())
    assert cache.page("https://example.org/simple/other/") is None


def test_metadata_is_kept_by_file_hash(tmp_path: Path):
    cache = Cache(tmp_path)
    cache.store_metadata("ab" * 32, b"Metadata-Version: 2.1\nName: demo\n")
    assert cache.metadata("ab" * 32) == b"Metadata-Version: 2.1\nName: demo\n"
    assert cache.metadata("cd" * 32) is None


def test_corrupted_or_torn_entries_are_misses(tmp_path: Path):
    cache = Cache(tmp_path)
    cache.store_metadata("ab" * 32, b"Name: demo\n")
    cache.store_page(page())
    entries = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(entries) == 2
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(data[:-3] + b"XYZ")  # same length, other bytes
    assert cache.metadata("ab" * 32) is None
    assert cache.page(page().url) is None
    for entry in entries:
        entry.write_bytes(b"")  # a torn write
    assert cache.metadata("ab" * 32) is None
    assert cache.page(page().url) is None


def test_an_unwritable_cache_costs_speed_not_correctness(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = Cache(blocker)
    cache.store_metadata("ab" * 32, b"x")  # no error
    assert cache.metadata("ab" * 32) is None


def test_concurrent_writers_leave_whole_entries(tmp_path: Path):
    caches = [Cache(tmp_path) for _ in range(8)]
    bodies = [bytes([i]) * 200_000 for i in range(8)]

    def write(cache: Cache, body: bytes) -> None:
        for _ in range(20):
            cache.store_metadata("ab" * 32, body)

    threads = [
        threading.Thread(target=write, args=pair) for pair in zip(caches, bodies, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Cache(tmp_path).metadata("ab" * 32) in bodies
    assert not list(tmp_path.rglob(".tmp-*"))


def test_default_cache_dir():
    assert default_cache_dir({"REQLOCK_CACHE_DIR": "/x"}) == Path("/x")
    assert default_cache_dir({"HOME": "/h", "XDG_CACHE_HOME": "/c"}) == Path("/c/reqlock")
    assert default_cache_dir({"HOME": "/h"}) == Path("/h/.cache/reqlock")
