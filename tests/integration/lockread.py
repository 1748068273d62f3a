"""Reading a compiled lock the way pip would, with packaging rather than reqlock's own
parser, and running reqlock's CLI in-process. Shared by the integration modules."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipx_lockext.cli.main import main


def run_reqlock(*args: str) -> tuple[int, str]:
    """The CLI in-process; returns the exit code and what it printed."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            main(list(args))
        except SystemExit as exc:
            return (exc.code if isinstance(exc.code, int) else 1), out.getvalue()
    return 0, out.getvalue()


def lock_requirements(path: Path) -> list[Requirement]:
    """The requirement lines of a lock."""
    text = path.read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        Requirement(line.split(" --hash=")[0])
        for line in lines
        if line and not line.startswith(("#", "-"))
    ]


def pinned_version(requirement: Requirement) -> str:
    (specifier,) = requirement.specifier
    assert specifier.operator == "==", requirement
    return specifier.version


def pins_for(requirements: list[Requirement], environment: dict[str, str]) -> dict[str, str]:
    """The lock's pins whose markers are true in `environment`; a name twice is a bad lock,
    unless the second line repeats the first's version with extras (`fancy[speed]==1.0`
    after `fancy==1.0`, for pip before 23.3)."""
    pins: dict[str, str] = {}
    for requirement in requirements:
        if requirement.marker is None or requirement.marker.evaluate(environment):
            name = canonicalize_name(requirement.name)
            repeat = requirement.extras and pins.get(name) == pinned_version(requirement)
            assert repeat or name not in pins, f"{name} pinned twice on {environment}"
            pins[name] = pinned_version(requirement)
    return pins
