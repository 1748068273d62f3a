"""The resolvelib provider for one environment (pure core; reads the indexes through
`core.index.source.Source`).

pip's semantics: extras are separate candidates that depend on their base release;
pre-releases only when allowed, asked for by a specifier, or when nothing else fits;
yanked releases only when pinned exactly; constraints narrow versions but never add a
package; a release's Requires-Python from its metadata becomes a requirement on a virtual
`<python>` project, so that a release the environment's Python cannot run is backtracked
over like any other conflict. Preferred versions (existing pins, other environments'
choices) are tried first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence, Set
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version
from resolvelib.providers import AbstractProvider

from pipx_lockext.core.environments import Environment
from pipx_lockext.core.index.coremeta import BadDistribution, CoreMetadata
from pipx_lockext.core.index.listing import Listing
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.resolution.asks import (
    PYTHON,
    UNUSABLE,
    Candidate,
    LocalProject,
    Need,
    Policy,
)
from pipx_lockext.core.resolution.candidates import Ahead, Offer, Release, file_formats
from pipx_lockext.core.resolution.directurls import direct_release, is_archive
from pipx_lockext.core.resolution.fixed import FixedAsks, Ruled, grants

WALK_AHEAD = 16
"""When resolvelib walks down a project's releases (each ruled out, or leading to a
conflict), the metadata of up to this many next ones is fetched side by side (2, 4, 8…
as the walk lengthens), not one at a time as each is reached."""

BUILD_FAILURES = 3
"""Failed builds of one project's sdists in an environment after which its older
sdist-only releases are not built there (numpy<1.20 on Python 3.12: 67 sdists, each
failing the same way, five minutes)."""


class Provider(AbstractProvider):  # type: ignore[type-arg]  # resolvelib's generics are loose
    """Finds candidates and dependencies for one environment."""

    def __init__(
        self,
        source: Source,
        env: Environment,
        policy: Policy,
        projects: MutableMapping[NormalizedName, Listing] | None = None,
        fixed: FixedAsks[Need] | None = None,
    ) -> None:
        self.source, self.env, self.policy = source, env, policy
        self.fixed = fixed or FixedAsks(())
        """What every solution grants: a release asking for something it rules out is
        never a candidate (see `fixed`)."""
        self.ruled: dict[tuple[str, Version], Ruled[Need] | None] = {}
        """Per (identifier, version), why the release can be in no solution."""
        self._out: dict[str, set[Version]] = {}
        """Per identifier, the versions ruled out so far (what `ruled` holds, by name)."""
        self._clean: dict[tuple[str, Version], int] = {}
        """Releases found possible, with how many were ruled out then: one ruled out
        since may rule them out too (a parent whose only fitting child is gone)."""
        self.generation = 0
        """How many releases have been ruled out so far."""
        self._asks: dict[tuple[str, Version], list[Need]] = {}
        self.unreadable: dict[tuple[NormalizedName, Version], str] = {}
        """Releases passed over because their metadata could not be read or built."""
        self._failed_builds: dict[NormalizedName, set[Version]] = {}
        self.unbuilt: set[tuple[NormalizedName, Version]] = set()
        """Releases needing a build that were not tried: after BUILD_FAILURES failed
        builds of their project here, the older ones would fail the same way."""
        self._projects = {} if projects is None else projects
        """Files grouped by version, shared by the providers of every environment."""
        self._offers: dict[NormalizedName, Offer] = {}
        self._contained: dict[tuple[int, Version], tuple[SpecifierSet, bool]] = {}
        self.unprovided: dict[NormalizedName, set[str]] = {}
        """Extras asked of a project whose chosen release does not provide them (pip
        warns and ignores them; the lock must not write them)."""

    @property
    def projects(self) -> Mapping[NormalizedName, Listing]:
        """Every project looked up so far (an empty one: not on any index)."""
        return self._projects

    def offer(self, name: NormalizedName) -> Offer:
        """The releases usable here, decided lazily, once per name."""
        if name not in self._offers:
            if name not in self._projects:
                self._projects[name] = self.source.files(name)
            formats = file_formats(name, self.policy.only_binary, self.policy.no_binary)
            self._offers[name] = Offer(self._projects[name], self.env, formats=formats)
        return self._offers[name]

    def identify(self, requirement_or_candidate: Need | Candidate) -> str:
        return requirement_or_candidate.identifier

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> tuple[bool, bool, bool, str]:
        needs = [info.requirement for info in information[identifier]]
        # As pip: any `==` (`==1.2.*` too) counts as pinned, and pins are decided first.
        pinned = any(spec.operator.startswith("==") for n in needs for spec in n.specifier)
        caused = any(cause.requirement.identifier == identifier for cause in backtrack_causes)
        # <python> and <unusable> first (they never change), then pins, then what
        # backtracking blamed; ties by name so that the result never depends on dict order.
        return (identifier not in {PYTHON, UNUSABLE}, not pinned, not caused, identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Need]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Callable[[], Iterator[Candidate]] | list[Candidate]:
        needs = list(requirements[identifier])
        name, extras = needs[0].name, needs[0].extras
        if name == PYTHON:
            return [Candidate(PYTHON, self.env.full_version)]
        if name == UNUSABLE:
            return []
        project = self.policy.project
        if project is not None and name == project.name:
            released = [r.version for r in self.offer(name)] if project.version is None else []
            return _local_candidates(project, extras, needs, released)
        urls = {n.url for n in needs if n.url}
        if urls:
            return self._direct(name, extras, needs, urls)
        if extras:
            # As pip: `kombu[redis]` X depends on `kombu==X`, so a version the asks for
            # `kombu` itself exclude cannot serve either; without this, a conflict in the
            # extra walks every release of the project before backtracking its cause.
            needs += requirements.get(name, ())
        excluded = {c.version for c in incompatibilities[identifier]}
        offer = self.offer(name)
        fits, allow_pre = self.fitting(name, needs, excluded)
        self._prefetch_metadata(next((r for r in offer if fits(r)), None))

        def matches() -> Iterator[Candidate]:
            ahead = Ahead(self.in_order(name, offer, fits, allow_pre))
            for tried, release in enumerate(ahead):
                if tried:  # the one before was ruled out or led to a conflict: a walk
                    for later in ahead.peek(min(2**tried, WALK_AHEAD)):
                        self._prefetch_metadata(later)
                if release.from_sdist and len(self._failed_builds.get(name, ())) >= BUILD_FAILURES:
                    self.unbuilt.add((name, release.version))
                    continue
                candidate = Candidate(name, release.version, extras, release)
                if not self._ruled_out(candidate):
                    yield candidate

        return matches

    def fitting(
        self, name: NormalizedName, needs: list[Need], excluded: Set[Version] = frozenset()
    ) -> tuple[Callable[[Release], bool], bool]:
        """Whether a release meets `needs` and the constraints (yanked only when pinned
        exactly, never one of `excluded`), and whether pre-releases are allowed."""
        specs = [n.specifier for n in needs]
        specs += [c.specifier for c in self.policy.constraints.get(name, ())]
        pinned = {v for n in needs if (v := n.exact) is not None}
        allow_pre = self.policy.pre or any(s.prereleases for s in specs)

        def fits(release: Release) -> bool:
            return (
                release.version not in excluded
                and all(s.contains(release.version, prereleases=True) for s in specs)
                and (release.yanked is None or release.version in pinned)
            )

        return fits, allow_pre

    def in_order(
        self, name: NormalizedName, offer: Offer, fits: Callable[[Release], bool], pre: bool
    ) -> Iterator[Release]:
        """The fitting releases, preferred first, then newest first; lazy: most
        resolutions take the first, and deciding whether the thousandth release of a
        project installs here is wasted work."""
        preferred = self._preferred(name, offer, fits)
        if preferred is not None:
            yield preferred
        finals = False
        for release in offer:
            if release is preferred or not fits(release):
                continue
            if pre or not release.version.is_prerelease:
                finals = True
                yield release
        if not pre and not finals and preferred is None:
            # PEP 440: pre-releases only when nothing else fits.
            yield from (r for r in offer if r.version.is_prerelease and fits(r))

    def rules_out(self, candidate: Candidate) -> bool:
        """Whether the candidate can be in no solution, as far as is known now."""
        return self._ruled_out(candidate)

    def _ruled_out(self, candidate: Candidate) -> bool:
        """Whether the candidate asks for what the fixed asks (or the releases ruled out
        so far) leave no version of. Asked of a release only when it is next in line
        (resolvelib decides it next), so an sdist is built no sooner than resolvelib
        would build it; a failed build is never a reason to rule out (resolvelib passes
        it over through <unusable>). Asked again once more releases are ruled out."""
        if not self.fixed.by_name or candidate.release is None:
            return False
        key = (candidate.identifier, candidate.version)
        if self.ruled.get(key) is not None:
            return True
        if self._clean.get(key) == self.generation:
            return False
        needs = self.candidate_needs(candidate)
        if needs is None:
            return False  # resolvelib passes over it through <unusable>
        ruled = self.fixed.clash(candidate.name, candidate.version, needs, self.granted, self._out)
        self.ruled[key] = ruled
        if ruled is None:
            self._clean[key] = self.generation
            return False
        self._out.setdefault(candidate.identifier, set()).add(candidate.version)
        self.generation += 1
        return True

    def candidate_needs(self, candidate: Candidate) -> list[Need] | None:
        """A release's needs here, read once (None: its metadata cannot be read)."""
        key = (candidate.identifier, candidate.version)
        if key not in self._asks:
            assert candidate.release is not None  # only index releases are ruled on
            try:
                meta = self.source.metadata(candidate.release.metadata_file)
            except BadDistribution:
                return None
            parent = f"{candidate.name} {candidate.version}"
            self._asks[key] = self._release_needs(candidate, meta, parent)
        return self._asks[key]

    def granted(
        self, name: NormalizedName, wanted: Callable[[Version], bool]
    ) -> Iterator[Version]:
        """The usable versions here that `wanted` accepts (see `Offer.versions_where`)."""
        return self.offer(name).versions_where(wanted)

    def _prefetch_metadata(self, release: Release | None) -> None:
        """Start fetching the likely pick's metadata now: resolvelib asks for it next."""
        if release is not None and not release.from_sdist:  # an sdist: a build, later
            self.source.prefetch_metadata([release.metadata_file])

    def _direct(
        self,
        name: NormalizedName,
        extras: frozenset[NormalizedName],
        needs: list[Need],
        urls: set[str],
    ) -> list[Candidate]:
        """The one candidate a direct URL allows (none when two URLs disagree or a
        specifier excludes its version: resolvelib then reports the conflict)."""
        if len(urls) > 1:
            return []
        url = urls.pop()
        release = direct_release(name, url)
        if release is None and is_archive(url):
            try:  # an archive named by no version (`…/archive/stable.zip`): built to know
                file = self.source.archive(name, url)
            except BadDistribution as exc:
                self.unreadable[name, Version("0")] = str(exc)
                return []
            assert file.parsed is not None  # named `name-version.ext` by `archive`
            release = Release(name, file.parsed.version, (file,), (file,), direct=True)
        if release is None or not grants(release.version, needs):
            return []
        return [Candidate(name, release.version, extras, release)]

    def _preferred(
        self, name: NormalizedName, offer: Offer, fits: Callable[[Release], bool]
    ) -> Release | None:
        """The preferred version (an existing pin, another environment's choice) when it
        fits here and is as good as the newest (see `_as_good`)."""
        wanted = self.policy.preferred.get(name)
        chosen = offer.get(wanted) if wanted is not None else None
        if chosen is None or not fits(chosen):
            return None
        newest = next((r for r in offer if fits(r)), chosen)
        return chosen if _as_good(chosen, newest) else None

    def is_satisfied_by(self, requirement: Need, candidate: Candidate) -> bool:
        if candidate.local and self.policy.project and self.policy.project.version is None:
            return True
        if requirement.url and (candidate.release is None or not candidate.release.direct):
            return False
        return self._contains(requirement.specifier, candidate.version)

    def _contains(self, specifier: SpecifierSet, version: Version) -> bool:
        """`specifier.contains`, remembered: resolvelib asks again, every round, whether
        each pin still satisfies each requirement on it (a million times on a large
        application). Keyed by identity, and the entry holds the specifier, so that its id
        cannot be reused while the entry exists."""
        key = (id(specifier), version)
        known = self._contained.get(key)
        if known is None or known[0] is not specifier:
            known = (specifier, specifier.contains(version, prereleases=True))
            self._contained[key] = known
        return known[1]

    def get_dependencies(self, candidate: Candidate) -> list[Need]:
        parent = f"{candidate.name} {candidate.version}"
        if candidate.local:
            return self._local_dependencies(candidate, parent)
        if candidate.release is None:
            return []
        try:
            meta = self.source.metadata(candidate.release.metadata_file)
        except BadDistribution as exc:
            self.unreadable[candidate.name, candidate.version] = str(exc)
            if candidate.release.from_sdist:
                self._failed_builds.setdefault(candidate.name, set()).add(candidate.version)
            return [Need(UNUSABLE, parent=parent, text=str(exc))]
        missing = set(candidate.extras) - set(meta.provides_extra)
        if missing:
            self.unprovided.setdefault(candidate.name, set()).update(missing)
        needs = self._release_needs(candidate, meta, parent)
        self.source.prefetch(n.name for n in needs if n.name != PYTHON)
        # A project's own asks before those of its extras (celery: `kombu>=5.7,<5.8`
        # before `kombu[redis]`), so that the extra is offered only what they allow
        # (see `find_matches`).
        return sorted(needs, key=lambda need: bool(need.extras))

    def _release_needs(self, candidate: Candidate, meta: CoreMetadata, parent: str) -> list[Need]:
        needs: list[Need] = []
        if candidate.extras:  # extras stand on their base release, at the same version
            needs.append(
                Need(candidate.name, SpecifierSet(f"=={candidate.version}"), parent=parent)
            )
        if meta.requires_python and not meta.requires_python.contains(
            self.env.full_version, prereleases=True
        ):
            needs.append(Need(PYTHON, meta.requires_python, parent=parent))
        return needs + self._needs(meta.requires_dist, candidate.extras, parent)

    def _needs(
        self, requires: Iterable[Requirement], extras: frozenset[NormalizedName], parent: str
    ) -> list[Need]:
        names: list[str] = sorted(extras) or [""]
        contexts = [{**self.env.markers, "extra": extra} for extra in names]
        return [
            Need.of(req, parent)
            for req in requires
            if req.marker is None or any(req.marker.evaluate(c) for c in contexts)
        ]

    def _local_dependencies(self, candidate: Candidate, parent: str) -> list[Need]:
        project = self.policy.project
        assert project is not None  # only the project's own candidate is local
        requires = list(project.requires)
        for extra in candidate.extras:
            requires += project.optional.get(extra, ())
        return self._needs(requires, frozenset(), f"{parent} (this project)")


def _local_candidates(
    project: LocalProject,
    extras: frozenset[NormalizedName],
    needs: list[Need],
    released: list[Version],
) -> list[Candidate]:
    """The project itself, when every need grants its version. A dynamic version grants
    any one ask, but plain pip installs one of the index's releases in its place (`selfpin`):
    when the index has some here (`released`), one of them must meet every ask, so that
    resolution backtracks an ask no release can join, rather than lock it and fail after."""
    version = project.version or Version("0")
    if project.version is not None:
        granted = grants(version, needs)
    else:
        granted = not released or any(grants(v, needs) for v in released)
    return [Candidate(project.name, version, extras, None, local=True)] if granted else []


def _as_good(preferred: Release, newest: Release) -> bool:
    """Whether a preferred release may go first: not when it would need building here
    while the newest candidate has a wheel (one version everywhere is not worth
    compiling from source on some platforms)."""
    return not preferred.from_sdist or newest.from_sdist
