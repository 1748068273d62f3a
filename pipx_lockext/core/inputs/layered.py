"""Layers from pip-tools style `requirements/*.in` files (pure core).

Each `.in` file in the requirements directory is a layer named by its stem. `-r x.in`
(or `-r x.txt` when `x.in` is a layer: the compiled output of that layer) layers on `x`;
`-c x.txt` likewise constrains by layer `x`. Any other `-r`/`-c` file is read as plain
requirements or constraints, relative to the file naming it. The files arrive already
read (see `loader`); this module only decides what they mean.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from packaging.utils import canonicalize_name

from pipx_lockext.core.errors import Location, Problem, ProblemCollector, did_you_mean
from pipx_lockext.core.inputs.dependencies import Dependency, name_problem
from pipx_lockext.core.inputs.project import Layer, find_cycle, order_layers
from pipx_lockext.core.inputs.settings import IndexSettings, Settings


@dataclass(frozen=True)
class Reference:
    """A `-r FILE` or `-c FILE` line: the target as written, and where."""

    target: str
    where: Location


@dataclass(frozen=True)
class ReqFile:
    """One requirements file, parsed but not followed."""

    display: str
    """The path as shown to the user (relative to the project)."""
    requirements: tuple[Dependency, ...]
    includes: tuple[Reference, ...]
    constraints: tuple[Reference, ...]
    index: IndexSettings
    problems: tuple[Problem, ...]


def resolve_reference(from_display: str, target: str) -> str:
    """The display path a `-r`/`-c` target names, relative to the file naming it."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(from_display), target))


def layer_name(display: str) -> str:
    """The layer an `.in` file declares: its stem (pip-compile's `requirements.in` is base)."""
    stem = canonicalize_name(posixpath.basename(display).removesuffix(".in"))
    return "base" if stem == "requirements" else stem


@dataclass
class _Collected:
    requirements: list[Dependency] = field(default_factory=list)
    includes: list[str] = field(default_factory=list)
    constraints: list[Dependency] = field(default_factory=list)
    constraint_layers: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LayeredFiles:
    """The `.in` layer files and every plain file they reach, already read."""

    layer_files: tuple[str, ...]
    """Display paths of the layer files (requirements/*.in)."""
    files: Mapping[str, ReqFile]
    """Every file read, layer or plain, by display path."""
    known_layers: frozenset[str] = frozenset()
    """Layers that exist without a file here (import: pyproject's base and groups)."""

    def layer_for(self, display: str) -> str | None:
        """The layer a referenced path stands for (`x.in`, or `x.txt` beside `x.in`)."""
        stem, ext = posixpath.splitext(display)
        for candidate in (display, stem + ".in") if ext == ".txt" else (display,):
            if candidate in self.layer_files:
                return layer_name(candidate)
        if ext in {".in", ".txt"} and layer_name(stem + ".in") in self.known_layers:
            return layer_name(stem + ".in")
        return None


def with_layer_settings(
    layers: tuple[Layer, ...], settings: Settings, out: ProblemCollector
) -> tuple[Layer, ...]:
    """The layers with `[tool.reqlock.layers.X] requires-python` of a pyproject.toml beside
    requirements/ (where a pip-tools project configures reqlock); a table naming no layer
    is reported."""
    names = tuple(layer.name for layer in layers)
    for name in settings.layers:
        if layers and name not in names:
            where = Location("pyproject.toml", key=f"[tool.reqlock.layers.{name}]")
            out.add(where, f"no such layer (no requirements/{name}.in){did_you_mean(name, names)}")
    return tuple(
        replace(
            layer,
            requires_python=settings.layer(layer.name).requires_python,
            independent=settings.layer(layer.name).independent,
        )
        for layer in layers
    )


def read_layers(
    layered: LayeredFiles, out: ProblemCollector
) -> tuple[tuple[Layer, ...], IndexSettings]:
    """The layers, sorted includes first, and the index options all files declare."""
    layers: dict[str, Layer] = {}
    for display in layered.layer_files:
        stem = posixpath.basename(display).removesuffix(".in")
        if problem := name_problem(stem):
            out.add(Location(display), f"the file name is {problem}", stem)
            continue
        got = _Walker(layered, out, display).collected
        name = layer_name(display)
        layers[name] = Layer(
            name=name,
            file=display,
            requirements=tuple(got.requirements),
            includes=tuple(dict.fromkeys(got.includes)),
            constraints=tuple(got.constraints),
            constraint_layers=tuple(dict.fromkeys(got.constraint_layers)),
        )
    cycle = find_cycle({name: layer.includes for name, layer in layers.items()})
    if cycle:
        out.add(Location(layers[cycle[0]].file), f"-r cycle between layers: {' -> '.join(cycle)}")
        return (), IndexSettings()
    index = IndexSettings()
    for file in layered.files.values():
        index = index.joined(file.index)
    return order_layers(layers), index


class _Walker:
    """Gathers one layer file's lines, following plain `-r`/`-c` files once each."""

    def __init__(self, layered: LayeredFiles, out: ProblemCollector, display: str) -> None:
        self.layered, self.out = layered, out
        self.collected = _Collected()
        self.seen = {display}
        self.collect(display, constraint=False)

    def collect(self, display: str, constraint: bool) -> None:
        file = self.layered.files[display]
        self.out.problems.extend(file.problems)
        got = self.collected
        (got.constraints if constraint else got.requirements).extend(file.requirements)
        for ref in file.includes:
            self.follow(display, ref, constraint)
        for ref in file.constraints:
            self.follow(display, ref, constraint=True)

    def follow(self, display: str, ref: Reference, constraint: bool) -> None:
        target = resolve_reference(display, ref.target)
        layer = self.layered.layer_for(target)
        got = self.collected
        if layer is not None:
            (got.constraint_layers if constraint else got.includes).append(layer)
        elif target not in self.layered.files:
            self.out.add(ref.where, "file not found", ref.target)
        elif target not in self.seen:
            self.seen.add(target)
            self.collect(target, constraint)
