"""The one gateway to child processes (edge: subprocess).

Everything reqlock starts — PEP 517 hooks, pip in a venv, the user's command under
`reqlock run`, an interpreter asked for its markers — goes through a `Runner`, so tests
swap in a recording one instead of patching `subprocess`.
"""

from __future__ import annotations

import subprocess
import sys
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
    inherited = tuple(sorted(projectlock.HELD)) if sys.platform != "win32" else ()
    try:
        return subprocess.run(
            list(args),
            pass_fds=inherited,
            env=None if env is None else dict(env),
            cwd=cwd,
            capture_output=capture,
            text=True,
            check=False,
            timeout=timeout,
        )
    except OSError as exc:
        return subprocess.CompletedProcess(list(args), 127, "", f"{args[0]}: {exc.strerror}")
