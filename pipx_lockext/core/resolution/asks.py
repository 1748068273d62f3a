"""What a resolution works with (pure core, values only): the requirements it holds
(`Need`), the releases it picks (`Candidate`), the project being locked, and the
choices that shape it (`Policy`). The provider and everything that reads its results
share them; it must not fetch or decide anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from pipx_lockext.core.inputs.settings import IndexSettings, Settings
from pipx_lockext.core.resolution.candidates import Release

PYTHON = NormalizedName("<python>")
"""The virtual project standing for the environment's Python (Requires-Python)."""
UNUSABLE = NormalizedName("<unusable>")
"""A virtual project no candidate satisfies: a release whose metadata cannot be read
depends on it, so that the resolver passes over that release like any conflict."""


@dataclass(frozen=True)
class Need:
    """A requirement inside a resolution, with who asked for it."""

    name: NormalizedName
    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    extras: frozenset[NormalizedName] = frozenset()
    parent: str = ""
    """"django 5.0.1" for a dependency, or a root's label such as "group dev"."""
    text: str = ""
    """The requirement as written, for messages."""
    url: str | None = None
    """A direct URL to an archive (`name @ https://…/name-1.0-py3-none-any.whl`)."""
    where: str = ""
    """For a root, the file and line it is written on ("requirements/base.in:2")."""

    @classmethod
    def of(cls, req: Requirement, parent: str) -> Need:
        extras = frozenset(canonicalize_name(e) for e in req.extras)
        text = _written(req)
        return cls(canonicalize_name(req.name), req.specifier, extras, parent, text, req.url)

    @property
    def identifier(self) -> str:
        return identifier(self.name, self.extras)

    @property
    def exact(self) -> Version | None:
        """The version an `==X` specifier pins (no wildcard), else None."""
        for spec in self.specifier:
            if spec.operator in {"==", "==="} and not spec.version.endswith(".*"):
                return Version(spec.version)
        return None


_WRITTEN: dict[int, tuple[Requirement, str]] = {}


def _written(req: Requirement) -> str:
    """The requirement as written, without its marker. Remembered per requirement object:
    a release's requirements are made `Need`s again in every environment and every
    round that asks, and packaging writes a requirement out anew each time (it was 10%
    of a warm compile). The object is kept with its text, so its id cannot be reused."""
    found = _WRITTEN.get(id(req))
    if found is None or found[0] is not req:
        if len(_WRITTEN) >= 1 << 16:
            _WRITTEN.clear()
        found = _WRITTEN[id(req)] = (req, str(req).split(" ;", 1)[0].split(";", 1)[0])
    return found[1]


def identifier(name: str, extras: frozenset[NormalizedName]) -> str:
    return f"{name}[{','.join(sorted(extras))}]" if extras else name


@dataclass(frozen=True)
class Candidate:
    """A release chosen for an identifier: the base project, or it with extras."""

    name: NormalizedName
    version: Version
    extras: frozenset[NormalizedName] = frozenset()
    release: Release | None = field(default=None, compare=False)
    """None for the virtual `<python>` and for the project itself."""
    local: bool = False
    """The project being locked (a dependency may need it back): never from an index."""

    @property
    def identifier(self) -> str:
        return identifier(self.name, self.extras)

    def __str__(self) -> str:
        return f"{self.identifier} {self.version}"


@dataclass(frozen=True)
class LocalProject:
    """The project being locked, as its dependencies' dependencies may ask for it back."""

    name: NormalizedName
    version: Version | None
    """None when `[project].version` is dynamic: any version asked for is granted."""
    requires: tuple[Requirement, ...] = ()
    optional: Mapping[str, tuple[Requirement, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Policy:
    """Choices that shape a resolution apart from the requirements."""

    pre: bool = False
    only_binary: frozenset[str] = frozenset()
    """Canonical names, or ":all:"."""
    no_binary: frozenset[str] = frozenset()
    """Canonical names, or ":all:": sdists only."""
    constraints: Mapping[NormalizedName, tuple[Need, ...]] = field(default_factory=dict)
    preferred: Mapping[NormalizedName, Version] = field(default_factory=dict)
    """Versions to try first (existing pins, other environments' choices)."""
    project: LocalProject | None = None
    same_versions: bool = False
    """One version everywhere one version serves (`[tool.reqlock] same-versions`);
    otherwise each environment gets what pip would install there: the newest that fits."""

    @classmethod
    def of(cls, settings: Settings, index: IndexSettings, *, pre: bool = False) -> Policy:
        """The policy a project's settings ask for, with `index` (the project's, or the
        command line's over it) deciding pre-releases and formats."""
        return cls(
            pre=pre or bool(index.pre),
            only_binary=frozenset(index.only_binary),
            no_binary=frozenset(index.no_binary),
            same_versions=settings.same_versions,
        )
