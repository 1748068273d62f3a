"""`reqlock outdated`: the pins with newer releases, how far the project's requirements let
them go, and what holds them back (shell, part of the CLI), and how its result reads, as a
table for a person or as JSON (`--format json`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipx_lockext.cli.options import common_options, format_option, project_root
from pipx_lockext.cli.report import say
from pipx_lockext.core.errors import escaped

if TYPE_CHECKING:
    from pipx_lockext.commands.outdated import LayerOutdated, OutdatedResult
    from pipx_lockext.core.resolution.outdated import Behind

HEADINGS = ("package", "pinned", "allowed", "newest")


@click.command("outdated")
@click.argument("layers", nargs=-1)
@click.option("--pre", is_flag=True, help="Count pre-releases as newer releases too.")
@format_option("the result")
@click.option(
    "--exit-code", is_flag=True, help="Exit 1 when any pin has a newer release (default: 0)."
)
@common_options
def outdated_command(
    *,
    layers: tuple[str, ...],
    pre: bool,
    output_format: str,
    exit_code: bool,
    project: Path | None,
    quiet: bool,
    verbose: bool,
) -> None:
    """Show the pins of LAYERS (default: all) that have newer releases on the index.

    For each: the pinned version, the newest the project's requirements allow (what
    `reqlock compile -U` would pick), the newest usable release, and for a pin held back
    below the newest, the requirements that hold it and the chain that brings them in.
    The locks must be fresh (`reqlock check`). Exit 0 whether or not anything is
    outdated, unless --exit-code.
    """
    from pipx_lockext.cli.status import reporting  # noqa: PLC0415 - start-up
    from pipx_lockext.commands.outdated import outdated_project  # noqa: PLC0415 - start-up

    with reporting(quiet, verbose) as progress:
        result = outdated_project(project_root(project), layers, pre=pre, progress=progress)
    if output_format == "json":
        import json  # noqa: PLC0415 - only for --format json

        click.echo(json.dumps(as_json(result), indent=2, sort_keys=True))
    else:
        table(result, quiet)
    if exit_code and result.any:
        raise click.exceptions.Exit(1)


def table(result: OutdatedResult, quiet: bool) -> None:
    """Per layer, one row per pin and the environments where it says the same; under a
    held-back row, each holder and its chain."""
    for layer in result.layers:
        if not layer.behind:
            if not quiet:
                say(f"{layer.lock}: every pin is the newest release", "ok")
            continue
        _echo(f"{layer.lock} ({layer.environments}):")
        rows = [HEADINGS, *(_row(b) for b in layer.behind)]
        widths = [max(len(row[i]) for row in rows) for i in range(len(HEADINGS))]
        _echo("  " + "  ".join(h.ljust(w) for h, w in zip(HEADINGS, widths, strict=True)).rstrip())
        for behind, row in zip(layer.behind, rows[1:], strict=True):
            _echo("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
            if not behind.everywhere:
                _echo(f"      on {behind.environments}")
            for holder in behind.held_by:
                _echo(f"      held by {holder.text}")
                if holder.chain:
                    _echo(f"        {' <- '.join(holder.chain)}")


def _row(behind: Behind) -> tuple[str, str, str, str]:
    allowed = str(behind.allowed) if behind.allowed is not None else "-"
    return (behind.name, str(behind.pinned), allowed, str(behind.newest))


def _echo(text: str) -> None:
    click.echo(escaped(text))


def as_json(result: OutdatedResult) -> dict[str, object]:
    """`{"layers": [{"layer", "lock", "environments", "outdated": [...]}]}`."""
    return {"layers": [_layer_json(layer) for layer in result.layers]}


def _layer_json(layer: LayerOutdated) -> dict[str, object]:
    return {
        "layer": layer.layer,
        "lock": layer.lock,
        "environments": layer.environments,
        "outdated": [
            {
                "name": b.name,
                "pinned": str(b.pinned),
                "allowed": str(b.allowed) if b.allowed is not None else None,
                "newest": str(b.newest),
                "environments": b.environments,
                "held_by": [{"requirement": h.text, "chain": list(h.chain)} for h in b.held_by],
            }
            for b in layer.behind
        ],
    }
