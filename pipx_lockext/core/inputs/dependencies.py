"""One requirement as the user wrote it, parsed and checked (pure core).

A `Dependency` keeps the text as written (for export/import round trips and messages),
where it came from, and what kind of requirement it is. Only named PEP 508 requirements
and direct URLs to archives can be hash-locked; the other kinds are kept so that compile
can refuse them with a clear message naming the line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pipx_lockext.core.errors import InputError, Location

Kind = Literal["named", "url", "vcs", "editable", "local", "project"]

VCS_SCHEMES = ("git+", "hg+", "svn+", "bzr+")

# The letters attackers and autocorrect substitute for ASCII ones in package names.
_LOOKALIKES = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u04bb\u0501\u0261\u0578\u03bd\u03bf\u03b1\u03b9\u03ba\u03c1\u03c4\u03c5\u0131\u2113",
    "aeopcyxijshdgnvoaikptuil",
)


@dataclass(frozen=True)
class Dependency:
    """A requirement line or array item, as written, with its origin and kind."""

    text: str
    """The requirement as written (continuations joined, comment removed)."""
    where: Location
    kind: Kind
    name: str | None
    """Canonical project name, when the requirement names one."""
    requirement: Requirement | None = field(default=None, compare=False)
    """The parsed PEP 508 form, for kinds "named" and "url"."""
    extras: tuple[str, ...] = ()
    """For kind "project": the extras of the project itself asked for (`-e .[test]`)."""


def parse_pep508(text: str, where: Location) -> Dependency:
    """Parse a PEP 508 requirement string; raise InputError naming `where` and the text."""
    _check_ascii_name(text, where)
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0].rstrip(".")
        raise InputError.single(where, f"invalid requirement ({reason})", text) from None
    name = canonicalize_name(req.name)
    if req.url is None:
        return Dependency(text, where, "named", name, req)
    kind: Kind = "vcs" if req.url.startswith(VCS_SCHEMES) else "url"
    if req.url.startswith("file:") and not _is_archive(req.url):
        kind = "local"
    return Dependency(text, where, kind, name, req)


def _is_archive(url: str) -> bool:
    path = url.split("#", 1)[0].split("?", 1)[0]
    return path.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2", ".tgz"))


_NAME = re.compile(r"[A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9]", re.IGNORECASE)


def name_problem(name: str) -> str | None:
    """Why `name` cannot name a project, a group or a layer (PEP 508/735: letters, digits,
    and `-`, `_`, `.` inside), or None: a layer name becomes a file name."""
    if _NAME.fullmatch(name):
        return None
    return "not a valid name (letters and digits, with -, _ or . inside; PEP 735)"


def _check_ascii_name(text: str, where: Location) -> None:
    """Refuse look-alike letters, which PEP 508 forbids and typosquatters use."""
    head = text.lstrip()
    end = next((i for i, ch in enumerate(head) if ch in "[(<>=!~;@ \t"), len(head))
    name = head[:end]
    bad = [ch for ch in name if not ch.isascii()]
    if not bad:
        return
    letters = ", ".join(f"{ch!r} ({unicodedata.name(ch, 'unknown')})" for ch in dict.fromkeys(bad))
    hint = name.translate(_LOOKALIKES)
    suggestion = f"; did you mean {hint!r}?" if hint.isascii() else ""
    what = f"package name {name!r} contains non-ASCII letters {letters}{suggestion}"
    raise InputError.single(where, what, text)
