"""A merged lock line made a `Pin`: every file of the release kept with its URL (without
credentials), size and sha256, so that other formats (pylock.toml) render from the same
value; the requirements format takes the sorted, unique hashes."""

from __future__ import annotations

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.core.resolution.candidates import Release
from pipx_lockext.core.resolution.merge import LockedRelease
from pipx_lockext.core.resolution.pins import pin_of

WHEEL = DistFile("lib-1.0-py3-none-any.whl", "https://u:secret@idx.example/f/lib.whl", "b" * 64,
                 size=10)  # fmt: skip
SDIST = DistFile("lib-1.0.tar.gz", "https://idx.example/f/lib-1.0.tar.gz", None, size=20)


class Hashes:
    """The one `Source` call a pin needs: the index's hash, else the file's own."""

    def sha256(self, file: DistFile) -> str:
        return file.sha256 or "a" * 64


def test_a_pin_keeps_every_file_with_its_url_size_and_hash():
    release = Release(NormalizedName("lib"), Version("1.0"), (WHEEL, SDIST), (WHEEL,))
    line = LockedRelease(release.name, release.version, release, None, ("group dev",))
    pin = pin_of(line, Hashes())  # type: ignore[arg-type]  # only sha256 is read
    assert [(f.filename, f.url, f.size) for f in pin.files] == [
        ("lib-1.0-py3-none-any.whl", "https://idx.example/f/lib.whl", 10),
        ("lib-1.0.tar.gz", "https://idx.example/f/lib-1.0.tar.gz", 20),
    ]
    assert pin.hashes == ("a" * 64, "b" * 64)
    assert pin.url is None
