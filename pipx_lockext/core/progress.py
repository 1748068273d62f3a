"""What long work reports while it runs (pure core): the events of resolving, fetching and
syncing, as one small interface whose every method does nothing, so that the class itself
is the default and the work never asks whether anyone listens.

The resolver reports the environments it resolves, each project it decides and each
candidate backtracking throws away; the index client reports its fetches; sync reports
its steps. The CLI alone decides what a person sees of them (a status line on a
terminal, a line per decision with -v, nothing in pipes or with -q). Nothing here does
I/O. Events may come from several threads at once (the index client fetches in a pool):
an implementation that keeps state must lock it, and must be cheap, since the resolver
calls it on every decision.
"""

from __future__ import annotations


class Progress:
    """Events of work under way; each method here does nothing."""

    def environments(self, count: int) -> None:
        """The number of environments about to be resolved (a compile's matrix)."""

    def environment_started(self, env: str) -> None:
        """Resolving one environment (`python 3.12 on linux-x86_64`) begins."""

    def environment_finished(self, env: str, pins: int) -> None:
        """That environment is resolved: `pins` projects chosen."""

    def deciding(self, name: str, version: str) -> None:
        """The resolver pins `name` (an identifier: `x` or `x[extra]`) at `version`."""

    def backtracking(self, name: str, version: str) -> None:
        """The resolver throws away `name` `version`, which led to a conflict."""

    def fetch_started(self, kind: str, what: str) -> None:
        """A fetch begins: `kind` is `page`, `metadata`, `hash` or `build`; `what` names
        the project or file."""

    def fetch_finished(self, kind: str, what: str) -> None:
        """That fetch ended (with its result or an error)."""

    def step(self, message: str) -> None:
        """A step of work that takes a while, said in a few words (`creating .venvs/3.12`)."""


NO_PROGRESS = Progress()
"""Nobody listens."""
