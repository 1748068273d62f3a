"""Build-constraint locks: the build requirements of a layer's sdist-only pins, resolved
and hash-pinned like the layer itself (pure core; reads the indexes through `Source`).

pip builds a package from its sdist wherever no wheel of the locked release installs, and
fetches that build's requirements (setuptools, Cython…) without hash checking. With the
`<layer>.build.lock.txt` this module makes, `sync` passes pip `--build-constraint`, and
pip (25.3 and newer) then checks those files' hashes too. Failing to lock them is a
warning, never a failed compile: the layer's own lock stays valid without them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from packaging.utils import NormalizedName

from pipx_lockext.core.environments import Environment, describe_matrix
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.index.coremeta import BadDistribution
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.lockfiles.lockfile import LockFile
from pipx_lockext.core.resolution.asks import Need, Policy
from pipx_lockext.core.resolution.candidates import Release
from pipx_lockext.core.resolution.matrix import resolve_matrix
from pipx_lockext.core.resolution.merge import merge_layer
from pipx_lockext.core.resolution.pins import pin_of
from pipx_lockext.core.resolution.resolver import EnvResolution, Root

BUILD = "build"
"""The one layer name inside a build resolution."""


def sdist_pins(
    layer: str, env: Environment, result: EnvResolution
) -> dict[NormalizedName, Release]:
    """The releases of the layer that install from their sdist in `env`."""
    return {
        name: result.chosen[name]
        for name in result.closure(layer)
        if name in result.chosen
        and not result.chosen[name].direct
        and result.chosen[name].from_sdist
    }


def build_lock(
    lock: LockFile,
    matrix: Iterable[Environment],
    results: Mapping[Environment, EnvResolution],
    *,
    source: Source,
    policy: Policy,
) -> tuple[LockFile | None, tuple[str, ...]]:
    """The build-constraint lock of the layer `lock` is for (None when nothing of it is
    built from an sdist), and warnings for what could not be locked."""
    roots: dict[Environment, tuple[Root, ...]] = {}
    warnings: list[str] = []
    for env in sorted(matrix):
        needs: list[Root] = []
        for name, release in sorted(sdist_pins(lock.layer, env, results[env]).items()):
            try:
                requirements = source.build_requirements(release.usable[0])
            except BadDistribution as exc:
                warnings.append(str(exc))
                continue
            parent = f"building {name} {release.version}"
            needs += [Root(BUILD, Need.of(req, parent), req.marker) for req in requirements]
        if needs:
            roots[env] = tuple(needs)
    if not roots:
        return None, tuple(warnings)
    try:
        built = resolve_matrix(source, roots, Policy(pre=policy.pre))
    except ResolutionError as exc:
        return None, (*warnings, f"build requirements of {lock.layer} not locked: {exc}")
    pins = tuple(pin_of(line, source) for line in merge_layer(BUILD, tuple(roots), built))
    build = LockFile(
        layer=f"{lock.layer}.build",
        description=f"{lock.layer}.build = what {lock.layer}'s sdist-only pins need to build",
        source=lock.source,
        environments=describe_matrix(tuple(roots)),
        digest=lock.digest,
        pins=pins,
        # Build requirements are wheels only (see `edges.index.buildenv`): no --no-binary.
        options=tuple(o for o in lock.options if not o.startswith("--no-binary")),
    )
    return build, tuple(warnings)
