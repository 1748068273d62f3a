"""`reqlock import`: requirements files into pyproject.toml (pure core: text in, text out).

tomlkit edits the document so that every comment and all formatting outside the arrays
we replace survive. `-r x.in` becomes `{include-group = "x"}`, `-e .[extra]` becomes
`[tool.reqlock.layers.G] extras`, and index options go to `[tool.reqlock]`. What pyproject
cannot express (editable installs, local directories, constraint files) is refused with
the file and line, rather than dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import tomlkit
from packaging.utils import canonicalize_name

from pipx_lockext.core.errors import ProblemCollector
from pipx_lockext.core.inputs.dependencies import Dependency
from pipx_lockext.core.inputs.project import Layer
from pipx_lockext.core.inputs.settings import IndexSettings


def import_layers(
    pyproject_text: str,
    layers: Iterable[Layer],
    index: IndexSettings,
    extras_of: dict[str, tuple[str, ...]],
) -> str:
    """The new pyproject.toml text with `layers` written in.

    `extras_of` maps an extra of the project to the requirement texts it holds, so that
    requirements an exported `.in` file inlined from an extra are not written twice.
    """
    doc = tomlkit.parse(pyproject_text)
    out = ProblemCollector()
    layers = list(layers)
    has_base = "project" in doc or any(layer.name == "base" for layer in layers)
    has_base = has_base or "base" in _canonical_keys(doc.get("dependency-groups", {}))
    for layer in layers:
        _import_layer(doc, layer, has_base, extras_of, out)
    out.raise_if_any()
    _set_index(doc, index)
    return tomlkit.dumps(doc)


def _import_layer(
    doc: Any,
    layer: Layer,
    has_base: bool,
    extras_of: dict[str, tuple[str, ...]],
    out: ProblemCollector,
) -> None:
    extras = _extras(doc, layer)
    inlined = {text for extra in extras for text in extras_of.get(extra, ())}
    written = (_pep508(d, out) for d in layer.requirements if d.kind != "project")
    texts = [t for t in written if t is not None and t not in inlined]
    for dep in layer.constraints:
        what = "constraints have no place in pyproject.toml; keep the .in files as the source"
        out.add(dep.where, f'{what} ([tool.reqlock] source = "requirements")', dep.text)
    if layer.name == "base" and "project" in doc:
        doc["project"]["dependencies"] = _array(texts)
        return
    _set_group(doc, layer.name, [g for g in layer.includes if g != "base"], texts)
    on_base = "base" in layer.includes or bool(extras) or layer.name == "base"
    _set_layer_settings(doc, layer.name, on_base or not has_base, extras)


def _extras(doc: Any, layer: Layer) -> tuple[str, ...]:
    """Extras of the project the layer holds: `-e .[x]` lines, and those already configured
    (an exported `.in` file inlines their requirements, which must not be written twice)."""
    asked = {e for d in layer.requirements if d.kind == "project" for e in d.extras}
    layers = doc.get("tool", {}).get("reqlock", {}).get("layers", {})
    configured = layers.get(_canonical_keys(layers).get(layer.name, layer.name), {})
    asked.update(canonicalize_name(e) for e in configured.get("extras", []))
    return tuple(sorted(asked))


def _pep508(dep: Dependency, out: ProblemCollector) -> str | None:
    if dep.requirement is not None:
        return dep.text
    what = {
        "editable": "editable requirements cannot be written to pyproject.toml",
        "local": "local directories cannot be written to pyproject.toml",
    }.get(dep.kind, "only 'name @ url' requirements can be written to pyproject.toml")
    out.add(dep.where, what, dep.text)
    return None


def _canonical_keys(table: Any) -> dict[str, str]:
    return {canonicalize_name(key): key for key in table}


def _array(items: list[Any]) -> Any:
    array = tomlkit.array()
    array.extend(items)
    return array.multiline(len(items) > 1)


def _set_group(doc: Any, name: str, includes: list[str], texts: list[str]) -> None:
    groups = doc.setdefault("dependency-groups", tomlkit.table())
    key = _canonical_keys(groups).get(name, name)
    items: list[Any] = []
    for include in includes:
        table = tomlkit.inline_table()
        table["include-group"] = include
        items.append(table)
    groups[key] = _array(items + texts)


def _subtable(parent: Any, key: str) -> Any:
    if key not in parent:
        parent[key] = tomlkit.table(is_super_table=True)
    return parent[key]


def _set_layer_settings(doc: Any, name: str, include_base: bool, extras: tuple[str, ...]) -> None:
    reqlock = doc.get("tool", {}).get("reqlock", {})
    current = _canonical_keys(reqlock.get("layers", {}))
    if include_base and not extras and name not in current:
        return
    layers = _subtable(_subtable(_subtable(doc, "tool"), "reqlock"), "layers")
    table = _subtable(layers, current.get(name, name))
    _set_or_drop(table, "include-base", False if not include_base else None)
    _set_or_drop(table, "extras", list(extras) or None)
    if not table:
        del layers[current.get(name, name)]


def _set_or_drop(table: Any, key: str, value: Any) -> None:
    if value is not None:
        table[key] = value
    elif key in table:
        del table[key]


def _set_index(doc: Any, index: IndexSettings) -> None:
    values = {
        "index-url": index.index_url,
        "extra-index-url": list(index.extra_index_urls) or None,
        "find-links": list(index.find_links) or None,
        "only-binary": list(index.only_binary) or None,
        "no-binary": list(index.no_binary) or None,
        "pre": True if index.pre else None,
    }
    if not any(v is not None for v in values.values()):
        return
    reqlock = _subtable(_subtable(doc, "tool"), "reqlock")
    for key, value in values.items():
        if value is not None:
            reqlock[key] = value
