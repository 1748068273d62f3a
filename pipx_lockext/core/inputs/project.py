"""The project's inputs as frozen values: layers and the environment matrix (pure core).

Both readers (pyproject.toml and requirements/*.in) produce a `ProjectInputs`; everything
after them (export, import, compile, check) works on that value only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pipx_lockext.core.environments import (
    Environment,
    build_matrix,
    default_pythons,
    parse_requires_python,
)
from pipx_lockext.core.inputs.dependencies import Dependency
from pipx_lockext.core.inputs.settings import Settings


@dataclass(frozen=True)
class Layer:
    """One lock file's worth of inputs: its own requirements and what it builds on."""

    name: str
    """Canonical name: "base", a dependency group, or an .in file's stem."""
    file: str
    """Where it is declared: "pyproject.toml" or "requirements/dev.in"."""
    requirements: tuple[Dependency, ...] = ()
    """Its own requirements, in the order written."""
    includes: tuple[str, ...] = ()
    """Layers whose requirements it also holds (base, included groups, `-r x.in`)."""
    constraints: tuple[Dependency, ...] = ()
    """Constraints (`-c`) that narrow versions but never add packages."""
    constraint_layers: tuple[str, ...] = ()
    """Layers whose pins constrain this one (`-c base.txt` when base.in exists)."""
    extras: tuple[str, ...] = ()
    """Extras of the project itself brought in by `[tool.reqlock.layers.X] extras`."""
    requires_python: str | None = None
    """A narrower Python range for this layer alone."""


@dataclass(frozen=True)
class ProjectInputs:
    """Everything read from the project that decides what the locks contain."""

    root: str
    source: str
    """"pyproject" or "requirements": where the layers were read from."""
    name: str | None
    """The project's canonical name when pyproject.toml has `[project]`."""
    requires_python: str | None
    layers: tuple[Layer, ...]
    """Sorted so that every layer comes after the layers it includes."""
    settings: Settings
    optional_dependencies: Mapping[str, tuple[Dependency, ...]] = field(default_factory=dict)
    project_dependencies: tuple[Dependency, ...] | None = None
    """`[project].dependencies` (what `-e .` stands for); None when not declared statically."""
    version: str | None = None
    """`[project].version`; None when dynamic or absent."""

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)

    def lock_file(self, layer: str) -> str:
        """The layer's lock, relative to the project root."""
        return f"{self.settings.output_dir}/{layer}.lock.txt"

    def build_lock_file(self, layer: str) -> str:
        """The lock of the build requirements of the layer's sdist-only pins."""
        return f"{self.settings.output_dir}/{layer}.build.lock.txt"

    def layer_names(self) -> tuple[str, ...]:
        return tuple(layer.name for layer in self.layers)

    def included(self, name: str) -> tuple[str, ...]:
        """The layer and every layer it includes, transitively, in a stable order."""
        seen: dict[str, None] = {}
        self._walk(name, seen)
        return tuple(seen)

    def _walk(self, name: str, seen: dict[str, None]) -> None:
        if name in seen:
            return
        seen[name] = None
        for sub in self.layer(name).includes:
            self._walk(sub, seen)

    def matrix(self, layer: str | None = None) -> tuple[Environment, ...]:
        """The environments a layer's lock must install on (all layers when None)."""
        pythons = self.settings.pythons or default_pythons(self.requires_python)
        narrowed = self.layer(layer).requires_python if layer else None
        if narrowed:
            spec = parse_requires_python(narrowed)
            pythons = tuple(v for v in pythons if v.admitted_by(spec))
        return build_matrix(pythons, self.settings.platforms)


def order_layers(layers: dict[str, Layer]) -> tuple[Layer, ...]:
    """Layers sorted so that includes come first; ties by name (`base` first)."""
    done: dict[str, Layer] = {}

    def visit(name: str) -> None:
        if name in done or name not in layers:
            return
        for sub in layers[name].includes:
            visit(sub)
        done[name] = layers[name]

    for name in sorted(layers, key=lambda n: (n != "base", n)):
        visit(name)
    return tuple(done.values())


def find_cycle(graph: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """A cycle of includes such as ("a", "b", "a"), or None; names in sorted order first."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    path: list[str] = []

    def visit(node: str) -> tuple[str, ...] | None:
        state[node] = 1
        path.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return (*path[path.index(nxt) :], nxt)
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None
