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
from pipx_lockext.cli import audit, compile, convert, locks, venvs
from pipx_lockext.cli.report import report_error, say
from pipx_lockext.core.errors import ReqlockError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reqlock")
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


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI, mapping every error to one message and its exit code."""
    args = _common_options_after_the_command(list(sys.argv[1:] if argv is None else argv))
    verbose = any(a in {"-v", "--verbose"} for a in args[: _dashdash(args)])
    try:
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


def _dashdash(args: list[str]) -> int:
    return args.index("--") if "--" in args else len(args)
