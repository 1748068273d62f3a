"""The venv commands, `sync`, `run` and `python list` (shell, part of the CLI): parse
options, call the use cases, render their results."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pipx_lockext.cli import F, _context, _root, _with, cli, common_options
from pipx_lockext.errors import ReqlockError


def venv_options(func: F) -> F:
    """--layer, --python, --all-pythons, --reinstall: declared once for sync and run."""
    options = [
        click.option("--layer", help="The layer to install (default: dev, else base)."),
        click.option(
            "--python",
            "pythons",
            multiple=True,
            metavar="X.Y",
            help="Python version(s) to use (default: the first configured one found).",
        ),
        click.option("--all-pythons", is_flag=True, help="Every configured version found."),
        click.option("--reinstall", is_flag=True, help="Remake the venv(s) from scratch."),
    ]
    return _with(options, func)


@cli.command("sync")
@venv_options
@common_options
def sync_command(
    *,
    layer: str | None,
    pythons: tuple[str, ...],
    all_pythons: bool,
    reinstall: bool,
    project: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Make .venvs/X.Y hold exactly what the layer's lock installs on that Python.

    pip runs only when something is missing or different: pip install --require-hashes
    -r <lock>, then pip uninstall of what the lock does not hold, then the project
    itself (editable, --no-deps) when it is a package.
    """
    from pipx_lockext.syncing import SyncOptions, sync_project  # noqa: PLC0415

    options = SyncOptions(layer, pythons, all_pythons, reinstall)
    for outcome in sync_project(_root(project), options, _context(quiet)):
        for warning in outcome.warnings:
            click.echo(f"warning: {warning}", err=True)
        if not quiet:
            click.echo(_sync_line(outcome), err=True)


def _sync_line(outcome: Any) -> str:
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


@cli.command("run", context_settings={"ignore_unknown_options": True})
@venv_options
@common_options
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def run_command(
    *,
    layer: str | None,
    pythons: tuple[str, ...],
    all_pythons: bool,
    reinstall: bool,
    project: Path | None,
    quiet: bool,
    verbose: bool,
    command: tuple[str, ...],
) -> None:
    """Sync, then run COMMAND inside the venv (after --): PATH and VIRTUAL_ENV set.

    With --all-pythons, every configured version found, in turn, then a summary table;
    the exit code is 1 if any failed. Otherwise COMMAND's own exit code.
    """
    from pipx_lockext.syncing import SyncOptions  # noqa: PLC0415
    from pipx_lockext.syncing import run_command as run_in_venvs  # noqa: PLC0415

    options = SyncOptions(layer, pythons, all_pythons, reinstall)
    rows = run_in_venvs(_root(project), options, command, _context(quiet))
    if all_pythons:
        click.echo("\npython  exit  seconds", err=True)
        for row in rows:
            click.echo(f"{row.version!s:<7} {row.code:>4}  {row.seconds:7.1f}", err=True)
        raise click.exceptions.Exit(1 if any(row.code for row in rows) else 0)
    raise click.exceptions.Exit(rows[0].code)


@cli.group("python")
def python_group() -> None:
    """Python interpreters on this machine."""


@python_group.command("list")
@common_options
def python_list_command(project: Path | None, quiet: bool, verbose: bool) -> None:
    """The interpreters found, and which one each configured version uses."""
    from pipx_lockext.interpreters import Finder  # noqa: PLC0415
    from pipx_lockext.loader import find_project  # noqa: PLC0415
    from pipx_lockext.syncing import list_pythons  # noqa: PLC0415

    root = project.resolve() if project else _nearest(find_project)
    rows, places = list_pythons(root, Finder.here())
    for row in rows:
        mark = "*" if row.configured else " "
        if not row.found:
            click.echo(f"{mark} {row.version!s:<5} not found")
            continue
        used, *others = row.found
        click.echo(f"{mark} {row.version!s:<5} {used.path}  ({used.found_in})")
        for other in others:
            click.echo(f"        also {other.path}  ({other.found_in})")
    if not quiet:
        click.echo(f"* configured for this project; looked in {places}", err=True)


def _nearest(find: Any) -> Path | None:
    try:
        return find(Path.cwd())  # type: ignore[no-any-return]
    except ReqlockError:
        return None
