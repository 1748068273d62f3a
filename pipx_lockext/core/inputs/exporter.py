"""`reqlock export`: pyproject.toml layers as pip-tools style `.in` files (pure core).

Returns file names and texts; writing them (atomically) is the shell's job. Output is
deterministic so that exporting twice changes nothing.
"""

from __future__ import annotations

from pipx_lockext.core.inputs.project import Layer, ProjectInputs
from pipx_lockext.core.inputs.settings import IndexSettings

HEADER = "# Layer {name}: exported by reqlock from pyproject.toml ({key}).\n"
HEADER2 = "# pyproject.toml is the source: edit it there, then run `reqlock export`.\n"


def export_files(inputs: ProjectInputs) -> dict[str, str]:
    """`<layer>.in` text for every layer, by file name."""
    return {f"{layer.name}.in": _layer_text(inputs, layer) for layer in inputs.layers}


def _layer_text(inputs: ProjectInputs, layer: Layer) -> str:
    key = (
        "[project].dependencies"
        if layer.name == "base" and inputs.name is not None
        else (f"[dependency-groups].{layer.name}")
    )
    lines = [HEADER.format(name=layer.name, key=key), HEADER2]
    if not layer.includes:  # files layered on another get its options through -r
        lines += index_option_lines(inputs.settings.index)
    lines += [f"-r {sub}.in\n" for sub in layer.includes]
    for extra in layer.extras:
        lines.append(f"# extra {extra!r} of the project ([tool.reqlock.layers.{layer.name}])\n")
        lines += [f"{dep.text}\n" for dep in inputs.optional_dependencies.get(extra, ())]
    lines += [f"{dep.text}\n" for dep in layer.requirements]
    return "".join(lines)


def index_option_lines(index: IndexSettings) -> list[str]:
    """pip options that reproduce the index settings (placeholders kept as written)."""
    lines = [f"--index-url {index.index_url}\n"] if index.index_url else []
    lines += [f"--extra-index-url {url}\n" for url in index.extra_index_urls]
    lines += [f"--find-links {link}\n" for link in index.find_links]
    lines += [f"--only-binary {name}\n" for name in index.only_binary]
    lines += [f"--no-binary {name}\n" for name in index.no_binary]
    lines += ["--pre\n"] if index.pre else []
    return lines
