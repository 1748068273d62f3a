"""Resolving a project's layers on each environment of its matrix (pure core; reads the
indexes through `core.index.source.Source`).

Every environment gets one exact resolution of all the layers that apply there, together,
so that a package shared by two layers has one pin. Environments are resolved oldest
Python first, and each prefers what the ones before it chose (one version everywhere when
one version serves), after the pins of the existing locks (minimal churn).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from packaging.markers import Marker
from packaging.utils import NormalizedName
from packaging.version import Version
from resolvelib import BaseReporter, ResolutionImpossible, ResolutionTooDeep, Resolver

from pipx_lockext.core.environments import Environment, describe_matrix
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.core.resolution.candidates import Project, Release
from pipx_lockext.core.resolution.explain import explain
from pipx_lockext.core.resolution.fixed import FixedAsks
from pipx_lockext.core.resolution.provider import (
    PYTHON,
    Candidate,
    Need,
    Policy,
    Provider,
)
from pipx_lockext.core.resolution.series import series_points, split_points

MAX_ROUNDS = 20_000
MAX_HINT_TRIES = 4
"""Later patch releases tried, when a series' floor fails, to say where it would work."""
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

    def starting_round(self, index: int) -> None:
        self.round = index

    def rejecting_candidate(self, criterion: object, candidate: Candidate) -> None:
        self.counts[candidate.name] += 1
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
        return [f"{_describe(envs)}: {reason}" for reason, envs in self.reasons.items()]


def _describe(envs: tuple[Environment, ...]) -> str:
    """ "python 3.9-3.13 on linux-x86_64" when the environments are every pair of their
    Pythons and platforms, else each one."""
    pairs = {(e.python, e.platform_name) for e in envs}
    pythons, platforms = {e.python for e in envs}, {e.platform_name for e in envs}
    if len(pairs) == len(pythons) * len(platforms):
        return describe_matrix(envs)
    return "; ".join(str(env) for env in sorted(envs))


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


def resolve_matrix(
    source: Source,
    roots_by_env: Mapping[Environment, tuple[Root, ...]],
    policy: Policy,
    existing: Mapping[Environment, Mapping[NormalizedName, Version]] | None = None,
    progress: Progress = NO_PROGRESS,
) -> dict[Environment, EnvResolution]:
    """Resolve every environment, oldest Python first, each at its series' floor and
    then again from every in-series bound it met (see `_split_series`); with
    `policy.same_versions`, each preferring what the ones before it chose, then
    converging (see `_converge`); otherwise each on its own, as pip would there
    (existing pins still kept). The result holds the sub-environments too."""
    run = _MatrixRun(source, dict(roots_by_env), policy, existing or {}, progress)
    progress.environments(len(roots_by_env))
    for env in sorted(roots_by_env, key=lambda e: (e.python, e.platform_name, e.patch)):
        run.resolve(env)
    for env in sorted(roots_by_env):
        run.split_series(env)
    for env in sorted(run.failed):
        run.failed[env] += run.later_patch_hint(env)
    if run.failed:
        raise _conflict(run.failed, len(run.roots))
    if policy.same_versions:
        _converge(
            run.results,
            source=source,
            roots_by_env=run.roots,
            policy=policy,
            existing=run.existing,
            projects=run.projects,
        )
    return run.results


@dataclass
class _MatrixRun:
    """The state of one `resolve_matrix`: what is resolved, what failed, and the files
    of every project looked up (shared by every environment)."""

    source: Source
    roots: dict[Environment, tuple[Root, ...]]
    policy: Policy
    existing: Mapping[Environment, Mapping[NormalizedName, Version]]
    progress: Progress = NO_PROGRESS
    results: dict[Environment, EnvResolution] = field(default_factory=dict)
    failed: dict[Environment, str] = field(default_factory=dict)
    projects: dict[NormalizedName, Project] = field(default_factory=dict)
    earlier: dict[NormalizedName, Version] = field(default_factory=dict)

    def resolve(self, env: Environment) -> None:
        preferred = {**self.earlier, **existing_for(self.existing, env)}
        env_policy = replace(self.policy, preferred=preferred)
        try:
            result = resolve_environment(
                self.source,
                env,
                self.roots[env],
                env_policy,
                self.projects,
                progress=self.progress,
            )
        except EnvironmentConflict as exc:
            # Go on: whether the others fail too decides whether to name environments.
            self.failed[env] = next(iter(exc.reasons))
            return
        self.results[env] = result
        if self.policy.same_versions:
            self.earlier.update({name: rel.version for name, rel in result.chosen.items()})

    def split_series(self, floor: Environment) -> None:
        """Resolve `floor`'s series again from each patch release where what its
        resolutions met could change, until no new such point appears."""
        done: set[int] = set()
        todo = [floor.patch]
        while todo:
            patch = todo.pop(0)
            done.add(patch)
            env = floor.at(patch)
            if env not in self.results and env not in self.failed:
                self.roots[env] = self.roots[floor]
                self.resolve(env)
            result = self.results.get(env)
            if result is None:
                continue
            markers = [str(r.marker) for r in self.roots[floor] if r.marker is not None]
            found = split_points(
                floor, markers, result.chosen, source=self.source, projects=self.projects
            )
            todo = sorted(set(todo) | (found - done))

    def later_patch_hint(self, floor: Environment) -> str:
        """When `floor` cannot be resolved but a later patch release of its series can
        (a pin needing 3.9.2+), the range that fails and the two ways to narrow it."""
        if floor.patch != self._floor_patch(floor):
            return ""  # a sub-environment: its floor resolved; the error is its own
        markers = [str(r.marker) for r in self.roots[floor] if r.marker is not None]
        points = series_points(floor, markers, self.projects)
        for patch in sorted(points)[:MAX_HINT_TRIES]:
            env = floor.at(patch)
            self.roots[env] = self.roots[floor]
            try:
                resolve_environment(self.source, env, self.roots[env], self.policy, self.projects)
            except ResolutionError:
                continue
            finally:
                del self.roots[env]
            later = f"{floor.python}.{patch}"
            return (
                f" (this fails on Python {floor.python}.{floor.patch}-{floor.python}."
                f"{patch - 1} only and resolves from {later} on: narrow the matrix with "
                f'--python {later} or requires-python = ">={later}")'
            )
        return ""

    def _floor_patch(self, env: Environment) -> int:
        return min(e.patch for e in self.roots if e.series == env.series)


def existing_for(
    existing: Mapping[Environment, Mapping[NormalizedName, Version]], env: Environment
) -> Mapping[NormalizedName, Version]:
    """The existing lock's pins for `env`: its own entry, else that of the nearest
    sub-environment below it in its series (pins of older locks hold on a whole series)."""
    below = [e for e in existing if e.series == env.series and e.patch <= env.patch]
    return existing[max(below)] if below else {}


def _conflict(failed: Mapping[Environment, str], matrix_size: int) -> EnvironmentConflict:
    reasons: dict[str, tuple[Environment, ...]] = {}
    for env, reason in sorted(failed.items()):
        reasons[reason] = (*reasons.get(reason, ()), env)
    return EnvironmentConflict(
        reasons, everywhere=len(reasons) == 1 and len(failed) == matrix_size
    )


def _converge(
    results: dict[Environment, EnvResolution],
    *,
    source: Source,
    roots_by_env: Mapping[Environment, tuple[Root, ...]],
    policy: Policy,
    existing: Mapping[Environment, Mapping[NormalizedName, Version]],
    projects: dict[NormalizedName, Project],
) -> None:
    """One version everywhere when one version serves: an environment resolved early
    cannot know that a later one will only take an older release (no wheel for Windows
    in the newest, say). So each project that ended up with several versions is offered
    again at the oldest of them, in the environments that chose another, and a new
    resolution is kept when it brings those environments closer to one version."""
    chosen: dict[NormalizedName, set[Version]] = {}
    for result in results.values():
        for name, release in result.chosen.items():
            chosen.setdefault(name, set()).add(release.version)
    unified = {name: min(versions) for name, versions in chosen.items() if len(versions) > 1}
    if not unified:
        return
    for env, result in sorted(results.items()):
        before = _agreement(result, unified)
        if before == sum(1 for name in unified if name in result.chosen):
            continue
        own = {name: release.version for name, release in result.chosen.items()}
        preferred = {**own, **unified, **existing_for(existing, env)}
        env_policy = replace(policy, preferred=preferred)
        again = resolve_environment(source, env, roots_by_env[env], env_policy, projects)
        if _agreement(again, unified) > before:
            results[env] = again


def _agreement(result: EnvResolution, unified: Mapping[NormalizedName, Version]) -> int:
    return sum(
        1
        for name, v in unified.items()
        if name in result.chosen and result.chosen[name].version == v
    )


def resolve_environment(
    source: Source,
    env: Environment,
    roots: Iterable[Root],
    policy: Policy,
    projects: dict[NormalizedName, Project] | None = None,
    *,
    progress: Progress = NO_PROGRESS,
) -> EnvResolution:
    """One exact resolution of `roots` for `env`; ResolutionError explains a failure."""
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
    if fixed.by_name:
        provider.force(root.need for root in active)
    progress.environment_started(str(env))
    reporter = Rejections(progress)
    try:
        result = _resolve(provider, reporter, [root.need for root in active])
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
    runs long while releases get ruled out, starts a new attempt from what has been ruled
    out, which never pins them. Each restart needs something new ruled out, so the
    rounds of all attempts together stay within MAX_ROUNDS."""
    rounds, budget = 0, min(FIRST_ATTEMPT, MAX_ROUNDS)
    while True:
        learned = provider.generation
        # A pin is never made once ruled out: one ruled out now was ruled out since.
        reporter.stale = provider.rules_out
        try:
            return Resolver(provider, reporter).resolve(needs, max_rounds=budget)
        except _Restart:
            rounds += reporter.round + 1
            budget = max(1, min(budget, MAX_ROUNDS - rounds))
        except ResolutionTooDeep:
            rounds += budget
            if rounds >= MAX_ROUNDS:
                raise
            more = provider.generation > learned
            budget = min(budget * 2 if more else MAX_ROUNDS, MAX_ROUNDS - rounds)


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
