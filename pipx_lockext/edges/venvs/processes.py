"""The one gateway to child processes (edge: subprocess).

Everything reqlock starts — PEP 517 hooks, pip in a venv, the user's command under
`reqlock run`, an interpreter asked for its markers — goes through a `Runner`, so tests
swap in a recording one instead of patching `subprocess`.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from pipx_lockext.edges.project import projectlock


class Runner(Protocol):
    """Runs a command and returns its exit code and (when captured) its output."""

    def __call__(
        self,
        args: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        *,
        capture: bool = True,
        timeout: float | None = None,
    ) -> subprocess.CompletedProcess[str]: ...


def run_process(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    *,
    capture: bool = True,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """`subprocess.run`, text mode; uncaptured output goes straight to the terminal. A
    program that cannot be started comes back as exit code 127 with the reason. A child
    started while the project is locked holds the lock too (see `projectlock.HELD`)."""
    try:
        return subprocess.run(
            list(args),
            pass_fds=_held(),
            env=None if env is None else dict(env),
            cwd=cwd,
            capture_output=capture,
            text=True,
            check=False,
            timeout=timeout,
        )
    except OSError as exc:
        return _not_started(args, exc)


def _held() -> tuple[int, ...]:
    """The project lock's descriptors, which a child inherits (see `projectlock.HELD`)."""
    return tuple(sorted(projectlock.HELD)) if sys.platform != "win32" else ()


def _not_started(args: Sequence[str], exc: OSError) -> subprocess.CompletedProcess[str]:
    return subprocess.CompletedProcess(list(args), 127, "", f"{args[0]}: {exc.strerror}")


STOP_POLL = 0.1
"""How often a stoppable child's runner looks whether its run is over (seconds)."""


def stoppable(stop: threading.Event) -> Runner:
    """A runner for work done on behalf of a run (a PEP 517 hook at compile time): its
    output captured, and its child killed once `stop` is set or its `timeout` passes,
    which then comes back as a failure saying so (exit code -9), never as an exception."""

    def run(
        args: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        *,
        capture: bool = True,  # always captured: a keyword of the Runner protocol
        timeout: float | None = None,
    ) -> subprocess.CompletedProcess[str]:
        try:
            child = subprocess.Popen(
                list(args), pass_fds=_held(), env=None if env is None else dict(env),
                cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
        except OSError as exc:
            return _not_started(args, exc)
        with child:
            return _watched(child, list(args), stop, timeout)

    return run


def _watched(
    child: subprocess.Popen[str], args: list[str], stop: threading.Event, timeout: float | None
) -> subprocess.CompletedProcess[str]:
    deadline = None if timeout is None else time.monotonic() + timeout
    try:
        while True:
            try:
                out, err = child.communicate(timeout=STOP_POLL)
                return subprocess.CompletedProcess(args, child.returncode, out, err)
            except subprocess.TimeoutExpired:
                if stop.is_set():
                    reason = "stopped: the run is over"
                elif deadline is not None and time.monotonic() > deadline:
                    reason = f"killed after {timeout:g} s"
                else:
                    continue
            child.kill()
            out, err = child.communicate()
            return subprocess.CompletedProcess(args, -9, out, f"{err}\n{args[0]}: {reason}")
    except BaseException:  # Ctrl-C: the child does not outlive the run
        child.kill()
        raise
