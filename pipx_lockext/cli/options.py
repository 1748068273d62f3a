"""Options declared once and shared by the commands that take them (SPEC: every command
takes --project, -q, -v and --color; compile and verify the index options; sync and run
the venv options), and the values every command derives from them: the project root and
where progress goes. Use cases are imported only inside functions, to keep start-up
cheap."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pipx_lockext.cli.report import COLORS, say

if TYPE_CHECKING:
    import subprocess

    from pipx_lockext.commands.syncing import Context
    from pipx_lockext.core.inputs.settings import IndexSettings
    from pipx_lockext.core.progress import Progress

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]


def apply(options: Sequence[Callable[[F], F]], func: F) -> F:
    """`func` decorated by `options`, the first one outermost (as if written above it)."""
    for option in reversed(options):
        func = option(func)
    return func


def common_options(func: F) -> F:
    """--project, -q and -v."""
    return apply(
        [
            click.option(
                "--project",
                "project",
                type=click.Path(file_okay=False, path_type=Path),
                help="Project directory (default: nearest ancestor with pyproject.toml or "
                "requirements/*.in).",
            ),
            click.option(
                "-q", "--quiet", is_flag=True, help="Print only warnings and errors (as pip -q)."
            ),
            click.option(
                "-v",
                "--verbose",
                is_flag=True,
                help="Narrate each decision and backtrack of the resolver and each step of "
                "sync; show tracebacks on errors.",
            ),
            color_option,
        ],
        func,
    )


color_option = click.option(
    "--color",
    type=click.Choice(COLORS),
    expose_value=False,
    help="Colour on stderr: auto (default: on a terminal, unless NO_COLOR is set or "
    "FORCE_COLOR asks for it), always or never.",
)
"""Read by `cli.main` before click parses anything (errors are coloured too); declared
here so that every command accepts and documents it."""


def format_option(what: str) -> Callable[[F], F]:
    """`--format table|json` (as `output_format`): how to print `what`."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(["table", "json"]),
        default="table",
        show_default=True,
        help=f"How to print {what}.",
    )


def index_options(func: F) -> F:
    """Where packages come from, and how the cache is used."""
    return apply(
        [
            click.option(
                "--index-url", "-i", metavar="URL", help="Base URL of the package index."
            ),
            click.option(
                "--extra-index-url",
                "extra_index_urls",
                multiple=True,
                metavar="URL",
                help="More indexes (repeatable); searched before --index-url.",
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
            click.option(
                "--no-binary",
                multiple=True,
                metavar=":all:|NAME",
                help="Use only sdists, for all packages or the one named (repeatable); "
                "the lock says so to pip too.",
            ),
            click.option("--pre", is_flag=True, default=None, help="Allow pre-releases."),
            click.option(
                "--cache-dir",
                type=click.Path(file_okay=False, path_type=Path),
                help="Cache directory (default: $REQLOCK_CACHE_DIR, else the user cache).",
            ),
            click.option("--refresh", is_flag=True, help="Revalidate every cached index page."),
            click.option("--offline", is_flag=True, help="Use only the cache; never the network."),
        ],
        func,
    )


def venv_options(func: F) -> F:
    """--layer, --python, --all-pythons, --reinstall."""
    return apply(
        [
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
            click.option(
                "--skip-missing",
                is_flag=True,
                help="With --all-pythons: leave out configured versions not on this machine "
                "(default: a failed row).",
            ),
        ],
        func,
    )


def index_flags(
    *,
    index_url: str | None,
    extra_index_urls: tuple[str, ...],
    find_links: tuple[str, ...],
    index_strategy: str | None,
    only_binary: tuple[str, ...],
    no_binary: tuple[str, ...] = (),
    pre: bool | None,
) -> IndexSettings | None:
    """The index flags as settings (only what was given is set), None when none was."""
    from pipx_lockext.core.inputs.settings import (  # noqa: PLC0415 - keeps start-up cheap
        IndexSettings,
        binary_names,
        index_url_problem,
    )

    urls = [("--index-url", index_url)] if index_url else []
    urls += [("--extra-index-url", url) for url in extra_index_urls]
    for flag, url in urls:
        if url and (problem := index_url_problem(url)):
            raise click.BadParameter(f"{url!r}: {problem}", param_hint=flag)
    given = IndexSettings(
        index_url=index_url,
        extra_index_urls=extra_index_urls,
        find_links=find_links,
        index_strategy=index_strategy,
        only_binary=binary_names(only_binary),
        no_binary=binary_names(no_binary),
        pre=pre,
    )
    return None if given == IndexSettings() else given


def project_root(project: Path | None) -> Path:
    """--project, else the nearest ancestor of the working directory holding a project."""
    from pipx_lockext.edges.project.loader import find_project  # noqa: PLC0415 - start-up

    if project is not None:
        if not project.is_dir():
            raise click.BadParameter(f"{project}: no such directory", param_hint="--project")
        return project.resolve()
    return find_project(Path.cwd())


def context(progress: Progress, quiet: bool) -> Context:
    """Steps to `progress` (see `status.reporting`: a status line on a terminal, lines
    with -v, nothing in pipes or with -q); announcements (which Python a command's output
    is from) everywhere but with -q. A command that writes to the terminal itself (`run`)
    gets it clean: the status line is paused first."""
    from pipx_lockext.cli.status import StatusLine  # noqa: PLC0415 - keeps start-up cheap
    from pipx_lockext.commands.syncing import Context  # noqa: PLC0415 - same
    from pipx_lockext.edges.venvs.processes import run_process  # noqa: PLC0415 - same

    def run(
        args: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        *,
        capture: bool = True,
        timeout: float | None = None,
    ) -> subprocess.CompletedProcess[str]:
        if not capture and isinstance(progress, StatusLine):
            progress.pause()
        return run_process(args, env, cwd, capture=capture, timeout=timeout)

    return Context(run=run, progress=progress.step, announce=_silent if quiet else _say)


def _say(message: str) -> None:
    say(message)


def _silent(_message: str) -> None:
    """Announcements go nowhere with -q."""
