"""Which pins of a project's locks have newer releases, how far its requirements let
them go, and what holds them back (pure core; reads the indexes through `Source`).

"Newest allowed" is what `reqlock compile -U` would pick: the layers are resolved again
exactly as compile resolves them (together, per environment, the same policy) but with no
preferences. There is no cheaper sound answer: whether a newer release is allowed depends
on the releases its own dependencies allow, which only a resolution decides. "Newest" is
the newest release usable in the environment (Requires-Python, a wheel that installs there
or an sdist, as the resolver decides it), not yanked, and final unless the pin is a
pre-release or pre-releases are asked for. A pin whose newest allowed release is older
than the newest is explained by `holding`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.environments import Environment, describe_environments
from pipx_lockext.core.index.listing import Listing
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.lockparse import ParsedLock
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.core.resolution.asks import Policy
from pipx_lockext.core.resolution.candidates import Offer, Release, file_formats
from pipx_lockext.core.resolution.holding import Holder, Holding
from pipx_lockext.core.resolution.locking import layer_roots, local_project, resolution_groups
from pipx_lockext.core.resolution.matrix import resolve_matrix
from pipx_lockext.core.resolution.resolver import EnvResolution, Root


@dataclass(frozen=True)
class Behind:
    """A pin with a newer usable release, on some environments of its layer."""

    name: NormalizedName
    pinned: Version
    allowed: Version | None
    """What `compile -U` picks there (None: it would drop the project)."""
    newest: Version
    environments: str
    """Where this holds: "python 3.12 on linux-x86_64" (every environment of the layer
    when `everywhere`)."""
    everywhere: bool
    held_by: tuple[Holder, ...] = ()
    """Empty unless `allowed` is older than `newest`."""


@dataclass(frozen=True)
class _Cell:
    """One (project, environment) of a layer, before cells are grouped."""

    name: NormalizedName
    pinned: Version
    allowed: Version | None
    newest: Version
    held_by: tuple[Holder, ...]


def outdated(
    inputs: ProjectInputs,
    locks: Mapping[str, ParsedLock],
    policy: Policy,
    source: Source,
    progress: Progress = NO_PROGRESS,
) -> dict[str, tuple[Behind, ...]]:
    """For each layer of `locks`, its pins with newer releases, grouped over the
    environments where they say the same, sorted by name."""
    roots, _failed = layer_roots(inputs)  # a layer that cannot be locked has no fresh lock
    policy = replace(policy, project=local_project(inputs), preferred={})
    offers = _Offers(source, policy)
    found: dict[str, tuple[Behind, ...]] = {}
    for group in resolution_groups(inputs, among=roots):
        if not any(layer in locks for layer in group):
            continue  # an independent layer not asked for: its resolution changes nothing
        by_env = _roots_by_env(inputs, group, roots)
        results = resolve_matrix(source, by_env, policy, None, progress)
        for layer in (layer for layer in group if layer in locks):
            cells = {
                env: _cells(layer, locks[layer], Holding(result, by_env[floor], source), offers)
                for env, result in sorted(results.items())
                if (floor := _floor(inputs.matrix(layer), env)) is not None
            }
            found[layer] = _grouped(cells)
    return found


def _roots_by_env(
    inputs: ProjectInputs, group: tuple[str, ...], roots: Mapping[str, list[Root]]
) -> dict[Environment, tuple[Root, ...]]:
    """The roots of the group's layers on each of their environments, as `locking`
    gives them to the resolver (without `-P` constraints: there are none here)."""
    found: dict[Environment, list[Root]] = {}
    for layer in group:
        for env in inputs.matrix(layer):
            found.setdefault(env, []).extend(roots[layer])
    return {env: tuple(each) for env, each in found.items()}


def _floor(matrix: Iterable[Environment], env: Environment) -> Environment | None:
    """The environment of a layer's matrix that `env` (a split sub-environment such as
    3.10.2 on) belongs to; None when it is not the layer's."""
    key = (env.python, env.platform_name)
    return next((e for e in matrix if (e.python, e.platform_name) == key), None)


class _Offers:
    """The newest usable release per (project, environment); each project's files read
    once."""

    def __init__(self, source: Source, policy: Policy) -> None:
        self.source, self.policy = source, policy
        self._projects: dict[NormalizedName, Listing] = {}

    def newest(self, name: NormalizedName, env: Environment, pre: bool) -> Release | None:
        if name not in self._projects:
            self._projects[name] = self.source.files(name)
        formats = file_formats(name, self.policy.only_binary, self.policy.no_binary)
        for release in Offer(self._projects[name], env, formats=formats):
            if release.yanked is None and (pre or not release.version.is_prerelease):
                return release
        return None


def _cells(layer: str, lock: ParsedLock, holding: Holding, offers: _Offers) -> list[_Cell]:
    result: EnvResolution = holding.result
    env = result.env
    closure = result.closure(layer)
    cells = []
    itself = offers.policy.project.name if offers.policy.project else None
    for name, pinned in sorted(lock.pins_for(env).items()):
        if name == itself:
            continue  # the project's own release, pinned for a dependency that needs it back
        pre = offers.policy.pre or pinned.is_prerelease
        newest = offers.newest(name, env, pre)
        if newest is None or newest.version <= pinned:
            continue
        chosen = result.chosen.get(name) if name in closure else None
        allowed = chosen.version if chosen is not None else None
        behind = allowed is None or allowed < newest.version
        held = holding.holders(newest) if behind else ()
        cells.append(_Cell(name, pinned, allowed, newest.version, held))
    return cells


def _grouped(cells: Mapping[Environment, Iterable[_Cell]]) -> tuple[Behind, ...]:
    """Cells that say the same on several environments as one, with where."""
    where: dict[_Cell, list[Environment]] = {}
    for env, each in cells.items():
        for cell in each:
            where.setdefault(cell, []).append(env)
    every = tuple(cells)
    found = [
        Behind(
            c.name,
            c.pinned,
            c.allowed,
            c.newest,
            describe_environments(tuple(envs)),
            len(envs) == len(every),
            c.held_by,
        )
        for c, envs in where.items()
    ]
    return tuple(sorted(found, key=lambda b: (b.name, b.pinned, b.environments)))
