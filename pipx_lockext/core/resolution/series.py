"""Where a Python series must be split: the patch releases at which what a resolution
met could change (pure core; reads metadata through `Source`, which has it cached).

A matrix version X.Y stands for every X.Y.*: an environment is first resolved at its
series' floor (X.Y.0, or the floor `--python X.Y.Z` / `requires-python` set), and this
module finds the in-series bounds that resolution met: a `Requires-Python` of a release
it chose or of a newer one it passed over (cryptography 44 needs `!=3.9.0,!=3.9.1`), and
`python_full_version` comparisons in the markers of the roots and of each chosen
release's requirements, and the Requires-Python of every release of a project looked up
but not chosen (`python_full_version < "3.10.2"`). The resolver resolves the
series again from each such point, and the merge writes `python_full_version` bounds only
where the pins really differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from packaging.utils import NormalizedName

from pipx_lockext.core.environments import Environment, marker_points, specifier_points
from pipx_lockext.core.index.coremeta import BadDistribution
from pipx_lockext.core.index.listing import Listing
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.resolution.candidates import Release, requires_python_of


def split_points(
    env: Environment,
    markers: Iterable[str],
    chosen: Mapping[NormalizedName, Release],
    *,
    source: Source,
    projects: Mapping[NormalizedName, Listing],
) -> set[int]:
    """Patch releases of `env`'s series above its floor where the resolution of `env`
    (its roots' `markers`, the releases it `chose`) could come out otherwise."""
    points: set[int] = set()
    for marker in markers:
        points |= marker_points(marker, env.python)
    for name, release in sorted(chosen.items()):
        if release.direct:
            continue
        points |= _metadata_points(env, release, source)
        project = projects.get(name)
        if project is not None:
            points |= _passed_over_points(env, project, release)
    # A project looked up but not chosen may have been left out for want of a release
    # this patch release can run (pd needs 3.10.2: below, pb and pa 3.0 that need it go).
    for name, project in sorted(projects.items()):
        if name not in chosen:
            points |= _passed_over_points(env, project, None)
    return {p for p in points if p > env.patch}


def _metadata_points(env: Environment, release: Release, source: Source) -> set[int]:
    try:
        meta = source.metadata(release.metadata_file)
    except BadDistribution:
        return set()  # never chosen then; nothing to split on
    points: set[int] = set()
    for req in meta.requires_dist:
        if req.marker is not None:
            points |= marker_points(str(req.marker), env.python)
    if meta.requires_python is not None:
        points |= specifier_points(meta.requires_python, env.python)
    return points


def _passed_over_points(env: Environment, project: Listing, release: Release | None) -> set[int]:
    """Bounds of the Requires-Python of the chosen release and every newer one (every
    release when none was chosen): a newer release excluded only on early patch releases
    is a candidate on the later ones."""
    points: set[int] = set()
    for version in project.versions:
        if release is not None and version < release.version:
            break
        for spec in requires_python_of(project.files(version)):
            points |= specifier_points(spec, env.python)
    return points


def series_points(
    env: Environment, markers: Iterable[str], projects: Mapping[NormalizedName, Listing]
) -> set[int]:
    """Every in-series bound of `env`'s series above its floor that the roots' `markers`
    or the Requires-Python of any release of the projects looked up name (for a floor
    that failed to resolve: where a later patch release might succeed)."""
    points: set[int] = set()
    for marker in markers:
        points |= marker_points(marker, env.python)
    for _, project in sorted(projects.items()):
        for version in project.versions:
            for spec in requires_python_of(project.files(version)):
                points |= specifier_points(spec, env.python)
    return {p for p in points if p > env.patch}
