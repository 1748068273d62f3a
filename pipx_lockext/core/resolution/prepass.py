"""What is done for one environment before resolvelib starts (pure core; reads through
the provider's `Source`).

`read_ahead` starts reading what resolvelib will read first; `force` adds to the fixed
asks what every solution holds, so that the provider rules out releases asking the
opposite before resolvelib pins them. Neither changes a result: the first only the time,
the second only how soon a release that can be in no solution is passed over.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from packaging.utils import NormalizedName

from pipx_lockext.core.resolution.asks import PYTHON, UNUSABLE, Candidate, Need
from pipx_lockext.core.resolution.fixed import grants
from pipx_lockext.core.resolution.provider import Provider


def read_ahead(provider: Provider, roots: Iterable[Need]) -> None:
    """Start reading the metadata of each root's first candidate, an sdist's too (a
    build): resolvelib tries it first, as it forms its first criteria, one root after the
    other; started here, the roots' builds run side by side (saleor cold: four old
    setup.py sdists, 3.9 s one after the other)."""
    local = provider.policy.project.name if provider.policy.project else None
    files = []
    for need in roots:
        if need.url or need.name == local:
            continue
        fits, allow_pre = provider.fitting(need.name, [need])
        offer = provider.offer(need.name)
        first = next(provider.in_order(need.name, offer, fits, allow_pre), None)
        if first is not None:
            files.append(first.metadata_file)
    provider.source.prefetch_metadata(files)


def force(provider: Provider, required: Iterable[Need]) -> None:
    """Add to the fixed asks what a release every solution holds asks: a required
    project whose fixed asks leave one version (opentelemetry-distro<0.54 is 0.53b1,
    which pins exporter 1.32.1, which pins opentelemetry-proto 1.32.1, which asks
    protobuf<6), so that a release asking the opposite (google-cloud-pubsub 2.44 needs
    protobuf>=6.33.5) is ruled out before resolvelib pins both and backtracks through
    every release in between. Only wheels are read (no build for this)."""
    source, fixed = provider.source, provider.fixed
    local = provider.policy.project.name if provider.policy.project else None
    todo = {need.name: set(need.extras) for need in required if not need.url}
    done: set[NormalizedName] = {PYTHON, UNUSABLE, *([local] if local else [])}
    while todo:  # in waves, each fetched in parallel (pages, then metadata)
        wave = {name: extras for name, extras in todo.items() if name not in done}
        done.update(wave)
        source.prefetch(wave)
        picks = [c for name in sorted(wave) if (c := _only(provider, name, wave[name]))]
        source.prefetch_metadata(c.release.metadata_file for c in picks if c.release)
        asks = [
            [n for n in provider.candidate_needs(c) or [] if n.name not in {c.name, local}]
            for c in picks
        ]
        source.prefetch(n.name for needs in asks for n in needs)
        todo = {}
        for needs in asks:
            agreed = [n for n in needs if _agrees(provider, n)]
            fixed.add(agreed)
            for need in agreed:
                todo.setdefault(need.name, set()).update(need.extras)


def _only(
    provider: Provider, name: NormalizedName, extras: set[NormalizedName]
) -> Candidate | None:
    """The one release the fixed asks leave of a project, when it has a wheel here."""
    fixed = provider.fixed.by_name.get(name, ())
    if any(f.url for f in fixed):
        return None
    versions = list(islice(provider.granted(name, lambda v: grants(v, fixed)), 2))
    release = provider.offer(name).get(versions[0]) if len(versions) == 1 else None
    if release is None or release.from_sdist:
        return None
    return Candidate(name, release.version, frozenset(extras), release)


def _agrees(provider: Provider, need: Need) -> bool:
    """Whether some version grants a derived ask with the fixed asks on its project: one
    that cannot is left to rule its release out, so that the message says whose ask
    clashes with the user's (`new-leaf-user needs leaf>=1.1; you ask leaf<1.1`)."""
    if need.url or need.name in {PYTHON, UNUSABLE}:
        return False
    fixed = (*provider.fixed.by_name.get(need.name, ()), need)
    return any(provider.granted(need.name, lambda v: grants(v, fixed)))
