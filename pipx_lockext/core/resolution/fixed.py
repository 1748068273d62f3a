"""What every solution must grant (the roots and the constraints), and the releases that
ask for something it rules out (pure core).

resolvelib learns a conflict only by pinning both sides. When the side it pinned first is
not the cause (the user asks django<4, every django-debug-toolbar>=5 needs
django>=4.2.9), it backtracks through every release of the innocent side, building old
sdists on the way, before it gives up. Yet a release that asks for a version of N that no
release of N offers together with what the roots ask of N can be in no solution,
whatever else is pinned: the provider leaves it out before resolvelib tries it, and keeps
the reason, so that a conflict between the roots is found from its cause in one step and
said as such.

The same holds one step further down (what saleor's lock needs: celery[redis] 5.7.0 asks
kombu>=5.7.0 and kombu[redis], the only kombu[redis] of that range needs redis>=6.4 and the
roots ask redis<6): a release whose asks on a project leave only versions of it that are
already ruled out is ruled out too. Otherwise resolvelib pins the parent, walks every
release of the child (a hundred kombus), backtracks, and after each unrelated backjump
pins the same parent again, and again.

It must not fetch anything: the provider hands it the releases' needs, what the index
offers, and what it has ruled out so far.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version


class Ask(Protocol):
    """A requirement as far as this module reads it (the provider's `Need`)."""

    @property
    def name(self) -> NormalizedName: ...

    @property
    def specifier(self) -> SpecifierSet: ...

    @property
    def url(self) -> str | None: ...

    @property
    def identifier(self) -> str:
        """The name with its extras (`kombu[redis]`): what resolvelib decides on."""
        ...


A = TypeVar("A", bound=Ask)

OfferedVersions = Callable[[NormalizedName, Callable[[Version], bool]], Iterable[Version]]
"""A project's usable versions here that a test on the version accepts (pre-releases and
yanked ones too: leaving a release out must never be wrong)."""
RuledVersions = Mapping[str, Set[Version]]
"""Per identifier (`kombu[redis]`), the versions already ruled out."""


@dataclass(frozen=True)
class Ruled(Generic[A]):
    """Why a release can be in no solution: what it asks, against what is fixed."""

    name: NormalizedName
    """The project whose release is ruled out."""
    version: Version
    need: A
    """What the release asks (django>=4.2.9)."""
    fixed: tuple[A, ...]
    """The roots and constraints on the same project that leave no version for it."""
    below: tuple[Version, ...] = ()
    """When not empty: the versions that would grant the ask, each ruled out itself."""


class FixedAsks(Generic[A]):
    """The requirements that hold in every solution of one environment's resolution."""

    def __init__(self, needs: Iterable[A], local: NormalizedName | None = None) -> None:
        self.by_name: dict[NormalizedName, tuple[A, ...]] = {}
        for need in needs:
            if need.name != local:  # the project itself is granted at any version
                self.by_name[need.name] = (*self.by_name.get(need.name, ()), need)
        self._alone: dict[NormalizedName, tuple[Version, ...]] = {}

    def add(self, needs: Iterable[A]) -> None:
        """More asks that hold in every solution (what a release every solution holds
        asks: see `Provider.force`)."""
        for need in needs:
            self.by_name[need.name] = (*self.by_name.get(need.name, ()), need)
            self._alone.pop(need.name, None)

    def clash(
        self,
        name: NormalizedName,
        version: Version,
        needs: Iterable[A],
        offered: OfferedVersions,
        ruled: RuledVersions | None = None,
    ) -> Ruled[A] | None:
        """The first of a release's needs that no offered version grants together with
        the fixed asks on the same project, or that only versions already ruled out grant
        (None: the release may be part of a solution)."""
        needs, ruled = tuple(needs), ruled or {}
        for need in needs:
            fixed = self.by_name.get(need.name, ())
            out = ruled.get(need.identifier, set())
            if not (fixed or out) or need.url or any(f.url for f in fixed):
                continue  # a direct URL is one release: resolvelib judges it at once
            free = self._free(need.name, fixed, offered)
            if not free or all(v in out for v in free):
                continue  # the roots (or what they lead to) clash: that is the message
            granting = tuple(v for v in free if need.specifier.contains(v, prereleases=True))
            if not granting and fixed:
                return Ruled(name, version, need, fixed)
            # x[e] V needs x==V: every ask of this release on x narrows the one on x[e].
            same = tuple(n for n in needs if n.name == need.name and n is not need)
            granting = tuple(v for v in granting if _grants(v, same))
            if granting and all(v in out for v in granting):
                return Ruled(name, version, need, fixed, below=granting)
        return None

    def _free(
        self, name: NormalizedName, fixed: tuple[A, ...], offered: OfferedVersions
    ) -> tuple[Version, ...]:
        """The offered versions the fixed asks grant (every one when none is fixed)."""
        if name not in self._alone:
            self._alone[name] = tuple(offered(name, lambda v: _grants(v, fixed)))
        return self._alone[name]


def _grants(version: Version, needs: Iterable[Ask]) -> bool:
    return all(n.specifier.contains(version, prereleases=True) for n in needs)
