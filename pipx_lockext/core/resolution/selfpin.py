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
from dataclasses import dataclass, field

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from pipx_lockext.core.environments import Environment
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.index.coremeta import BadDistribution
from pipx_lockext.core.index.listing import Listing
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.resolution.candidates import Formats, Offer, Release
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
    formats: Formats = "any",
    preferred: Mapping[Environment, Mapping[NormalizedName, Version]] | None = None,
) -> dict[Environment, Release]:
    """Per environment whose resolution asks for the project back, the release to lock
    (the existing lock's, while it still fits: minimal churn, as for every pin);
    ResolutionError when no release on the index satisfies the asks there."""
    chosen: dict[Environment, Release] = {}
    project: Listing | None = None
    for env, result in sorted(results.items()):
        asks = asks_back(name, result, source)
        if not asks:
            continue
        if project is None:
            project = source.files(name)
        offer = Offer(project, env, formats=formats)
        kept = (preferred or {}).get(env, {}).get(name)
        chosen[env] = _newest_fitting(name, (offer, kept), asks, result, source)
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
    offered: tuple[Offer, Version | None],
    asks: tuple[Ask, ...],
    result: EnvResolution,
    source: Source,
) -> Release:
    offer, kept = offered
    fitting = [
        r
        for r in offer
        if r.yanked is None
        and all(a.requirement.specifier.contains(r.version, prereleases=True) for a in asks)
    ]
    fitting.sort(
        key=lambda r: (r.version == kept, not r.version.is_prerelease, r.version), reverse=True
    )
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


@dataclass
class _Added:
    """A release joining a layer's lock, where and through whom (built up, then made a
    `LockedRelease`)."""

    release: Release
    envs: set[Environment] = field(default_factory=set)
    via: set[str] = field(default_factory=set)
    extras: set[tuple[str, ...]] = field(default_factory=set)


def with_project(
    lines: tuple[LockedRelease, ...],
    layer: str,
    matrix: tuple[Environment, ...],
    results: Mapping[Environment, EnvResolution],
    itself: tuple[Mapping[Environment, Release], Source],
) -> tuple[LockedRelease, ...]:
    """`layer`'s lock lines (over `matrix`, from `merge_layer`) with the project's own line
    on the environments whose closure asks for it, and with what that release needs that
    the layer's closure lacks there (virtualenv 21 needs packaging, which only the test
    layer holds): plain pip installs the release with its dependencies, hash-checked."""
    releases, source = itself
    added: dict[tuple[NormalizedName, Version], _Added] = {}
    for env in matrix:
        release = releases.get(env)
        closure, asked = results[env].walk(layer)
        if release is None or release.name not in closure:
            continue
        parents = closure[release.name] - {release.name}
        mine = added.setdefault((release.name, release.version), _Added(release))
        mine.envs.add(env)
        mine.via.add(f"{', '.join(sorted(parents))} ({ITSELF})")
        mine.extras |= asked.get(release.name, set())
        extras = {e for group in asked.get(release.name, ()) for e in group}
        for dep in _lacking(release, results[env], closure, source, extras):
            more = added.setdefault((dep.name, dep.version), _Added(dep))
            more.envs.add(env)
            more.via.add(release.name)
    return _combined(lines, added, matrix)


def _lacking(
    release: Release,
    result: EnvResolution,
    closure: Mapping[NormalizedName, object],
    source: Source,
    extras: Iterable[str],
) -> list[Release]:
    """The releases chosen in `result` that the project's `release` needs (transitively)
    and the layer's `closure` does not hold."""
    todo = []
    for req in _requires(release, source, result.env, extras):
        name = canonicalize_name(req.name)
        todo += [name, f"{name}[{','.join(sorted(canonicalize_name(e) for e in req.extras))}]"]
    seen: set[str] = set()
    found: dict[NormalizedName, Release] = {}
    while todo:
        identifier = todo.pop()
        if identifier in seen:
            continue
        seen.add(identifier)
        name = NormalizedName(identifier.split("[", 1)[0])
        if name != release.name and name not in closure and name in result.chosen:
            found[name] = result.chosen[name]
        todo += result.children.get(identifier, ())
    return [found[name] for name in sorted(found)]


def _combined(
    lines: tuple[LockedRelease, ...],
    added: Mapping[tuple[NormalizedName, Version], _Added],
    matrix: tuple[Environment, ...],
) -> tuple[LockedRelease, ...]:
    """`lines` with the `added` releases: a release already on a line for other
    environments gets one line over both, its marker made again."""
    out = {(line.name, line.version): line for line in lines}
    for key, new in added.items():
        envs, via, extras = set(new.envs), set(new.via), set(new.extras)
        line = out.get(key)
        if line is not None:
            marker = Marker(line.marker) if line.marker else None
            envs |= {e for e in matrix if marker is None or marker.evaluate(_env(e))}
            via |= set(line.via)
            extras |= set(line.extras)
        name, version = key
        marker_text = env_marker(frozenset(envs), matrix, name)
        out[key] = LockedRelease(
            name, version, new.release, marker_text, tuple(sorted(via)), tuple(sorted(extras))
        )
    return tuple(out[key] for key in sorted(out))


def _env(env: Environment) -> dict[str, str]:
    return {**env.markers, "extra": ""}
