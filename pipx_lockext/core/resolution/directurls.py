"""Direct URL requirements (`name @ https://…`) as a lock can hold them (pure core).

It owns what a direct URL may be: a wheel or sdist named `name-version.ext` is locked by
its file name; any other source archive (a GitHub `…/archive/<ref>.zip`) is read through
`Source.archive`, which downloads, hashes and builds it. It also owns the warning for an
archive of a branch, whose bytes (and so its hash) change when the branch moves. It must
not fetch anything itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Protocol
from urllib.parse import unquote, urlsplit

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name

from pipx_lockext.core.errors import InputError, Location, Problem, ReqlockError
from pipx_lockext.core.index.coremeta import BadDistribution
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.resolution.candidates import Release


class Asked(Protocol):
    """A root requirement as `archive_problems` reads it (`provider.Need`)."""

    @property
    def name(self) -> NormalizedName: ...
    @property
    def url(self) -> str | None: ...
    @property
    def where(self) -> str: ...
    @property
    def text(self) -> str: ...


ARCHIVE_EXTENSIONS = (".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar")
"""What pip unpacks and builds as a source archive."""

_COMMIT = re.compile(r"[0-9a-f]{40}")


def url_problem(req: Requirement | None) -> str | None:
    """Why a direct URL cannot be locked (None: it can): by its file name
    (`name-version.ext`), or as a source archive built to learn its name and version."""
    if req is None or req.url is None:
        return "a direct URL needs its project's name: write `name @ URL` (or `URL#egg=name`)"
    if "subdirectory=" in req.url:
        return "an archive's subdirectory cannot be hash-locked; build it into a wheel"
    named = direct_release(canonicalize_name(req.name), req.url) is not None
    if not named and not is_archive(req.url):
        return (
            f"the URL's file name is neither a wheel of {req.name} (name-version-tags.whl) "
            f"nor a source archive ({', '.join(ARCHIVE_EXTENSIONS)})"
        )
    return None


def file_name(url: str) -> str:
    """The last segment of a URL's path, unquoted, without query or fragment."""
    return unquote(urlsplit(url.partition("#")[0]).path.rsplit("/", 1)[-1])


def is_archive(url: str) -> bool:
    """Whether the URL names a source archive pip would unpack and build."""
    return file_name(url).lower().endswith(ARCHIVE_EXTENSIONS)


def branch_warning(url: str) -> str | None:
    """The warning for an archive of a branch (`/archive/main.tar.gz`,
    `/archive/refs/heads/…`): its bytes change when the branch moves, and the lock's hash
    with them. An archive of a commit, or of a tag that names a version, is not warned
    about."""
    path = urlsplit(url.partition("#")[0]).path
    if "/archive/" not in path:
        return None
    ref = path.split("/archive/", 1)[1]
    for ext in ARCHIVE_EXTENSIONS:
        if ref.lower().endswith(ext):
            ref = ref[: -len(ext)]
            break
    stem = ref.rsplit("/", 1)[-1]
    tagged = ref.startswith("refs/tags/") or (
        not ref.startswith("refs/heads/") and any(c.isdigit() for c in stem)
    )
    if _COMMIT.fullmatch(stem) or tagged:
        return None
    return (
        f"{url}: an archive of the branch {stem!r} is not immutable; its hash in the lock "
        "breaks when the branch moves: use the archive of a commit or a tag "
        "(…/archive/<commit>.tar.gz)"
    )


def direct_release(name: NormalizedName, url: str) -> Release | None:
    """A release made of the one archive a direct URL names (None: its file name is not
    a wheel's or an sdist's of that project). A `#sha256=` fragment is its hash."""
    base, _, fragment = url.partition("#")
    filename = file_name(base)
    sha = fragment.removeprefix("sha256=") if fragment.startswith("sha256=") else None
    file = DistFile(filename, base, sha)
    if file.parsed is None or file.parsed.name != name:
        return None
    return Release(name, file.parsed.version, (file,), (file,), direct=True)


def archive_problems(
    roots: Mapping[str, Iterable[Asked]], source: Source, asked: Iterable[str]
) -> dict[str, InputError]:
    """The layers one of whose direct URLs to a source archive cannot be built, or builds
    another project: each with the line at fault. Every layer is read (all resolve
    together), but what fails in a layer not `asked` for, even the network, is left for
    the compile that asks for it: it drops that layer, and nothing is said."""
    wanted = set(asked)
    failed: dict[str, InputError] = {}
    for layer, found in roots.items():
        for need in found:
            url = need.url
            if url is None or direct_release(need.name, url) is not None:
                continue
            try:
                source.archive(need.name, url)
            except BadDistribution as exc:
                problem = Problem(Location(need.where), str(exc), need.text)
                failed.setdefault(layer, InputError([problem]))
            except ReqlockError:
                if layer in wanted:
                    raise
                failed.setdefault(layer, InputError([]))
    return failed
