"""Resolving every environment of a matrix (pure core; reads the indexes through
`core.index.source.Source`).

Environments are resolved oldest Python first, each at its series' floor and then again
from every in-series bound it met (see `series`); with `same-versions`, each prefers what
the ones before it chose (one version everywhere when one version serves), after the pins
of the existing locks (minimal churn). A failure on some environments is said once when
it holds on all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.environments import Environment
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.index.listing import Listing
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.core.resolution.asks import Policy
from pipx_lockext.core.resolution.candidates import Offer, file_formats
from pipx_lockext.core.resolution.resolver import (
    EnvironmentConflict,
    EnvResolution,
    Root,
    resolve_environment,
)
from pipx_lockext.core.resolution.series import series_points, split_points

MAX_HINT_TRIES = 4
"""Later patch releases tried, when a series' floor fails, to say where it would work."""


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
    projects: dict[NormalizedName, Listing] = field(default_factory=dict)
    earlier: dict[NormalizedName, Version] = field(default_factory=dict)
    ahead: set[tuple[Environment, NormalizedName, Version]] = field(default_factory=set)
    """The releases whose metadata was fetched ahead for an environment (`_fetch_ahead`)."""

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
                earlier=self._replayable(env),
            )
        except EnvironmentConflict as exc:
            # Go on: whether the others fail too decides whether to name environments.
            self.failed[env] = next(iter(exc.reasons))
            return
        self.results[env] = result
        self._fetch_ahead(result)
        if self.policy.same_versions:
            self.earlier.update({name: rel.version for name, rel in result.chosen.items()})

    def _fetch_ahead(self, result: EnvResolution) -> None:
        """Start reading, for every environment still to resolve, the metadata of the
        releases `result` chose as they would be read there (another platform's wheel):
        its replay asks for them one by one, and fetched side by side they are there by
        then. Wheels only (an sdist may mean a build); only the time changes."""
        files = []
        for env in sorted(self.roots.keys() - self.results.keys() - self.failed.keys()):
            for name, chosen in result.chosen.items():
                listing = self.projects.get(name)
                if chosen.direct or listing is None or (env, name, chosen.version) in self.ahead:
                    continue
                self.ahead.add((env, name, chosen.version))
                formats = file_formats(name, self.policy.only_binary, self.policy.no_binary)
                release = Offer(listing, env, formats=formats).get(chosen.version)
                if release is not None and not release.from_sdist:
                    files.append(release.metadata_file)
        self.source.prefetch_metadata(files)

    def _replayable(self, env: Environment) -> dict[str, Version] | None:
        """The solution `env` tries first (see `replay`): the latest of the same Python
        on the same platform (a sub-environment's floor), else on any platform. Not
        across Pythons: Requires-Python moves pins often enough there (django 4.2 on
        3.9, 5.2 on 3.10) that trying cost more than it saved (medium set, warm: 3.2 s
        of CPU with, 2.5 s without)."""
        same = [r for r in reversed(self.results.values()) if r.env.python == env.python]
        mine = [r for r in same if r.env.platform_name == env.platform_name]
        return (mine or same)[0].solution if same else None

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
    projects: dict[NormalizedName, Listing],
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
