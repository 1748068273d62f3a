"""`reqlock audit`: the locks checked against OSV advisories (shell, part of the CLI), and
how its result reads, as a table for a person or as JSON (`--format json`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipx_lockext.cli.options import common_options, format_option, project_root
from pipx_lockext.cli.report import say
from pipx_lockext.core.errors import escaped

if TYPE_CHECKING:
    from pipx_lockext.commands.auditing import AuditResult
    from pipx_lockext.core.audit.findings import Finding, LayerHit

FIX_TEXT = {
    "allowed": "allowed by the project's requirements",
    "held-back": "held back by {by}",
    "not-known": "not a direct requirement: whether it is allowed is not known without resolving",
    "no-fix": "no fixed release known",
}


@click.command("audit")
@click.option(
    "--db",
    type=click.Path(path_type=Path),
    help="An offline OSV database: a folder of *.json records or the zip osv.dev "
    "publishes (PyPI/all.zip). Default: [tool.reqlock.audit] db, else the OSV API.",
)
@format_option("the findings")
@common_options
def audit_command(
    db: Path | None, output_format: str, project: Path | None, quiet: bool, verbose: bool
) -> None:
    """Check every pin of every lock against OSV advisories, on the environments where
    each pin is active.

    Exit 0 when none is found, 1 when any is (those in [tool.reqlock.audit] ignore apart),
    4 when the advisories cannot be read.
    """
    from pipx_lockext.commands.auditing import audit_project  # noqa: PLC0415 - start-up

    result = audit_project(project_root(project), db)
    for warning in result.warnings:
        say(f"warning: {warning}")
    if output_format == "json":
        import json  # noqa: PLC0415 - only for --format json

        click.echo(json.dumps(as_json(result), indent=2, sort_keys=True))
    else:
        table(result, quiet)
    if result.vulnerable:
        raise click.exceptions.Exit(1)


def table(result: AuditResult, quiet: bool) -> None:
    """One row per advisory and pin, then where it is active and whether its fix fits."""
    for finding in result.vulnerable:
        _row(finding)
    ignored = [f for f in result.findings if f.ignored is not None]
    for finding in ignored:
        say(f"ignored {finding.advisory.id} ({finding.name} {finding.version}): {finding.ignored}")
    if not quiet:
        count = len(result.vulnerable)
        found = (
            f"{count} known vulnerabilit{'y' if count == 1 else 'ies'}"
            if count
            else "no known vulnerabilities"
        )
        layers = ", ".join(result.layers)
        say(f"{found} in {result.pins} pins of {layers} (advisories: {result.source})")


def _row(finding: Finding) -> None:
    advisory = finding.advisory
    aliases = f" ({', '.join(advisory.aliases)})" if advisory.aliases else ""
    fixed = f"fixed in {finding.fixed}" if finding.fixed else "no fix"
    _out(f"{advisory.id}{aliases}  {finding.name} {finding.version}  {fixed}")
    if advisory.summary:
        _out(f"  {advisory.summary}")
    from pipx_lockext.core.audit.findings import describe_environments  # noqa: PLC0415 - start-up

    # Layers where the pin is active on the same environments with the same fix said once
    # (base, dev and prod often share a pin).
    grouped: dict[tuple[str, str], list[str]] = {}
    for hit in finding.layers:
        label = f"{hit.layer} (build requirements)" if hit.build else hit.layer
        grouped.setdefault((describe_environments(hit.environments), _fix(hit)), []).append(label)
    for (environments, fix), layers in grouped.items():
        _out(f"  {', '.join(layers)}: {environments}")
        _out(f"    fix: {fix}")


def _fix(hit: LayerHit) -> str:
    return FIX_TEXT[hit.fix].format(by="; ".join(hit.held_back_by))


def _out(text: str) -> None:
    click.echo(escaped(text))


def as_json(result: AuditResult) -> dict[str, object]:
    """The result as JSON values: findings and ignored ones apart, in the table's order."""
    return {
        "source": result.source,
        "layers": list(result.layers),
        "pins": result.pins,
        "vulnerabilities": [_finding(f) for f in result.vulnerable],
        "ignored": [_finding(f) | {"reason": f.ignored} for f in result.findings if f.ignored],
        "warnings": list(result.warnings),
    }


def _finding(finding: Finding) -> dict[str, object]:
    return {
        "id": finding.advisory.id,
        "aliases": list(finding.advisory.aliases),
        "summary": finding.advisory.summary,
        "package": finding.name,
        "version": str(finding.version),
        "fixed": str(finding.fixed) if finding.fixed else None,
        "layers": [
            {
                "layer": hit.layer,
                "lock": hit.lock,
                "build": hit.build,
                "environments": [
                    {"python": str(env.python), "platform": env.platform_name}
                    for env in hit.environments
                ],
                "fix": hit.fix,
                "held_back_by": list(hit.held_back_by),
            }
            for hit in finding.layers
        ],
    }
