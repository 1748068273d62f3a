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
from dataclasses import dataclass, replace
from functools import cached_property

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.environments import Environment, marker_points
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.digest import index_lines, input_digest
from pipx_lockext.core.lockfiles.lockfile import LockFile, render
from pipx_lockext.core.lockfiles.lockparse import ParsedLock, parse_lock

LOCK_SUFFIX = ".lock.txt"
BUILD_SUFFIX = ".build.lock.txt"
EMPTY_BUILD_LOCK = "# No pin of this layer installs from an sdist: no build requirements.\n"
"""What a build lock no longer needed is emptied to (never left stale, never deleted)."""
STALE = (
    "stale: the project's inputs changed since it was compiled (all layers are resolved "
    "together, so a change to any layer stales every lock); run reqlock compile"
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
        return lock is None or lock.digest != self._digest(layer)

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
        if lock.digest is not None and lock.digest != self._digest(layer):
            found.append(Finding(path, None, STALE, stale=True))
        return found

    @cached_property
    def _digests(self) -> dict[str, str]:
        return {
            layer: input_digest(self.inputs, layer, self.inputs.matrix(layer))
            for layer in self.inputs.layer_names()
        }

    def _digest(self, layer: str) -> str:
        return self._digests[layer]

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
