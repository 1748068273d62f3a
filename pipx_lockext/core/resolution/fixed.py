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

It must not fetch anything: the provider hands it the releases' needs and what the index
offers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
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


A = TypeVar("A", bound=Ask)

OfferedVersions = Callable[[NormalizedName], tuple[Version, ...]]
"""A project's usable versions here (all of them, pre-releases and yanked ones too:
leaving a release out must never be wrong)."""


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


class FixedAsks(Generic[A]):
    """The requirements that hold in every solution of one environment's resolution."""

    def __init__(self, needs: Iterable[A], local: NormalizedName | None = None) -> None:
        self.by_name: dict[NormalizedName, tuple[A, ...]] = {}
        for need in needs:
            if need.name != local:  # the project itself is granted at any version
                self.by_name[need.name] = (*self.by_name.get(need.name, ()), need)
        self._alone: dict[NormalizedName, bool] = {}

    def clash(
        self, name: NormalizedName, version: Version, needs: Iterable[A], offered: OfferedVersions
    ) -> Ruled[A] | None:
        """The first of a release's needs that no offered version grants together with
        the fixed asks on the same project (None: the release may be part of a solution)."""
        for need in needs:
            fixed = self.by_name.get(need.name)
            if not fixed or need.url or any(f.url for f in fixed):
                continue  # a direct URL is one release: resolvelib judges it at once
            versions = offered(need.name)
            if not self._satisfiable(need.name, fixed, versions):
                continue  # the roots clash among themselves: that is the message
            if not any(_grants(v, (need, *fixed)) for v in versions):
                return Ruled(name, version, need, fixed)
        return None

    def _satisfiable(
        self, name: NormalizedName, fixed: tuple[A, ...], versions: tuple[Version, ...]
    ) -> bool:
        if name not in self._alone:
            self._alone[name] = any(_grants(v, fixed) for v in versions)
        return self._alone[name]


def _grants(version: Version, needs: Iterable[Ask]) -> bool:
    return all(n.specifier.contains(version, prereleases=True) for n in needs)
