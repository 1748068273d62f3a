"""Per-environment resolutions merged into one lock per layer, with exact markers
(pure core).

Each pin's marker is true on exactly the environments of the layer's matrix that chose
that pin: nothing when it holds everywhere, `python_version` bounds when only Python
versions differ (`python_full_version` where a series is split at a patch release),
`sys_platform` (then `platform_machine`) when only platforms differ, and an `or` of
(python and platform) clauses otherwise. Never the `in` operator on version strings,
which compares text, not versions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.markers import InvalidMarker, Marker
from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.environments import PLATFORMS, Environment, PythonVersion
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.resolution.candidates import Release
from pipx_lockext.core.resolution.chains import ChainMarkers
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
    layer: str,
    matrix: Iterable[Environment],
    results: Mapping[Environment, EnvResolution],
    source: Source | None = None,
) -> tuple[LockedRelease, ...]:
    """The lock lines of `layer` over its `matrix` (each series with the sub-environments
    `results` holds for it, see `series_grid`); with `source`, a line's marker keeps the
    terms of the requirements that brought the pin in where those decide (see `chains`)."""
    grid = series_grid(tuple(matrix), results)
    where: dict[tuple[NormalizedName, Version], set[Environment]] = {}
    releases: dict[tuple[NormalizedName, Version], Release] = {}
    via: dict[NormalizedName, set[str]] = {}
    extras: dict[tuple[NormalizedName, Version], set[tuple[str, ...]]] = {}
    for cell, resolved_at in grid.items():
        result = results[resolved_at]
        closure, asked = result.walk(layer)
        for name, parents in closure.items():
            if name not in result.chosen:
                continue  # the project itself, asked for back by a dependency: never locked
            release = result.chosen[name]
            where.setdefault((name, release.version), set()).add(cell)
            releases[(name, release.version)] = release
            via.setdefault(name, set()).update(parents)
            via[name].update(result.root_labels.get((layer, name), ()))
            extras.setdefault((name, release.version), set()).update(asked.get(name, ()))
    cells = tuple(sorted(grid))
    chains = None
    if source is not None:
        chains = ChainMarkers(layer, [results[e] for e in sorted(set(grid.values()))], source)
    present: dict[NormalizedName, set[Environment]] = {}
    for (name, _), envs in where.items():
        present.setdefault(name, set()).update(envs)
    lines = []
    for (name, version), envs in sorted(where.items()):
        marker = env_marker(frozenset(envs), cells, name)
        if marker is not None and chains is not None:
            own = own_terms(chains.marker(name), frozenset(envs), present[name], cells)
            marker = _preferred(own, marker)
        lines.append(LockedRelease(name, version, releases[(name, version)], marker,
                                   tuple(sorted(via[name])),
                                   tuple(sorted(extras[(name, version)]))))  # fmt: skip
    return tuple(lines)


def own_terms(
    chain: str | None,
    selected: frozenset[Environment],
    present: set[Environment],
    cells: tuple[Environment, ...],
) -> str | None:
    """What tells a project's versions apart, conjoined with its chain marker, when
    that is true on exactly the `selected` cells (None otherwise: the caller falls back
    to the environment marker)."""
    if chain is None or not _true_on_exactly(chain, frozenset(present), cells):
        return None
    split = env_marker(selected, tuple(sorted(present)))
    if split is None:
        return chain
    text = " and ".join(f"({t})" if " or " in t else t for t in (split, chain))
    return text if _true_on_exactly(text, selected, cells) else None


NOT_PYTHON = ("sys_platform", "platform_", "os_name", "implementation_")
"""Marker variables other than the Python version (`platform_` also covers
`platform_python_implementation`)."""


def _preferred(own: str | None, environments: str) -> str:
    """The requirement's own terms, unless they speak of Python versions only and are
    longer: the matrix's `python_version` bounds then say the same more compactly
    (`python_full_version < "3.11.3" or python_version < "3.11"` from two parents)."""
    if own is None:
        return environments
    if any(name in own for name in NOT_PYTHON) or len(own) <= len(environments):
        return own
    return environments


def _true_on_exactly(
    text: str, selected: frozenset[Environment], cells: tuple[Environment, ...]
) -> bool:
    try:
        marker = Marker(text)
        return all(
            marker.evaluate({**cell.markers, "extra": ""}) == (cell in selected) for cell in cells
        )
    except (InvalidMarker, ValueError, TypeError):  # a term no environment can judge
        return False


def series_grid(
    matrix: tuple[Environment, ...], results: Mapping[Environment, EnvResolution]
) -> dict[Environment, Environment]:
    """Each cell of the layer's grid, and the resolution that holds there. A series split
    at some patch release on one platform is split there on every platform (so that one
    `python_full_version` bound serves all of them); a cell takes the resolution of its
    platform's sub-environment that covers it (the highest one not above it)."""
    patches: dict[PythonVersion, set[int]] = {}
    own: dict[tuple[PythonVersion, str], list[int]] = {}
    for floor in matrix:
        subs = sorted(
            e.patch for e in results if e.series == floor.series and e.patch >= floor.patch
        )
        own[floor.series] = subs or [floor.patch]
        patches.setdefault(floor.python, set()).update(own[floor.series])
    grid: dict[Environment, Environment] = {}
    for floor in matrix:
        for patch in sorted(patches[floor.python]):
            covering = max((p for p in own[floor.series] if p <= patch), default=floor.patch)
            grid[floor.at(patch)] = floor.at(covering)
    return grid


def env_marker(
    selected: frozenset[Environment], matrix: tuple[Environment, ...], name: str = ""
) -> str | None:
    """A marker true on exactly `selected` among `matrix` (None: true on all of it).
    `matrix` may hold sub-environments (a series from a patch release on): the same
    patch releases for every platform of a series."""
    if selected >= set(matrix):
        return None
    pythons = sorted({(env.python, env.patch) for env in matrix})
    platforms = sorted({env.platform_name for env in matrix}, key=list(PLATFORMS).index)
    groups: dict[frozenset[tuple[PythonVersion, int]], list[str]] = {}
    for platform in platforms:
        versions = frozenset((e.python, e.patch) for e in selected if e.platform_name == platform)
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


PythonPoint = tuple[PythonVersion, int]
"""A series from a patch release on, up to the next point of the matrix."""


def python_marker(versions: frozenset[PythonPoint], pythons: list[PythonPoint]) -> str | None:
    """Bounds selecting `versions` among `pythons` (None: all of them): `python_version`
    where a bound falls between series, `python_full_version` where it splits one."""
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


def _run(first: int, last: int, pythons: list[PythonPoint]) -> str:
    (low, low_patch), after = pythons[first], pythons[last + 1 : last + 2]
    whole = low_patch == 0 and (not after or after[0][1] == 0)
    one_series = low == pythons[last][0]
    if one_series and whole and first > 0 and last < len(pythons) - 1:
        return f'python_version == "{low}"'
    bounds = []
    if first > 0:
        bounds.append(_bound(">=", pythons[first]))
    if after:
        bounds.append(_bound("<", after[0]))
    return " and ".join(bounds)


def _bound(operator: str, point: PythonPoint) -> str:
    python, patch = point
    if patch:
        return f'python_full_version {operator} "{python}.{patch}"'
    return f'python_version {operator} "{python}"'


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
