"""An sdist that cannot be unpacked (kombu 3.0.x holds symlinks) is remembered in the
cache by its hash, so that it is not downloaded and opened again on every run (issue 11:
saleor's warm compile reopened 105 old kombu sdists, 6 s of work, each time); a failed
build is not remembered, since another try may pass."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from pipx_lockext.core.index.coremeta import BadDistribution
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.edges.index.cache import Cache
from pipx_lockext.edges.index.metadata import MetadataReader


def linked_sdist() -> bytes:
    """kombu-3.0.0.tar.gz as it matters here: PKG-INFO 1.0 (not reliable: built) and a
    symlink member."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        info = b"Metadata-Version: 1.0\nName: kombu\nVersion: 3.0.0\n"
        member = tarfile.TarInfo("kombu-3.0.0/PKG-INFO")
        member.size = len(info)
        tar.addfile(member, io.BytesIO(info))
        link = tarfile.TarInfo("kombu-3.0.0/docs/link")
        link.type, link.linkname = tarfile.SYMTYPE, "../README"
        tar.addfile(link)
    return out.getvalue()


class Downloads:
    def __init__(self, data: bytes) -> None:
        self.data, self.count = data, 0

    def whole(self, file: DistFile) -> bytes:
        self.count += 1
        return self.data

    def metadata_file(self, file: DistFile) -> bytes | None:
        return None


def never_install(requires, target, filename):
    raise AssertionError("an sdist refused at unpacking installs nothing")


def test_an_sdist_that_cannot_be_unpacked_is_opened_once(tmp_path: Path):
    data = linked_sdist()
    file = DistFile(
        "kombu-3.0.0.tar.gz", "https://x/kombu-3.0.0.tar.gz", hashlib.sha256(data).hexdigest()
    )
    downloads = Downloads(data)
    for _ in range(2):  # two runs, one cache
        reader = MetadataReader(downloads, Cache(tmp_path / "cache"), never_install)
        with pytest.raises(BadDistribution, match="links and devices are not unpacked"):
            reader.metadata(file)
    assert downloads.count == 1


def test_without_a_hash_nothing_is_remembered(tmp_path: Path):
    data = linked_sdist()
    downloads = Downloads(data)
    file = DistFile("kombu-3.0.0.tar.gz", "https://x/kombu-3.0.0.tar.gz", None)
    for _ in range(2):
        reader = MetadataReader(downloads, Cache(tmp_path / "cache"), never_install)
        with pytest.raises(BadDistribution):
            reader.metadata(file)
    assert downloads.count == 2


def test_a_reason_from_the_cache_is_shown_escaped(tmp_path: Path):
    """The cache is untrusted input: a reason written there with terminal escapes is shown
    escaped, and the file is passed over without being downloaded."""
    from pipx_lockext import __version__
    from pipx_lockext.edges.index.archives import READER

    data = linked_sdist()
    sha = hashlib.sha256(data).hexdigest()
    cache = Cache(tmp_path / "cache")
    cache.store_unreadable(sha, f"{__version__}-{READER}", "kombu-3.0.0.tar.gz: \x1b[2Jboom")
    downloads = Downloads(data)
    reader = MetadataReader(downloads, cache, never_install)
    file = DistFile("kombu-3.0.0.tar.gz", "https://x/kombu-3.0.0.tar.gz", sha)
    with pytest.raises(BadDistribution) as caught:
        reader.metadata(file)
    assert "\x1b" not in str(caught.value)
    assert "boom" in str(caught.value)
    assert downloads.count == 0
