"""The `verify` use case (shell): are the locks, and what was installed from them, still
what they claim to be?

- Always: every lock is well formed (pinned `==`, hashed with sha256, no editable or VCS
  line, no option that weakens hash checking): exit 1 otherwise.
- `--against-index`: every hash in every lock is still the sha256 of a file the index
  lists for that release (a direct URL's archive is downloaded and hashed): exit 5 for a
  hash the index no longer backs.
- `--installed`: every file each venv's distributions recorded in their RECORD still has
  that hash: exit 5 naming each changed or missing file.

Nothing here prints or exits; nothing is written.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import canonicalize_name

from pipx_lockext.core.errors import IntegrityError, NotTrue
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.lockparse import LockedPin, ParsedLock
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.edges.project.loader import load_project
from pipx_lockext.edges.project.lockfiles import read_locks
from pipx_lockext.edges.venvs import installrecord

if TYPE_CHECKING:
    from pipx_lockext.core.index.source import Source


@dataclass(frozen=True)
class VerifyResult:
    """What was verified, for the CLI to say."""

    locks: tuple[str, ...]
    pins: int
    hashes_checked: int = 0
    files_checked: int = 0
    venvs: tuple[str, ...] = ()


def verify_project(
    root: Path,
    *,
    against_index: bool = False,
    installed: bool = False,
    progress: Progress = NO_PROGRESS,
) -> VerifyResult:
    """`reqlock verify`; raises NotTrue (malformed) or IntegrityError (hash mismatch).
    `progress` is told about the index's pages fetched (with `against_index`)."""
    inputs = load_project(root)
    locks = _read_locks(inputs)
    malformed = [
        f"{display}:{p.line}: {p.what}" if p.line else f"{display}: {p.what}"
        for display, lock in locks.items()
        for p in lock.problems
    ]
    if malformed:
        raise NotTrue("; ".join(malformed))
    pins = sum(len(lock.pins) for lock in locks.values())
    result = VerifyResult(tuple(locks), pins)
    if against_index:
        result = _against_index(inputs, locks, result, progress)
    if installed:
        result = _installed(inputs, result)
    return result


def _read_locks(inputs: ProjectInputs) -> dict[str, ParsedLock]:
    """Every lock file holding pins (an emptied build lock holds none), by path."""
    locks = read_locks(inputs).files()
    if not locks:
        raise NotTrue("no lock file to verify; run reqlock compile")
    return locks


def _against_index(
    inputs: ProjectInputs, locks: dict[str, ParsedLock], result: VerifyResult, progress: Progress
) -> VerifyResult:
    from pipx_lockext.edges.index.client import open_repository  # noqa: PLC0415 - network only here

    repository = open_repository(inputs.settings.index, refresh=True, progress=progress)
    bad: list[str] = []
    checked = 0
    try:
        repository.prefetch({pin.name for lock in locks.values() for pin in lock.pins})
        for display, lock in locks.items():
            for pin in lock.pins:
                known = _index_hashes(repository, pin)
                checked += len(pin.hashes)
                bad += [
                    f"{display}:{pin.line}: {pin.name}=={pin.version} --hash=sha256:{digest} "
                    "matches no file the index lists for that release"
                    for digest in pin.hashes
                    if digest not in known
                ]
    finally:
        repository.close()
    if bad:
        raise IntegrityError("; ".join(bad))
    return VerifyResult(result.locks, result.pins, hashes_checked=checked)


def _index_hashes(source: Source, pin: LockedPin) -> set[str]:
    from pipx_lockext.core.resolution.pins import locked_files  # noqa: PLC0415 - start-up

    return {source.sha256(f) for f in locked_files(source, pin)}


def _installed(inputs: ProjectInputs, result: VerifyResult) -> VerifyResult:
    folder = Path(inputs.root) / inputs.settings.venv_dir
    venvs = (
        sorted(p for p in folder.iterdir() if (p / "pyvenv.cfg").is_file())
        if folder.is_dir()
        else []
    )
    if not venvs:
        raise NotTrue(f"no venv in {inputs.settings.venv_dir}/ to verify; run reqlock sync")
    bad: list[str] = []
    checked = 0
    for venv in venvs:
        for record in sorted(venv.glob("**/site-packages/*.dist-info/RECORD")):
            count, problems = check_record(record)
            checked += count
            bad += problems
        bad += _not_as_synced(venv)
    if bad:
        raise IntegrityError("; ".join(bad))
    shown = tuple(f"{inputs.settings.venv_dir}/{v.name}" for v in venvs)
    return VerifyResult(result.locks, result.pins, result.hashes_checked, checked, shown)


def _not_as_synced(venv: Path) -> list[str]:
    """Distributions sync installed whose RECORD changed since: reinstalled from other
    bytes under the same name (their files match that other RECORD)."""
    recorded = installrecord.read(venv)
    now = installrecord.record_digests(sorted(venv.glob("lib/python*/site-packages")))
    now.update(installrecord.record_digests([venv / "Lib" / "site-packages"]))
    return [
        f"{name}: {venv.name}'s copy is not the one sync installed from the lock "
        "(reinstalled by hand from other bytes); run reqlock sync"
        for name, entry in sorted(recorded.items())
        if name in now and now[name] != entry.record
    ]


def check_record(record: Path) -> tuple[int, list[str]]:
    """(files checked, problems) for one distribution's RECORD (PEP 376/627): each listed
    file with a hash must still have it."""
    site = record.parent.parent
    dist = canonicalize_name(record.parent.name.removesuffix(".dist-info").rpartition("-")[0])
    problems, count = [], 0
    rows = csv.reader(io.StringIO(record.read_text(encoding="utf-8")))
    for row in rows:
        if len(row) < 2 or not row[1]:
            continue  # RECORD itself, .pyc files and the like carry no hash
        algorithm, _, expected = row[1].partition("=")
        path = (site / row[0]).resolve()
        count += 1
        try:
            data = path.read_bytes()
        except OSError:
            problems.append(f"{dist}: {path} is missing (RECORD lists it)")
            continue
        try:
            digest = base64.urlsafe_b64encode(hashlib.new(algorithm, data).digest()).rstrip(b"=")
        except ValueError:
            problems.append(f"{dist}: {row[0]}: unknown hash algorithm {algorithm!r} in RECORD")
            continue
        if digest.decode() != expected:
            problems.append(
                f"{dist}: {path} does not match its RECORD hash (changed after install)"
            )
    return count, problems
