"""Build requirements of an sdist, installed for its backend at compile time (edge: wheel
bytes through `integrity.Downloads`, unpacked by `wheelinstall`).

What a backend needs is resolved by reqlock's own resolver for the interpreter reqlock
runs on, through a `Source` over the same indexes as the compile (first-index rule,
package-index pins, find-links): wheels only, so that a build requirement that is itself
sdist-only is refused, never built in turn. Each chosen wheel is downloaded here and
checked against the index's sha256, and exactly those bytes are unpacked into a new
directory: no pip runs at compile time (none is needed where reqlock was installed
without one, as `uv tool install` does). It must not run a backend (`sdistbuild` does),
nor fetch anything except through the `Source` and `Downloads`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from packaging.requirements import InvalidRequirement, Requirement

from pipx_lockext.core.environments import Environment, PythonVersion
from pipx_lockext.core.errors import ResolutionError, UsageError
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.resolution.asks import Need, Policy
from pipx_lockext.core.resolution.candidates import Release
from pipx_lockext.core.resolution.resolver import Root, resolve_environment
from pipx_lockext.edges.index.integrity import Downloads
from pipx_lockext.edges.index.sdistbuild import BuildError
from pipx_lockext.edges.index.wheelinstall import WheelError, unpack_wheels
from pipx_lockext.edges.venvs.interpreters import current_platform

BUILD = "build"
"""The one layer of a build-requirements resolution."""
WHEELS_ONLY = Policy(only_binary=frozenset({":all:"}))


class BuildSource(Source, Protocol):
    """The `Source` build requirements are resolved through; it builds no sdist."""

    def close(self) -> None: ...


def host_environment() -> Environment:
    """The environment of the interpreter reqlock runs on, where a backend runs."""
    try:
        platform = current_platform()
    except UsageError as exc:
        raise BuildError(f"cannot build sdists here: {exc}") from None
    return Environment(PythonVersion(*sys.version_info[:2]), platform)


class BuildEnvironments:
    """An `sdistbuild.Installer`: resolves, downloads and installs build requirements.

    `open_source` makes the `BuildSource` on the first build (most compiles build
    nothing); it must not share a thread pool with a caller that waits for a build, or a
    build waiting for its own resolution could hold the last worker."""

    def __init__(
        self,
        open_source: Callable[[], BuildSource],
        downloads: Downloads,
        *,
        unpack: Callable[[Iterable[tuple[str, bytes]], Path], None] = unpack_wheels,
        env: Environment | None = None,
    ) -> None:
        self._open, self._downloads, self._unpack = open_source, downloads, unpack
        self._env = env
        self._source: BuildSource | None = None
        self._lock = threading.Lock()
        self._wheels: dict[str, bytes] = {}
        """Checked wheel bytes by URL: one download per compile, however many builds."""
        self._kept: dict[tuple[str, ...], Path] = {}
        """Each set of build requirements installed so far, kept for the next build that
        asks the same (most old sdists ask `setuptools>=40.8.0`): copied into its target,
        not resolved and unpacked again."""
        self._keep_dir: Path | None = None

    def close(self) -> None:
        if self._source is not None:
            self._source.close()
        if self._keep_dir is not None:
            shutil.rmtree(self._keep_dir, ignore_errors=True)

    def __call__(self, requires: Sequence[str], target: Path, filename: str) -> None:
        """Install `requires` and all they need into `target`, from hash-checked wheels."""
        key = tuple(requires)
        with self._lock:
            kept = self._kept.get(key)
        if kept is not None:
            shutil.copytree(kept, target, dirs_exist_ok=True, symlinks=True)
            return
        self._install(requires, target, filename)
        with self._lock:
            if key not in self._kept and target.is_dir():
                if self._keep_dir is None:
                    self._keep_dir = Path(tempfile.mkdtemp(prefix="reqlock-build-envs-"))
                copy = self._keep_dir / str(len(self._kept))
                shutil.copytree(target, copy, symlinks=True)
                self._kept[key] = copy

    def _install(self, requires: Sequence[str], target: Path, filename: str) -> None:
        wheels = [self._wheel(release, filename) for release in self.resolve(requires, filename)]
        try:
            self._unpack(wheels, target)
        except WheelError as exc:
            raise BuildError(f"{filename}: installing build requirements failed: {exc}") from None

    def resolve(self, requires: Sequence[str], filename: str) -> tuple[Release, ...]:
        """The releases that install `requires` here, by name; BuildError saying why not."""
        parent = f"building {filename}"
        roots = tuple(Root(BUILD, Need.of(req, parent), req.marker)
                      for req in _requirements(requires, filename))  # fmt: skip
        env = self._env or host_environment()
        try:
            result = resolve_environment(self._opened(), env, roots, WHEELS_ONLY)
        except ResolutionError as exc:
            raise BuildError(
                f"{filename}: its build requirements do not install from wheels on the "
                "configured indexes for the Python reqlock runs on (a build requirement is "
                f"never built from its sdist): {exc}"
            ) from None
        return tuple(release for _, release in sorted(result.chosen.items()))

    def _opened(self) -> BuildSource:
        with self._lock:
            if self._source is None:
                self._source = self._open()
            return self._source

    def _wheel(self, release: Release, filename: str) -> tuple[str, bytes]:
        """The release's wheel: its file name and its bytes, checked against the index's
        hash (a find-links file has none: its bytes as read)."""
        file = release.usable[0]
        name = file.filename
        if release.direct or not name.endswith(".whl") or Path(name).name != name or "\\" in name:
            raise BuildError(
                f"{filename}: build requirement {release.name} {release.version} is not a "
                f"wheel on a configured index ({file.filename})"
            )
        data = self._wheels.get(file.url)
        if data is None:
            data = self._wheels.setdefault(file.url, self._downloads.whole(file))
        return name, data


def _requirements(texts: Sequence[str], filename: str) -> list[Requirement]:
    found = []
    for text in texts:
        try:
            requirement = Requirement(text)
        except InvalidRequirement as exc:
            raise BuildError(f"{filename}: invalid build requirement {text!r}: {exc}") from None
        if requirement.url:
            raise BuildError(
                f"{filename}: build requirement {text!r} names a URL; build requirements "
                "are installed only from the configured indexes"
            )
        found.append(requirement)
    return found
