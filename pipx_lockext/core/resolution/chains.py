"""A pin's marker in the terms of the requirements that brought it in (pure core; reads
the metadata the resolution already read, through `Source`).

`uvloop; platform_machine == "x86_64" and sys_platform != "win32"` must stay so in the
lock, not become the `sys_platform == "linux"` that happens to pick the same cells of the
matrix: the requirement's own marker also holds on platforms outside the matrix. So the
marker of a project is built from its chains: each root's marker, and each parent's
marker conjoined with the marker of the parent's Requires-Dist entry for it, or'ed over
every way in. `packaging.markers` cannot simplify, so only short results are kept (a few
clauses of a few terms, with absorption); the merge then uses one only where it is true
on exactly the environments that have the pin, and falls back to the environment marker
otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from packaging.utils import NormalizedName, canonicalize_name

from pipx_lockext.core.index.coremeta import BadDistribution
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.resolution.resolver import EnvResolution

Clauses = frozenset[tuple[str, ...]]
"""An `or` of `and`s of marker texts; the empty `and` is true."""
TRUE: Clauses = frozenset({()})
MAX_CLAUSES = 2
MAX_TERMS = 3

_EXTRA = re.compile(r"""^(?:(.*) and )?extra == "[^"]*"$""")


class ChainMarkers:
    """The chain marker of each project of one layer over the resolutions of its cells."""

    def __init__(self, layer: str, results: Sequence[EnvResolution], source: Source) -> None:
        self.layer, self.source = layer, source
        self.walks = [(result, result.walk(layer)[0]) for result in results]
        self._memo: dict[NormalizedName, Clauses | None] = {}

    def marker(self, name: NormalizedName) -> str | None:
        """The marker text, or None when there is no short one (or it is always true)."""
        clauses = self.clauses(name, frozenset())
        if clauses is None or clauses == TRUE:
            return None
        return render(clauses)

    def clauses(self, name: NormalizedName, visiting: frozenset[str]) -> Clauses | None:
        """The chain marker of `name` (None: unknown, or too long to keep)."""
        if name in self._memo:
            return self._memo[name]
        found: set[tuple[str, ...]] = set()
        for result, closure in self.walks:
            if name not in closure:
                continue
            ways = self._ways_in(result, closure, name, visiting | {name})
            if ways is None:
                self._memo[name] = None
                return None
            found |= ways
        self._memo[name] = kept = _short(frozenset(found))
        return kept

    def _ways_in(
        self,
        result: EnvResolution,
        closure: Mapping[NormalizedName, set[NormalizedName]],
        name: NormalizedName,
        visiting: frozenset[str],
    ) -> Clauses | None:
        found: set[tuple[str, ...]] = set()
        for text in result.root_markers.get((self.layer, name), ()):
            found |= {(text,)} if text else TRUE
        for parent in sorted(closure[name]):
            if parent in visiting:
                continue  # a cycle adds no way in that its other parents do not give
            above = self.clauses(parent, visiting)
            edge = self._edge(result, parent, name)
            if above is None or edge is None:
                return None
            found |= _and(above, edge)
        return frozenset(found)

    def _edge(
        self, result: EnvResolution, parent: NormalizedName, name: NormalizedName
    ) -> Clauses | None:
        """The markers of `parent`'s requirements of `name`, without `extra` terms."""
        release = result.chosen.get(parent)
        if release is None:
            return None  # the project itself: its requirements are not read here
        try:
            meta = self.source.metadata(release.metadata_file)
        except BadDistribution:
            return None
        found: set[tuple[str, ...]] = set()
        for req in meta.requires_dist:
            if canonicalize_name(req.name) != name:
                continue
            if req.marker is None:
                return TRUE
            text = _without_extra(str(req.marker))
            if text is None:
                return None
            found |= {(text,)} if text else TRUE
        return frozenset(found) or None


def _without_extra(text: str) -> str | None:
    """`X and extra == "e"` as X ("" for a bare extra); None when `extra` is elsewhere."""
    match = _EXTRA.match(text)
    if match is not None:
        text = _unwrap(match.group(1) or "")
    return None if "extra" in text else text


def _unwrap(text: str) -> str:
    """`(a and b)` as `a and b`, when the first parenthesis closes at the very end."""
    if not text.startswith("("):
        return text
    depth = 0
    for index, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return text[1:-1] if index == len(text) - 1 else text
    return text


def _and(left: Clauses, right: Clauses) -> Clauses:
    return frozenset(tuple(sorted(set(a) | set(b))) for a in left for b in right)


def _short(clauses: Clauses) -> Clauses | None:
    """Absorption (a clause implied by a shorter one goes), then the size limits."""
    if () in clauses:
        return TRUE
    kept = frozenset(c for c in clauses if not any(set(o) < set(c) for o in clauses if o != c))
    if len(kept) > MAX_CLAUSES or any(len(c) > MAX_TERMS for c in kept):
        return None
    return kept


def render(clauses: Clauses) -> str:
    """The marker text of an `or` of `and`s, parenthesised where precedence needs it."""
    parts = []
    for clause in sorted(clauses):
        terms = [f"({t})" if " or " in t and len(clause) > 1 else t for t in clause]
        parts.append(" and ".join(terms))
    if len(parts) == 1:
        return parts[0]
    return " or ".join(f"({p})" if " and " in p or " or " in p else p for p in parts)
