"""The project itself in its own locks, when a dependency asks for it back (pure core;
reads the indexes through `core.index.source.Source`).

The resolver grants the project from the working tree (hypothesis → attrs, pre-commit →
virtualenv, pytest-xdist → pytest), and `sync` installs the working tree. Plain
`pip install --require-hashes -r` has no working tree: it needs a hashed `==` line for
every requirement it meets. So after resolution, each environment where a layer's closure
asks for the project gets the project's newest release on the index that satisfies every
such ask and whose own dependencies the environment's pins satisfy; none: exit 3 naming
the asks. It never changes the resolution itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from pipx_lockext.core.environments import Environment
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.index.coremeta import BadDistribution
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.resolution.candidates import Offer, Project, Release
from pipx_lockext.core.resolution.merge import LockedRelease, env_marker
from pipx_lockext.core.resolution.resolver import EnvResolution

ITSELF = "the project itself; sync installs the working tree over it"
"""What the `# via` comment of the project's own line says after its parents."""


@dataclass(frozen=True)
class Ask:
    """One requirement on the project, by a release in the resolution."""

    parent: NormalizedName
    text: str
    """`hypothesis 6.100.0 asks attrs>=22.2.0`, for messages."""
    requirement: Requirement


def project_releases(
    name: NormalizedName,
    results: Mapping[Environment, EnvResolution],
    source: Source,
    *,
    only_binary: bool = False,
) -> dict[Environment, Release]:
    """Per environment whose resolution asks for the project back, the release to lock;
    ResolutionError when no release on the index satisfies the asks there."""
    chosen: dict[Environment, Release] = {}
    project: Project | None = None
    for env, result in sorted(results.items()):
        asks = asks_back(name, result, source)
        if not asks:
            continue
        if project is None:
            project = Project.of(name, source.files(name))
        offer = Offer(project, env, only_binary=only_binary)
        chosen[env] = _newest_fitting(name, offer, asks, result, source)
    return chosen


def asks_back(name: NormalizedName, result: EnvResolution, source: Source) -> tuple[Ask, ...]:
    """What the releases chosen in one environment ask of the project `name`."""
    asks: list[Ask] = []
    for identifier, children in sorted(result.children.items()):
        parent = NormalizedName(identifier.split("[", 1)[0])
        if parent == name or not any(c.split("[", 1)[0] == name for c in children):
            continue
        release = result.chosen.get(parent)
        if release is None:
            continue
        extras = identifier[:-1].split("[", 1)[1].split(",") if "[" in identifier else []
        for req in _requires(release, source, result.env, extras):
            if canonicalize_name(req.name) == name:
                text = f"{parent} {release.version} asks {str(req).split(';')[0].strip()}"
                asks.append(Ask(parent, text, req))
    return tuple(dict.fromkeys(asks))


def _requires(
    release: Release, source: Source, env: Environment, extras: Iterable[str]
) -> list[Requirement]:
    """The release's requirements that apply in `env` (with `extras` asked of it)."""
    try:
        meta = source.metadata(release.metadata_file)
    except BadDistribution:
        return []
    contexts = [{**env.markers, "extra": extra} for extra in ("", *extras)]
    return [
        req
        for req in meta.requires_dist
        if req.marker is None or any(req.marker.evaluate(c) for c in contexts)
    ]


def _newest_fitting(
    name: NormalizedName,
    offer: Offer,
    asks: tuple[Ask, ...],
    result: EnvResolution,
    source: Source,
) -> Release:
    fitting = [
        r
        for r in offer
        if r.yanked is None
        and all(a.requirement.specifier.contains(r.version, prereleases=True) for a in asks)
    ]
    fitting.sort(key=lambda r: (not r.version.is_prerelease, r.version), reverse=True)
    unmet: list[str] = []
    for release in fitting:
        missing = _unmet(name, release, result, source)
        if not missing:
            return release
        unmet.append(f"{name} {release.version} needs {missing}")
    said = "; ".join(ask.text for ask in asks)
    why = f" (tried: {'; '.join(unmet[:3])})" if unmet else ""
    raise ResolutionError(
        f"{result.env}: {said}: no release of the project {name} on the index satisfies "
        f"{'them' if len(asks) > 1 else 'it'} and installs with the lock's pins{why}; "
        "plain pip install -r needs one (publish one, or relax the ask)"
    )


def _unmet(name: NormalizedName, release: Release, result: EnvResolution, source: Source) -> str:
    """A requirement of the release the environment's pins do not satisfy ("" when none)."""
    for req in _requires(release, source, result.env, ()):
        dep = canonicalize_name(req.name)
        if dep == name:
            continue
        pinned = result.chosen.get(dep)
        if pinned is None or not req.specifier.contains(pinned.version, prereleases=True):
            return str(req).split(";")[0].strip()
    return ""


def project_lines(
    layer: str,
    matrix: tuple[Environment, ...],
    results: Mapping[Environment, EnvResolution],
    releases: Mapping[Environment, Release],
) -> tuple[LockedRelease, ...]:
    """The project's own lines in `layer`'s lock: one per release, marked for the
    environments of the layer whose closure asks for it."""
    where: dict[Version, set[Environment]] = {}
    chosen: dict[Version, Release] = {}
    parents: set[str] = set()
    extras: set[tuple[str, ...]] = set()
    for env in matrix:
        release = releases.get(env)
        if release is None:
            continue
        closure, asked = results[env].walk(layer)
        if release.name not in closure:
            continue
        where.setdefault(release.version, set()).add(env)
        chosen[release.version] = release
        parents |= closure[release.name] - {release.name}
        extras |= asked.get(release.name, set())
    via = (f"{', '.join(sorted(parents))} ({ITSELF})",)
    return tuple(
        LockedRelease(
            release.name,
            version,
            release,
            env_marker(frozenset(where[version]), matrix, release.name),
            via,
            tuple(sorted(extras)),
        )
        for version, release in sorted(chosen.items())
    )
