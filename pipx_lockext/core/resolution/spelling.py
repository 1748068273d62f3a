"""Extras on lock lines spelt as the requirements that ask for them spell them (pure core;
reads the metadata the resolution already read, through `Source`).

pip before 23.3 compares extras as written, after `safe_extra` (which keeps `-` and `_`
apart): edx-i18n-tools asks for `lxml[html_clean]`, lxml declares `html-clean`. A lock
line `lxml[html-clean]==6.1.3` beside that ask makes pip 23.0 fail with an internal
error ("Candidate is not for this requirement lxml[html-clean,html-clean]"), while
`lxml[html_clean]==6.1.3` installs. Later pips normalize both (PEP 685), so the asker's
spelling is right for every pip. The resolver works with canonical extras; this puts the
askers' spelling back, one line per spelling when askers disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from itertools import product

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

from pipx_lockext.core.index.coremeta import BadDistribution
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.resolution.merge import LockedRelease
from pipx_lockext.core.resolution.resolver import EnvResolution, Root

Spellings = dict[NormalizedName, dict[str, set[str]]]
"""Project to each canonical extra asked of it, to the ways askers write it."""


def spelled(
    lines: tuple[LockedRelease, ...],
    layer: str,
    results: Iterable[EnvResolution],
    roots: Iterable[Root],
    source: Source,
) -> tuple[LockedRelease, ...]:
    """`lines` of `layer` with each set of extras in the spelling of its askers there
    (the layer's roots, and the parents in its closure)."""
    wanted = {line.name for line in lines if line.extras}
    if not wanted:
        return lines
    spellings = _from_roots((root for root in roots if root.layer == layer), wanted)
    for result in results:
        _from_parents(result, set(result.closure(layer)), wanted, source, spellings)
    return tuple(_respelt(line, spellings.get(line.name, {})) for line in lines)


def _respelt(line: LockedRelease, spellings: Mapping[str, set[str]]) -> LockedRelease:
    if not line.extras:
        return line
    groups: set[tuple[str, ...]] = set()
    for group in line.extras:
        ways = [sorted(spellings.get(extra) or {extra}) for extra in group]
        groups.update(tuple(sorted(choice)) for choice in product(*ways))
    return replace(line, extras=tuple(sorted(groups)))


def _from_roots(roots: Iterable[Root], wanted: set[NormalizedName]) -> Spellings:
    found: Spellings = {}
    for root in roots:
        if root.need.name in wanted and root.need.extras:
            try:
                _add(found, root.need.name, Requirement(root.need.text).extras)
            except InvalidRequirement:
                continue  # a direct URL's text: its extras stay canonical
    return found


def _from_parents(
    result: EnvResolution,
    closure: set[NormalizedName],
    wanted: set[NormalizedName],
    source: Source,
    found: Spellings,
) -> None:
    for parent, children in result.children.items():
        asked = {_name(child) for child in children if "[" in child} & wanted
        release = result.chosen.get(_name(parent))
        if not asked or release is None or _name(parent) not in closure:
            continue
        try:
            meta = source.metadata(release.metadata_file)
        except BadDistribution:
            continue
        for req in meta.requires_dist:
            name = canonicalize_name(req.name)
            if name in asked:
                _add(found, name, req.extras)


def _add(found: Spellings, name: NormalizedName, extras: Iterable[str]) -> None:
    for extra in extras:
        found.setdefault(name, {}).setdefault(canonicalize_name(extra), set()).add(extra)


def _name(identifier: str) -> NormalizedName:
    return NormalizedName(identifier.split("[", 1)[0])
