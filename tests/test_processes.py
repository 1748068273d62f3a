"""The runner that hooks run under at compile time: its child is killed when the run is
over or past its timeout, and either comes back as a failure that says so."""

from __future__ import annotations

import sys
import threading

from pipx_lockext.edges.venvs.processes import stoppable

SLEEPER = [sys.executable, "-c", "import time; print('started', flush=True); time.sleep(60)"]


def test_a_child_that_ends_gives_its_exit_code_and_output():
    code = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    result = stoppable(threading.Event())([sys.executable, "-c", code])
    assert (result.returncode, result.stdout, result.stderr) == (3, "out\n", "err\n")


def test_a_stopped_run_kills_its_child_and_says_so():
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    result = stoppable(stop)(SLEEPER)  # a minute, unless it is killed
    assert result.returncode == -9
    assert result.stdout == "started\n"
    assert result.stderr.endswith(f"{sys.executable}: stopped: the run is over")


def test_a_child_past_its_timeout_is_killed_and_reported_never_raised():
    result = stoppable(threading.Event())(SLEEPER, timeout=0.5)
    assert result.returncode == -9
    assert result.stderr.endswith("killed after 0.5 s")


def test_a_program_that_cannot_start_is_exit_127_naming_it():
    result = stoppable(threading.Event())(["/nonexistent/python"])
    assert result.returncode == 127
    assert result.stderr.startswith("/nonexistent/python: ")
