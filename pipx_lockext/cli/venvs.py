"""`reqlock sync`, `run` and `python list` (shell, part of the CLI): parse options, call
the use cases, render their results."""

from __future__ import annotations

from pathlib import Path

import click

from pipx_lockext.cli import render
from pipx_lockext.cli.options import common_options, context, project_root, venv_options
from pipx_lockext.core.errors import ReqlockError


@click.command("sync")
@venv_options
@common_options
def sync_command(
    *,
    layer: str | None,
    pythons: tuple[str, ...],
    all_pythons: bool,
    reinstall: bool,
    skip_missing: bool,
    project: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Make .venvs/X.Y hold exactly what the layer's lock installs on that Python.

    pip runs only when something is missing or different: pip install --require-hashes
    -r <lock>, then pip uninstall of what the lock does not hold, then the project
    itself (editable, --no-deps) when it is a package.
    """
    from pipx_lockext.cli.status import reporting  # noqa: PLC0415 - start-up
    from pipx_lockext.commands.syncing import sync_project  # noqa: PLC0415 - start-up
    from pipx_lockext.commands.synctargets import SyncOptions  # noqa: PLC0415 - start-up

    options = SyncOptions(layer, pythons, all_pythons, reinstall, skip_missing)
    root = project_root(project)
    with reporting(quiet, verbose) as progress:
        outcomes = sync_project(root, options, context(progress, quiet))
    for outcome in outcomes:
        render.synced(outcome, quiet)


@click.command("run", context_settings={"ignore_unknown_options": True})
@venv_options
@common_options
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def run_command(
    *,
    layer: str | None,
    pythons: tuple[str, ...],
    all_pythons: bool,
    reinstall: bool,
    skip_missing: bool,
    project: Path | None,
    quiet: bool,
    verbose: bool,
    command: tuple[str, ...],
) -> None:
    """Sync, then run COMMAND inside the venv (after --): PATH and VIRTUAL_ENV set.

    With --all-pythons, every configured version found, in turn, then a summary table;
    the exit code is 1 if any failed. Otherwise COMMAND's own exit code.
    """
    from pipx_lockext.cli.status import reporting  # noqa: PLC0415 - start-up
    from pipx_lockext.commands.syncing import run_command  # noqa: PLC0415 - start-up
    from pipx_lockext.commands.synctargets import SyncOptions  # noqa: PLC0415 - start-up

    options = SyncOptions(layer, pythons, all_pythons, reinstall, skip_missing)
    root = project_root(project)
    with reporting(quiet, verbose) as progress:
        rows = run_command(root, options, command, context(progress, quiet))
    if all_pythons:
        render.run_table(rows)
        raise click.exceptions.Exit(1 if any(row.failed for row in rows) else 0)
    raise click.exceptions.Exit(rows[0].code or 0)


@click.group("python")
def python_group() -> None:
    """Python interpreters on this machine."""


@python_group.command("list")
@common_options
def python_list_command(project: Path | None, quiet: bool, verbose: bool) -> None:
    """The interpreters found, and which one each configured version uses."""
    from pipx_lockext.commands.synctargets import list_pythons  # noqa: PLC0415 - start-up
    from pipx_lockext.edges.venvs.interpreters import Finder  # noqa: PLC0415 - start-up

    rows, places = list_pythons(_project_if_any(project), Finder.here())
    render.pythons(rows, places, quiet)


def _project_if_any(project: Path | None) -> Path | None:
    """`python list` works outside a project too."""
    try:
        return project_root(project)
    except ReqlockError:
        return None
