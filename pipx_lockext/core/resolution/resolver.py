"""Resolving the layers that apply on one environment, together (pure core; reads the
indexes through `core.index.source.Source`): one exact resolution, so that a package
shared by two layers has one pin, and its failure explained. `matrix` resolves every
environment of a matrix with this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from packaging.markers import Marker
from packaging.utils import NormalizedName
from packaging.version import Version
from resolvelib import BaseReporter, ResolutionImpossible, ResolutionTooDeep, Resolver

from pipx_lockext.core.environments import Environment, describe_environments
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.index.listing import Listing
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.core.resolution.asks import PYTHON, Candidate, Need, Policy
from pipx_lockext.core.resolution.candidates import Release
from pipx_lockext.core.resolution.explain import explain
from pipx_lockext.core.resolution.fixed import FixedAsks
from pipx_lockext.core.resolution.prepass import force, read_ahead
from pipx_lockext.core.resolution.provider import Provider
from pipx_lockext.core.resolution.replay import replay

MAX_ROUNDS = 20_000
FIRST_ATTEMPT = 250
"""Rounds before the first restart (see `_resolve`); each next attempt gets twice as many."""


class Rejections(BaseReporter):  # type: ignore[type-arg]  # resolvelib's generics are loose
    """Counts the candidates backtracking threw away, per project, to name the ones a
    resolution that never ends keeps changing; and tells `progress` what is decided and
    thrown away."""

    def __init__(
        self,
        progress: Progress = NO_PROGRESS,
        stale: Callable[[Candidate], bool] | None = None,
    ) -> None:
        self.counts: Counter[str] = Counter()
        self.progress = progress
        self.stale = stale
        """Whether a pin has been ruled out since it was made (see `_resolve`)."""
        self.round = 0
        self.budget: int | None = None
        """Rounds after which an attempt that has backtracked while the provider learned
        starts again (see `_resolve`); None: never."""
        self.learned: Callable[[], bool] = lambda: False
        self.rejected = 0
        """Candidates thrown away in this attempt."""

    def attempt(self, budget: int, learned: Callable[[], bool]) -> None:
        """A new attempt begins (see `_resolve`)."""
        self.budget, self.learned, self.rejected, self.round = budget, learned, 0, 0

    def starting_round(self, index: int) -> None:
        self.round = index
        if self.budget is not None and index >= self.budget and self.rejected and self.learned():
            raise _Restart

    def rejecting_candidate(self, criterion: object, candidate: Candidate) -> None:
        self.counts[candidate.name] += 1
        self.rejected += 1
        self.progress.backtracking(candidate.identifier, str(candidate.version))

    def pinning(self, candidate: Candidate) -> None:
        if candidate.name != PYTHON:
            self.progress.deciding(candidate.identifier, str(candidate.version))

    def resolving_conflicts(self, causes: Collection[Any]) -> None:
        if self.stale and any(c.parent is not None and self.stale(c.parent) for c in causes):
            raise _Restart

    def most_rejected(self) -> str:
        top = self.counts.most_common(5)
        return ", ".join(f"{name} ({count} versions tried)" for name, count in top)


class _Restart(Exception):
    """A conflict blames a pin that has been ruled out since it was made."""


class EnvironmentConflict(ResolutionError):
    """Resolution impossible (exit 3): why, on which environments (`env` the first)."""

    def __init__(
        self, reasons: Mapping[str, tuple[Environment, ...]], *, everywhere: bool
    ) -> None:
        self.reasons = dict(reasons)
        """Each distinct reason, with the environments where it holds."""
        self.env = min(env for envs in self.reasons.values() for env in envs)
        self.everywhere = everywhere
        """The one reason holds on every environment of the matrix: said without them."""
        super().__init__("\n".join(self.messages()))

    def messages(self) -> list[str]:
        if self.everywhere:
            return list(self.reasons)
        return [
            f"{describe_environments(envs)}: {reason}" for reason, envs in self.reasons.items()
        ]


@dataclass(frozen=True)
class Root:
    """A requirement a layer declares, as the resolver gets it."""

    layer: str
    need: Need
    marker: Marker | None = None
    constraint: bool = False
    """A constraint (`-c`, `-P name==1.0`): narrows versions, never adds the package."""

    def applies(self, env: Environment) -> bool:
        return self.marker is None or self.marker.evaluate({**env.markers, "extra": ""})


@dataclass(frozen=True)
class EnvResolution:
    """One environment's resolution: a release per project, and who needs whom."""

    env: Environment
    chosen: Mapping[NormalizedName, Release]
    children: Mapping[str, frozenset[str]]
    """Identifier (`name` or `name[extra]`) to the identifiers it depends on: an extra's
    dependencies belong to the layers that asked for that extra, not to every layer
    holding the plain project."""
    layer_roots: Mapping[str, frozenset[str]]
    """Layer to the identifiers its own roots (its includes' too) ask for here."""
    root_labels: Mapping[tuple[str, NormalizedName], frozenset[str]] = field(default_factory=dict)
    """(layer, name) to the labels of the roots that ask for it ("group dev")."""
    unprovided: Mapping[NormalizedName, frozenset[str]] = field(default_factory=dict)
    """Extras asked of a project that its chosen release does not provide."""
    root_markers: Mapping[tuple[str, NormalizedName], frozenset[str]] = field(default_factory=dict)
    """(layer, name) to the markers of the roots that ask for it here ("": none), so
    that a lock line can keep the requirement's own terms (`platform_machine == …`)."""

    @property
    def solution(self) -> dict[str, Version]:
        """Each identifier's version (what `replay` takes)."""
        found = ((key, self.chosen.get(_name_of(key))) for key in self.children)
        return {key: release.version for key, release in found if release is not None}

    def closure(self, layer: str) -> dict[NormalizedName, set[NormalizedName]]:
        """Every project a layer needs here (its roots and all they depend on), each
        with the names of the projects in the closure that depend on it."""
        return self.walk(layer)[0]

    def walk(
        self, layer: str
    ) -> tuple[
        dict[NormalizedName, set[NormalizedName]], dict[NormalizedName, set[tuple[str, ...]]]
    ]:
        """`closure`, and each set of extras of a project that the closure asks for (pip
        before 23.3 treats `x[a]` and `x[a,b]` as different requirements)."""
        parents: dict[NormalizedName, set[NormalizedName]] = {}
        extras: dict[NormalizedName, set[tuple[str, ...]]] = {}
        seen: set[str] = set()
        todo = list(self.layer_roots.get(layer, ()))
        while todo:
            identifier = todo.pop()
            if identifier in seen:
                continue
            seen.add(identifier)
            name = _name_of(identifier)
            parents.setdefault(name, set())
            if "[" in identifier:
                asked = set(identifier[:-1].split("[", 1)[1].split(","))
                provided = tuple(sorted(asked - self.unprovided.get(name, set())))
                if provided:
                    extras.setdefault(name, set()).add(provided)
            for child in self.children.get(identifier, ()):
                if _name_of(child) != name:
                    parents.setdefault(_name_of(child), set()).add(name)
                todo.append(child)
        return parents, extras


def _name_of(identifier: str) -> NormalizedName:
    return NormalizedName(identifier.split("[", 1)[0])


def resolve_environment(
    source: Source,
    env: Environment,
    roots: Iterable[Root],
    policy: Policy,
    projects: dict[NormalizedName, Listing] | None = None,
    *,
    progress: Progress = NO_PROGRESS,
    earlier: Mapping[str, Version] | None = None,
) -> EnvResolution:
    """One exact resolution of `roots` for `env`; ResolutionError explains a failure.
    `earlier`: another environment's solution, taken when it is this one's (`replay`)."""
    roots = tuple(roots)
    active = [root for root in roots if root.applies(env) and not root.constraint]
    constraints: dict[NormalizedName, tuple[Need, ...]] = dict(policy.constraints)
    for root in roots:
        if root.constraint and root.applies(env):
            constraints[root.need.name] = (*constraints.get(root.need.name, ()), root.need)
    local = policy.project.name if policy.project else None
    fixed = FixedAsks(
        [r.need for r in active] + [c for cs in constraints.values() for c in cs], local
    )
    provider = Provider(source, env, replace(policy, constraints=constraints), projects, fixed)
    source.prefetch(root.need.name for root in active)
    if earlier is None:  # a replay reads what `earlier` chose (fetched ahead for it)
        read_ahead(provider, (root.need for root in active))
    if fixed.by_name:
        force(provider, (root.need for root in active))
    progress.environment_started(str(env))
    reporter = Rejections(progress)
    needs = [root.need for root in active]
    try:
        result = (earlier and replay(provider, needs, earlier)) or _resolve(
            provider, reporter, needs
        )
    except ResolutionImpossible as exc:
        reason = explain(exc.causes, provider)
        raise EnvironmentConflict({reason: (env,)}, everywhere=False) from None
    except ResolutionTooDeep:
        over = reporter.most_rejected()
        raise ResolutionError(
            f"{env}: gave up after {MAX_ROUNDS} rounds of backtracking"
            + (f" over {over}" if over else "")
            + "; narrow the requirements (a pin or an upper bound on what keeps changing)"
        ) from None
    collected = _collect(env, active, result, provider.unprovided)
    progress.environment_finished(str(env), len(collected.chosen))
    return collected


def _resolve(provider: Provider, reporter: Rejections, needs: list[Need]) -> object:
    """resolvelib's result, restarting it while it learns: a pin made before the
    provider ruled that release out comes back with every state resolvelib restores when
    it backjumps (saleor: celery 5.7.0 after every protobuf backjump, then a hundred
    kombus each time). So the first conflict that blames such a pin, or an attempt that
    has backtracked past its budget of rounds while releases got ruled out, starts a new
    attempt from what has been ruled out, which never pins them; each next budget is
    twice the last. An attempt that has not backtracked goes on (a large application
    takes more rounds than the first budget without one backtrack: starting it again
    would only repeat them). The rounds of all attempts together stay within
    MAX_ROUNDS."""
    rounds, budget = 0, FIRST_ATTEMPT
    while True:
        reporter.attempt(budget, partial(_learned_since, provider, provider.generation))
        # A pin is never made once ruled out: one ruled out now was ruled out since.
        reporter.stale = provider.rules_out
        try:
            return Resolver(provider, reporter).resolve(needs, max_rounds=MAX_ROUNDS - rounds)
        except _Restart:
            rounds += reporter.round + 1
            if rounds >= MAX_ROUNDS:
                raise ResolutionTooDeep(MAX_ROUNDS) from None
            budget *= 2


def _learned_since(provider: Provider, generation: int) -> bool:
    return provider.generation > generation


def _collect(
    env: Environment,
    roots: list[Root],
    result: object,
    unprovided: Mapping[NormalizedName, set[str]],
) -> EnvResolution:
    mapping: Mapping[str, Candidate] = result.mapping  # type: ignore[attr-defined]  # resolvelib types Result as a bare tuple
    graph = result.graph  # type: ignore[attr-defined]  # see above
    chosen = {
        c.name: c.release for c in mapping.values() if c.name != PYTHON and c.release is not None
    }
    children = {
        key: frozenset(k for k in graph.iter_children(key) if mapping[k].name != PYTHON)
        for key in mapping
    }
    layer_roots: dict[str, set[str]] = {}
    labels: dict[tuple[str, NormalizedName], set[str]] = {}
    markers: dict[tuple[str, NormalizedName], set[str]] = {}
    for root in roots:
        layer_roots.setdefault(root.layer, set()).add(root.need.identifier)
        labels.setdefault((root.layer, root.need.name), set()).add(root.need.parent)
        text = "" if root.marker is None else str(root.marker)
        markers.setdefault((root.layer, root.need.name), set()).add(text)
    return EnvResolution(
        env,
        chosen,
        children,
        {layer: frozenset(ids) for layer, ids in layer_roots.items()},
        {key: frozenset(value) for key, value in labels.items()},
        {name: frozenset(extras) for name, extras in unprovided.items()},
        {key: frozenset(value) for key, value in markers.items()},
    )
