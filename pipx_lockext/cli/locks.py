"""`reqlock check`, `why` and `verify`: questions asked of the lock files (shell, part of
the CLI)."""

from __future__ import annotations

from pathlib import Path

import click

from pipx_lockext.cli import render
from pipx_lockext.cli.options import common_options, project_root
from pipx_lockext.cli.report import report_check, say


@click.command("check")
@click.argument("outputs", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@common_options
def check_command(
    outputs: tuple[Path, ...], project: Path | None, quiet: bool, verbose: bool
) -> None:
    """Exit 0 when every lock is fresh and well formed, 1 otherwise (offline, read-only).

    Fresh: the input digest in each lock header matches the project's inputs now. Well
    formed: every requirement pinned with == and hashed with sha256, no project twice on
    one environment, no option line reqlock would not write, and no line changed since
    reqlock wrote it (the body-digest in its header). Made for pre-commit and CI.

    OUTPUTS: pip-compile-mode files (`reqlock compile SRC.in -o OUT.txt`), each checked
    against the sources its header names. In pip-tools' layout (a top-level
    requirements.in, no requirements/*.in), every such file beside it is checked.
    """
    from pipx_lockext.commands.pipcheck import (  # noqa: PLC0415 - start-up
        check_folder,
        check_outputs,
        pip_tools_layout,
    )

    folder = project.resolve() if project else Path.cwd()
    if outputs:
        result = check_outputs(folder, outputs)
    else:
        result = check_folder(folder if pip_tools_layout(folder) else project_root(project))
    code = report_check(result, quiet)
    if code:
        raise click.exceptions.Exit(code)


@click.command("why")
@click.argument("name")
@click.option("--layer", help="Only this layer's lock (default: every layer holding NAME).")
@common_options
def why_command(
    name: str, layer: str | None, project: Path | None, quiet: bool, verbose: bool
) -> None:
    """Show the chains of requirements that bring NAME into the locks."""
    from pipx_lockext.commands.checking import why  # noqa: PLC0415 - start-up

    result = why(project_root(project), name, layer)
    if not result.chains:
        where = f" of layer {layer}" if layer else ""
        say(f"{result.name} is in no lock{where}")
        raise click.exceptions.Exit(1)
    render.why(result)


@click.command("verify")
@click.option("--against-index", is_flag=True, help="Check every hash against the index again.")
@click.option("--installed", is_flag=True, help="Check each venv's files against their RECORD.")
@common_options
def verify_command(
    against_index: bool, installed: bool, project: Path | None, quiet: bool, verbose: bool
) -> None:
    """Exit 0 when the locks are well formed (and, with the flags, every hash still holds);
    1 when a lock is malformed; 5 when a hash does not match."""
    from pipx_lockext.cli.status import reporting  # noqa: PLC0415 - start-up
    from pipx_lockext.commands.verifying import verify_project  # noqa: PLC0415 - start-up

    root = project_root(project)
    with reporting(quiet, verbose) as progress:
        result = verify_project(
            root, against_index=against_index, installed=installed, progress=progress
        )
    if not quiet:
        render.verified(result, against_index, installed)
