"""The `compile` command and the index options (shell, part of the CLI): parses options,
calls the compile use case (or pip-compile mode), renders its result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from pipx_lockext.cli import F, _context, _root, _with, cli, common_options


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
    Pins that install from an sdist somewhere get their build requirements locked too, in
    requirements/<layer>.build.lock.txt (sync passes it to pip as --build-constraint).

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
    changed = {change.display for change in result.changes if change.changed}
    for summary in result.summaries:
        click.echo(_summary_line(summary, result.dry_run, summary.display in changed), err=True)


def _summary_line(summary: Any, dry_run: bool, changed: bool) -> str:
    parts = []
    for label in ("added", "removed", "upgraded", "downgraded"):
        items = getattr(summary, label)
        if items:
            shown = ", ".join(items[:6]) + (f", … {len(items) - 6} more" if len(items) > 6 else "")
            parts.append(f"{len(items)} {label} ({shown})")
    if not changed:
        return f"{summary.display}: unchanged"
    verb = "would write" if dry_run else "wrote"
    same = "no pin changed (header, markers or hashes did)"
    return f"{verb} {summary.display}: " + ("; ".join(parts) if parts else same)
