"""The PEP 517 backend inside every fake sdist, and the one writer of wheels and sdists.

`builder` copies this file into each sdist as `_backend/fakeindex_backend.py`
(`backend-path = ["_backend"]`, `requires = []`), so `pip install` builds the sdist offline
with the standard library alone. The builder also imports `write_wheel` and `write_sdist`
from here, so the wheels on the index and the wheels built from sdists come out of the same
deterministic code.

It must import nothing but the standard library: inside an sdist there is no `packaging`
and no test suite. It owns archive layout and the build hooks, never the metadata text,
which it copies verbatim from `_backend/METADATA`.
"""

from __future__ import annotations

import base64
import csv
import gzip
import hashlib
import io
import os
import re
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

BUILD_LOG = "FAKEINDEX_BUILD_LOG"
"""When this variable names a file, every hook appends "<name> <version> <hook>" to it,
so that a test sees whose backend ran (a backend is code from the index)."""
TRUE_METADATA = "_backend/METADATA"
"""Where an sdist keeps the metadata its wheel gets, whatever PKG-INFO leaves out."""
PURE_TAG = "py3-none-any"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
TAR_MTIME = 315532800  # 1980-01-01, the zip epoch, so both archive kinds agree
if TYPE_CHECKING:  # annotations only: pip runs this backend on Python 3.8 too
    Settings = Mapping[str, object] | None


def normalize(name: str) -> str:
    """PEP 503 normalisation spelt with underscores, as file and module names want it."""
    return re.sub(r"[-_.]+", "_", name).lower()


def dist_info_dir(name: str, version: str) -> str:
    return f"{normalize(name)}-{version}.dist-info"


def record_row(path: str, data: bytes) -> list[str]:
    """One RECORD row: urlsafe base64 sha256 without padding, as the wheel spec asks."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return [path, f"sha256={digest.decode()}", str(len(data))]


def wheel_file(tags: Sequence[str]) -> bytes:
    lines = ["Wheel-Version: 1.0", "Generator: fakeindex", "Root-Is-Purelib: true"]
    lines += [f"Tag: {tag}" for tag in tags]
    return ("\n".join(lines) + "\n").encode()


def write_wheel(
    path: Path, files: Mapping[str, bytes], dist_info: str, metadata: bytes, tags: Sequence[str]
) -> None:
    """Write a wheel of `files` (archive path -> bytes) with its dist-info last."""
    entries = dict(sorted(files.items()))
    entries[f"{dist_info}/METADATA"] = metadata
    entries[f"{dist_info}/WHEEL"] = wheel_file(tags)
    record = f"{dist_info}/RECORD"
    entries[record] = _record(entries, record)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(_zip_info(name), data)


def _record(entries: Mapping[str, bytes], record: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(record_row(name, data) for name, data in entries.items())
    writer.writerow([record, "", ""])
    return out.getvalue().encode()


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # Unix on every host, so the mode bits below mean the same
    info.external_attr = 0o100644 << 16
    return info


def write_sdist(path: Path, base: str, files: Mapping[str, bytes]) -> None:
    """Write `files` under `base/` as a .tar.gz with no timestamps, owners or names leaking."""
    # Nested, not one parenthesized `with`: pip runs this file on Python 3.8 too.
    with path.open("wb") as raw:  # noqa: SIM117 - see above (Python 3.8)
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
            with tarfile.open(fileobj=packed, mode="w", format=tarfile.PAX_FORMAT) as tar:
                for name, data in sorted(files.items()):
                    tar.addfile(_tar_info(f"{base}/{name}", len(data)), io.BytesIO(data))


def _tar_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = TAR_MTIME
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


# The PEP 517 hooks. The frontend runs them with the unpacked sdist as working directory.


def _true_metadata() -> tuple[str, str, bytes]:
    data = Path(TRUE_METADATA).read_bytes()
    fields = {}
    for line in data.decode("utf-8").splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            fields[key.lower()] = value
    return fields["name"], fields["version"], data


def _tree_files(top: str) -> dict[str, bytes]:
    # Importing this backend writes _backend/__pycache__ into the tree; it is not source.
    paths = (p for p in Path(top).rglob("*") if "__pycache__" not in p.parts)
    return {p.as_posix(): p.read_bytes() for p in sorted(paths) if p.is_file()}


def _ran(hook: str) -> None:
    log = os.environ.get(BUILD_LOG)
    if log:
        name, version, _ = _true_metadata()
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{name} {version} {hook}\n")


def get_requires_for_build_wheel(config_settings: Settings = None) -> list[str]:
    _ran("get_requires_for_build_wheel")
    return []


def get_requires_for_build_sdist(config_settings: Settings = None) -> list[str]:
    return []


def prepare_metadata_for_build_wheel(
    metadata_directory: str, config_settings: Settings = None
) -> str:
    _ran("prepare_metadata_for_build_wheel")
    name, version, metadata = _true_metadata()
    dist_info = dist_info_dir(name, version)
    target = Path(metadata_directory, dist_info)
    target.mkdir(parents=True, exist_ok=True)
    (target / "METADATA").write_bytes(metadata)
    (target / "WHEEL").write_bytes(wheel_file([PURE_TAG]))
    return dist_info


def build_wheel(
    wheel_directory: str, config_settings: Settings = None, metadata_directory: str | None = None
) -> str:
    _ran("build_wheel")
    name, version, metadata = _true_metadata()
    filename = f"{normalize(name)}-{version}-{PURE_TAG}.whl"
    files = _tree_files(normalize(name))
    write_wheel(
        Path(wheel_directory, filename), files, dist_info_dir(name, version), metadata, [PURE_TAG]
    )
    return filename


def build_sdist(sdist_directory: str, config_settings: Settings = None) -> str:
    name, version, _ = _true_metadata()
    base = f"{normalize(name)}-{version}"
    write_sdist(Path(sdist_directory, f"{base}.tar.gz"), base, _tree_files("."))
    return f"{base}.tar.gz"
