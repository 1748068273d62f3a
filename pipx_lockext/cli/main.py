"""The `reqlock` command group and its entry point (shell): every command is added here,
and every error becomes its message and the SPEC's exit code here, in `main`. Use cases
are imported inside each command so that start-up stays cheap and light commands never
load heavy ones."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from pipx_lockext import __version__
from pipx_lockext.cli import audit, compile, convert, locks, outdated, report, venvs
from pipx_lockext.cli.options import color_option
from pipx_lockext.cli.report import COLORS, report_error, say
from pipx_lockext.core.errors import ReqlockError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reqlock")
@color_option
def cli() -> None:
    """Layered, hash-pinned lock files and per-Python venvs for pip users."""


for command in (
    convert.export_command,
    convert.import_command,
    compile.compile_command,
    locks.check_command,
    locks.why_command,
    locks.verify_command,
    venvs.sync_command,
    venvs.run_command,
    venvs.python_group,
):
    cli.add_command(command)
cli.add_command(audit.audit_command)
cli.add_command(outdated.outdated_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, mapping every error to one message and its exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = False
    try:
        report.color, args = _color(args)
        args = _common_options_after_the_command(args)
        verbose = any(a in {"-v", "--verbose"} for a in args[: _dashdash(args)])
        code = cli.main(args=args, prog_name="reqlock", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Abort:
        say("aborted")
        # Now, not after the fetches under way time out: the interpreter would join the
        # fetch threads first. Nothing is lost: files are replaced atomically (a write
        # cut short is rolled back), and the OS releases the project lock.
        sys.stderr.flush()
        os._exit(130)
    except ReqlockError as exc:
        sys.exit(report_error(exc, verbose))
    sys.exit(code if isinstance(code, int) else 0)


COMMON_FLAGS = frozenset({"-q", "--quiet", "-v", "--verbose"})


def _common_options_after_the_command(args: list[str]) -> list[str]:
    """`reqlock -v compile` as `reqlock compile -v` (pip and uv take both places)."""
    leading = 0
    while leading < len(args) and args[leading] in COMMON_FLAGS:
        leading += 1
    if not leading or leading == len(args) or args[leading].startswith("-"):
        return args
    command = args[leading]
    rest = args[leading + 1 :]
    if command == "python" and rest[:1] == ["list"]:  # a group: after its subcommand
        return [command, rest[0], *args[:leading], *rest[1:]]
    return [command, *args[:leading], *rest]


def _color(args: list[str]) -> tuple[str, list[str]]:
    """`--color WHEN` (or `--color=WHEN`) wherever it is before `--`, and the arguments
    without it: read before click, so that an error click reports is coloured by it too."""
    when, rest, end = "auto", [], _dashdash(args)
    position = 0
    while position < end:
        arg = args[position]
        if arg == "--color" or arg.startswith("--color="):
            value = arg.partition("=")[2] if "=" in arg else None
            if value is None:
                position += 1
                value = args[position] if position < end else ""
            if value not in COLORS:
                report.color = "auto"
                raise click.BadParameter(
                    f"{value!r} is not one of {', '.join(COLORS)}", param_hint="'--color'"
                )
            when = value
        else:
            rest.append(arg)
        position += 1
    return when, rest + args[end:]


def _dashdash(args: list[str]) -> int:
    return args.index("--") if "--" in args else len(args)
