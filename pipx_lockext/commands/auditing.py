"""The `audit` use case (shell): every pin of every layer's lock, on every environment
where it is active, checked against OSV advisories.

The advisories come from `--db PATH`, else `[tool.reqlock.audit] db`, else the OSV API.
Locks are read through `read_locks` (a layer without a lock is said, not guessed); what
is vulnerable where is `core.audit`'s. Nothing here prints or exits; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipx_lockext.core.audit.findings import Finding, findings, pins_in
from pipx_lockext.core.audit.osv import Advisory, parse_records
from pipx_lockext.core.errors import NotTrue, UsageError
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.lockparse import ParsedLock
from pipx_lockext.edges.project.loader import load_project
from pipx_lockext.edges.project.lockfiles import read_locks


@dataclass(frozen=True)
class AuditResult:
    """What the audit found, and what it read."""

    source: str
    """The database path as given, or the OSV API's URL."""
    layers: tuple[str, ...]
    pins: int
    """Distinct (name, version) pins checked."""
    findings: tuple[Finding, ...]
    """Ignored ones included (they carry their reason)."""
    warnings: tuple[str, ...] = ()

    @property
    def vulnerable(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.ignored is None)


def audit_project(root: Path, db: Path | None = None) -> AuditResult:
    """`reqlock audit`; SourceUnreadable (exit 4) when the advisories cannot be read."""
    inputs = load_project(root)
    locks = _locks(inputs)
    pinned = sorted(pins_in(locks))
    wanted = frozenset(name for name, _ in pinned)
    path, shown = _database(inputs, db)
    if path is not None:
        from pipx_lockext.edges.advisories.osvdb import read_database  # noqa: PLC0415 - audit only

        advisories, warnings = parse_records(read_database(path, shown), wanted)
    else:
        advisories, warnings, shown = _from_api([(str(n), str(v)) for n, v in pinned])
    ignore = dict(inputs.settings.audit.ignore)
    found = findings(inputs, locks, advisories, ignore)
    layers = inputs.layer_names()
    return AuditResult(shown, layers, len(pinned), found, warnings + _unused(ignore, found))


def _unused(ignore: dict[str, str], found: tuple[Finding, ...]) -> tuple[str, ...]:
    """An ignore entry that matches nothing found (fixed since, or misspelt) is said."""
    seen = {i for f in found for i in (f.advisory.id, *f.advisory.aliases)}
    return tuple(
        f"[tool.reqlock.audit] ignore: {ident} matches no advisory found; remove it?"
        for ident in ignore
        if ident not in seen
    )


def _locks(inputs: ProjectInputs) -> dict[str, ParsedLock]:
    """Each layer's lock and build lock (when it holds pins), by path; NotTrue when a
    layer has no lock (nothing to audit there)."""
    lockset = read_locks(inputs)
    layers = inputs.layer_names()
    missing = [inputs.lock_file(layer) for layer in layers if lockset.lock(layer) is None]
    if missing:
        raise NotTrue(f"{', '.join(missing)}: missing; run reqlock compile before auditing")
    found = {}
    for layer in layers:
        for path, lock in (
            (inputs.lock_file(layer), lockset.lock(layer)),
            (inputs.build_lock_file(layer), lockset.build(layer)),
        ):
            if lock is not None:
                found[path] = lock
    return found


def _database(inputs: ProjectInputs, db: Path | None) -> tuple[Path | None, str]:
    """The offline database: `--db` (as given), else the setting (from the project)."""
    if db is not None:
        return db, str(db)
    setting = inputs.settings.audit.db
    if setting is None:
        return None, ""
    if not setting.strip():
        raise UsageError("pyproject.toml: [tool.reqlock.audit].db: an empty path")
    return Path(inputs.root) / setting, setting


def _from_api(
    pins: list[tuple[str, str]],
) -> tuple[tuple[Advisory, ...], tuple[str, ...], str]:
    from pipx_lockext.core.index.netconfig import from_pip  # noqa: PLC0415 - audit only
    from pipx_lockext.edges.advisories.osvapi import OsvApi, api_base  # noqa: PLC0415 - network
    from pipx_lockext.edges.index.network import Http  # noqa: PLC0415 - network
    from pipx_lockext.edges.index.pipconfig import pip_options  # noqa: PLC0415 - audit only

    try:
        config = from_pip(pip_options())
    except ValueError as exc:
        raise UsageError(f"pip configuration: {exc}") from None
    http = Http(config)
    base = api_base()
    try:
        records = OsvApi(http, base).records(pins)
    finally:
        http.close()
    advisories, warnings = parse_records(records)
    return advisories, warnings, base
