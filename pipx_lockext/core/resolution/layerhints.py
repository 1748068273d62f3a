"""What to suggest when the layers resolved together cannot be (pure core; resolves
through `resolver.resolve_environment`, only after a resolution has failed).

- `python_hint`: some layers cannot be resolved on the older Pythons of the matrix but can
  on newer ones: the `requires-python` line for each. Each layer is tried on its own (with
  what it includes), includes first, so the message names the group that needs the newer
  Python (docs), not the one including it (dev), gives the line for both, and names every
  such layer at once rather than one per compile.
- `independent_hint`: a layer that resolves on its own, while the others resolve without
  it (pip-tools projects compile `docs.in` apart from `prod.in`): the `independent` line.
"""

from __future__ import annotations

from collections.abc import Mapping

from pipx_lockext.core.environments import Environment, PythonVersion
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.resolution.asks import Policy
from pipx_lockext.core.resolution.resolver import Root, resolve_environment


def python_hint(
    inputs: ProjectInputs,
    source: Source,
    roots_by_env: Mapping[Environment, tuple[Root, ...]],
    policy: Policy,
    failed: Environment,
) -> str | None:
    """When some layers alone cannot be resolved on older Pythons but can on newer ones
    (docs or lint groups needing a newer Python than the package), a line for each saying
    so, with the `requires-python` settings that fix it (for the layer, and for every layer
    including it); None when the failure lies elsewhere."""
    found = _needing_newer(inputs, source, roots_by_env[failed], policy, failed)
    if not found:
        return None
    removed = {x for x in inputs.layer_names() if set(inputs.included(x)) & set(found)}
    others = tuple(root for root in roots_by_env[failed] if root.layer not in removed)
    if not _resolves(source, failed, others, policy):
        return None
    needs: dict[str, PythonVersion] = {}
    for layer in found:
        lowest = _lowest_python(inputs, source, roots_by_env, policy, (layer, failed))
        if lowest is None:
            return None
        needs[layer] = lowest
    return _said(inputs, needs, removed, failed)


def _said(
    inputs: ProjectInputs,
    needs: Mapping[str, PythonVersion],
    removed: set[str],
    failed: Environment,
) -> str:
    """The layers that need a newer Python, then one line per layer to narrow (a layer
    including several of them gets the highest floor, once)."""
    lines: dict[str, PythonVersion] = {}
    for name in inputs.layer_names():
        floors = [
            v for layer, v in needs.items() if name in removed and layer in inputs.included(name)
        ]
        if floors:
            lines[name] = max(floors)
    what = ", ".join(f"layer {layer} needs Python >= {v}" for layer, v in needs.items())
    adds = []
    for name, version in lines.items():
        by = [layer for layer in needs if layer != name and layer in inputs.included(name)]
        why = f" ({name} includes {', '.join(by)})" if by and name not in needs else ""
        adds.append(f'[tool.reqlock.layers.{name}] requires-python = ">={version}"{why}')
    cannot = "they cannot" if len(needs) > 1 else "it cannot"
    return f"{what} ({cannot} be resolved on {failed}); add {' and '.join(adds)} to pyproject.toml"


def independent_hint(
    inputs: ProjectInputs,
    source: Source,
    roots: tuple[Root, ...],
    policy: Policy,
    failed: Environment,
) -> str | None:
    """When one layer that no other includes resolves on `failed` on its own (with what
    it includes) and the other layers resolve there without it, the line that resolves it
    alone; None when no such layer exists (the clash is within one layer's closure)."""
    group = {root.layer for root in roots} - {""}
    tops = [
        name
        for name in inputs.layer_names()
        if name in group and not any(name in inputs.included(o) for o in group - {name})
    ]
    if len(tops) < 2:
        return None
    apart = [
        name
        for name in tops
        if _resolves(source, failed, _of_layer(roots, name), policy)
        and _resolves(source, failed, tuple(r for r in roots if r.layer != name), policy)
    ]
    if not apart:
        return None
    # The smallest first: a docs or lint layer is more likely the one meant to stand apart.
    apart.sort(key=lambda name: (len(_of_layer(roots, name)), name))
    first, *others = apart
    line = f"[tool.reqlock.layers.{first}] independent = true"
    if not others:
        return (
            f"layer {first} resolves on its own, and the other layers without it: if it is "
            f"installed apart from them, add {line} to pyproject.toml (it then gets pins of "
            "its own)"
        )
    return (
        f"layers {', '.join(apart)} each resolve on their own, and the others without them: "
        f"add {line} (or the same for {', '.join(others)}) to pyproject.toml for the one "
        "installed apart (it then gets pins of its own)"
    )


def _needing_newer(
    inputs: ProjectInputs,
    source: Source,
    roots: tuple[Root, ...],
    policy: Policy,
    failed: Environment,
) -> list[str]:
    """The layers that cannot be resolved on `failed` on their own (with what they
    include), apart from those that fail only by including such a layer."""
    found: list[str] = []
    for layer in inputs.layer_names():  # includes come first
        if layer == "base" or failed not in inputs.matrix(layer):
            continue
        if set(inputs.included(layer)) & set(found):
            continue
        if not _resolves(source, failed, _of_layer(roots, layer), policy):
            found.append(layer)
    return found


def _lowest_python(
    inputs: ProjectInputs,
    source: Source,
    roots_by_env: Mapping[Environment, tuple[Root, ...]],
    policy: Policy,
    which: tuple[str, Environment],
) -> PythonVersion | None:
    """The lowest Python above the failed one on which the layer resolves, provided it
    resolves on the newest (else None: no requires-python line would help)."""
    layer, failed = which
    newer = [e for e in inputs.matrix(layer) if e.platform_name == failed.platform_name]
    newer = [e for e in newer if e.python > failed.python]
    working = [
        e
        for e in newer
        if _resolves(
            source, e, tuple(r for r in roots_by_env[e] if r.layer in {layer, ""}), policy
        )
    ]
    if not working or working[-1] != newer[-1]:
        return None
    return min(e.python for e in working)


def _resolves(source: Source, env: Environment, roots: tuple[Root, ...], policy: Policy) -> bool:
    try:
        resolve_environment(source, env, roots, policy)
    except ResolutionError:
        return False
    return True


def _of_layer(roots: tuple[Root, ...], layer: str) -> tuple[Root, ...]:
    """The layer's roots (its includes' too), and the command line's constraints."""
    return tuple(root for root in roots if root.layer in {layer, ""})
