"""The `reqlock` command line (shell): parses options, calls one use case, renders its
result. The only module that prints or exits; errors become a message and the SPEC's exit
code here, in `main`. Use cases are imported inside each command so that start-up stays
cheap and light commands never load heavy ones.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from pipx_lockext import __version__
from pipx_lockext.errors import ReqlockError
from pipx_lockext.launcher import report_check, report_error

F = TypeVar("F", bound=Callable[..., Any])


def common_options(func: F) -> F:
    """--project, -q and -v: declared once, taken by every command (SPEC)."""
    func = click.option(
        "--project",
        "project",
        type=click.Path(file_okay=False, path_type=Path),
        help="Project directory (default: nearest ancestor with pyproject.toml or "
        "requirements/*.in).",
    )(func)
    func = click.option(
        "-q", "--quiet", is_flag=True, help="Print only warnings and errors (as pip -q)."
    )(func)
    return click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")(func)


def _with(options: Sequence[Callable[[Any], Any]], func: F) -> F:
    """`func` decorated by `options`, the first one outermost (as written above it)."""
    for option in reversed(options):
        func = option(func)
    return func


def _context(quiet: bool) -> Any:
    from pipx_lockext.syncing import Context  # noqa: PLC0415

    def say(message: str) -> None:
        click.echo(message, err=True)

    show = not quiet and sys.stderr.isatty()
    return Context(progress=say if show else _quiet, announce=_quiet if quiet else say)


def _quiet(_message: str) -> None:
    """Progress goes nowhere in pipes and with -q."""


def _root(project: Path | None) -> Path:
    from pipx_lockext.loader import find_project  # noqa: PLC0415 - lazy: keeps start-up cheap

    if project is not None:
        if not project.is_dir():
            raise click.BadParameter(f"{project}: no such directory", param_hint="--project")
        return project.resolve()
    return find_project(Path.cwd())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reqlock")
def cli() -> None:
    """Layered, hash-pinned lock files and per-Python venvs for pip users."""


@cli.command("export")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write <layer>.in (default: [tool.reqlock] output-dir, else requirements/).",
)
@click.option(
    "--dry-run", is_flag=True, help="Print the changes as a unified diff; write nothing."
)
@common_options
def export_command(
    output_dir: Path | None, dry_run: bool, project: Path | None, quiet: bool, verbose: bool
) -> None:
    """Write requirements/<layer>.in files from pyproject.toml.

    base.in holds [project].dependencies; each dependency group G becomes G.in, starting
    with -r base.in (unless the layer sets include-base = false) and -r X.in for each
    group it includes. Running it twice changes nothing.
    """
    from pipx_lockext.convert import export_project  # noqa: PLC0415

    root = _root(project)
    out_dir = output_dir.resolve() if output_dir else None
    _render_writes(export_project(root, out_dir, dry_run), quiet)


@cli.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--dry-run", is_flag=True, help="Print the changes as a unified diff; write nothing."
)
@common_options
def import_command(
    files: tuple[Path, ...], dry_run: bool, project: Path | None, quiet: bool, verbose: bool
) -> None:
    """Write requirements files (FILE...) into pyproject.toml.

    base.in (or requirements.in) goes to [project].dependencies, or to a "base" group when
    there is no [project]; every other file becomes a dependency group. -r x.in becomes
    {include-group = "x"}, -e .[extra] becomes [tool.reqlock.layers.G] extras, and index
    options go to [tool.reqlock]. Comments and formatting of pyproject.toml are kept.
    """
    from pipx_lockext.convert import import_files  # noqa: PLC0415

    root = _root(project)
    _render_writes(import_files(root, list(files), dry_run), quiet)


@cli.command("check")
@common_options
def check_command(project: Path | None, quiet: bool, verbose: bool) -> None:
    """Exit 0 when every lock is fresh and well formed, 1 otherwise (offline, read-only).

    Fresh: the input digest in each lock header matches the project's inputs now. Well
    formed: every requirement pinned with == and hashed with sha256, no project twice on
    one environment, no option line reqlock would not write. Made for pre-commit and CI.
    """
    from pipx_lockext.checking import check_project  # noqa: PLC0415

    code = report_check(check_project(_root(project)), quiet)
    if code:
        raise click.exceptions.Exit(code)


@cli.command("why")
@click.argument("name")
@click.option("--layer", help="Only this layer's lock (default: every layer holding NAME).")
@common_options
def why_command(
    name: str, layer: str | None, project: Path | None, quiet: bool, verbose: bool
) -> None:
    """Show the chains of requirements that bring NAME into the locks."""
    from pipx_lockext.checking import why  # noqa: PLC0415

    result = why(_root(project), name, layer)
    if not result.chains:
        click.echo(f"{result.name} is in no lock{f' of layer {layer}' if layer else ''}", err=True)
        raise click.exceptions.Exit(1)
    for display, chains in result.chains:
        click.echo(f"{display}:")
        for chain in chains:
            click.echo("  " + " <- ".join(chain))


@cli.command("verify")
@click.option("--against-index", is_flag=True, help="Check every hash against the index again.")
@click.option("--installed", is_flag=True, help="Check each venv's files against their RECORD.")
@common_options
def verify_command(
    against_index: bool, installed: bool, project: Path | None, quiet: bool, verbose: bool
) -> None:
    """Exit 0 when the locks are well formed (and, with the flags, every hash still holds);
    1 when a lock is malformed; 5 when a hash does not match."""
    from pipx_lockext.verifying import verify_project  # noqa: PLC0415

    result = verify_project(_root(project), against_index=against_index, installed=installed)
    if quiet:
        return
    said = f"{len(result.locks)} locks well formed ({result.pins} pins)"
    if against_index:
        said += f"; {result.hashes_checked} hashes match the index"
    if installed:
        venvs = ", ".join(result.venvs)
        said += f"; {result.files_checked} installed files match their RECORD in {venvs}"
    click.echo(said, err=True)


def _render_writes(result: Any, quiet: bool) -> None:
    changed = [c for c in result.changes if c.changed]
    if result.dry_run:
        for change in changed:
            click.echo(change.diff(), nl=False)
        if not changed and not quiet:
            click.echo("no changes", err=True)
        return
    if quiet:
        return
    for change in result.changes:
        verb = ("created" if change.old is None else "updated") if change.changed else "unchanged"
        click.echo(f"{verb} {change.display}", err=True)


# The commands of the other modules register themselves on `cli` (imported last, as they
# import from here).
from pipx_lockext import cli_compile, cli_venvs  # noqa: E402, F401


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, mapping every error to one message and its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = any(a in {"-v", "--verbose"} for a in args[: _dashdash(args)])
    try:
        code = cli.main(args=args, prog_name="reqlock", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except ReqlockError as exc:
        sys.exit(report_error(exc, verbose))
    sys.exit(code if isinstance(code, int) else 0)


def _dashdash(args: list[str]) -> int:
    return args.index("--") if "--" in args else len(args)
