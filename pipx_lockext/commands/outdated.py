"""The `outdated` use case (shell): for each layer's lock, the pins with newer releases on
the index, the newest the project's requirements allow (what `reqlock compile -U` would
pick), the newest overall, and what holds back each pin that cannot reach the newest.

It reads fresh, well-formed locks only (a stale or malformed one is refused, exit 1, as
`sync` refuses a malformed one: the answer would be about inputs the lock does not hold),
fetches with the project's index settings (index pages revalidated, so that "newest" is
today's), and resolves every layer again without preferences. Nothing here prints or
exits; nothing is written but the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipx_lockext.commands.compiling import selected_layers
from pipx_lockext.core.errors import NotTrue
from pipx_lockext.core.lockfiles.lockparse import ParsedLock
from pipx_lockext.core.lockfiles.lockset import LockSet
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.core.resolution.outdated import Behind
from pipx_lockext.edges.project.loader import load_project
from pipx_lockext.edges.project.lockfiles import read_locks


@dataclass(frozen=True)
class LayerOutdated:
    """One layer's lock and its pins with newer releases."""

    layer: str
    lock: str
    """The lock file, relative to the project."""
    environments: str
    """Every environment of the layer, as its lock header says them."""
    behind: tuple[Behind, ...]


@dataclass(frozen=True)
class OutdatedResult:
    """What `reqlock outdated` found, layer by layer."""

    layers: tuple[LayerOutdated, ...]

    @property
    def any(self) -> bool:
        return any(layer.behind for layer in self.layers)


def outdated_project(
    root: Path,
    layers: tuple[str, ...] = (),
    *,
    pre: bool = False,
    progress: Progress = NO_PROGRESS,
) -> OutdatedResult:
    """`reqlock outdated [LAYER…]`: NotTrue (exit 1) for a missing, stale or malformed
    lock of a layer asked for; the errors of a compile for the index and the resolution."""
    from pipx_lockext.core.environments import describe_matrix  # noqa: PLC0415 - see below
    from pipx_lockext.core.resolution.asks import Policy  # noqa: PLC0415 - see above
    from pipx_lockext.core.resolution.outdated import outdated  # noqa: PLC0415 - the resolver
    from pipx_lockext.edges.index.client import open_repository  # noqa: PLC0415 - network

    lockset = read_locks(load_project(root)).recorded()  # a matrix from the command line
    inputs = lockset.inputs
    wanted = selected_layers(inputs, layers)
    locks = {layer: fresh_lock(lockset, layer) for layer in wanted}
    index = inputs.settings.index
    policy = Policy.of(inputs.settings, index, pre=pre)
    repository = open_repository(index, refresh=True, progress=progress)
    try:
        found = outdated(inputs, locks, policy, repository, progress)
    finally:
        repository.close()
    return OutdatedResult(
        tuple(
            LayerOutdated(
                layer,
                inputs.lock_file(layer),
                describe_matrix(inputs.matrix(layer)),
                found.get(layer, ()),
            )
            for layer in wanted
        )
    )


def fresh_lock(locks: LockSet, layer: str) -> ParsedLock:
    """The layer's lock, when it exists, is well formed and fresh; NotTrue otherwise."""
    path = locks.inputs.lock_file(layer)
    lock = locks.lock(layer)
    if lock is None:
        raise NotTrue(f"{path}: no lock for layer {layer}; run reqlock compile")
    problems = locks.form_problems(layer)
    if problems:
        raise NotTrue(f"{problems[0]}; run reqlock check")
    if locks.stale(layer):
        raise NotTrue(f"{path} is stale (its inputs changed); run reqlock compile first")
    return lock
