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
    func = click.option("-q", "--quiet", is_flag=True, help="Print only errors.")(func)
    return click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")(func)


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


def index_options(func: F) -> F:
    """Where packages come from: declared once, taken by compile (and later verify)."""
    options = [
        click.option("--index-url", "-i", metavar="URL", help="Base URL of the package index."),
        click.option(
            "--extra-index-url", multiple=True, metavar="URL", help="More indexes (repeatable)."
        ),
        click.option(
            "--find-links",
            "-f",
            multiple=True,
            metavar="URL",
            help="Pages or directories of files.",
        ),
        click.option(
            "--index-strategy",
            type=click.Choice(["first-index", "unsafe-best-match"]),
            help="first-index (default): a name found on one index is never taken from a "
            "later one.",
        ),
        click.option(
            "--only-binary",
            multiple=True,
            metavar=":all:|NAME",
            help="Use only wheels, for all packages or the one named (repeatable).",
        ),
        click.option("--pre", is_flag=True, default=None, help="Allow pre-releases."),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Cache directory (default: $REQLOCK_CACHE_DIR, else the user cache).",
        ),
        click.option("--refresh", is_flag=True, help="Revalidate every cached index page."),
        click.option("--offline", is_flag=True, help="Use only the cache; never the network."),
    ]
    return _with(options, func)


def _with(options: Sequence[Callable[[Any], Any]], func: F) -> F:
    """`func` decorated by `options`, the first one outermost (as written above it)."""
    for option in reversed(options):
        func = option(func)
    return func


def _index_flags(flags: dict[str, Any]) -> Any:
    """IndexSettings from the index flags, or None when none was given."""
    from pipx_lockext.settings import IndexSettings  # noqa: PLC0415

    given = {
        "index_url": flags.pop("index_url"),
        "extra_index_urls": tuple(flags.pop("extra_index_url")),
        "find_links": tuple(flags.pop("find_links")),
        "index_strategy": flags.pop("index_strategy"),
        "only_binary": tuple(_binary(n) for n in flags.pop("only_binary")),
        "pre": flags.pop("pre"),
    }
    if not any(v for v in given.values()):
        return None
    from pipx_lockext.settings import index_url_problem  # noqa: PLC0415

    urls = [("--index-url", given["index_url"])]
    urls += [("--extra-index-url", url) for url in given["extra_index_urls"]]
    for flag, url in urls:
        if url and (problem := index_url_problem(url)):
            raise click.BadParameter(f"{url!r}: {problem}", param_hint=flag)
    given["index_strategy"] = given["index_strategy"] or "first-index"
    given["pre"] = bool(given["pre"])
    return IndexSettings(**given)


def _binary(name: str) -> str:
    from packaging.utils import canonicalize_name  # noqa: PLC0415

    return name if name == ":all:" else canonicalize_name(name)


@cli.command("compile")
@click.argument("layers", nargs=-1)
@click.option("-U", "--upgrade", is_flag=True, help="Drop every existing pin: newest versions.")
@click.option(
    "-P",
    "--upgrade-package",
    "upgrade_packages",
    multiple=True,
    metavar="NAME[==VER]",
    help="Drop the existing pin of NAME (or pin it to VER); repeatable.",
)
@click.option(
    "--python", "pythons", multiple=True, metavar="X.Y", help="Lock for these Python versions."
)
@click.option(
    "--platform",
    "platforms",
    multiple=True,
    metavar="NAME",
    help="Lock for these platforms (linux-x86_64, macos-arm64, windows-x86_64, …).",
)
@click.option("--dry-run", is_flag=True, help="Print the changes as a diff; write nothing.")
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="pip-compile mode: the file to write from the SRC files given as arguments.",
)
@click.option(
    "--extra", "extras", multiple=True, help="pip-compile mode: extras of pyproject.toml."
)
@click.option(
    "--all-extras", is_flag=True, help="pip-compile mode: every extra of pyproject.toml."
)
@click.option(
    "-c",
    "--constraint",
    "constraints",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="pip-compile mode: constraints file (repeatable).",
)
@click.option("--no-header", is_flag=True, help="pip-compile mode: leave out the header comments.")
@click.option("--no-annotate", is_flag=True, help="pip-compile mode: leave out the # via lines.")
@click.option(
    "--generate-hashes", is_flag=True, hidden=True, help="Accepted for pip-compile: always on."
)
@index_options
@common_options
def compile_command(  # click passes every option by keyword
    *,
    layers: tuple[str, ...],
    upgrade: bool,
    upgrade_packages: tuple[str, ...],
    pythons: tuple[str, ...],
    platforms: tuple[str, ...],
    dry_run: bool,
    project: Path | None,
    quiet: bool,
    verbose: bool,
    **flags: Any,
) -> None:
    """Resolve and write requirements/<layer>.lock.txt for LAYERS (default: all).

    Every layer is resolved together on each Python version and platform the project
    declares; each lock pins every package with ==, lists the sha256 of every file of the
    release, and carries markers where pins differ between environments. Unchanged inputs
    and no upgrade or index flag: nothing is fetched and the locks are reported up to date.

    pip-compile mode, for teams migrating: `reqlock compile requirements.in -o
    requirements.txt` means `pip-compile --generate-hashes` (for this interpreter, unless
    --python/--platform ask for more).
    """
    from pipx_lockext.compiling import CompileOptions, compile_project  # noqa: PLC0415

    wanted = _pip_compile_mode(layers, flags)
    cache_dir, refresh, offline = (
        flags.pop("cache_dir"),
        flags.pop("refresh"),
        flags.pop("offline"),
    )
    options = CompileOptions(
        layers=layers,
        upgrade=upgrade,
        upgrade_packages=upgrade_packages,
        pythons=pythons,
        platforms=platforms,
        dry_run=dry_run,
        index=_index_flags(flags),
        cache_dir=cache_dir,
        refresh=refresh,
        offline=offline,
    )
    if wanted is not None:
        from pipx_lockext.pipcompat import compile_files  # noqa: PLC0415

        cwd = project.resolve() if project else Path.cwd()
        _render_compile(compile_files(cwd, wanted, options), quiet)
        return
    waiting = _context(quiet).progress
    _render_compile(compile_project(_root(project), options, waiting), quiet)


def _pip_compile_mode(layers: tuple[str, ...], flags: dict[str, Any]) -> Any:
    """PipCompileOptions when the arguments are files or -o is given, else None."""
    output = flags.pop("output_file")
    extras, all_extras = flags.pop("extras"), flags.pop("all_extras")
    constraints, header = flags.pop("constraints"), not flags.pop("no_header")
    annotate = not flags.pop("no_annotate")
    flags.pop("generate_hashes")
    files = [a for a in layers if a.endswith((".in", ".txt", ".toml")) or Path(a).is_file()]
    if output is None and not files:
        if extras or all_extras or constraints or not header or not annotate:
            raise click.UsageError("--extra, -c, --no-header and --no-annotate need SRC files")
        return None
    if len(files) != len(layers) or not files:
        raise click.UsageError("pip-compile mode takes SRC files only (not layer names)")
    from pipx_lockext.pipcompat import PipCompileOptions  # noqa: PLC0415

    return PipCompileOptions(
        tuple(Path(f) for f in files), output, extras, all_extras, constraints, header, annotate
    )


def _render_compile(result: Any, quiet: bool) -> None:
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.up_to_date:
        if not quiet:
            click.echo("locks are up to date (inputs unchanged; nothing fetched)", err=True)
        return
    if result.dry_run:
        for change in result.changes:
            click.echo(change.diff(), nl=False)
    if quiet:
        return
    for summary in result.summaries:
        click.echo(_summary_line(summary, result.dry_run), err=True)


def _summary_line(summary: Any, dry_run: bool) -> str:
    parts = []
    for label in ("added", "removed", "upgraded", "downgraded"):
        items = getattr(summary, label)
        if items:
            shown = ", ".join(items[:6]) + (f", … {len(items) - 6} more" if len(items) > 6 else "")
            parts.append(f"{len(items)} {label} ({shown})")
    verb = "would write" if dry_run else "wrote"
    return f"{verb} {summary.display}: " + ("; ".join(parts) if parts else "no pin changed")


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


def _context(quiet: bool) -> Any:
    from pipx_lockext.syncing import Context  # noqa: PLC0415

    def say(message: str) -> None:
        click.echo(message, err=True)

    show = not quiet and sys.stderr.isatty()
    return Context(progress=say if show else _quiet, announce=_quiet if quiet else say)


def _quiet(_message: str) -> None:
    """Progress goes nowhere in pipes and with -q."""


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
