"""What a person sees of work under way (shell, part of the CLI): the renderers of
`core.progress.Progress`.

- On a terminal (stderr a TTY, no -q): `StatusLine`, one line at the bottom of stderr,
  redrawn by a background ticker at most `INTERVAL` times a second, never before
  `DELAY` (a command that is over by then shows nothing), cleared before any other
  output and at exit. Events only update counters under a lock, so the resolver's hot
  path pays a lock and an addition per decision, and no write.
- With -v: `Narrator`, one line per environment, decision, backtrack and step (in pipes
  too: it was asked for).
- Otherwise (pipes, -q): nothing at all (`core.progress.NO_PROGRESS`).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TextIO

from pipx_lockext.cli import report
from pipx_lockext.core.errors import escaped
from pipx_lockext.core.progress import NO_PROGRESS, Progress

INTERVAL = 0.1
"""Seconds between two redraws of the status line: at most 10 a second."""
DELAY = 0.3
"""Seconds of work before the status line first shows (no flicker on quick commands)."""
CLEAR = "\r\x1b[K"
"""Back to the line's start, then erase to its end."""


class StatusLine(Progress):
    """The live status line: what is decided, the project in hand, fetches, elapsed."""

    def __init__(
        self,
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
        width: Callable[[], int] = lambda: shutil.get_terminal_size().columns,
        *,
        ticking: bool = True,
    ) -> None:
        """`ticking=False`: no ticker thread; `draw` is called by hand (tests)."""
        self._stream = stream
        self._clock = clock
        self._width = width
        self._lock = threading.Lock()
        self._since: float | None = None
        """When the current work began; None while nothing is under way."""
        self._shown = False
        self._envs = self._envs_done = self._decided = self._backtracks = 0
        self._env = self._current = self._step = ""
        self._fetching = self._fetched = 0
        self._ticker: threading.Thread | None = None
        self._stop = threading.Event()
        if not ticking:
            self._stop.set()

    # Events (any thread): state only; drawing is the ticker's.

    def environments(self, count: int) -> None:
        with self._lock:
            self._envs, self._step = count, ""
            self._begin()

    def environment_started(self, env: str) -> None:
        with self._lock:
            self._env, self._current, self._step, self._decided = env, "", "", 0
            self._begin()

    def environment_finished(self, env: str, pins: int) -> None:
        with self._lock:
            self._envs_done += 1
            self._env = ""

    def deciding(self, name: str, version: str) -> None:
        with self._lock:
            self._decided += 1
            self._current = f"{name} {version}"

    def backtracking(self, name: str, version: str) -> None:
        with self._lock:
            self._backtracks += 1

    def fetch_started(self, kind: str, what: str) -> None:
        with self._lock:
            self._fetching += 1
            self._begin()

    def fetch_finished(self, kind: str, what: str) -> None:
        with self._lock:
            self._fetching -= 1
            self._fetched += 1

    def step(self, message: str) -> None:
        """A new step (sync): shown with the time since it began."""
        with self._lock:
            self._step = message
            self._since = None
            self._begin()

    def _begin(self) -> None:
        """Work is under way (the lock held): time it, and start the ticker once."""
        if self._since is None:
            self._since = self._clock()
        if self._ticker is None and not self._stop.is_set():
            self._ticker = threading.Thread(target=self._tick, name="reqlock-status", daemon=True)
            self._ticker.start()

    # Drawing.

    def text(self) -> str:
        """The line as it reads now (without the terminal's control characters)."""
        with self._lock:
            return self._text(self._clock())

    def _text(self, now: float) -> str:
        elapsed = f"{now - (self._since or now):.1f}s"
        if self._step:
            return f"{self._step} ({elapsed})"
        parts = []
        if self._env:
            count = (
                f" ({self._envs_done + 1}/{self._envs})" if self._envs > self._envs_done else ""
            )
            parts.append(f"resolving {self._env}{count}: {self._decided} decided")
            if self._current:
                parts[-1] += f", {self._current}"
        elif self._envs_done:
            parts.append(f"{self._envs_done} environments resolved")
        if self._backtracks:
            parts.append(f"{self._backtracks} backtracks")
        if self._fetching or self._fetched:
            parts.append(f"{self._fetched} fetched, {self._fetching} under way")
        return " · ".join([*parts, elapsed])

    def draw(self) -> None:
        """Redraw the line now, once the work has run for `DELAY` (the ticker's call)."""
        with self._lock:
            now = self._clock()
            if self._since is None or now - self._since < DELAY:
                return
            width = max(self._width() - 1, 10)
            self._stream.write(CLEAR + escaped(self._text(now))[:width])
            self._stream.flush()
            self._shown = True

    def above(self, write: Callable[[], object]) -> None:
        """`write` another line with the status line out of its way (`report`'s guard)."""
        with self._lock:
            self._erase()
            write()

    def pause(self) -> None:
        """Nothing is under way (a command takes the terminal): erase, draw no more until
        the next event."""
        with self._lock:
            self._erase()
            self._since, self._step = None, ""

    def close(self) -> None:
        """Erase the line and stop the ticker."""
        self._stop.set()
        self.pause()
        if self._ticker is not None:
            self._ticker.join()

    def _erase(self) -> None:
        if self._shown:
            self._stream.write(CLEAR)
            self._stream.flush()
            self._shown = False

    def _tick(self) -> None:
        while not self._stop.wait(INTERVAL):
            self.draw()


class Narrator(Progress):
    """-v: one line per environment, decision, backtrack and step, as they happen."""

    def __init__(self, say: Callable[[str], None] = report.say) -> None:
        self._say = say

    def environment_started(self, env: str) -> None:
        self._say(f"resolving {env}")

    def environment_finished(self, env: str, pins: int) -> None:
        self._say(f"resolved {env}: {pins} projects")

    def deciding(self, name: str, version: str) -> None:
        self._say(f"  decided {name} {version}")

    def backtracking(self, name: str, version: str) -> None:
        self._say(f"  backtracking: {name} {version} leads to a conflict; trying another")

    def step(self, message: str) -> None:
        self._say(message)


@contextlib.contextmanager
def reporting(quiet: bool, verbose: bool, stream: TextIO | None = None) -> Iterator[Progress]:
    """The renderer a command reports its progress to, for as long as it works: nothing
    in pipes and with -q, lines with -v, else a status line on the terminal (cleared
    when the block ends, also on an error or Ctrl-C)."""
    stream = stream or sys.stderr
    if quiet:
        yield NO_PROGRESS
        return
    if verbose:
        yield Narrator()
        return
    if not stream.isatty():
        yield NO_PROGRESS
        return
    status = StatusLine(stream)
    report.GUARDS.append(status.above)
    try:
        yield status
    finally:
        report.GUARDS.remove(status.above)
        status.close()
