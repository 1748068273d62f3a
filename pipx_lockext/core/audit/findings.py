"""What an audit found, per advisory: the pin it affects, the layers and environments
where that pin is active, the first fixed version and whether the project's own
requirements allow it (pure core).

A pin is active on the environments of its lock's header where its marker holds, so a
pin split by `python_version` is reported only where the vulnerable version installs.
"Allowed" is judged against the layer's roots only (its own requirements, those of the
layers it includes, and its constraints, for that name): for a package that only comes in
through another one, what holds it back is not known without resolving, and is said so.
A layer's build lock (the build requirements of its sdist-only pins) is audited too; its
pins are nobody's requirement, so whether their fix is allowed is not known either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.audit.osv import Advisory, Hit
from pipx_lockext.core.environments import Environment, describe_matrix
from pipx_lockext.core.inputs.dependencies import Dependency
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.lockparse import ParsedLock

ALLOWED = "allowed"
HELD_BACK = "held-back"
TRANSITIVE = "not-known"
NO_FIX = "no-fix"


@dataclass(frozen=True)
class LayerHit:
    """Where in one layer the vulnerable pin is active, and whether its fix is allowed."""

    layer: str
    lock: str
    """The lock file, relative to the project."""
    build: bool
    environments: tuple[Environment, ...]
    fix: str
    """ALLOWED, HELD_BACK, TRANSITIVE (not a root: not known without resolving) or NO_FIX."""
    held_back_by: tuple[str, ...] = ()
    """For HELD_BACK: each requirement that excludes the fixed version, with its place."""


@dataclass(frozen=True)
class Finding:
    """One advisory against one pinned version."""

    advisory: Advisory
    name: NormalizedName
    version: Version
    fixed: Version | None
    layers: tuple[LayerHit, ...]
    ignored: str | None = None
    """The reason given in `[tool.reqlock.audit] ignore`, when it is ignored."""


def pins_in(
    locks: Mapping[str, ParsedLock],
) -> dict[tuple[NormalizedName, Version], dict[str, tuple[Environment, ...]]]:
    """For each pinned (name, version), the environments it is active on, per lock file
    (`locks` by path)."""
    found: dict[tuple[NormalizedName, Version], dict[str, tuple[Environment, ...]]] = {}
    for path, lock in locks.items():
        for pin in lock.pins:
            active = tuple(env for env in lock.environments if pin.applies(env))
            if active or not lock.environments:
                where = found.setdefault((pin.name, pin.version), {})
                where[path] = tuple(dict.fromkeys((*where.get(path, ()), *active)))
    return found


def findings(
    inputs: ProjectInputs,
    locks: Mapping[str, ParsedLock],
    advisories: Iterable[Advisory],
    ignore: Mapping[str, str] | None = None,
) -> tuple[Finding, ...]:
    """Every advisory that affects a pin of `locks` (by path: each layer's lock and build
    lock), sorted by package, version
    and id; those the project ignores (`ignore`: reason by advisory id or alias) carry
    their reason."""
    by_name: dict[NormalizedName, list[Advisory]] = {}
    for advisory in advisories:
        for name in advisory.names:
            by_name.setdefault(name, []).append(advisory)
    reasons = ignore or {}
    found = []
    for (name, version), layers in sorted(pins_in(locks).items()):
        for advisory in by_name.get(name, ()):
            hit = advisory.hit(name, version)
            if hit is not None:
                found.append(_finding(inputs, hit, layers, reasons.get))
    return tuple(sorted(found, key=lambda f: (f.name, f.version, f.advisory.id)))


def _finding(
    inputs: ProjectInputs,
    hit: Hit,
    layers: Mapping[str, tuple[Environment, ...]],
    reason_for: Callable[[str], str | None],
) -> Finding:
    name, version = hit.name, hit.version
    owners = {
        path: (n, build)
        for n, layer in enumerate(inputs.layer_names())
        for build, path in enumerate((inputs.lock_file(layer), inputs.build_lock_file(layer)))
    }
    hits = []
    for path, envs in sorted(layers.items(), key=lambda item: owners[item[0]]):
        layer = inputs.layer_names()[owners[path][0]]
        build = bool(owners[path][1])
        fix, by = fix_status(inputs, layer, name, hit.fixed)
        if build and hit.fixed is not None:
            fix, by = TRANSITIVE, ()  # a build requirement is no root of the layer
        hits.append(LayerHit(layer, path, build, envs, fix, by))
    ids = (hit.advisory.id, *hit.advisory.aliases)
    reason = next((r for i in ids if (r := reason_for(i)) is not None), None)
    return Finding(hit.advisory, name, version, hit.fixed, tuple(hits), reason)


def fix_status(
    inputs: ProjectInputs, layer: str, name: NormalizedName, fixed: Version | None
) -> tuple[str, tuple[str, ...]]:
    """Whether the layer's roots for `name` admit `fixed`, and which ones do not."""
    if fixed is None:
        return NO_FIX, ()
    roots = [dep for dep in _roots(inputs, layer) if dep.name == name and dep.requirement]
    if not roots:
        return TRANSITIVE, ()
    holding = tuple(
        f"{dep.text} ({dep.where})"
        for dep in roots
        if dep.requirement is not None
        and not dep.requirement.specifier.contains(fixed, prereleases=True)
    )
    return (HELD_BACK, holding) if holding else (ALLOWED, ())


def _roots(inputs: ProjectInputs, layer: str) -> list[Dependency]:
    """The layer's own requirements and constraints, its includes' and its extras'."""
    found: list[Dependency] = []
    for sub in inputs.included(layer):
        each = inputs.layer(sub)
        found += (*each.requirements, *each.constraints)
        for extra in each.extras:
            found += inputs.optional_dependencies.get(extra, ())
    return found


def describe_environments(envs: Iterable[Environment]) -> str:
    """`python 3.10 on linux-x86_64, macos-arm64; python 3.10-3.12 on windows-x86_64`:
    platforms that share the same Python versions said together."""
    by_platform: dict[str, list[Environment]] = {}
    for env in envs:
        by_platform.setdefault(env.platform_name, []).append(env)
    groups: dict[tuple[object, ...], list[Environment]] = {}
    for platform in by_platform.values():
        key = tuple(sorted({env.python for env in platform}))
        groups.setdefault(key, []).extend(platform)
    return "; ".join(describe_matrix(tuple(group)) for group in groups.values()) or "(none)"
