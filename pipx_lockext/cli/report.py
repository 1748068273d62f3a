"""What the front door and the CLI both print without click: a check's findings and an
error's lines, with their exit codes. Import-light: the launcher answers `check` through
this module before click or packaging is loaded."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs 5 ms here
if TYPE_CHECKING:
    from collections.abc import Callable

    from pipx_lockext.commands.checking import CheckResult
    from pipx_lockext.core.errors import ReqlockError

UP_TO_DATE = "locks are up to date (inputs unchanged; nothing fetched)"
FRESH = "locks are fresh: {layers}"
GUARDS: list[Callable[[Callable[[], object]], None]] = []
"""Called with each write to the terminal instead of making it (a live status line
clears itself first, so that no output lands on it)."""


def say(line: str) -> None:
    """One line to stderr, where everything but a command's own output goes; control
    characters escaped, line ends too (a message may quote what an index or a file said,
    and must never forge a second line)."""
    from pipx_lockext.core.errors import escaped  # noqa: PLC0415 - light, but not on the stamp path

    text = escaped(line)
    write(lambda: sys.stderr.write(text + "\n"))


def write(action: Callable[[], object]) -> None:
    """Do `action` (a write to stdout or stderr) past the guards, if any."""
    if GUARDS:
        GUARDS[-1](action)
    else:
        action()


def report_check(result: CheckResult, quiet: bool) -> int:
    """Print what check found; its exit code."""
    for finding in result.findings:
        say(str(finding))
    if not result.ok:
        return 1
    if not quiet:
        say(FRESH.format(layers=", ".join(result.layers)))
    return 0


def report_error(exc: ReqlockError, verbose: bool) -> int:
    """Print an error, one line per problem (the traceback too with -v); its exit code."""
    if verbose:
        import traceback  # noqa: PLC0415 - only with -v

        traceback.print_exc()
    for line in exc.messages():
        say(f"error: {line}")
    return exc.exit_code
