"""The project's inputs as frozen values: layers and the environment matrix (pure core).

Both readers (pyproject.toml and requirements/*.in) produce a `ProjectInputs`; everything
after them (export, import, compile, check) works on that value only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from pipx_lockext.core.environments import (
    Environment,
    build_matrix,
    default_pythons,
    parse_requires_python,
)
from pipx_lockext.core.errors import InputError, Location
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
    independent: bool = False
    """Resolved alone (with what it includes), its pins not shared with the other layers'
    (`[tool.reqlock.layers.X] independent = true`)."""


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

    def lockable(self) -> tuple[str, ...]:
        """The layer names; InputError when there is none (a Poetry or setup.py project:
        "locks are up to date" or "fresh" would hide it)."""
        if not self.layers:
            raise InputError.single(
                Location("pyproject.toml"),
                "nothing to lock: no [project] dependencies, no [dependency-groups] and no "
                "requirements/*.in ([tool.poetry] tables are not read)",
            )
        return self.layer_names()

    def included(self, name: str) -> tuple[str, ...]:
        """The layer and every layer it includes, transitively, in a stable order
        (depth first, as written; iterative, so that no chain is too deep)."""
        seen: dict[str, None] = {}
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen[current] = None
            todo.extend(reversed(self.layer(current).includes))
        return tuple(seen)

    def matrix(self, layer: str | None = None) -> tuple[Environment, ...]:
        """The environments a layer's lock must install on (all layers when None)."""
        pythons = self.settings.pythons or default_pythons(self.requires_python)
        narrowed = self.layer(layer).requires_python if layer else None
        floors = parse_requires_python(self.requires_python or "")
        if narrowed:
            spec = parse_requires_python(narrowed)
            pythons = tuple(v for v in pythons if v.admitted_by(spec))
            floors &= spec
        # Each series starts at the first patch release these admit (">=3.9.2").
        return build_matrix(pythons, self.settings.platforms, floors)


def order_layers(layers: dict[str, Layer]) -> tuple[Layer, ...]:
    """Layers sorted so that includes come first; ties by name (`base` first)."""
    done: dict[str, Layer] = {}
    for start in sorted(layers, key=lambda n: (n != "base", n)):
        for name in _post_order(start, lambda n: () if n in done else _includes(layers, n)):
            if name in layers:
                done.setdefault(name, layers[name])
    return tuple(done.values())


def _includes(layers: dict[str, Layer], name: str) -> tuple[str, ...]:
    return layers[name].includes if name in layers else ()


def _post_order(start: str, edges: Callable[[str], tuple[str, ...]]) -> Iterator[str]:
    """Every node reachable from `start`, each after the nodes it points to (a node on a
    cycle is given once); iterative, so that no chain is too deep."""
    seen = {start}
    stack = [(start, iter(edges(start)))]
    while stack:
        node, pending = stack[-1]
        nxt = next((n for n in pending if n not in seen), None)
        if nxt is None:
            stack.pop()
            yield node
        else:
            seen.add(nxt)
            stack.append((nxt, iter(edges(nxt))))


def find_cycle(graph: Mapping[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """A cycle of includes such as ("a", "b", "a"), or None; names in sorted order first."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for start in sorted(graph):
        if start in state:
            continue
        path = [start]
        state[start] = 1
        stack = [iter(graph.get(start, ()))]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                stack.pop()
                state[path.pop()] = 2
            elif state.get(nxt) == 1:
                return (*path[path.index(nxt) :], nxt)
            elif nxt not in state:
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(graph.get(nxt, ())))
    return None
