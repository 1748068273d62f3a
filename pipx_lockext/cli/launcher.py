"""The `reqlock` entry point (the CLI's front door): answers `check` and an unchanged
`compile` before click is imported — from a freshness stamp when the files have not
changed since they were last found fresh, else (`check`) by checking them — and hands
everything else to `cli.main`.

Only the plain forms take the shortcut (`reqlock check|compile [-q] [--project DIR]`); any
other argument, or a stamp that no longer matches the files, goes the full way.
"""

from __future__ import annotations

import os
import sys

from pipx_lockext.cli.report import FRESH, UP_TO_DATE, report_check, report_error, say

MESSAGES = {"compile": UP_TO_DATE, "check": FRESH}


def main() -> None:
    plain = plain_form(sys.argv[1:])
    if plain is not None:
        command, quiet, root = plain
        answer = from_stamp(command, quiet, root)
        if answer is not None:
            if answer:
                say(answer, "ok")
            raise SystemExit(0)
        if command == "check" and root is not None:
            raise SystemExit(check(root, quiet))
        if command == "compile" and root is not None and fresh(root):
            if not quiet:
                say(UP_TO_DATE, "ok")
            raise SystemExit(0)
    from pipx_lockext.cli.main import main as cli_main  # noqa: PLC0415 - only when needed

    cli_main()


def plain_form(args: list[str]) -> tuple[str, bool, str | None] | None:
    """(command, quiet, project root or None when none is found) for the plain forms."""
    if not args or args[0] not in MESSAGES:
        return None
    quiet, project = False, None
    rest = iter(args[1:])
    for arg in rest:
        if arg in {"-q", "--quiet"}:
            quiet = True
        elif arg == "--project":
            project = next(rest, None)
        elif arg.startswith("--project="):
            project = arg.partition("=")[2]
        else:
            return None
    from pipx_lockext.edges.project import stamp  # noqa: PLC0415 - not needed by other commands

    root = os.path.abspath(project) if project else stamp.find_project(os.getcwd())
    return args[0], quiet, root if root and os.path.isdir(root) else None


def from_stamp(command: str, quiet: bool, root: str | None) -> str | None:
    """The message of a plain command the stamp answers ("" when quiet), else None."""
    from pipx_lockext.edges.project import stamp  # noqa: PLC0415 - not needed by other commands

    layers = stamp.fresh_layers(root) if root else None
    if layers is None:
        return None
    return "" if quiet else MESSAGES[command].format(layers=", ".join(layers))


def check(root: str, quiet: bool) -> int:
    """`reqlock check` without click (pre-commit runs it on every commit)."""
    from pathlib import Path  # noqa: PLC0415 - the stamp path above needs none of these

    from pipx_lockext.commands.pipcheck import check_folder  # noqa: PLC0415 - same
    from pipx_lockext.core.errors import ReqlockError  # noqa: PLC0415 - same

    try:
        result = check_folder(Path(root))
    except ReqlockError as exc:
        return report_error(exc, verbose=False)
    return report_check(result, quiet)


def fresh(root: str) -> bool:
    """Whether the locks are fresh, decided without click (the full command does the rest)."""
    from pathlib import Path  # noqa: PLC0415 - the stamp path above needs none of these

    from pipx_lockext.commands.compiling import locks_fresh  # noqa: PLC0415 - same

    return locks_fresh(Path(root))
