"""Why a pin is held back below the newest release (pure core; reads the metadata the
resolution already read, through `Source`).

For `reqlock outdated`: in one environment's resolution without preferences (what
`reqlock compile -U` picks), the requirements that exclude the newest usable release of a
project, each with who asked it as the conflict messages say it (`requirements/base.in:1
asks for web<5`, `toolbar 5.2 needs web<5`) and, for a release, the chain of releases up
to the root requirement that brings it in. When no requirement on the project excludes
it, the newest release's own requirements that the resolution does not grant are named
instead (`web 6.0 needs leaf>=2; the resolution holds leaf 1.5`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from pipx_lockext.core.index.coremeta import BadDistribution, CoreMetadata
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.resolution.candidates import Release
from pipx_lockext.core.resolution.explain import label
from pipx_lockext.core.resolution.resolver import EnvResolution, Root

MAX_CHAIN = 8
"""Releases a chain names before it stops (cycles and very deep graphs)."""


@dataclass(frozen=True)
class Holder:
    """One requirement that keeps a project below its newest release."""

    text: str
    """`requirements/base.in:1 asks for web<5`, or `toolbar 5.2 needs web<5`."""
    chain: tuple[str, ...] = ()
    """For a release's requirement: that release, then each release needing it, up to
    the root requirement that brings them in (`toolbar 5.2`, `requirements/base.in:2`)."""


@dataclass(frozen=True)
class Holding:
    """One environment's resolution, as the holders of its projects are read from it."""

    result: EnvResolution
    roots: tuple[Root, ...]
    """The roots resolved there (every layer of the resolution group)."""
    source: Source

    def holders(self, newest: Release) -> tuple[Holder, ...]:
        """What excludes the `newest` release of its project here: the requirements on
        the project that exclude it, else what it needs that the resolution does not
        grant, else that only the requirements together do."""
        name, version = newest.name, newest.version
        found = [*self._from_roots(name, version), *self._from_releases(name, version)]
        found = found or self._from_newest(newest)
        if not found:
            said = f"no single requirement excludes {name} {version}, the requirements "
            found = [Holder(f"{said}together do (reqlock compile -P {name}=={version} says why)")]
        return tuple(dict.fromkeys(found))

    def _from_roots(self, name: NormalizedName, newest: Version) -> Iterator[Holder]:
        env = self.result.env
        for root in self.roots:
            need = root.need
            if need.name != name or not root.applies(env):
                continue
            if not need.specifier.contains(newest, prereleases=True):
                yield Holder(f"{label(need)} asks for {need.text or need.name}")

    def _from_releases(self, name: NormalizedName, newest: Version) -> Iterator[Holder]:
        for parent, release in sorted(self.result.chosen.items()):
            meta = self._metadata(release)
            if meta is None:
                continue
            for req in self._active(parent, meta.requires_dist):
                if canonicalize_name(req.name) != name:
                    continue
                if not req.specifier.contains(newest, prereleases=True):
                    said = f"{parent} {release.version} needs {_text(req)}"
                    yield Holder(said, self.chain(parent))

    def _from_newest(self, newest: Release) -> list[Holder]:
        """The newest release's own requirements (as its metadata here says them) that
        the resolution does not grant."""
        meta = self._metadata(newest)
        if meta is None:
            return []
        shown = f"{newest.name} {newest.version}"
        found: list[Holder] = []
        python = self.result.env.full_version
        if meta.requires_python and not meta.requires_python.contains(python):
            found.append(Holder(f"{shown} requires Python {meta.requires_python}"))
        for req in self._active(NormalizedName(""), meta.requires_dist):
            held = self.result.chosen.get(canonicalize_name(req.name))
            if held is not None and not req.specifier.contains(held.version, prereleases=True):
                said = f"{shown} needs {_text(req)}; the resolution holds {held.name} "
                found.append(Holder(f"{said}{held.version}", self.chain(held.name)))
        return found

    def chain(self, name: NormalizedName) -> tuple[str, ...]:
        """`name`'s release, then the releases needing it, up to a root's label; the
        shortest such way in."""
        parents = _parents(self.result.children)
        root_labels = self._root_labels()
        queue: deque[tuple[NormalizedName, tuple[NormalizedName, ...]]] = deque([(name, ())])
        seen = {name}
        while queue:
            current, path = queue.popleft()
            path = (*path, current)
            if current in root_labels or len(path) >= MAX_CHAIN:
                return (*self._releases(path), *root_labels.get(current, ("…",))[:1])
            for parent in sorted(parents.get(current, ())):
                if parent not in seen:
                    seen.add(parent)
                    queue.append((parent, path))
        return self._releases((name,))

    def _releases(self, names: Iterable[NormalizedName]) -> tuple[str, ...]:
        chosen = self.result.chosen
        return tuple(f"{n} {chosen[n].version}" if n in chosen else str(n) for n in names)

    def _root_labels(self) -> dict[NormalizedName, tuple[str, ...]]:
        env = self.result.env
        found: dict[NormalizedName, list[str]] = {}
        for root in self.roots:
            if root.applies(env) and not root.constraint:
                text = root.need.text or root.need.name
                found.setdefault(root.need.name, []).append(f"{text} (from {label(root.need)})")
        return {name: tuple(sorted(set(labels))) for name, labels in found.items()}

    def _active(
        self, parent: NormalizedName, requires: Iterable[Requirement]
    ) -> Iterator[Requirement]:
        """The requirements of `parent`'s release that apply here, for the extras the
        resolution asks of it."""
        extras = {""} | {
            extra
            for identifier in self.result.children
            if parent and identifier.startswith(f"{parent}[")
            for extra in identifier[len(parent) + 1 : -1].split(",")
        }
        markers = self.result.env.markers
        for req in requires:
            if req.marker is None or any(
                req.marker.evaluate({**markers, "extra": e}) for e in sorted(extras)
            ):
                yield req

    def _metadata(self, release: Release) -> CoreMetadata | None:
        if release.direct:
            return None  # a direct URL's requirements are not read back here
        try:
            return self.source.metadata(release.metadata_file)
        except BadDistribution:
            return None


def _parents(children: Mapping[str, frozenset[str]]) -> dict[NormalizedName, set[NormalizedName]]:
    found: dict[NormalizedName, set[NormalizedName]] = {}
    for identifier, kids in children.items():
        parent = _name(identifier)
        for kid in kids:
            if _name(kid) != parent:
                found.setdefault(_name(kid), set()).add(parent)
    return found


def _name(identifier: str) -> NormalizedName:
    return NormalizedName(identifier.split("[", 1)[0])


def _text(req: Requirement) -> str:
    """The requirement as a message names it: without its marker."""
    return str(req).split(";", 1)[0].strip()
