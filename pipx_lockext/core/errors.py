"""Typed errors, one class per exit code of the SPEC.

Every error builds its one-line message from its own fields and names the file, line,
package or URL at fault. Nothing here prints or exits: the CLI maps an error to its
message and exit code in one place.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """Where a piece of input came from, as precisely as we know it."""

    file: str
    """Path as the user would recognise it (relative to the project when possible)."""
    line: int | None = None
    """1-based line number, when known."""
    column: int | None = None
    """1-based column, when known."""
    key: str | None = None
    """TOML key path such as `[dependency-groups].dev[2]`, when the input is TOML."""

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.key:
            text += f": {self.key}"
        return text


class ReqlockError(Exception):
    """Base of every error reqlock reports; `exit_code` is the SPEC's class."""

    exit_code = 1

    def messages(self) -> list[str]:
        """One line per problem, for the CLI to print."""
        return [str(self)]


class NotTrue(ReqlockError):
    """The thing checked is not true (stale or malformed lock, a failed command)."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One bad-input finding: where, what, and the text at fault."""

    where: Location
    what: str
    text: str | None = None

    def __str__(self) -> str:
        quoted = f": {self.text!r}" if self.text is not None else ""
        return f"{self.where}: {self.what}{quoted}"


class InputError(ReqlockError):
    """Bad usage or bad input (exit 2); carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    def messages(self) -> list[str]:
        return [str(p) for p in self.problems]

    @classmethod
    def single(cls, where: Location, what: str, text: str | None = None) -> InputError:
        return cls([Problem(where, what, text)])


class UsageError(ReqlockError):
    """Bad command-line usage that names no input file (exit 2)."""

    exit_code = 2


class UnknownLayer(UsageError):
    """A layer name the project does not have, with the closest and every one it has."""

    def __init__(self, asked: str, layers: Iterable[str]) -> None:
        names = list(layers)
        super().__init__(
            f"no layer {asked!r}{did_you_mean(asked, names)}; layers: {', '.join(names)}"
        )


class ResolutionError(ReqlockError):
    """Resolution impossible: conflict, unknown package, nothing installs (exit 3)."""

    exit_code = 3


class NetworkError(ReqlockError):
    """Index or network failure after retries (exit 4)."""

    exit_code = 4
    transient = False
    """Whether trying again may help (connection errors, timeouts, truncated bodies)."""


class TransientNetworkError(NetworkError):
    """A failure worth retrying; reported as a NetworkError when retries run out."""

    transient = True


class IntegrityError(ReqlockError):
    """A hash that does not match (exit 5)."""

    exit_code = 5


class LocalError(ReqlockError):
    """Local failure: disk full, permission denied, project lock held too long (exit 6)."""

    exit_code = 6


class ProblemCollector:
    """Gathers problems while a whole input is read, then raises them together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: Location, what: str, text: str | None = None) -> None:
        self.problems.append(Problem(where, what, text))

    def extend(self, error: InputError) -> None:
        self.problems.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            # A plain file reached from two layers would report its problems twice.
            unique = dict.fromkeys(self.problems)
            raise InputError(sorted(unique, key=lambda p: (p.where.file, p.where.line or 0)))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """ " (did you mean 'x'?)" for the closest choice, or "" when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def shown(value: object) -> str:
    """A value as a message quotes it: strings as they are, anything else as its repr."""
    return value if isinstance(value, str) else repr(value)


def escaped(text: str, keep: str = "") -> str:
    """Text safe to show on a terminal: every control character (C0, DEL, C1, and the
    Unicode line separators) written as a `\\x..` escape, apart from those in `keep`, so
    that text from an index or a file can neither move the cursor, retitle the window,
    ring the bell nor forge a line of output."""
    if all(_plain(c) or c in keep for c in text):
        return text  # the common case, without building a new string
    return "".join(c if _plain(c) or c in keep else repr(c)[1:-1] for c in text)


def _plain(char: str) -> bool:
    code = ord(char)
    return not (code < 0x20 or 0x7F <= code < 0xA0 or char in "\u2028\u2029")
