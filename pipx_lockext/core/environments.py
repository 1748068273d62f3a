"""The environment matrix: Python versions by platforms, as values (pure core).

An environment is what a lock must install on. Each platform fixes the PEP 508 marker
variables and the wheel platform tags that install there, so compile needs no interpreter
other than its own. Nothing here touches the machine reqlock runs on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

if TYPE_CHECKING:
    from packaging.tags import Tag

KNOWN_PYTHONS = ((3, 6), (3, 16))
"""The oldest and newest CPython feature releases a matrix may name (3.16 is in development)."""

DEFAULT_PYTHONS = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
"""The versions the SPEC's default matrix draws from, filtered by `requires-python`."""

MAX_PATCH = 60
"""Patch releases a series is searched up to for a floor (3.9 ended at 3.9.25)."""


def _manylinux(arch: str) -> tuple[str, ...]:
    # Newest first, as packaging.tags orders them; 2_17 is manylinux2014, 2_5 manylinux1.
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(39, 4, -1)]
    legacy = {"manylinux_2_17": "manylinux2014", "manylinux_2_12": "manylinux2010"}
    legacy.update({"manylinux_2_5": "manylinux1"})
    extra = [f"{old}_{arch}" for new, old in legacy.items() if f"{new}_{arch}" in tags]
    if arch not in {"x86_64", "i686"}:
        extra = [t for t in extra if t.startswith("manylinux2014")]
    return (*tags, *extra, f"linux_{arch}")


def _macos(arch: str) -> tuple[str, ...]:
    # What pip accepts on macOS 15 (packaging's own list): arm64 machines also take
    # universal2 wheels built for 10.x, as cryptography ships them. Imported here:
    # packaging.tags is slow to import, and `check` never needs wheel tags.
    from packaging.tags import mac_platforms  # noqa: PLC0415 - slow; see above

    return tuple(mac_platforms((15, 0), arch))


@dataclass(frozen=True)
class Platform:
    """A target operating system and machine, as markers and wheel tags see it."""

    name: str
    sys_platform: str
    platform_system: str
    os_name: str
    platform_machine: str
    wheel_family: str
    """How its wheel platform tags are made: "manylinux", "macos" or "fixed"."""
    wheel_arch: str
    """The machine in wheel tags (or, for "fixed", the tags themselves, space-separated)."""

    @cached_property
    def platform_tags(self) -> tuple[str, ...]:
        """Wheel platform tags that install here, most specific first (computed when
        first needed: `check` never needs them)."""
        if self.wheel_family == "manylinux":
            return _manylinux(self.wheel_arch)
        if self.wheel_family == "macos":
            return _macos(self.wheel_arch)
        return tuple(self.wheel_arch.split())


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        Platform("linux-x86_64", "linux", "Linux", "posix", "x86_64", "manylinux", "x86_64"),
        Platform("linux-aarch64", "linux", "Linux", "posix", "aarch64", "manylinux", "aarch64"),
        Platform(
            "linux-musl-x86_64",
            "linux",
            "Linux",
            "posix",
            "x86_64",
            "fixed",
            "musllinux_1_2_x86_64 musllinux_1_1_x86_64 linux_x86_64",
        ),
        Platform("macos-arm64", "darwin", "Darwin", "posix", "arm64", "macos", "arm64"),
        Platform("macos-x86_64", "darwin", "Darwin", "posix", "x86_64", "macos", "x86_64"),
        Platform("windows-x86_64", "win32", "Windows", "nt", "AMD64", "fixed", "win_amd64"),
    )
}

DEFAULT_PLATFORMS = ("linux-x86_64", "linux-aarch64", "macos-arm64", "windows-x86_64")
"""Docker on ARM laptops and servers is where many prod locks are installed (SPEC)."""


@dataclass(frozen=True, order=True)
class PythonVersion:
    """A CPython feature release such as 3.12: the whole series 3.12.*."""

    major: int
    minor: int
    patch: int = field(default=0, compare=False)
    """The patch floor (`--python 3.9.2`): the series from there on. Not compared: 3.9.2
    is still the series 3.9 (one venv, one header entry)."""

    @classmethod
    def parse(cls, text: str) -> PythonVersion:
        """Parse "3.12" or "3.9.2" (a patch floor); raise ValueError for anything else
        ("3", "3.12.1rc1", "py3")."""
        parts = text.split(".")
        if len(parts) not in {2, 3} or not all(p.isdigit() for p in parts):
            raise ValueError(f"not a Python version of the form X.Y: {text!r}")
        patch = int(parts[2]) if len(parts) == 3 else 0
        if patch > MAX_PATCH:
            raise ValueError(f"not a CPython patch release reqlock knows: {text!r}")
        version = cls(int(parts[0]), int(parts[1]), patch)
        if not KNOWN_PYTHONS[0] <= (version.major, version.minor) <= KNOWN_PYTHONS[1]:
            low, high = (".".join(map(str, v)) for v in KNOWN_PYTHONS)
            raise ValueError(
                f"not a CPython feature release reqlock knows ({low}-{high}): {text!r}"
            )
        return version

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def floor_text(self) -> str:
        """ "3.9.2" when a patch floor is set, else "3.9"."""
        return f"{self}.{self.patch}" if self.patch else str(self)

    def release(self, patch: int) -> Version:
        """The patch release X.Y.`patch`."""
        return Version(f"{self}.{patch}")

    def lowest_patch(self, requires_python: SpecifierSet, start: int = 0) -> int | None:
        """The first patch release from `start` that `requires_python` admits, if any."""
        for patch in range(start, MAX_PATCH + 1):
            if requires_python.contains(self.release(patch), prereleases=True):
                return patch
        return None

    def admitted_by(self, requires_python: SpecifierSet) -> bool:
        """True when some release of this feature version satisfies `requires_python`."""
        # ">=3.9.2" admits 3.9 (3.9.2 onwards) and "<=3.9.1" admits it too (3.9.0-3.9.1).
        candidates = (Version(f"{self}.0"), Version(f"{self}.99"))
        return any(requires_python.contains(v, prereleases=True) for v in candidates)


@dataclass(frozen=True, order=True)
class Environment:
    """One cell of the matrix: a Python series on a platform, from a patch release on.

    The matrix holds one per series (from its floor, X.Y.0 unless narrowed); a series
    that some Requires-Python or marker splits is resolved again from each split point
    (`patch`), each such sub-environment standing for X.Y.patch up to the next one."""

    python: PythonVersion
    platform_name: str
    patch: int = 0
    """The lowest patch release this environment stands for."""

    @property
    def platform(self) -> Platform:
        return PLATFORMS[self.platform_name]

    @cached_property
    def markers(self) -> dict[str, str]:
        """The PEP 508 marker environment, for `Marker.evaluate`."""
        p = self.platform
        return {
            "implementation_name": "cpython",
            "implementation_version": str(self.full_version),
            "os_name": p.os_name,
            "platform_machine": p.platform_machine,
            "platform_python_implementation": "CPython",
            "platform_release": "",
            "platform_system": p.platform_system,
            "platform_version": "",
            "python_full_version": str(self.full_version),
            "python_version": str(self.python),
            "sys_platform": p.sys_platform,
        }

    @cached_property
    def supported_tags(self) -> frozenset[Tag]:
        """Wheel tags CPython of this version installs on this platform (as pip computes
        them there: the interpreter's own ABI, abi3 and none, then pure-Python tags)."""
        from packaging.tags import compatible_tags, cpython_tags  # noqa: PLC0415 - slow import

        version = (self.python.major, self.python.minor)
        platforms = list(self.platform.platform_tags)
        abi = f"cp{self.python.major}{self.python.minor}"
        # The ABI named, not read from the running interpreter's build (packaging would
        # add `d` on a debug build of reqlock's own Python, and load sysconfig to ask).
        native = cpython_tags(version, abis=[abi], platforms=platforms)
        pure = compatible_tags(version, abi, platforms)
        return frozenset((*native, *pure))

    @cached_property
    def full_version(self) -> Version:
        """The release Requires-Python and markers are checked against: the lowest patch
        release this environment stands for (splits cover the later ones)."""
        return self.python.release(self.patch)

    @property
    def series(self) -> tuple[PythonVersion, str]:
        """The matrix cell a sub-environment belongs to: (Python series, platform)."""
        return (self.python, self.platform_name)

    def at(self, patch: int) -> Environment:
        """The sub-environment of this series from patch release `patch` on."""
        return Environment(self.python, self.platform_name, patch)

    def __str__(self) -> str:
        python = f"{self.python}.{self.patch}" if self.patch else str(self.python)
        return f"python {python} on {self.platform_name}"


def default_pythons(requires_python: str | None) -> tuple[PythonVersion, ...]:
    """The SPEC default: the versions 3.9-3.14 that `requires-python` admits."""
    versions = tuple(PythonVersion.parse(v) for v in DEFAULT_PYTHONS)
    if not requires_python:
        return versions
    spec = SpecifierSet(requires_python)
    return tuple(v for v in versions if v.admitted_by(spec))


def parse_requires_python(text: str) -> SpecifierSet:
    """Parse a `requires-python` value; raise ValueError with packaging's reason."""
    try:
        return SpecifierSet(text)
    except InvalidSpecifier as exc:
        raise ValueError(str(exc)) from None


def build_matrix(
    pythons: tuple[PythonVersion, ...],
    platforms: tuple[str, ...],
    requires_python: SpecifierSet | None = None,
) -> tuple[Environment, ...]:
    """Every (python, platform) pair, sorted for deterministic output; each series from
    its floor: the version's own (`--python 3.9.2`), raised to the first patch release
    `requires_python` admits (">=3.9.2" makes 3.9 start at 3.9.2)."""
    floors = {py: _floor(py, requires_python) for py in pythons}
    return tuple(sorted(Environment(py, plat, floors[py]) for py in pythons for plat in platforms))


def _floor(python: PythonVersion, requires_python: SpecifierSet | None) -> int:
    if requires_python is None:
        return python.patch
    found = python.lowest_patch(requires_python, python.patch)
    return python.patch if found is None else found


_FULL_VERSION = re.compile(r"""python_full_version\s*[<>=!~]+\s*['"]([0-9.*]+)['"]""")
_FULL_VERSION_LEFT = re.compile(r"""['"]([0-9.*]+)['"]\s*[<>=!~]+\s*python_full_version""")


def marker_points(marker: str, python: PythonVersion) -> set[int]:
    """Patch releases of `python` where a `python_full_version` comparison in `marker`
    may change its value (each compared patch Z gives Z and Z + 1; the caller resolves
    at both and merges, so a point that changes nothing costs only a resolution)."""
    if "python_full_version" not in marker:
        return set()
    texts = _FULL_VERSION.findall(marker) + _FULL_VERSION_LEFT.findall(marker)
    return {p for text in texts for p in _patch_points(text, python)}


def specifier_points(requires_python: SpecifierSet, python: PythonVersion) -> set[int]:
    """Patch releases of `python` where `requires_python` starts or stops admitting the
    series (`!=3.9.0,!=3.9.1` gives 2): each point P is where P - 1 and P differ."""
    points = {p for spec in requires_python for p in _patch_points(spec.version, python)}
    return {
        p
        for p in points
        if 0 < p <= MAX_PATCH
        and requires_python.contains(python.release(p - 1), prereleases=True)
        != requires_python.contains(python.release(p), prereleases=True)
    }


def _patch_points(text: str, python: PythonVersion) -> set[int]:
    parts = text.removesuffix(".*").split(".")
    if len(parts) < 3 or parts[:2] != [str(python.major), str(python.minor)]:
        return set()
    digits = re.match(r"\d+", parts[2])
    if digits is None:
        return set()
    patch = int(digits.group())
    return {p for p in (patch, patch + 1) if 0 < p <= MAX_PATCH}


def describe_environments(envs: tuple[Environment, ...]) -> str:
    """ "python 3.9-3.13 on linux-x86_64" when the environments are every pair of their
    Pythons and platforms, else each one."""
    pairs = {(e.python, e.platform_name) for e in envs}
    pythons, platforms = {e.python for e in envs}, {e.platform_name for e in envs}
    if len(pairs) == len(pythons) * len(platforms):
        return describe_matrix(envs)
    return "; ".join(str(env) for env in sorted(envs))


def describe_matrix(matrix: tuple[Environment, ...]) -> str:
    """Compact text for lock headers: "python 3.9-3.13 on linux-x86_64, macos-arm64"
    ("python 3.9.2-3.13" when the first series starts at a patch floor)."""
    floors: dict[PythonVersion, int] = {}
    for env in matrix:
        floors[env.python] = min(floors.get(env.python, env.patch), env.patch)
    pythons = sorted(PythonVersion(v.major, v.minor, patch) for v, patch in floors.items())
    platforms = sorted({env.platform_name for env in matrix}, key=_platform_order)
    return f"python {_describe_pythons(pythons)} on {', '.join(platforms)}"


def _platform_order(name: str) -> int:
    return list(PLATFORMS).index(name)


def _describe_pythons(pythons: list[PythonVersion]) -> str:
    if not pythons:
        return "(none)"
    runs: list[list[PythonVersion]] = [[pythons[0]]]
    for version in pythons[1:]:
        last = runs[-1][-1]
        # A later series with a floor of its own starts a run: "3.9-3.10, 3.11.4-3.12".
        if (version.major, version.minor) == (last.major, last.minor + 1) and not version.patch:
            runs[-1].append(version)
        else:
            runs.append([version])
    parts = [r[0].floor_text if len(r) == 1 else f"{r[0].floor_text}-{r[-1]}" for r in runs]
    return ", ".join(parts)
