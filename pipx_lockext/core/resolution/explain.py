"""Why a resolution is impossible, in a few lines a person can follow (pure core).

resolvelib says which requirements were left unsatisfied; this module says why: the
requirements on one project that no release grants together, naming who asked each as
they wrote it (the file and line of a root, the release of a dependency); the release a
pin names that does not exist; what the roots rule out (`fixed`: "django-debug-toolbar>=5
needs django>=4.2.9, requirements/base.in:1 asks for django<4"). Versions skipped in the
environment (Requires-Python, no wheel) and releases whose metadata could not be built are
named only when they would have fitted: then they are the reason.

It reads what the provider already knows and fetches nothing new.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.errors import ResolutionError, did_you_mean
from pipx_lockext.core.resolution.asks import PYTHON, UNUSABLE, Need
from pipx_lockext.core.resolution.candidates import Offer
from pipx_lockext.core.resolution.fixed import Ruled
from pipx_lockext.core.resolution.provider import BUILD_FAILURES, Provider

SHOWN = 3
"""How many askers, versions or reasons a message names before "and N more"."""


class UnknownProject(ResolutionError):
    """A project no configured index has (the same on every environment)."""

    def __init__(self, name: str, asked_by: str, hint: str = "", index: str = "") -> None:
        self.name, self.asked_by, self.hint, self.index = name, asked_by, hint, index
        where = index or "any configured index"
        super().__init__(f"no project named {name} on {where}{hint} (asked by {asked_by})")

    def on(self, index: str) -> UnknownProject:
        """The same error naming the index (or indexes) searched."""
        return UnknownProject(self.name, self.asked_by, self.hint, index)

    def hinted(self, hint: str) -> UnknownProject:
        """The same error with `hint` (" (did you mean 'x'?)")."""
        return UnknownProject(self.name, self.asked_by, hint, self.index)


_NAME_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789-"


def one_edit_away(name: str, names: Set[str]) -> str:
    """ " (did you mean 'x'?)" for a name in `names` one edit from `name` (a letter
    dropped, added, changed, or two neighbours swapped: djnago, reqests), or "". Edits
    are made and looked up, as an index lists far too many names to compare each."""
    splits = [(name[:i], name[i:]) for i in range(len(name) + 1)]
    edits = {a + b[1:] for a, b in splits if b}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    edits |= {a + c + b[1:] for a, b in splits if b for c in _NAME_LETTERS}
    edits |= {a + c + b for a, b in splits for c in _NAME_LETTERS}
    return did_you_mean(name, sorted((edits - {name}) & names))


@dataclass(frozen=True)
class Ask:
    """One requirement in a conflict, with who asked it, as a message names them."""

    need: Need
    asker: str
    root: bool = False
    """Asked by the user (a root or a constraint), not by a release."""


def explain(causes: Iterable[object], provider: Provider) -> str:
    """The derivation of a conflict (no environment named: the caller knows where)."""
    by_name: dict[NormalizedName, list[Ask]] = {}
    for cause in causes:
        need: Need = cause.requirement  # type: ignore[attr-defined]  # resolvelib types causes loosely
        parent = cause.parent  # type: ignore[attr-defined]  # see above
        asker = f"{parent.name} {parent.version}" if parent is not None else label(need)
        by_name.setdefault(need.name, []).append(Ask(need, asker, parent is None))
    local = provider.policy.project.name if provider.policy.project else None
    for name, asks in by_name.items():
        if name in {PYTHON, UNUSABLE, local}:
            continue
        # Only a root's: an unknown name deep in an old release is that release's fault.
        if all(a.root for a in asks) and not provider.offer(name).project.versions:
            known = [n for n, p in provider.projects.items() if p.versions]
            raise UnknownProject(name, _askers(asks), did_you_mean(name, known))
    unusable = by_name.pop(UNUSABLE, [])
    parts: list[str] = []
    if unusable:  # the reason only when nothing else is; else a note
        parts += _unbuilt(provider, unusable)
    for name, asks in sorted(by_name.items()):
        if name == PYTHON:
            parts.append(f"no Python version here satisfies {_said(asks, python=True)}")
        else:
            parts.append(_no_version(provider, name, asks))
    return "; ".join(dict.fromkeys(p for p in parts if p))


def label(need: Need) -> str:
    """Who asked a root requirement: its file and line when known."""
    return need.where or need.parent


def _no_version(provider: Provider, name: NormalizedName, asks: list[Ask]) -> str:
    every = asks + [Ask(c, label(c), True) for c in provider.policy.constraints.get(name, ())]
    project = provider.policy.project
    if project is not None and name == project.name:
        if project.version is not None:
            return (
                f"no version of {name} satisfies {_said(every)}: this project is {project.version}"
            )
        # A dynamic version: what failed is the index's releases, one of which plain pip
        # installs in the working tree's place (`provider._local_candidates`).
        newest = next((str(r.version) for r in provider.offer(name)), None)
        return (
            f"no release of the project {name} on the index satisfies {_said(every)} "
            f"(newest: {newest}); plain pip install -r needs one (publish one, or relax "
            "the ask)"
        )
    offer = provider.offer(name)
    versions = list(offer.project.versions)
    if not versions:
        return f"{name} is on no configured index (asked by {_askers(asks)})"
    missing = [a for a in every if a.need.exact is not None and not _matching(versions, [a])]
    if missing or (len({a.need.text for a in every}) == 1 and not _matching(versions, every)):
        return _nonexistent(name, missing or every, versions)
    matching = _matching(versions, every)
    head = f"no version of {name} satisfies {_said(every)}"
    why = _blocked(provider, offer, every, matching) if matching else []
    if why and len({a.need.text for a in every}) == 1:
        return "; ".join(why)
    return "; ".join([head, *why])


def _blocked(
    provider: Provider, offer: Offer, every: list[Ask], matching: list[Version]
) -> list[str]:
    """Why the versions that match every ask were not taken, where this module knows."""
    name, identifier = offer.project.name, every[0].need.identifier
    pinned = {a.need.exact for a in every}
    usable = [r for v in matching if (r := offer.get(v)) is not None]
    yanked = [r for r in usable if r.yanked is not None and r.version not in pinned]
    ruled = [x for v in matching if (x := provider.ruled.get((identifier, v)))]
    unreadable = [v for v in matching if (name, v) in provider.unreadable]
    why = [_derivation(provider, every, ruled)] if ruled else []
    if len(usable) < len(matching):
        why.append(_skipped(offer, matching, provider))
    if yanked:
        listed = [f"{r.version} ({r.yanked or 'no reason given'})" for r in yanked]
        why.append(f"versions of {name} that would fit are yanked: {_few(listed)}")
    if unreadable:
        why.append(_unreadable(name, unreadable, provider.unreadable[name, unreadable[0]]))
    return why + _not_built(provider, name, matching)


def _nonexistent(name: NormalizedName, asks: list[Ask], versions: Sequence[Version]) -> str:
    """A requirement no release of the project ever matched, anywhere."""
    exact = asks[0].need.exact
    if exact is not None:
        finals = [v for v in versions if not v.is_prerelease] or list(versions)
        return f"{name} has no release {exact} (newest: {finals[0]}; asked by {_askers(asks)})"
    newest = ", ".join(str(v) for v in versions[:SHOWN])
    return f"no release of {name} matches {_said(asks)}; newest: {newest}"


def _derivation(provider: Provider, every: list[Ask], ruled: list[Ruled[Need]]) -> str:
    """ "django-debug-toolbar>=5 (from base.in:2) needs django>=4.2.9; base.in:1 asks for
    django<4": what the releases ask, against what the roots ask; and where a release was
    ruled out because every child release fitting it was, why those were ("kombu[redis]
    5.7.0 needs redis>=6.4.0; base.in:3 asks for redis<6")."""
    return "; ".join([f"{_said(every)} needs {_asked(ruled)}", *_because(provider, ruled, 0)])


def _asked(ruled: list[Ruled[Need]]) -> str:
    by_ask: dict[str, list[Version]] = {}
    for each in ruled:
        by_ask.setdefault(each.need.text or each.need.name, []).append(each.version)
    name = ruled[0].name
    return " or ".join(f"{ask} ({name} {_span(vs)})" for ask, vs in by_ask.items())


def _because(provider: Provider, ruled: list[Ruled[Need]], depth: int) -> list[str]:
    fixed = dict.fromkeys(
        f"{label(f)} asks for {f.text or f.name}" for r in ruled if not r.below for f in r.fixed
    )
    said = [" and ".join(fixed)] if fixed else []
    below = {r.need.identifier: r.below for r in ruled if r.below}
    for identifier, versions in sorted(below.items())[:SHOWN] if depth < SHOWN else []:
        child = [x for v in versions if (x := provider.ruled.get((identifier, v)))]
        if child:
            said.append(f"{identifier} {_span(list(versions))} needs {_asked(child)}")
            said += _because(provider, child, depth + 1)
    return said


def _span(versions: list[Version]) -> str:
    """ "4.2", or "1.0 to 3.2.25 (41 releases)"."""
    low, high = min(versions), max(versions)
    count = len(set(versions))
    return (
        str(low)
        if low == high
        else f"{low} to {high}" + (f", {count} releases" if count > 2 else "")
    )


def _unreadable(name: str, versions: list[Version], reason: str) -> str:
    """ "3 releases of lib (1.0 to 1.2) could not be built or read: lib-1.2.tar.gz: …":
    failed builds pass a release over, so when they matter they are counted and named."""
    low, high = min(versions), max(versions)
    if low == high:
        return f"{name} {low} could not be built or read: {reason}"
    count = len(set(versions))
    return f"{count} releases of {name} ({low} to {high}) could not be built or read: {reason}"


def _unbuilt(provider: Provider, unusable: list[Ask]) -> list[str]:
    """The releases passed over for their metadata, per project (their asker is the
    release: "lib 1.2")."""
    by_project: dict[str, list[Version]] = {}
    reasons: dict[str, str] = {}
    for ask in unusable:
        name, _, version = ask.asker.partition(" ")
        by_project.setdefault(name, []).append(Version(version))
        reasons.setdefault(name, ask.need.text)
    return [
        "; ".join([_unreadable(n, vs, reasons[n]), *_not_built(provider, n)])
        for n, vs in sorted(by_project.items())
    ]


def _not_built(provider: Provider, name: str, among: Sequence[Version] | None = None) -> list[str]:
    """The releases of `name` (of `among`) left unbuilt after BUILD_FAILURES failed."""
    versions = [v for (n, v) in provider.unbuilt if n == name and (among is None or v in among)]
    if not versions:
        return []
    return [f"older releases of {name} that need a build ({_span(versions)}) were not "
            f"tried after {BUILD_FAILURES} failed builds"]  # fmt: skip


def _skipped(offer: Offer, matching: list[Version], provider: Provider) -> str:
    """The versions that would fit but do not install here, and why."""
    reasons = {s.version: s.reason for s in offer.skipped}
    listed = _runs([(v, reasons[v]) for v in matching if v in reasons])
    name, env = offer.project.name, provider.env
    return f"versions of {name} that would fit are skipped on {env}: {_few(listed)}"


def _runs(skipped: list[tuple[Version, str]]) -> list[str]:
    """Neighbouring versions skipped for one reason said as one range: "1.0 to 3.2.25, 41
    releases (requires Python >=3.14)"."""
    groups: list[tuple[list[Version], str]] = []
    for version, reason in skipped:
        if groups and groups[-1][1] == reason:
            groups[-1][0].append(version)
        else:
            groups.append(([version], reason))
    return [f"{_span(versions)} ({reason})" for versions, reason in groups]


def _matching(versions: Iterable[Version], asks: Iterable[Ask]) -> list[Version]:
    specs = [a.need.specifier for a in asks]
    return [v for v in versions if all(s.contains(v, prereleases=True) for s in specs)]


def _said(asks: list[Ask], *, python: bool = False) -> str:
    """Each distinct ask once with who asked it; the same ask from many releases of one
    parent (every version of app needs lib>=9) names a few of them."""
    askers: dict[str, list[str]] = {}
    for ask in asks:
        text = f"Python {ask.need.specifier}" if python else ask.need.text or ask.need.name
        askers.setdefault(text, [])
        if ask.asker not in askers[text]:
            askers[text].append(ask.asker)
    return " and ".join(f"{text} (from {_few(names)})" for text, names in askers.items())


def _askers(asks: list[Ask]) -> str:
    return _few(list(dict.fromkeys(a.asker for a in asks)))


def _few(names: list[str]) -> str:
    more = f" and {len(names) - SHOWN} more" if len(names) > SHOWN else ""
    return ", ".join(names[:SHOWN]) + more
