"""A project's lock files as one value, the only owner of what they mean (pure core).

`LockSet` holds the text of every file of every layer (the main lock and the build lock;
None for a file that is not there) and of lock files no layer claims any more. Every
command asks it the same questions: is a layer fresh, what is wrong with it (the
findings `check` prints), which pins does it keep, which lock can `sync` install, and
which texts a compile writes. Reading the files is the edge's job
(`edges.project.lockfiles`); nothing here opens a file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import cached_property
from itertools import pairwise

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.environments import (
    PLATFORMS,
    Environment,
    PythonVersion,
    describe_matrix,
    marker_points,
    parse_requires_python,
)
from pipx_lockext.core.inputs.cutoff import parse_cutoff
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.inputs.settings import Settings
from pipx_lockext.core.lockfiles.digest import index_lines, input_digest, legacy_input_digest
from pipx_lockext.core.lockfiles.lockfile import LockFile, render
from pipx_lockext.core.lockfiles.lockparse import CUTOFF, ParsedLock, parse_lock

LOCK_SUFFIX = ".lock.txt"
BUILD_SUFFIX = ".build.lock.txt"
EMPTY_BUILD_LOCK = "# No pin of this layer installs from an sdist: no build requirements.\n"
"""What a build lock no longer needed is emptied to (never left stale, never deleted)."""
COMMAND = "# To update it, run: reqlock compile"
"""The header line that records the command, with the matrix flags given to it."""
STALE = (
    "stale: the project's inputs changed since it was compiled (this layer's requirements, "
    "includes, constraints or settings); run reqlock compile"
)


@dataclass(frozen=True)
class Finding:
    """Why one lock is not fresh or not well formed."""

    file: str
    line: int | None
    what: str
    stale: bool = False
    """The inputs changed since compile (the lock may still be well formed)."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.what}"


@dataclass(frozen=True)
class LockSet:
    """Every lock file of a project, as read."""

    inputs: ProjectInputs
    texts: Mapping[str, str | None]
    """By path relative to the project root: each layer's lock and build lock (None: no
    such file)."""
    orphans: tuple[str, ...] = ()
    """Lock files in the output folder whose layer no longer exists."""

    # -- reading -------------------------------------------------------------------------

    @cached_property
    def _parsed(self) -> dict[str, ParsedLock]:
        return {
            path: parse_lock(text)
            for path, text in self.texts.items()
            if text is not None and text != EMPTY_BUILD_LOCK
        }

    def parsed(self, path: str) -> ParsedLock | None:
        """The file parsed, None when it is not there or is an emptied build lock."""
        return self._parsed.get(path)

    def lock(self, layer: str) -> ParsedLock | None:
        return self.parsed(self.inputs.lock_file(layer))

    def build(self, layer: str) -> ParsedLock | None:
        """The layer's build lock when it holds pins."""
        return self.parsed(self.inputs.build_lock_file(layer))

    def files(self) -> dict[str, ParsedLock]:
        """Every file that holds pins, by path (what `verify` checks)."""
        return dict(sorted(self._parsed.items()))

    # -- freshness and form --------------------------------------------------------------

    def findings(self, layers: tuple[str, ...] | None = None) -> list[Finding]:
        """What makes the locks of `layers` (all, and the orphans too, when None) stale
        or malformed; empty when they are fresh and well formed."""
        chosen = self.inputs.layer_names() if layers is None else layers
        found = [finding for layer in chosen for finding in self._layer_findings(layer)]
        if layers is None:
            found += [
                Finding(path, None, f"no layer {_layer_of(path)!r} any more; delete the file")
                for path in self.orphans
            ]
        return found

    def fresh(self, layers: tuple[str, ...] | None = None) -> bool:
        return not self.findings(layers)

    def form_problems(self, layer: str) -> list[Finding]:
        """What makes the layer's lock malformed, staleness apart (what `sync` refuses)."""
        return [f for f in self._layer_findings(layer) if not f.stale]

    def stale(self, layer: str) -> bool:
        lock = self.lock(layer)
        return lock is None or not self._current(layer, lock.digest)

    def _layer_findings(self, layer: str) -> list[Finding]:
        path = self.inputs.lock_file(layer)
        lock = self.lock(layer)
        if lock is None:
            return [Finding(path, None, "missing; run reqlock compile")]
        found = self._lock_findings(layer, path, lock)
        build_path = self.inputs.build_lock_file(layer)
        build = self.build(layer)
        if build is not None:
            found += self._lock_findings(layer, build_path, build)
        return found

    def _lock_findings(self, layer: str, path: str, lock: ParsedLock) -> list[Finding]:
        found = [Finding(path, p.line, p.what) for p in lock.problems]
        expected = set(index_lines(self.inputs.settings.index))
        flagged = {p.line for p in lock.problems}
        for line, option in lock.options:
            if option not in expected and line not in flagged:
                what = "index option the project does not configure"
                hint = "set it in [tool.reqlock] (or the .in file) and compile again"
                found.append(Finding(path, line, f"{what}: {option!r}; {hint}"))
        if lock.digest is not None and not self._current(layer, lock.digest):
            found.append(Finding(path, None, self._stale_why(layer, lock), stale=True))
        return found

    def _stale_why(self, layer: str, lock: ParsedLock) -> str:
        """STALE, or that the matrix changed when the lock's environments are not the
        layer's any more (said as such, not as changed inputs)."""
        matrix = self.inputs.matrix(layer)
        cutoff = self.inputs.settings.index.uploaded_prior_to
        if lock.cutoff != cutoff and not lock.problems:
            return (
                f"stale: the upload cutoff changed (locked with uploaded-prior-to "
                f"{lock.cutoff or 'none'}, the project now asks for {cutoff or 'none'}); "
                "run reqlock compile"
            )
        if not lock.environments or set(lock.environments) == set(matrix):
            return STALE
        return (
            f"stale: the matrix changed (locked for {describe_matrix(lock.environments)}, "
            f"the project now asks for {describe_matrix(matrix)}); run reqlock compile"
        )

    @cached_property
    def _digests(self) -> dict[str, str]:
        return {
            layer: input_digest(self.inputs, layer, self.inputs.matrix(layer))
            for layer in self.inputs.layer_names()
        }

    def _digest(self, layer: str) -> str:
        return self._digests[layer]

    def _current(self, layer: str, digest: str | None) -> bool:
        """Whether a lock's input-digest is the layer's now (or the digest an earlier
        reqlock wrote over every layer's inputs, for inputs that have not changed since)."""
        if digest == self._digest(layer):
            return True
        legacy = legacy_input_digest(self.inputs, layer, self.inputs.matrix(layer))
        return digest == legacy

    # -- the matrix given on the command line ----------------------------------------------

    def recorded(self) -> LockSet:
        """The set with the matrix its lock headers record from the command line
        (`reqlock compile --python 3.11 --python 3.12`) and the upload cutoff they record,
        each where the project configures none, so that later compiles and checks keep
        them, like pins."""
        pythons, platforms = self._recorded_flags()
        settings = self._recorded_cutoff(self.inputs.settings)
        if settings.pythons is not None:
            pythons = ()
        if settings.platforms_set:
            platforms = ()
        if self.inputs.requires_python:
            spec = parse_requires_python(self.inputs.requires_python)
            pythons = tuple(v for v in pythons if v.admitted_by(spec))
        if not pythons and not platforms:
            if settings is self.inputs.settings:
                return self  # keeps what is parsed already
            return replace(self, inputs=replace(self.inputs, settings=settings))
        settings = replace(
            settings,
            pythons=pythons or settings.pythons,
            platforms=platforms or settings.platforms,
        )
        return replace(self, inputs=replace(self.inputs, settings=settings))

    def _recorded_cutoff(self, settings: Settings) -> Settings:
        """`settings` with the first lock's `# uploaded-prior-to:` cutoff, unless the
        project configures one (`--uploaded-prior-to none` writes none, dropping it)."""
        if settings.index.uploaded_prior_to is not None:
            return settings
        for layer in self.inputs.layer_names():
            # The header alone (the set is parsed once, after this): as `_recorded_flags`.
            text = self.texts.get(self.inputs.lock_file(layer)) or ""
            line = next((x for x in text.splitlines()[:8] if x.startswith(CUTOFF)), "")
            cutoff = line.removeprefix(CUTOFF)
            with suppress(ValueError):
                if cutoff and parse_cutoff(cutoff) == cutoff:
                    index = replace(settings.index, uploaded_prior_to=cutoff)
                    return replace(settings, index=index)
        return settings

    def _recorded_flags(self) -> tuple[tuple[PythonVersion, ...], tuple[str, ...]]:
        """The `--python` / `--platform` values of the first lock header that has any."""
        for layer in self.inputs.layer_names():
            text = self.texts.get(self.inputs.lock_file(layer)) or ""
            line = next((x for x in text.splitlines()[:3] if x.startswith(COMMAND)), "")
            asked = list(pairwise(line.removeprefix(COMMAND).split()))
            pythons: set[PythonVersion] = set()
            for flag, value in asked:
                if flag == "--python":
                    with suppress(ValueError):
                        pythons.add(PythonVersion.parse(value))
            platforms = [v for f, v in asked if f == "--platform" and v in PLATFORMS]
            if pythons or platforms:
                return tuple(sorted(pythons)), tuple(dict.fromkeys(platforms))
        return (), ()

    # -- what a compile keeps and writes -------------------------------------------------

    def existing(self) -> tuple[ParsedLock, ...]:
        """Every layer's lock that exists (their pins are kept on the next compile)."""
        return tuple(lock for layer in self.inputs.layer_names() if (lock := self.lock(layer)))

    def plan(
        self,
        layers: tuple[str, ...],
        locks: Mapping[str, LockFile],
        builds: Mapping[str, LockFile],
    ) -> dict[str, str]:
        """The new text of every file a compile of `layers` writes, by path: each lock,
        and each build lock (an old one no longer needed is emptied, never left stale;
        none is written where there never was one)."""
        texts = {}
        for layer in layers:
            texts[self.inputs.lock_file(layer)] = render(locks[layer])
            build_path = self.inputs.build_lock_file(layer)
            if layer in builds:
                texts[build_path] = render(builds[layer])
            elif self.texts.get(build_path) is not None:
                texts[build_path] = EMPTY_BUILD_LOCK
        return texts

    def written(self, texts: Mapping[str, str]) -> LockSet:
        """The set as it is once `texts` are written."""
        return replace(self, texts={**self.texts, **texts})


def compile_command(configured: Settings, used: Settings) -> str:
    """The header's command: `reqlock compile`, with the `--python` / `--platform` flags
    that gave the matrix where the project configures none (kept by later compiles)."""
    words = ["reqlock compile"]
    if configured.pythons is None and used.pythons is not None:
        words += [f"--python {version}" for version in used.pythons]
    if not configured.platforms_set and used.platforms != configured.platforms:
        words += [f"--platform {platform}" for platform in used.platforms]
    return " ".join(words)


def preferences(
    inputs: ProjectInputs, locks: Iterable[ParsedLock], upgrades: frozenset[str]
) -> dict[Environment, dict[NormalizedName, Version]]:
    """Per environment, the versions the existing `locks` install there (sticky pins),
    apart from the projects being upgraded."""
    locks = tuple(locks)
    preferred: dict[Environment, dict[NormalizedName, Version]] = {}
    for env in (sub for floor in inputs.matrix() for sub in _split_by(floor, locks)):
        pins = preferred.setdefault(env, {})
        for lock in locks:
            for name, version in lock.pins_for(env).items():
                if name not in upgrades:
                    pins.setdefault(name, version)
    return preferred


def _split_by(floor: Environment, locks: tuple[ParsedLock, ...]) -> list[Environment]:
    """`floor` and the sub-environments that the locks' `python_full_version` bounds
    split its series into: each side of a split keeps its own pins."""
    points = {
        point
        for lock in locks
        for pin in lock.pins
        if pin.marker is not None
        for point in marker_points(str(pin.marker), floor.python)
    }
    return [floor, *(floor.at(p) for p in sorted(points) if p > floor.patch)]


def _layer_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.removesuffix(BUILD_SUFFIX).removesuffix(LOCK_SUFFIX)
