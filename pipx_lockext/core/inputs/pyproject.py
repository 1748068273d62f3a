"""Read layers and settings from a parsed pyproject.toml (pure core).

Input is the mapping a TOML parser returned; output is a `ProjectInputs`. Every problem
(wrong types, malformed requirements, include cycles, unknown settings) is collected and
raised together as one `InputError`, each naming the TOML key and quoting the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from packaging.dependency_groups import DependencyGroupInclude, DependencyGroupResolver
from packaging.errors import ExceptionGroup
from packaging.utils import canonicalize_name

from pipx_lockext.core.environments import parse_requires_python
from pipx_lockext.core.errors import InputError, Location, ProblemCollector, did_you_mean, shown
from pipx_lockext.core.inputs.dependencies import Dependency, name_problem, parse_pep508
from pipx_lockext.core.inputs.project import Layer, ProjectInputs, find_cycle, order_layers
from pipx_lockext.core.inputs.settings import Settings, parse_settings

FILE = "pyproject.toml"

Group = tuple[tuple[Dependency, ...], tuple[str, ...]]
"""A group's own requirements and the (canonical) names of the groups it includes."""


def tool_settings(data: Mapping[str, Any], out: ProblemCollector) -> Settings:
    """`[tool.reqlock]`, validated (defaults when absent)."""
    tool = data.get("tool", {})
    table = tool.get("reqlock", {}) if isinstance(tool, dict) else {}
    if not isinstance(table, dict):
        out.add(Location(FILE, key="[tool.reqlock]"), "must be a table", shown(table))
        return Settings()
    return parse_settings(table, FILE, out)


def declares_dependencies(data: Mapping[str, Any]) -> bool:
    """Whether pyproject.toml itself holds the layers (static deps or PEP 735 groups)."""
    project = data.get("project")
    static = isinstance(project, dict) and "dependencies" in project
    return static or "dependency-groups" in data


def project_table(data: Mapping[str, Any], out: ProblemCollector) -> dict[str, Any] | None:
    project = data.get("project")
    if project is None or isinstance(project, dict):
        return project
    out.add(Location(FILE, key="[project]"), "must be a table", shown(project))
    return None


@dataclass(frozen=True)
class Metadata:
    """What `[project]` says about the project itself."""

    name: str | None
    requires_python: str | None
    dependencies: tuple[Dependency, ...] | None
    """None when there is no `[project]` table."""
    optional: Mapping[str, tuple[Dependency, ...]]
    version: str | None = None
    """`[project].version` (None when dynamic or absent)."""


def read_metadata(data: Mapping[str, Any], out: ProblemCollector) -> Metadata:
    """`[project]` name, requires-python, dependencies and optional dependencies."""
    project = project_table(data, out)
    name = (project or {}).get("name")
    return Metadata(
        name=canonicalize_name(name) if isinstance(name, str) else None,
        requires_python=_requires_python(project, out),
        dependencies=_base_dependencies(project, out),
        optional=_optional_dependencies(project, out),
        version=_string((project or {}).get("version")),
    )


def _string(value: object) -> str | None:
    return value if isinstance(value, str) else None


def read_pyproject(data: Mapping[str, Any], root: str) -> ProjectInputs:
    """The project's layers from `[project]` and `[dependency-groups]`."""
    out = ProblemCollector()
    settings = tool_settings(data, out)
    meta = read_metadata(data, out)
    if "dependencies" in (project_table(data, ProblemCollector()) or {}).get("dynamic", []):
        where = Location(FILE, key="[project].dynamic")
        what = "dependencies are dynamic, so reqlock cannot read them; declare them"
        out.add(where, f'{what} statically or set [tool.reqlock] source = "requirements"')
    groups = _dependency_groups(data.get("dependency-groups"), out)
    layers = _layers(meta.dependencies, groups, settings, meta.optional, out)
    out.raise_if_any()
    return ProjectInputs(
        root=root,
        source="pyproject",
        name=meta.name,
        requires_python=meta.requires_python,
        layers=order_layers(layers),
        settings=settings,
        optional_dependencies=meta.optional,
        project_dependencies=meta.dependencies,
        version=meta.version,
    )


def _requires_python(project: dict[str, Any] | None, out: ProblemCollector) -> str | None:
    value = (project or {}).get("requires-python")
    where = Location(FILE, key="[project].requires-python")
    if value is None:
        return None
    if not isinstance(value, str):
        out.add(where, f"must be a string, not {type(value).__name__}", shown(value))
        return None
    try:
        parse_requires_python(value)
    except ValueError:
        out.add(where, "invalid version specifier", value)
        return None
    return value


def _string_list(value: Any, key: str, out: ProblemCollector) -> tuple[Dependency, ...]:
    """A TOML array of PEP 508 strings; anything else is reported, never iterated."""
    if not isinstance(value, list):
        what = f"must be an array of requirement strings, not {_toml_type(value)}"
        out.add(Location(FILE, key=key), what, shown(value))
        return ()
    parsed = (
        _requirement(item, Location(FILE, key=f"{key}[{i}]"), out) for i, item in enumerate(value)
    )
    return tuple(dep for dep in parsed if dep is not None)


def _requirement(item: Any, where: Location, out: ProblemCollector) -> Dependency | None:
    if not isinstance(item, str):
        out.add(where, f"must be a requirement string, not {_toml_type(item)}", shown(item))
        return None
    try:
        return parse_pep508(item, where)
    except InputError as exc:
        out.extend(exc)
        return None


def _toml_type(value: Any) -> str:
    names = {str: "a string", list: "an array", dict: "a table", bool: "a boolean"}
    names.update({int: "an integer", float: "a float"})
    return names.get(type(value), f"a {type(value).__name__}")


def _base_dependencies(
    project: dict[str, Any] | None, out: ProblemCollector
) -> tuple[Dependency, ...] | None:
    if project is None:
        return None
    if "dependencies" in project:
        return _string_list(project["dependencies"], "[project].dependencies", out)
    return ()


def _optional_dependencies(
    project: dict[str, Any] | None, out: ProblemCollector
) -> dict[str, tuple[Dependency, ...]]:
    table = (project or {}).get("optional-dependencies", {})
    key = "[project.optional-dependencies]"
    if not isinstance(table, dict):
        out.add(Location(FILE, key=key), f"must be a table, not {_toml_type(table)}", shown(table))
        return {}
    return {
        canonicalize_name(extra): _string_list(value, f"{key}.{extra}", out)
        for extra, value in table.items()
    }


def _dependency_groups(table: Any, out: ProblemCollector) -> dict[str, Group]:
    """Each group's own requirements and the groups it includes, by canonical name."""
    if table is None:
        return {}
    if not isinstance(table, dict):
        what = f"must be a table, not {_toml_type(table)}"
        out.add(Location(FILE, key="[dependency-groups]"), what, shown(table))
        return {}
    before = len(out.problems)
    for name in table:
        if problem := name_problem(name):
            out.add(Location(FILE, key=f"[dependency-groups].{name}"), f"group name is {problem}")
    own = {name: _group_requirements(name, items, out) for name, items in table.items()}
    if len(out.problems) > before:
        return {}  # packaging would report the same bad items again, without positions
    try:
        resolver = DependencyGroupResolver(table)
        groups: dict[str, Group] = {
            canonicalize_name(name): (own[name], _includes(resolver.lookup(name)))
            for name in table
        }
    except ExceptionGroup as exc:  # packaging reports duplicates and bad items together
        for error in exc.exceptions:
            out.add(Location(FILE, key="[dependency-groups]"), str(error).splitlines()[0])
        return {}
    _check_includes(groups, out)
    return groups


def _group_requirements(name: str, items: Any, out: ProblemCollector) -> tuple[Dependency, ...]:
    key = f"[dependency-groups].{name}"
    if not isinstance(items, list):
        out.add(
            Location(FILE, key=key), f"must be an array, not {_toml_type(items)}", shown(items)
        )
        return ()
    deps = []
    for index, item in enumerate(items):
        where = Location(FILE, key=f"{key}[{index}]")
        if isinstance(item, dict) and set(item) == {"include-group"}:
            if not isinstance(item["include-group"], str):
                out.add(where, "include-group must name a group", shown(item))
        elif (dep := _requirement(item, where, out)) is not None:
            deps.append(dep)
    return tuple(deps)


def _includes(items: tuple[object, ...]) -> tuple[str, ...]:
    return tuple(
        canonicalize_name(item.include_group)
        for item in items
        if isinstance(item, DependencyGroupInclude)
    )


def _check_includes(groups: dict[str, Group], out: ProblemCollector) -> None:
    for name, (_, includes) in groups.items():
        for target in includes:
            if target not in groups:
                hint = did_you_mean(target, tuple(groups))
                where = Location(FILE, key=f"[dependency-groups].{name}")
                out.add(where, f"includes unknown group {target!r}{hint}")
    cycle = find_cycle({name: includes for name, (_, includes) in groups.items()})
    if cycle:
        where = Location(FILE, key="[dependency-groups]")
        out.add(where, f"include-group cycle: {' -> '.join(cycle)}")


def _layers(
    base: tuple[Dependency, ...] | None,
    groups: dict[str, Group],
    settings: Settings,
    optional: Mapping[str, tuple[Dependency, ...]],
    out: ProblemCollector,
) -> dict[str, Layer]:
    """base from [project] (or a `base` group without [project]); one layer per group."""
    layers: dict[str, Layer] = {}
    if base is not None:
        if "base" in groups:
            where = Location(FILE, key="[dependency-groups].base")
            out.add(
                where, "a group named 'base' clashes with the base layer ([project].dependencies)"
            )
        layers["base"] = Layer("base", FILE, base)
    for name, (own, includes) in groups.items():
        on_base = settings.layer(name).include_base and name != "base"
        on_base = on_base and (base is not None or "base" in groups)
        layers[name] = Layer(name, FILE, own, (("base",) if on_base else ()) + includes)
    _apply_layer_settings(layers, settings, optional, out)
    return layers


def _apply_layer_settings(
    layers: dict[str, Layer],
    settings: Settings,
    optional: Mapping[str, tuple[Dependency, ...]],
    out: ProblemCollector,
) -> None:
    for name, layer_settings in settings.layers.items():
        where = Location(FILE, key=f"[tool.reqlock.layers.{name}]")
        if name not in layers:
            out.add(where, f"no such layer{did_you_mean(name, tuple(layers))}")
            continue
        for extra in layer_settings.extras:
            if extra not in optional:
                hint = did_you_mean(extra, tuple(optional))
                out.add(where, f"extras: no optional dependency {extra!r} in [project]{hint}")
        layers[name] = replace(
            layers[name],
            extras=layer_settings.extras,
            requires_python=layer_settings.requires_python,
            independent=layer_settings.independent,
        )
