"""Taking another environment's solution when it is what this environment would choose
(pure core; reads through the provider).

Most environments of a matrix end with the same pins (linux-x86_64, linux-aarch64 and
macos-arm64 rarely differ), yet resolving each from scratch costs as much as the first:
resolvelib checks every pin against every requirement each round. So before resolving,
the earlier solution is replayed here: the closure of the roots is walked with this
environment's metadata and markers (a project only this environment needs gets its
first match), and the result is taken only when, for every identifier reached, the
provider's first match given every requirement the closure places on it is the pin
(so each pin is this environment's newest usable release that fits, or the preferred
one, exactly as `find_matches` decides), and every requirement holds. Anything else (a
newer release that fits here, a release that does not install here, metadata that
cannot be read) gives None, and the environment is resolved in full. It must not
decide a version itself: `find_matches` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from packaging.version import Version
from resolvelib.structs import DirectedGraph

from pipx_lockext.core.resolution.provider import PYTHON, UNUSABLE, Candidate, Need, Provider


@dataclass(frozen=True)
class Replayed:
    """A solution in the shape `resolvelib` returns (what `resolver._collect` reads)."""

    mapping: Mapping[str, Candidate]
    graph: DirectedGraph[str | None]


def replay(
    provider: Provider, roots: Iterable[Need], earlier: Mapping[str, Version]
) -> Replayed | None:
    """The earlier solution (identifier to version) as this environment's, or None."""
    asks: dict[str, list[Need]] = {}
    edges: list[tuple[str | None, str]] = []
    for need in roots:
        asks.setdefault(need.identifier, []).append(need)
        edges.append((None, need.identifier))
    mapping: dict[str, Candidate] = {}
    todo = sorted(asks)
    while todo:
        identifier = todo.pop()
        if identifier in mapping:
            continue
        pin = _earlier_pin(provider, identifier, asks[identifier], earlier)
        if pin is None:
            return None
        mapping[identifier] = pin
        for need in provider.get_dependencies(pin):
            if need.name == UNUSABLE:
                return None
            asks.setdefault(need.identifier, []).append(need)
            edges.append((identifier, need.identifier))
            todo.append(need.identifier)
    if not _still_first(provider, asks, mapping):
        return None
    return Replayed(mapping, _graph(mapping, edges))


def _first_match(provider: Provider, identifier: str, needs: list[Need]) -> Candidate | None:
    found = provider.find_matches(identifier, {identifier: iter(needs)}, {identifier: iter(())})
    return next(iter(found() if callable(found) else found), None)


def _earlier_pin(
    provider: Provider, identifier: str, needs: list[Need], earlier: Mapping[str, Version]
) -> Candidate | None:
    """The earlier solution's release of `identifier`, when it is offered here (None:
    it is not). A project the earlier solution lacks (colorama, only on Windows) gets
    its first match as asked so far; Python, the project itself and a direct URL have
    one candidate whatever the earlier solution says. `_still_first` judges them all."""
    name, extras = needs[0].name, needs[0].extras
    version = earlier.get(identifier)
    if version is None or name == PYTHON or any(n.url for n in needs):
        return _first_match(provider, identifier, needs)
    release = provider.offer(name).get(version)
    return Candidate(name, release.version, extras, release) if release else None


def _still_first(
    provider: Provider, asks: Mapping[str, list[Need]], mapping: Mapping[str, Candidate]
) -> bool:
    """Every pin, asked again with all that the closure asks of it, is still the first
    match and satisfies each ask (an ask that came after the pin was made may exclude
    it, or leave an older release first)."""
    for identifier, pin in mapping.items():
        needs = asks[identifier]
        if not all(provider.is_satisfied_by(need, pin) for need in needs):
            return False
        first = _first_match(provider, identifier, needs)
        if first is None or first.version != pin.version:
            return False
    return True


def _graph(
    mapping: Mapping[str, Candidate], edges: list[tuple[str | None, str]]
) -> DirectedGraph[str | None]:
    graph: DirectedGraph[str | None] = DirectedGraph()
    graph.add(None)
    for identifier in mapping:
        graph.add(identifier)
    for parent, child in edges:
        if not graph.connected(parent, child):
            graph.connect(parent, child)
    return graph
