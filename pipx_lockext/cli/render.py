"""Rendering command results for a person (shell): one typed renderer per result, the
only place that decides how a result reads. Results are imported for their types only, so
that rendering costs nothing at start-up."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from pipx_lockext.cli.report import UP_TO_DATE, say, write
from pipx_lockext.core.errors import escaped

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pipx_lockext.commands.checking import WhyResult
    from pipx_lockext.commands.compiling import CompileResult, LayerSummary
    from pipx_lockext.commands.convert import WriteResult
    from pipx_lockext.commands.syncing import RunRow, SyncOutcome
    from pipx_lockext.commands.synctargets import PythonRow
    from pipx_lockext.commands.verifying import VerifyResult

SHOWN = 6
"""Names listed per kind of change in a compile summary before "… N more"."""


def _err(line: str, tone: str | None = None) -> None:
    say(line, tone)


def _out(text: str, nl: bool = True) -> None:
    """A command's own output (diffs, chains, interpreters), control characters escaped
    apart from line ends and tabs."""
    write(lambda: click.echo(escaped(text, keep="\n\t"), nl=nl))


def writes(result: WriteResult, quiet: bool) -> None:
    """export / import: the diff with --dry-run, else which files were written."""
    changed = [c for c in result.changes if c.changed]
    if result.dry_run:
        for change in changed:
            _out(change.diff(), nl=False)
        if not changed and not quiet:
            _err("no changes")
        return
    if quiet:
        return
    for change in result.changes:
        verb = ("created" if change.old is None else "updated") if change.changed else "unchanged"
        _err(f"{verb} {change.display}")


def compiled(result: CompileResult, quiet: bool) -> None:
    """compile: warnings, then the diff (--dry-run) and a summary line per lock."""
    for warning in result.warnings:
        _err(f"warning: {warning}")
    if result.up_to_date:
        if not quiet:
            _err(UP_TO_DATE, "ok")
        return
    if result.dry_run:
        for change in result.changes:
            _out(change.diff(), nl=False)
    if quiet:
        return
    changed = {change.display for change in result.changes if change.changed}
    for summary in result.summaries:
        _err(summary_line(summary, result.dry_run, summary.display in changed))


def summary_line(summary: LayerSummary, dry_run: bool, changed: bool) -> str:
    """`wrote requirements/dev.lock.txt: 1 added (x 1.0); 2 upgraded (…)`."""
    if not changed:
        return f"{summary.display}: unchanged"
    kinds = (
        ("added", summary.added),
        ("removed", summary.removed),
        ("upgraded", summary.upgraded),
        ("downgraded", summary.downgraded),
    )
    parts = [f"{len(items)} {label} ({_some(items)})" for label, items in kinds if items]
    verb = "would write" if dry_run else "wrote"
    if summary.created:
        return f"{verb} {summary.display}: new, " + (
            f"{len(summary.added)} pins ({_some(summary.added)})" if summary.added else "no pins"
        )
    same = "no pin changed (header, markers or hashes did)"
    return f"{verb} {summary.display}: " + ("; ".join(parts) if parts else same)


def _some(items: Sequence[str]) -> str:
    more = f", … {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return ", ".join(items[:SHOWN]) + more


def why(result: WhyResult) -> None:
    """why: the chains up to the layers' roots, said once for all the locks they are the
    same in (base, dev and prod often share them)."""
    grouped: dict[tuple[tuple[str, ...], ...], list[str]] = {}
    for display, chains in result.chains:
        grouped.setdefault(chains, []).append(display)
    for chains, displays in grouped.items():
        _out(f"{', '.join(displays)}:")
        for chain in chains:
            _out("  " + " <- ".join(chain))


def verified(result: VerifyResult, against_index: bool, installed: bool) -> None:
    said = f"{len(result.locks)} locks well formed ({result.pins} pins)"
    if against_index:
        said += f"; {result.hashes_checked} hashes match the index"
    if installed:
        venvs = ", ".join(result.venvs)
        said += f"; {result.files_checked} installed files match their RECORD in {venvs}"
    _err(said, "ok")


def synced(outcome: SyncOutcome, quiet: bool) -> None:
    """sync: warnings, then one line per venv."""
    for warning in outcome.warnings:
        _err(f"warning: {warning}")
    if not quiet:
        _err(sync_line(outcome), "ok")


def sync_line(outcome: SyncOutcome) -> str:
    if not outcome.pip_ran and not outcome.created:
        return f"{outcome.venv}: in sync (nothing to do)"
    parts = ["created"] if outcome.created else []
    if outcome.installed:
        parts.append(f"{len(outcome.installed)} installed or changed")
    if outcome.removed:
        parts.append(f"{len(outcome.removed)} removed ({', '.join(outcome.removed)})")
    if outcome.project:
        parts.append("project installed (editable)")
    return f"{outcome.venv}: " + ", ".join(parts)


def run_table(rows: Sequence[RunRow]) -> None:
    """run --all-pythons: version, exit code and seconds of each run."""
    _err("")
    _err("python  exit  seconds")
    for row in rows:
        if row.code is None:
            _err(f"{row.version!s:<7} missing (not on this machine; --skip-missing leaves it out)")
        else:
            _err(f"{row.version!s:<7} {row.code:>4}  {row.seconds:7.1f}")


def pythons(rows: Sequence[PythonRow], places: str, quiet: bool) -> None:
    """python list: each version, the interpreter used and the others found."""
    for row in rows:
        mark = "*" if row.configured else " "
        if not row.found:
            _out(f"{mark} {row.version!s:<5} not found")
            continue
        used, *others = row.found
        _out(f"{mark} {row.version!s:<5} {used.path}  ({used.found_in})")
        for other in others:
            _out(f"        also {other.path}  ({other.found_in})")
    if not quiet:
        _err(f"* configured for this project; looked in {places}")
