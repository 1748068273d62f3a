"""What a compile warns about beside its locks (pure core; reads the indexes through
`core.index.source.Source` for yank reasons): a requirement whose marker is true on no
environment, a kept pin since yanked, an extra the chosen release does not provide, a
pin that only an sdist installs somewhere. Each warning names what it is about; none
changes a lock.
"""

from __future__ import annotations

from collections.abc import Mapping

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.environments import Environment, describe_matrix
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.resolution.resolver import EnvResolution, Root


def dead_marker_warnings(
    inputs: ProjectInputs, roots: Mapping[str, list[Root]]
) -> tuple[str, ...]:
    """Each requirement of the project whose marker is true on no environment of any layer
    holding it: never locked, so it is said (with its file and line), not dropped silently."""
    dead: dict[str, str] = {}
    alive: set[str] = set()
    for layer, found in roots.items():
        matrix = inputs.matrix(layer)
        for root in found:
            if root.marker is None or root.constraint:
                continue
            key = f"{root.need.where}: {root.need.text} ; {root.marker}"
            if any(root.applies(env) for env in matrix):
                alive.add(key)
            else:
                dead.setdefault(key, describe_matrix(matrix))
    return tuple(
        f"{key}: the marker is true on no environment of the matrix ({matrix}); not locked"
        for key, matrix in sorted(dead.items())
        if key not in alive
    )


def yank_warnings(
    results: Mapping[Environment, EnvResolution],
    preferred: Mapping[Environment, Mapping[NormalizedName, Version]],
    source: Source,
) -> tuple[str, ...]:
    """A kept pin that was yanked since, and any yanked release chosen (pinned `==`)."""
    warnings: set[str] = set()
    for env, result in results.items():
        for name, release in result.chosen.items():
            if release.yanked is not None:
                why = release.yanked or "no reason given"
                warnings.add(f"{name}=={release.version} is yanked ({why}); kept: pinned exactly")
        for name, version in preferred.get(env, {}).items():
            chosen = result.chosen.get(name)
            if chosen is None or chosen.version == version:
                continue
            reason = _yank_reason(source.files(name).files(version))
            if reason is not None:
                why = reason or "no reason given"
                warnings.add(
                    f"{name}=={version} of the existing lock has been yanked ({why}); "
                    f"now {chosen.version}"
                )
    return tuple(sorted(warnings))


def extra_warnings(results: Mapping[Environment, EnvResolution]) -> tuple[str, ...]:
    """Extras asked of a release that does not provide them (pip warns and ignores them)."""
    found: set[str] = set()
    for result in results.values():
        for name, extras in result.unprovided.items():
            release = result.chosen.get(name)
            if release is not None:
                found.update(
                    f"{name}=={release.version} does not provide the extra {extra!r}; ignored"
                    for extra in extras
                )
    return tuple(sorted(found))


def sdist_warnings(results: Mapping[Environment, EnvResolution]) -> tuple[str, ...]:
    """Each pin that installs from its sdist somewhere: pip builds it at install time, and
    the build dependencies it fetches then are not hash-checked."""
    where: dict[tuple[str, Version], list[Environment]] = {}
    for env, result in results.items():
        for name, release in result.chosen.items():
            if not release.direct and release.from_sdist:
                where.setdefault((name, release.version), []).append(env)
    return tuple(
        f"{name}=={version} has no wheel for {_describe_some(envs)}: pip "
        "builds it from the sdist, and the build dependencies it fetches are not "
        "hash-checked (--only-binary refuses sdists)"
        for (name, version), envs in sorted(where.items())
    )


def _describe_some(envs: list[Environment]) -> str:
    """Environments that need not form a full matrix, platform by platform."""
    platforms = sorted({env.platform_name for env in envs})
    return "; ".join(
        describe_matrix(tuple(e for e in envs if e.platform_name == platform))
        for platform in platforms
    )


def _yank_reason(files: tuple[DistFile, ...]) -> str | None:
    """Why a release (`files`) was yanked; None when it was not (or is not listed)."""
    if files and all(f.yanked is not None for f in files):
        return next((f.yanked for f in files if f.yanked), "")
    return None
