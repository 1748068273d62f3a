"""Per-environment resolutions merged into one lock per layer, with exact markers
(pure core).

Each pin's marker is true on exactly the environments of the layer's matrix that chose
that pin: nothing when it holds everywhere, `python_version` bounds when only Python
versions differ, `sys_platform` (then `platform_machine`) when only platforms differ, and
an `or` of (python and platform) clauses otherwise. Never the `in` operator on version
strings, which compares text, not versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.environments import PLATFORMS, Environment, PythonVersion
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.resolution.candidates import Release
from pipx_lockext.core.resolution.resolver import EnvResolution


@dataclass(frozen=True)
class LockedRelease:
    """One line of a layer's lock before hashing: a release and where it applies."""

    name: NormalizedName
    version: Version
    release: Release
    marker: str | None
    via: tuple[str, ...]
    extras: tuple[tuple[str, ...], ...] = ()
    """Each set of extras some parent asks for, sorted (see `Pin.extras`)."""


def merge_layer(
    layer: str, matrix: Iterable[Environment], results: Mapping[Environment, EnvResolution]
) -> tuple[LockedRelease, ...]:
    """The lock lines of `layer` over its `matrix`."""
    matrix = tuple(sorted(matrix))
    where: dict[tuple[NormalizedName, Version], set[Environment]] = {}
    releases: dict[tuple[NormalizedName, Version], Release] = {}
    via: dict[NormalizedName, set[str]] = {}
    extras: dict[tuple[NormalizedName, Version], set[tuple[str, ...]]] = {}
    for env in matrix:
        result = results[env]
        closure, asked = result.walk(layer)
        for name, parents in closure.items():
            if name not in result.chosen:
                continue  # the project itself, asked for back by a dependency: never locked
            release = result.chosen[name]
            where.setdefault((name, release.version), set()).add(env)
            releases[(name, release.version)] = release
            via.setdefault(name, set()).update(parents)
            via[name].update(result.root_labels.get((layer, name), ()))
            extras.setdefault((name, release.version), set()).update(asked.get(name, ()))
    lines = []
    for (name, version), envs in sorted(where.items()):
        marker = env_marker(frozenset(envs), matrix, name)
        lines.append(LockedRelease(name, version, releases[(name, version)], marker,
                                   tuple(sorted(via[name])),
                                   tuple(sorted(extras[(name, version)]))))  # fmt: skip
    return tuple(lines)


def env_marker(
    selected: frozenset[Environment], matrix: tuple[Environment, ...], name: str = ""
) -> str | None:
    """A marker true on exactly `selected` among `matrix` (None: true on all of it)."""
    if selected >= set(matrix):
        return None
    pythons = sorted({env.python for env in matrix})
    platforms = sorted({env.platform_name for env in matrix}, key=list(PLATFORMS).index)
    groups: dict[frozenset[PythonVersion], list[str]] = {}
    for platform in platforms:
        versions = frozenset(e.python for e in selected if e.platform_name == platform)
        if versions:
            groups.setdefault(versions, []).append(platform)
    clauses = []
    for versions, members in sorted(groups.items(), key=lambda item: sorted(item[0])):
        parts = [python_marker(versions, pythons), platform_marker(members, platforms, name)]
        present = [p for p in parts if p]
        clause = " and ".join(f"({p})" if " or " in p and len(present) > 1 else p for p in present)
        clauses.append(clause)
    if len(clauses) == 1:
        return clauses[0]
    return " or ".join(f"({c})" if " and " in c or " or " in c else c for c in clauses)


def python_marker(versions: frozenset[PythonVersion], pythons: list[PythonVersion]) -> str | None:
    """`python_version` bounds selecting `versions` among `pythons` (None: all of them)."""
    if versions >= set(pythons):
        return None
    runs: list[tuple[int, int]] = []
    for index, version in enumerate(pythons):
        if version in versions:
            if runs and runs[-1][1] == index - 1:
                runs[-1] = (runs[-1][0], index)
            else:
                runs.append((index, index))
    texts = [_run(first, last, pythons) for first, last in runs]
    if len(texts) == 1:
        return texts[0]
    return " or ".join(f"({t})" if " and " in t else t for t in texts)


def _run(first: int, last: int, pythons: list[PythonVersion]) -> str:
    if first == last and 0 < first < len(pythons) - 1:
        return f'python_version == "{pythons[first]}"'
    bounds = []
    if first > 0:
        bounds.append(f'python_version >= "{pythons[first]}"')
    if last < len(pythons) - 1:
        bounds.append(f'python_version < "{pythons[last + 1]}"')
    return " and ".join(bounds)


def platform_marker(members: list[str], platforms: list[str], name: str = "") -> str | None:
    """A marker selecting the platforms `members` among `platforms` (None: all of them)."""
    others = [p for p in platforms if p not in members]
    if not others:
        return None
    for keys in (("sys_platform",), ("platform_machine",), ("sys_platform", "platform_machine")):
        inside = {_values(p, keys) for p in members}
        outside = {_values(p, keys) for p in others}
        if inside.isdisjoint(outside):
            return _select(keys, inside, outside)
    raise ResolutionError(
        f"{name}: {', '.join(members)} and {', '.join(others)} need different releases, "
        "and no environment marker tells these platforms apart; lock them separately "
        "([tool.reqlock] platforms) or pin one version"
    )


def _values(platform: str, keys: tuple[str, ...]) -> tuple[str, ...]:
    described = PLATFORMS[platform]
    return tuple(getattr(described, key) for key in keys)


def _select(
    keys: tuple[str, ...], inside: set[tuple[str, ...]], outside: set[tuple[str, ...]]
) -> str:
    if len(keys) == 1 and len(outside) == 1 and len(inside) > 1:
        (value,) = next(iter(outside))
        return f'{keys[0]} != "{value}"'
    clauses = [" and ".join(f'{k} == "{v}"' for k, v in zip(keys, values, strict=True))
               for values in sorted(inside)]  # fmt: skip
    if len(clauses) == 1:
        return clauses[0]
    return " or ".join(f"({c})" if " and " in c else c for c in clauses)
