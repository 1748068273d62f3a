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

    def add(self, needs: Iterable[A]) -> None:
        """More asks that hold in every solution (what a release every solution holds
        asks: see `Provider.force`)."""
        for need in needs:
            self.by_name[need.name] = (*self.by_name.get(need.name, ()), need)

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
        (None: the release may be part of a solution).

        Every question is asked of `offered` lazily, with the test on the version first,
        and stops at its first answer: whether a release installs here is decided only
        for the few versions that answer needs (a root `boto3` grants any of thousands)."""
        needs, ruled = tuple(needs), ruled or {}
        for need in needs:
            fixed = self.by_name.get(need.name, ())
            out = ruled.get(need.identifier, set())
            if not (fixed or out) or need.url or any(f.url for f in fixed):
                continue  # a direct URL is one release: resolvelib judges it at once
            if all(v in out for v in offered(need.name, _granted_by(fixed))):
                continue  # the roots (or what they lead to) clash: that is the message
            if fixed and not _any(offered(need.name, _granted_by((*fixed, need)))):
                return Ruled(name, version, need, fixed)
            # x[e] V needs x==V: every ask of this release on x narrows the one on x[e].
            asks = (*fixed, *(n for n in needs if n.name == need.name))
            below: list[Version] = []
            for granting in offered(need.name, _granted_by(asks)):
                if granting not in out:
                    break
                below.append(granting)
            else:
                if below:
                    return Ruled(name, version, need, fixed, below=tuple(below))
        return None


def _granted_by(needs: tuple[Ask, ...]) -> Callable[[Version], bool]:
    return lambda version: grants(version, needs)


def _any(versions: Iterable[Version]) -> bool:
    return next(iter(versions), None) is not None


def grants(version: Version, needs: Iterable[Ask]) -> bool:
    """Whether `version` meets every ask (pre-releases too: whether they may be chosen
    at all is decided apart)."""
    return all(n.specifier.contains(version, prereleases=True) for n in needs)
