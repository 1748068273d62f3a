"""The `reqlock` entry point (shell, the CLI's front door): answers `check` and an
unchanged `compile` from a freshness stamp before click, packaging or tomllib are even
imported, and hands everything else to `cli.main`.

Only the plain forms take the shortcut (`reqlock check|compile [-q] [--project DIR]`); any
other argument, or a stamp that no longer matches the files, goes the full way.
"""

from __future__ import annotations

import os
import sys

MESSAGES = {
    "compile": "locks are up to date (inputs unchanged; nothing fetched)",
    "check": "locks are fresh: {layers}",
}


def main() -> None:
    answer = shortcut(sys.argv[1:])
    if answer is not None:
        if answer:
            sys.stderr.write(answer + "\n")
        raise SystemExit(0)
    from pipx_lockext.cli import main as cli_main  # noqa: PLC0415 - only when needed

    cli_main()


def shortcut(args: list[str]) -> str | None:
    """The message of a command the stamp answers ("" when quiet), else None."""
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
    from pipx_lockext import stamp  # noqa: PLC0415 - light, but not needed for other commands

    root = os.path.abspath(project) if project else stamp.find_project(os.getcwd())
    layers = stamp.fresh_layers(root) if root and os.path.isdir(root) else None
    if layers is None:
        return None
    return "" if quiet else MESSAGES[args[0]].format(layers=", ".join(layers))
