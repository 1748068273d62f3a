"""The upload-date cutoff in a compile (shell): `--uploaded-prior-to` over the configured
or recorded one, and what a failed resolution says when a cutoff was in force.

Which files a cutoff leaves out is the index client's (`edges.index.client`); how it is
written, recorded and digested is the core's (`core.inputs.cutoff`, `core.lockfiles`).
"""

from __future__ import annotations

from dataclasses import replace

from pipx_lockext.core.errors import ResolutionError, UsageError
from pipx_lockext.core.inputs.cutoff import NONE, is_duration, parse_cutoff
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.inputs.settings import IndexSettings


def with_cutoff(inputs: ProjectInputs, given: str | None) -> ProjectInputs:
    """The inputs with `--uploaded-prior-to` over the configured (or recorded) cutoff;
    `none` drops it."""
    if given is None:
        return inputs
    try:
        cutoff = None if given.strip().lower() == NONE else parse_cutoff(given)
    except ValueError as exc:
        raise UsageError(f"--uploaded-prior-to: {exc}") from None
    index = replace(inputs.settings.index, uploaded_prior_to=cutoff)
    return replace(inputs, settings=replace(inputs.settings, index=index))


class _UnderCutoff(ResolutionError):
    """A resolution that failed with an upload cutoff in force: the cause, then the
    cutoff (a release it leaves out is said as missing, which it is for this compile)."""

    def __init__(self, cause: ResolutionError, cutoff: str) -> None:
        self.lines = [*cause.messages(), _cutoff_note(cutoff)]
        super().__init__("\n".join(self.lines))

    def messages(self) -> list[str]:
        return list(self.lines)


def noted(exc: ResolutionError, index: IndexSettings) -> ResolutionError:
    cutoff = index.uploaded_prior_to
    return exc if cutoff is None else _UnderCutoff(exc, cutoff)


def _cutoff_note(cutoff: str) -> str:
    when = f"more than {cutoff} ago" if is_duration(cutoff) else f"before {cutoff}"
    return (
        f"only files uploaded {when} count (--uploaded-prior-to {cutoff}): "
        "releases uploaded later do not exist for this compile"
    )
