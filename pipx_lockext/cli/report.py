"""What the front door and the CLI both print without click: a check's findings and an
error's lines, with their exit codes, and the colour rule they follow. Import-light: the
launcher answers `check` through this module before click or packaging is loaded.

Colour, used sparingly (the `error:` prefix red, `warning:` yellow, a line saying all is
well green): `--color always|never` decides; else (`auto`) `NO_COLOR` (not empty) turns it
off, `FORCE_COLOR` (not empty) on, and otherwise stderr must be a terminal whose `TERM` is
not `dumb`."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs 5 ms here
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from pipx_lockext.commands.checking import CheckResult
    from pipx_lockext.core.errors import ReqlockError

UP_TO_DATE = "locks are up to date (inputs unchanged; nothing fetched)"
FRESH = "locks are fresh: {layers}"
COLORS = ("auto", "always", "never")
TONES = {"error": "31", "warning": "33", "ok": "32"}
"""SGR colour codes: red, yellow, green."""

color = "auto"
"""`--color`, as the CLI read it."""
GUARDS: list[Callable[[Callable[[], object]], None]] = []
"""Called with each write to the terminal instead of making it (a live status line
clears itself first, so that no output lands on it)."""


def use_color(environ: Mapping[str, str] | None = None) -> bool:
    """Whether stderr gets colour (see the module's docstring)."""
    if color != "auto":
        return color == "always"
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    return sys.stderr.isatty() and env.get("TERM") != "dumb"


def paint(text: str, tone: str) -> str:
    """`text` in the tone's colour when colour is on."""
    return f"\x1b[{TONES[tone]}m{text}\x1b[0m" if use_color() else text


def say(line: str, tone: str | None = None) -> None:
    """One line to stderr, where everything but a command's own output goes; control
    characters escaped, line ends too (a message may quote what an index or a file said,
    and must never forge a second line). `tone`: the whole line in that colour; without
    it, a leading `error:` or `warning:` gets its own."""
    from pipx_lockext.core.errors import escaped  # noqa: PLC0415 - light, but not on the stamp path

    text = escaped(line)
    if tone is not None:
        text = paint(text, tone)
    else:
        for prefix in ("error", "warning"):
            if text.startswith(f"{prefix}:"):
                text = paint(f"{prefix}:", prefix) + text[len(prefix) + 1 :]
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
        say(FRESH.format(layers=", ".join(result.layers)), "ok")
    return 0


def report_error(exc: ReqlockError, verbose: bool) -> int:
    """Print an error, one line per problem (the traceback too with -v); its exit code."""
    if verbose:
        import traceback  # noqa: PLC0415 - only with -v

        traceback.print_exc()
    for line in exc.messages():
        say(f"error: {line}")
    return exc.exit_code
