"""Lock files read back: their header, pins and options, and every way they are not well
formed (pure core).

`check`, `why`, `verify` and compile's sticky pins all read locks through `parse_lock`.
It is strict where pip's hash-checking mode is weak: a lock must pin every requirement with
`==`, carry at least one sha256 per line, name a project twice only under markers that
exclude each other on the lock's environments (or as the same pin repeated with extras,
see `_fold_extras`), and hold no option line reqlock would not write. It reads text and
returns values; it never opens a file.
"""

from __future__ import annotations

import hashlib
import re
from contextlib import suppress
from dataclasses import dataclass, replace
from urllib.parse import unquote, urlsplit

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from pipx_lockext.core.environments import (
    PLATFORMS,
    Environment,
    PythonVersion,
    build_matrix,
)
from pipx_lockext.core.inputs.cutoff import parse_cutoff

WRITTEN_OPTIONS = ("--index-url", "--extra-index-url", "--find-links", "--no-binary")
"""The only option lines reqlock writes (and so the only ones a lock may hold)."""


@dataclass(frozen=True)
class LockedPin:
    """One requirement line of a lock as read back."""

    name: NormalizedName
    version: Version
    marker: Marker | None
    hashes: tuple[str, ...]
    """sha256 hex digests, as written."""
    line: int
    """1-based line where the requirement starts."""
    via: tuple[str, ...] = ()
    url: str | None = None
    """For `name @ https://…/archive`, the URL."""
    extras: tuple[tuple[str, ...], ...] = ()
    """The sets of extras of the lines that repeat this one with extras (`x[a]==1.0`
    after `x==1.0`, same marker and hashes), folded into it as they are read."""

    def applies(self, env: Environment) -> bool:
        return self.marker is None or self.marker.evaluate({**env.markers, "extra": ""})


@dataclass(frozen=True)
class LockProblem:
    """A way the lock is not well formed, and the line it is on (None: the whole file)."""

    line: int | None
    what: str


@dataclass(frozen=True)
class ParsedLock:
    """What a lock file says, as far as it could be read."""

    layer: str | None
    digest: str | None
    """The `input-digest` hex, None when the header has none."""
    environments: tuple[Environment, ...]
    """From the `# environments:` header; empty when it is missing or unreadable."""
    pins: tuple[LockedPin, ...]
    options: tuple[tuple[int, str], ...]
    """(line, text) of each option line."""
    problems: tuple[LockProblem, ...]
    cutoff: str | None = None
    """The `# uploaded-prior-to:` header's cutoff; None when there is none (or it does
    not read as one, which is a problem)."""

    def pins_for(self, env: Environment) -> dict[NormalizedName, Version]:
        """The version of each project the lock installs in `env`."""
        return {pin.name: pin.version for pin in self.pins if pin.applies(env)}


_DIGEST = re.compile(r"# input-digest: sha256:([0-9a-f]{64})$")
BODY_DIGEST = "# body-digest: sha256:"
CUTOFF = "# uploaded-prior-to: "
_BODY = re.compile(re.escape(BODY_DIGEST) + r"([0-9a-f]{64})$")


def body_digest(text: str) -> str:
    """sha256 hex of every line of a lock but its `# body-digest:` line, lines joined by
    "\n" (a checkout with CRLF line ends digests the same)."""
    lines = [line for line in text.splitlines() if not line.startswith(BODY_DIGEST)]
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


_HASH = re.compile(r"--hash[= ](\S+)")


def parse_lock(text: str) -> ParsedLock:
    """Read a lock's text; problems are collected, never raised."""
    problems: list[LockProblem] = []
    header = _header(text)
    pins: list[LockedPin] = []
    options: list[tuple[int, str]] = []
    for line_no, logical, via in _logical_lines(text):
        if logical.startswith("-"):
            options.append((line_no, logical))
            problems += _option_problems(line_no, logical)
            continue
        pin = _pin(line_no, logical, via, problems)
        if pin is not None:
            pins.append(pin)
    if header.get("digest") is None:
        problems.append(LockProblem(None, "no '# input-digest: sha256:…' header line"))
    problems += _body_problems(text, header.get("body"))
    environments = parse_environments(header.get("environments", ""))
    pins = _fold_extras(pins)
    problems += _duplicate_problems(pins, environments)
    cutoff = _cutoff(header.get("cutoff"), problems)
    return ParsedLock(
        header.get("layer"),
        header.get("digest"),
        environments,
        tuple(pins),
        tuple(options),
        tuple(sorted(problems, key=lambda p: (p.line or 0, p.what))),
        cutoff,
    )


def _cutoff(text: str | None, problems: list[LockProblem]) -> str | None:
    """The header's upload cutoff, exactly as reqlock writes it, else a problem."""
    if text is None:
        return None
    with suppress(ValueError):
        if parse_cutoff(text) == text:
            return text
    problems.append(LockProblem(None, f"unreadable '{CUTOFF.strip()}' header: {text!r:.80}"))
    return None


def _header(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for raw in text.splitlines():
        if not raw.startswith("#"):
            break
        if match := _DIGEST.match(raw):
            found["digest"] = match.group(1)
        elif match := _BODY.match(raw):
            found["body"] = match.group(1)
        elif raw.startswith(CUTOFF):
            found["cutoff"] = raw.removeprefix(CUTOFF)
        elif raw.startswith("# environments: "):
            found["environments"] = raw.removeprefix("# environments: ")
        elif raw.startswith("# layer: "):
            found["layer"] = raw.removeprefix("# layer: ").split(" = ", 1)[0]
    return found


def _body_problems(text: str, written: str | None) -> list[LockProblem]:
    if written is None:
        return [LockProblem(None, "no '# body-digest: sha256:…' header line")]
    if written != body_digest(text):
        what = (
            "edited since reqlock wrote it (the body-digest in its header does not match its "
            "lines: a pin, hash, marker or option changed, added or removed)"
        )
        return [LockProblem(None, f"{what}; run reqlock compile")]
    return []


def _logical_lines(text: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """(first line number, joined text, `# via` names) for each non-comment line."""
    result: list[tuple[int, str, list[str]]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            _via_comment(stripped, result)
            continue
        if not pending:
            start = number
        body = stripped.split(" #", 1)[0] if not stripped.startswith("--hash") else stripped
        pending.append(body.removesuffix("\\").strip())
        if not stripped.endswith("\\"):
            result.append((start, " ".join(p for p in pending if p), []))
            pending = []
    if pending:
        result.append((start, " ".join(p for p in pending if p), []))
    return [(n, t, tuple(v)) for n, t, v in result]


def _via_comment(stripped: str, result: list[tuple[int, str, list[str]]]) -> None:
    if not result or not stripped.startswith("#"):
        return
    comment = stripped.lstrip("#").strip()
    via = result[-1][2]
    if comment.startswith(BUILT_VERSION):
        via.append(comment)  # taken out again by `_pin`: the version of a built archive
    elif comment.startswith("via "):
        via.append(comment.removeprefix("via ").strip())
    elif comment and comment != "via" and stripped.startswith("#   "):
        via.append(comment)


def _pin(
    line: int, logical: str, via: tuple[str, ...], problems: list[LockProblem]
) -> LockedPin | None:
    requirement, hashes = _split_hashes(logical)
    try:
        req = Requirement(requirement)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0]
        problems.append(LockProblem(line, f"invalid requirement ({reason}): {requirement!r}"))
        return None
    built = [v for v in via if v.startswith(BUILT_VERSION)]
    via = tuple(v for v in via if not v.startswith(BUILT_VERSION))
    version = _url_version(req, built) if req.url else _exact_version(req)
    if req.url and version is None:
        what = "not a pinned requirement (only an http(s) archive of the project may be named)"
        problems.append(LockProblem(line, f"{req.name}: {what}: {requirement!r}"))
        return None
    if version is None:
        problems.append(LockProblem(line, f"{req.name} is not pinned with ==: {requirement!r}"))
        return None
    good = []
    for algorithm, _, digest in (h.partition(":") for h in hashes):
        if algorithm != "sha256" or not re.fullmatch(r"[0-9a-f]{64}", digest):
            problems.append(LockProblem(line, f"{req.name}: not a sha256 hash: {algorithm}:…"))
        else:
            good.append(digest)
    if not good:
        problems.append(LockProblem(line, f"{req.name}=={version} has no --hash=sha256:"))
    name = canonicalize_name(req.name)
    extras = (tuple(sorted(canonicalize_name(e) for e in req.extras)),) if req.extras else ()
    return LockedPin(name, version, req.marker, tuple(good), line, via, req.url, extras)


def _url_version(req: Requirement, built: list[str]) -> Version | None:
    """The version a direct archive URL's file name says, for an http(s) archive only
    (the hash protects its bytes; VCS and local paths cannot be hash-locked); for a
    source archive whose name says none, the `# version: X` line written under it."""
    if not req.url or not req.url.startswith(("https://", "http://")):
        return None
    named = url_version(req.name, req.url)
    if named is not None or len(built) != 1:
        return named
    try:
        return Version(built[0].removeprefix(BUILT_VERSION).split(" ", 1)[0])
    except InvalidVersion:
        return None


BUILT_VERSION = "version: "
"""The comment under a source archive's pin whose URL names no version (`…/stable.zip`):
`# version: 1.0 (…)`, what its metadata said when it was built."""


def url_version(name: str, url: str) -> Version | None:
    """The version the file name of a direct URL says (`name-1.0.tar.gz`), if any."""
    from pipx_lockext.core.index.filenames import parse_filename  # noqa: PLC0415 - rare, and slow to import

    parsed = parse_filename(unquote(urlsplit(url.partition("#")[0]).path.rsplit("/", 1)[-1]))
    if parsed is None or parsed.name != canonicalize_name(name):
        return None
    return parsed.version


def _split_hashes(logical: str) -> tuple[str, list[str]]:
    hashes = _HASH.findall(logical)
    requirement = _HASH.sub("", logical).strip()
    return requirement, hashes


def _exact_version(req: Requirement) -> Version | None:
    specs = list(req.specifier)
    # Not `===` either: reqlock never writes it, and it compares text, not versions.
    if len(specs) != 1 or specs[0].operator != "==" or "*" in specs[0].version:
        return None
    try:
        return Version(specs[0].version)
    except InvalidVersion:
        return None


def _option_problems(line: int, logical: str) -> list[LockProblem]:
    option = logical.split("=", 1)[0].split(" ", 1)[0]
    if option not in WRITTEN_OPTIONS:
        return [LockProblem(line, f"option reqlock never writes: {logical!r}")]
    return []


def _fold_extras(pins: list[LockedPin]) -> list[LockedPin]:
    """Each `x[a]==1.0` line folded into the `x==1.0` line it repeats (same version,
    marker and hashes; see `Pin.extras`); any other line with extras stays a pin."""
    plain = {_twin_key(pin): pin for pin in pins if not pin.extras}
    repeats: dict[tuple[object, ...], list[LockedPin]] = {}
    for pin in pins:
        if pin.extras and _twin_key(pin) in plain:
            repeats.setdefault(_twin_key(pin), []).append(pin)
    folded = []
    for pin in pins:
        if pin.extras:
            if _twin_key(pin) not in plain:
                folded.append(pin)
            continue
        more = repeats.get(_twin_key(pin), [])
        via = tuple(dict.fromkeys([*pin.via, *(v for r in more for v in r.via)]))
        extras = tuple(sorted({e for r in more for e in r.extras}))
        folded.append(replace(pin, via=via, extras=extras) if more else pin)
    return folded


def _twin_key(pin: LockedPin) -> tuple[object, ...]:
    return (pin.name, pin.version, str(pin.marker), pin.hashes, pin.url)


def _duplicate_problems(
    pins: list[LockedPin], environments: tuple[Environment, ...]
) -> list[LockProblem]:
    by_name: dict[NormalizedName, list[LockedPin]] = {}
    for pin in pins:
        by_name.setdefault(pin.name, []).append(pin)
    problems = []
    for name, same in by_name.items():
        for index, first in enumerate(same):
            for second in same[index + 1 :]:
                if _overlap(first, second, environments):
                    what = f"{name} is pinned twice (lines {first.line} and {second.line})"
                    problems.append(LockProblem(second.line, what + " on the same environment"))
    return problems


def _overlap(first: LockedPin, second: LockedPin, envs: tuple[Environment, ...]) -> bool:
    if first.marker is None or second.marker is None or not envs:
        return True
    return any(first.applies(env) and second.applies(env) for env in envs)


def parse_environments(text: str) -> tuple[Environment, ...]:
    """The matrix a `# environments:` header describes (`describe_matrix`'s inverse)."""
    versions_text, _, platforms_text = text.partition(" on ")
    if not versions_text.startswith("python "):
        return ()
    platforms = tuple(p.strip() for p in platforms_text.split(","))
    if not platforms or any(p not in PLATFORMS for p in platforms):
        return ()
    pythons: list[PythonVersion] = []
    try:
        for part in versions_text.removeprefix("python ").split(","):
            first, _, last = part.strip().partition("-")
            low, high = PythonVersion.parse(first), PythonVersion.parse(last or first)
            pythons += [PythonVersion(low.major, m) for m in range(low.minor + 1, high.minor + 1)]
            pythons.append(low)  # with its patch floor, if any ("3.9.2-3.13")
    except ValueError:
        return ()
    return build_matrix(tuple(pythons), platforms)
