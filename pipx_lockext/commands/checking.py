"""The `check` and `why` use cases (shell): read the project's inputs and its locks, and
answer from them alone.

Made for pre-commit hooks and CI: no network, no resolution, never a project file
written (only the freshness stamp in the user cache). It must not
import the resolver, the HTTP client or tomlkit (a test holds it to that), so that it
answers in milliseconds. Nothing here prints or exits.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name

from pipx_lockext.core.errors import InputError, UnknownLayer
from pipx_lockext.core.lockfiles.lockparse import ParsedLock
from pipx_lockext.core.lockfiles.lockset import Finding, LockSet
from pipx_lockext.edges.project import stamp
from pipx_lockext.edges.project.loader import load_project, parse_toml
from pipx_lockext.edges.project.lockfiles import read_locks, read_text, remember


@dataclass(frozen=True)
class CheckResult:
    """Every layer checked, and what is wrong with any of them."""

    layers: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


def check_project(root: Path) -> CheckResult:
    """`reqlock check`: every lock fresh for its inputs and well formed (pip-tools' layout
    is `pipcheck.check_folder`'s)."""
    locks = read_locks(load_project(root)).recorded()
    names = locks.inputs.lockable()
    beside = pylock_findings(locks, names)
    if beside:
        stamp.forget(locks.inputs.root)  # the stamp would answer "fresh" next time
    else:
        remember(locks)
    return CheckResult(names, (*locks.findings(), *beside))


def pylock_findings(locks: LockSet, layers: tuple[str, ...]) -> list[Finding]:
    """What is wrong with each `pylock.<layer>.toml` beside the locks (none there: nothing
    to check): it must parse, validate per PEP 751 and list the lock's pins."""
    folder = Path(locks.inputs.root) / locks.inputs.settings.output_dir
    if not any(folder.glob("pylock.*.toml")):
        return []
    # Only now: packaging.pylock loads packaging.tags, which check has no other use for.
    from pipx_lockext.core.lockfiles.pylock import (  # noqa: PLC0415 - see above
        pylock_name,
        pylock_problems,
    )

    found = []
    for layer in layers:
        path = f"{locks.inputs.settings.output_dir}/{pylock_name(layer)}"
        text = read_text(folder / pylock_name(layer), path)
        lock = locks.lock(layer)
        if text is None or lock is None:
            continue  # a missing lock is reported as such
        try:
            data = parse_toml(text, path)
        except InputError as exc:
            found += [Finding(path, None, message) for message in exc.messages()]
            continue
        found += [
            Finding(path, None, f"stale: {what}; run reqlock export --format pylock", stale=True)
            for what in pylock_problems(data, lock)
        ]
    return found


@dataclass(frozen=True)
class WhyResult:
    """For each layer whose lock holds the package, the chains that bring it in."""

    name: NormalizedName
    chains: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    """(lock display, chains); each chain runs from the package up to a root label."""


def why(root: Path, name: str, layer: str | None) -> WhyResult:
    """`reqlock why NAME`: chains of `# via` from NAME up to the layer's roots."""
    inputs = load_project(root)
    layers = inputs.layer_names()
    if layer is not None and canonicalize_name(layer) not in layers:
        raise UnknownLayer(layer, layers)
    wanted = canonicalize_name(name)
    locks = read_locks(inputs)
    found = []
    for each in (canonicalize_name(layer),) if layer else layers:
        lock = locks.lock(each)
        chains = via_chains(lock, wanted) if lock is not None else ()
        if chains:
            found.append((inputs.lock_file(each), chains))
    return WhyResult(wanted, tuple(found))


def via_chains(
    lock: ParsedLock, name: NormalizedName, limit: int = 20
) -> tuple[tuple[str, ...], ...]:
    """Paths from `name` to a root label through the lock's `# via` comments, shortest
    first (breadth first: the direct parents before the long ways round); when there are
    more than `limit`, the last entry says how many were left out."""
    pins = {pin.name: pin for pin in lock.pins}
    if name not in pins:
        return ()
    chains: list[tuple[str, ...]] = []
    more = 0
    queue: deque[tuple[NormalizedName, tuple[str, ...], frozenset[str]]] = deque()
    queue.append((name, (), frozenset({name})))
    while queue:
        current, path, seen = queue.popleft()
        pin = pins[current]
        where = f" ({pin.marker})" if pin.marker is not None else ""
        here = (*path, f"{pin.name}=={pin.version}{where}")
        for parent in pin.via or ("(no via comment)",):
            key = canonicalize_name(parent)
            if key not in pins:
                if len(chains) < limit:
                    chains.append((*here, parent))
                else:
                    more += 1
            elif key not in seen:  # a cycle (a needs b needs a) ends the chain
                queue.append((key, here, seen | {key}))
        if more > 10 * limit:
            break  # enough to say "many"
    unique = list(dict.fromkeys(chains))
    if more:
        unique.append((f"… {more} more",))
    return tuple(unique)
