"""What `sync` installed into a venv, kept in the venv (edge: one JSON file in the venv and
the distributions' RECORD files).

For every distribution sync installed from the lock it keeps the version, the sha256 of
the file pip installed (from pip's `--report`, when the venv's pip has it) and the sha256
of the RECORD pip wrote. A distribution whose RECORD no longer has that digest (installed
by hand, or the same name and version from other bytes) or that sync never installed is
not trusted: the next sync reinstalls it from the lock. Reading every RECORD is a few
small files, so a sync with nothing to do stays fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name

RECORD_FILE = "reqlock-installed.json"
FORMAT = 1


@dataclass(frozen=True)
class Installed:
    """One distribution as sync installed it."""

    version: str
    record: str
    """sha256 hex of its RECORD file just after pip installed it."""
    file: str | None = None
    """sha256 hex of the wheel or sdist pip installed it from, when pip said."""


def record_digests(site_packages: list[Path]) -> dict[NormalizedName, str]:
    """The sha256 of each distribution's RECORD now (a distribution without one is left
    out, and so never trusted)."""
    found: dict[NormalizedName, str] = {}
    for site in site_packages:
        for record in sorted(site.glob("*.dist-info/RECORD")):
            name = record.parent.name.removesuffix(".dist-info").rpartition("-")[0]
            with contextlib.suppress(OSError):
                found[canonicalize_name(name)] = hashlib.sha256(record.read_bytes()).hexdigest()
    return found


def read(venv: Path) -> dict[NormalizedName, Installed]:
    """What sync recorded; empty when nothing was (or the file is unreadable)."""
    try:
        data = json.loads((venv / RECORD_FILE).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return {}
        return {
            canonicalize_name(name): Installed(**entry) for name, entry in data["dists"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def write(venv: Path, dists: dict[NormalizedName, Installed]) -> None:
    """Record `dists` (atomically: a reader sees the old record or the new one)."""
    data = {"format": FORMAT, "dists": {n: asdict(d) for n, d in sorted(dists.items())}}
    temp = venv / f".{RECORD_FILE}.tmp"
    temp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    temp.replace(venv / RECORD_FILE)


def report_hashes(report: Path) -> dict[NormalizedName, str]:
    """From pip's `--report` JSON: the sha256 of the file each distribution came from."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        items = data["install"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    found = {}
    for item in items if isinstance(items, list) else ():
        with contextlib.suppress(KeyError, TypeError, AttributeError):
            name = canonicalize_name(item["metadata"]["name"])
            digest = item["download_info"]["archive_info"]["hashes"]["sha256"]
            found[name] = str(digest)
    return found
