"""`reqlock export` and `reqlock import` (shell, part of the CLI)."""

from __future__ import annotations

from pathlib import Path

import click

from pipx_lockext.cli import render
from pipx_lockext.cli.options import common_options, project_root

DRY_RUN = "Print the changes as a unified diff; write nothing."


@click.command("export")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write <layer>.in (default: [tool.reqlock] output-dir, else requirements/).",
)
@click.option("--dry-run", is_flag=True, help=DRY_RUN)
@common_options
def export_command(
    output_dir: Path | None, dry_run: bool, project: Path | None, quiet: bool, verbose: bool
) -> None:
    """Write requirements/<layer>.in files from pyproject.toml.

    base.in holds [project].dependencies; each dependency group G becomes G.in, starting
    with -r base.in (unless the layer sets include-base = false) and -r X.in for each
    group it includes. Running it twice changes nothing.
    """
    from pipx_lockext.commands.convert import export_project  # noqa: PLC0415 - start-up

    out_dir = output_dir.resolve() if output_dir else None
    render.writes(export_project(project_root(project), out_dir, dry_run), quiet)


@click.command("import")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help=DRY_RUN)
@common_options
def import_command(
    files: tuple[Path, ...], dry_run: bool, project: Path | None, quiet: bool, verbose: bool
) -> None:
    """Write requirements files (FILE..., default: requirements/*.in, else requirements.in)
    into pyproject.toml.

    base.in (or requirements.in) goes to [project].dependencies, or to a "base" group when
    there is no [project]; every other file becomes a dependency group. -r x.in becomes
    {include-group = "x"}, -e .[extra] becomes [tool.reqlock.layers.G] extras, and index
    options go to [tool.reqlock]. Comments and formatting of pyproject.toml are kept.
    """
    from pipx_lockext.commands.convert import import_files  # noqa: PLC0415 - start-up

    render.writes(import_files(project_root(project), list(files), dry_run), quiet)
