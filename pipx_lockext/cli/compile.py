"""`reqlock compile`, and its pip-compile mode (shell, part of the CLI): parses options,
calls the compile use case (or pip-compile mode), renders its result."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipx_lockext.cli import render
from pipx_lockext.cli.options import (
    common_options,
    index_flags,
    index_options,
    project_root,
)

if TYPE_CHECKING:
    from pipx_lockext.commands.pipcompat import PipCompileOptions

SOURCE_SUFFIXES = (".in", ".txt", ".toml")
"""Arguments ending so are pip-compile SRC files, not layer names."""


@click.command("compile")
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
@click.option(
    "--uploaded-prior-to",
    "--exclude-newer",
    "uploaded_prior_to",
    metavar="DATE|DURATION|none",
    help="Only files uploaded before DATE count (PEP 700 upload-time; the index must give "
    "it): 2026-06-01 (midnight UTC), 2026-06-01T12:00:00Z, or a cool-down before now such "
    "as P7D or PT12H. Recorded in the lock header and kept by later compiles; none drops it.",
)
@click.option("-n", "--dry-run", is_flag=True, help="Print the changes as a diff; write nothing.")
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
    uploaded_prior_to: str | None,
    dry_run: bool,
    output_file: Path | None,
    extras: tuple[str, ...],
    all_extras: bool,
    constraints: tuple[Path, ...],
    no_header: bool,
    no_annotate: bool,
    generate_hashes: bool,
    index_url: str | None,
    extra_index_urls: tuple[str, ...],
    find_links: tuple[str, ...],
    index_strategy: str | None,
    only_binary: tuple[str, ...],
    no_binary: tuple[str, ...],
    pre: bool | None,
    cache_dir: Path | None,
    refresh: bool,
    offline: bool,
    project: Path | None,
    quiet: bool,
    verbose: bool,
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
    from pipx_lockext.cli.status import reporting  # noqa: PLC0415 - start-up
    from pipx_lockext.commands.compiling import (  # noqa: PLC0415 - start-up
        CompileOptions,
        compile_project,
    )

    options = CompileOptions(
        layers=layers,
        upgrade=upgrade,
        upgrade_packages=upgrade_packages,
        pythons=pythons,
        platforms=platforms,
        dry_run=dry_run,
        index=index_flags(
            index_url=index_url,
            extra_index_urls=extra_index_urls,
            find_links=find_links,
            index_strategy=index_strategy,
            only_binary=only_binary,
            no_binary=no_binary,
            pre=pre,
        ),
        cache_dir=cache_dir,
        refresh=refresh,
        offline=offline,
        uploaded_prior_to=uploaded_prior_to,
    )
    sources = [a for a in layers if a.endswith(SOURCE_SUFFIXES) or Path(a).is_file()]
    pip_only = extras or all_extras or constraints or no_header or no_annotate
    if output_file is None and not sources:
        if pip_only:
            raise click.UsageError("--extra, -c, --no-header and --no-annotate need SRC files")
        root = project_root(project)
        with reporting(quiet, verbose) as progress:
            result = compile_project(root, options, progress.step, progress)
        render.compiled(result, quiet)
        if result.failed is not None:
            raise result.failed  # after what was written and the warnings
        return
    if len(sources) != len(layers) or not sources:
        raise click.UsageError("pip-compile mode takes SRC files only (not layer names)")
    if uploaded_prior_to is not None:
        raise click.UsageError("--uploaded-prior-to is not supported in pip-compile mode yet")
    from pipx_lockext.commands.pipcompat import (  # noqa: PLC0415 - start-up
        PipCompileOptions,
        compile_files,
    )

    wanted: PipCompileOptions = PipCompileOptions(
        tuple(Path(s) for s in sources),
        output_file,
        extras,
        all_extras,
        constraints,
        header=not no_header,
        annotate=not no_annotate,
    )
    cwd = project.resolve() if project else Path.cwd()
    with reporting(quiet, verbose) as progress:
        result = compile_files(cwd, wanted, options, progress)
    render.compiled(result, quiet)
