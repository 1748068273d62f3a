"""`reqlock export` and `reqlock import` (shell, part of the CLI)."""

from __future__ import annotations

from pathlib import Path

import click

from pipx_lockext.cli import render
from pipx_lockext.cli.options import common_options, project_root

DRY_RUN = "Print the changes as a unified diff; write nothing."


@click.command("export")
@click.argument("layers", nargs=-1, metavar="[LAYER]...")
@click.option(
    "--format",
    "kind",
    type=click.Choice(["in", "pylock"]),
    default="in",
    show_default=True,
    help="in: requirements/<layer>.in from pyproject.toml; pylock: PEP 751 "
    "pylock.<layer>.toml from the fresh <layer>.lock.txt files.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the files (default: [tool.reqlock] output-dir, else requirements/).",
)
@click.option("--dry-run", is_flag=True, help=DRY_RUN)
@common_options
def export_command(  # click passes every option by keyword
    *,
    layers: tuple[str, ...],
    kind: str,
    output_dir: Path | None,
    dry_run: bool,
    project: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Write requirements/<layer>.in files from pyproject.toml, or (--format pylock) PEP
    751 lock files from the layers' locks.

    base.in holds [project].dependencies; each dependency group G becomes G.in, starting
    with -r base.in (unless the layer sets include-base = false) and -r X.in for each
    group it includes. Running it twice changes nothing.

    --format pylock writes pylock.<layer>.toml for each LAYER (default: all) from its
    fresh <layer>.lock.txt, no resolution: every locked file with its URL, size, sha256
    and upload time from the index, and each pin's marker. A stale lock is refused (exit 1), a
    locked hash the index no longer lists is exit 5.
    """
    root = project_root(project)
    out_dir = output_dir.resolve() if output_dir else None
    if kind == "in":
        from pipx_lockext.commands.convert import export_project  # noqa: PLC0415 - start-up

        if layers:
            raise click.UsageError("LAYER arguments go with --format pylock only")
        render.writes(export_project(root, out_dir, dry_run), quiet)
        return
    from pipx_lockext.cli.status import reporting  # noqa: PLC0415 - start-up
    from pipx_lockext.commands.pylockexport import export_pylock  # noqa: PLC0415 - start-up

    with reporting(quiet, verbose) as progress:
        result = export_pylock(root, layers, out_dir, dry_run, progress)
    render.writes(result, quiet)


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
