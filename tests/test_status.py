"""The progress renderers of the CLI, on a fake terminal with a fake clock: the status line
shows nothing before its delay, then what is decided, the project in hand, the fetches and
the time; it gets out of the way of every other line and is erased at the end; -v gets a
line per event instead; pipes and -q get nothing."""

from __future__ import annotations

import io
import sys
import threading
import time

import pytest

from pipx_lockext.cli import report, status
from pipx_lockext.cli.options import context
from pipx_lockext.cli.status import CLEAR, DELAY, Narrator, StatusLine, reporting
from pipx_lockext.core.progress import NO_PROGRESS, Progress


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def line():
    terminal, clock = Terminal(), Clock()
    shown = StatusLine(terminal, clock, width=lambda: 160, ticking=False)
    return shown, terminal, clock


def test_nothing_is_drawn_before_the_delay_nor_before_any_work(line):
    shown, terminal, clock = line
    shown.draw()
    shown.environments(2)
    clock.now += DELAY / 2
    shown.draw()
    assert terminal.getvalue() == ""


def test_the_line_says_the_environment_what_is_decided_fetches_and_time(line):
    shown, terminal, clock = line
    shown.environments(2)
    shown.environment_started("python 3.12 on linux-x86_64")
    shown.deciding("flask", "3.0.3")
    shown.deciding("click", "8.1.7")
    shown.backtracking("click", "8.2.0")
    shown.fetch_started("page", "flask")
    shown.fetch_started("metadata", "flask-3.0.3-py3-none-any.whl")
    shown.fetch_finished("page", "flask")
    clock.now += 2.5
    shown.draw()
    assert terminal.getvalue() == CLEAR + (
        "resolving python 3.12 on linux-x86_64 (1/2): 2 decided, click 8.1.7 · "
        "1 backtracks · 1 fetched, 1 under way · 2.5s"
    )
    shown.environment_finished("python 3.12 on linux-x86_64", 2)
    shown.environment_started("python 3.13 on linux-x86_64")
    assert shown.text().startswith("resolving python 3.13 on linux-x86_64 (2/2): 0 decided ·")
    shown.environment_finished("python 3.13 on linux-x86_64", 2)
    assert shown.text().startswith("2 environments resolved · ")


def test_a_step_shows_with_the_time_since_it_began(line):
    shown, terminal, clock = line
    shown.step("creating .venvs/3.12")
    clock.now += 1
    shown.step("installing 23 packages into .venvs/3.12")
    clock.now += 12.34
    shown.draw()
    assert terminal.getvalue() == CLEAR + "installing 23 packages into .venvs/3.12 (12.3s)"


def test_the_line_fits_the_terminal_and_escapes_what_an_index_sent():
    terminal, clock = Terminal(), Clock()
    shown = StatusLine(terminal, clock, width=lambda: 80, ticking=False)
    shown.step("x\x1b]0;owned\x07" + "y" * 200)
    clock.now += 1
    shown.draw()
    drawn = terminal.getvalue().removeprefix(CLEAR)
    assert len(drawn) == 79
    assert "\x1b" not in drawn
    assert drawn.startswith("x\\x1b]0;owned\\x07yyy")
    shown.close()


def test_other_output_erases_the_line_first_and_close_erases_it(line):
    shown, terminal, clock = line
    shown.step("working")
    clock.now += 1
    shown.draw()
    shown.above(lambda: terminal.write("warning: something\n"))
    shown.draw()
    shown.close()
    assert terminal.getvalue() == (
        f"{CLEAR}working (1.0s){CLEAR}warning: something\n{CLEAR}working (1.0s){CLEAR}"
    )


def test_paused_it_draws_nothing_until_the_next_step(line):
    shown, terminal, clock = line
    shown.step("installing")
    clock.now += 1
    shown.pause()
    clock.now += 1
    shown.draw()
    assert terminal.getvalue() == ""
    shown.step("again")
    clock.now += 1
    shown.draw()
    assert terminal.getvalue() == CLEAR + "again (1.0s)"


def test_the_ticker_redraws_on_its_own_and_stops_at_close():
    terminal = Terminal()
    shown = StatusLine(terminal, width=lambda: 80)
    shown.step("waiting")
    deadline = time.monotonic() + 5
    while CLEAR not in terminal.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)
    shown.close()
    assert terminal.getvalue().startswith(CLEAR + "waiting (")
    assert terminal.getvalue().endswith(CLEAR)
    after = terminal.getvalue()
    time.sleep(3 * status.INTERVAL)
    assert terminal.getvalue() == after


def test_events_from_many_threads_are_all_counted(line):
    shown, _, _ = line

    def fetch() -> None:
        for _ in range(500):
            shown.fetch_started("page", "x")
            shown.fetch_finished("page", "x")

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "4000 fetched, 0 under way" in shown.text()


def test_verbose_narrates_a_line_per_event():
    said: list[str] = []
    narrator = Narrator(said.append)
    narrator.environment_started("python 3.12 on linux-x86_64")
    narrator.deciding("flask", "3.0.3")
    narrator.backtracking("click", "8.2.0")
    narrator.fetch_started("page", "flask")
    narrator.environment_finished("python 3.12 on linux-x86_64", 7)
    narrator.step("creating .venvs/3.12")
    assert said == [
        "resolving python 3.12 on linux-x86_64",
        "  decided flask 3.0.3",
        "  backtracking: click 8.2.0 leads to a conflict; trying another",
        "resolved python 3.12 on linux-x86_64: 7 projects",
        "creating .venvs/3.12",
    ]


@pytest.mark.parametrize(
    ("quiet", "verbose", "tty", "kind"),
    [
        (False, False, True, StatusLine),
        (False, False, False, type(NO_PROGRESS)),
        (True, False, True, type(NO_PROGRESS)),
        (True, True, True, type(NO_PROGRESS)),
        (False, True, False, Narrator),
        (False, True, True, Narrator),
    ],
)
def test_who_gets_what(quiet, verbose, tty, kind):
    stream = Terminal() if tty else io.StringIO()
    with reporting(quiet, verbose, stream) as progress:
        assert type(progress) is kind
        assert isinstance(progress, Progress)
        assert bool(report.GUARDS) is (kind is StatusLine)
    assert not report.GUARDS
    assert stream.getvalue() == ""


def test_the_status_line_is_erased_when_the_command_fails(monkeypatch):
    monkeypatch.setattr(status, "DELAY", 0.0)
    terminal = Terminal()

    def interrupted() -> None:
        with reporting(False, False, terminal) as progress:
            assert isinstance(progress, StatusLine)
            progress.step("installing")
            progress.draw()
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        interrupted()
    assert terminal.getvalue() == CLEAR + "installing (0.0s)" + CLEAR
    assert not report.GUARDS


def test_a_command_that_takes_the_terminal_pauses_the_status_line(line):
    shown, terminal, clock = line
    run = context(shown, quiet=False).run
    shown.step("syncing")
    clock.now += 1
    shown.draw()
    done = run([sys.executable, "-c", "pass"], capture=False)
    assert done.returncode == 0
    assert terminal.getvalue().endswith(CLEAR)
    clock.now += 1
    shown.draw()
    assert terminal.getvalue() == f"{CLEAR}syncing (1.0s){CLEAR}"
    run([sys.executable, "-c", "pass"])  # captured (pip): the line stays


def test_it_is_redrawn_at_most_ten_times_a_second():
    terminal = Terminal()
    shown = StatusLine(terminal, width=lambda: 80)
    shown.step("busy")
    start = time.monotonic()
    while time.monotonic() - start < 1.0 + DELAY:
        shown.deciding("x", "1")  # events never draw: only the ticker does
        time.sleep(0.001)
    shown.close()
    drawn = terminal.getvalue().count(CLEAR) - 1  # the last one erases
    assert 1 <= drawn <= 11  # ten in the second it shows, and one on its edge
