"""Taking another environment's solution when it is what this environment would choose
(pure core; reads through the provider).

Most environments of a matrix end with the same pins (linux-x86_64, linux-aarch64 and
macos-arm64 rarely differ), yet resolving each from scratch costs as much as the first:
resolvelib checks every pin against every requirement each round. So before resolving,
the earlier solution is replayed here: the closure of the roots is walked with this
environment's metadata and markers (a project only this environment needs gets its
first match), and the result is taken only when every requirement holds and, for every
project reached, no release newer than its pin is what `find_matches` offers first to
all of the project's identifiers given everything the closure asks of the project (so
each pin is this environment's newest usable release that fits, or the preferred one).
Anything else (a newer release that fits here, a release that does not install here,
metadata that cannot be read) gives None, and the environment is resolved in full. It
must not decide a version itself: `find_matches` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from itertools import islice

from packaging.version import Version
from resolvelib.structs import DirectedGraph

from pipx_lockext.core.resolution.asks import PYTHON, UNUSABLE, Candidate, Need
from pipx_lockext.core.resolution.provider import Provider

MAX_AHEAD = 20
"""Releases offered before a pin that are checked (see `_ahead_of`)."""


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
    outside = {identifier: list(needs) for identifier, needs in asks.items()}
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
            if need.name != pin.name:  # not `x[e] V` asking for `x==V`: see `_still_first`
                outside.setdefault(need.identifier, []).append(need)
            edges.append((identifier, need.identifier))
            todo.append(need.identifier)
    if not _still_first(provider, asks, outside, mapping):
        return None
    return Replayed(mapping, _graph(mapping, edges))


def _matches(provider: Provider, identifier: str, needs: list[Need]) -> Iterator[Candidate]:
    """What `find_matches` offers for `needs` alone, best first."""
    found = provider.find_matches(identifier, {identifier: iter(needs)}, {identifier: iter(())})
    return iter(found() if callable(found) else found)


def _first_match(provider: Provider, identifier: str, needs: list[Need]) -> Candidate | None:
    return next(_matches(provider, identifier, needs), None)


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
    provider: Provider,
    asks: Mapping[str, list[Need]],
    outside: Mapping[str, list[Need]],
    mapping: Mapping[str, Candidate],
) -> bool:
    """Every ask granted, and no release of any project newer than its pin that every
    identifier of that project (`kombu`, `kombu[redis]`, `kombu[sqs]`: one version)
    would take first, given all that the closure asks of the project (an ask met after
    the pin was made may exclude it, or leave another release first). What the project
    asks of itself (`kombu[redis] 5.6.2` needs `kombu==5.6.2`) is left out there: it
    would grant any pin."""
    by_name: dict[str, list[str]] = {}
    for identifier, pin in mapping.items():
        if not all(provider.is_satisfied_by(need, pin) for need in asks[identifier]):
            return False
        by_name.setdefault(pin.name, []).append(identifier)
    doubtful = list(by_name.values())
    while doubtful:
        # What the provider rules out while one project is judged may settle another
        # judged before it (celery[redis] 5.7 goes once kombu[redis] 5.7 is ruled out).
        learned = provider.generation
        doubtful = [ids for ids in doubtful if not _newest(provider, ids, outside, mapping)]
        if doubtful and provider.generation == learned:
            return False
    return True


def _newest(
    provider: Provider,
    identifiers: list[str],
    outside: Mapping[str, list[Need]],
    mapping: Mapping[str, Candidate],
) -> bool:
    """Whether no release newer than a project's pin is offered to all its identifiers."""
    project_asks = [need for each in identifiers for need in outside.get(each, [])]
    if not project_asks:
        return True  # asked for only by itself (never from a root: the walk starts there)
    ahead = [_ahead_of(provider, each, project_asks, mapping[each]) for each in identifiers]
    known = [versions for versions in ahead if versions is not None]
    return len(known) == len(ahead) and not set.intersection(*known)


def _ahead_of(
    provider: Provider, identifier: str, needs: list[Need], pin: Candidate
) -> set[Version] | None:
    """The versions `find_matches` offers before the pin (None: it never offers it, or
    only after MAX_AHEAD others: deciding whether each is ruled out may mean reading its
    metadata, and a full resolution is then the cheaper way)."""
    mine = [
        need if need.extras == pin.extras else replace(need, extras=pin.extras) for need in needs
    ]
    ahead: set[Version] = set()
    for candidate in islice(_matches(provider, identifier, mine), MAX_AHEAD + 1):
        if candidate.version == pin.version:
            return ahead
        ahead.add(candidate.version)
    return None


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
