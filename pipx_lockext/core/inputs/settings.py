"""`[tool.reqlock]` settings: validated into frozen values (pure core).

Every problem in the table is collected and reported together; an unknown key gets a
"did you mean" hint, since a misspelt setting silently ignored is a lock built wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.utils import canonicalize_name

from pipx_lockext.core.environments import (
    DEFAULT_PLATFORMS,
    PLATFORMS,
    PythonVersion,
    parse_requires_python,
)
from pipx_lockext.core.errors import Location, ProblemCollector, did_you_mean, shown
from pipx_lockext.core.inputs.cutoff import parse_cutoff

INDEX_STRATEGIES = ("first-index", "unsafe-best-match")
SOURCES = ("pyproject", "requirements")


@dataclass(frozen=True)
class IndexSettings:
    """Where packages come from and which files may be used.


    Used at every level where these are set: pip's configuration, the project
    (`[tool.reqlock]` and `.in` options) and the command line. An empty tuple or None is
    "not set here", so that `over` lets the level below decide.
    """

    index_url: str | None = None
    """None means pip's configured (or the default) index."""
    extra_index_urls: tuple[str, ...] = ()
    find_links: tuple[str, ...] = ()
    index_strategy: str | None = None
    """None means first-index."""
    only_binary: tuple[str, ...] = ()
    """Canonical names, or ":all:"."""
    no_binary: tuple[str, ...] = ()
    """Canonical names, or ":all:": sdists only (pip's --no-binary)."""
    pre: bool | None = None
    package_indexes: tuple[tuple[str, str], ...] = ()
    """(canonical name, index URL): the package comes from that index only, never from
    another (a private package can then never be shadowed by a public one)."""
    uploaded_prior_to: str | None = None
    """Only files uploaded before this count (PEP 700), as `cutoff.parse_cutoff` writes it:
    an RFC 3339 instant or an ISO 8601 duration before the compile."""

    @property
    def strategy(self) -> str:
        return self.index_strategy or "first-index"

    def over(self, lower: IndexSettings) -> IndexSettings:
        """The one precedence rule (command line over project over pip's configuration):
        key by key, what is set here replaces what `lower` says, a list as a whole, so
        a lock never mixes the indexes of two levels."""
        return IndexSettings(
            index_url=self.index_url or lower.index_url,
            extra_index_urls=self.extra_index_urls or lower.extra_index_urls,
            find_links=self.find_links or lower.find_links,
            index_strategy=self.index_strategy or lower.index_strategy,
            only_binary=self.only_binary or lower.only_binary,
            no_binary=self.no_binary or lower.no_binary,
            pre=self.pre if self.pre is not None else lower.pre,
            package_indexes=self.package_indexes or lower.package_indexes,
            uploaded_prior_to=self.uploaded_prior_to or lower.uploaded_prior_to,
        )

    def joined(self, other: IndexSettings) -> IndexSettings:
        """Two parts of one level (the project's `.in` files and `[tool.reqlock]`): lists
        are joined, and a single value set in `other` wins."""
        return IndexSettings(
            index_url=other.index_url or self.index_url,
            extra_index_urls=_unique(self.extra_index_urls + other.extra_index_urls),
            find_links=_unique(self.find_links + other.find_links),
            index_strategy=other.index_strategy or self.index_strategy,
            only_binary=_unique(self.only_binary + other.only_binary),
            no_binary=_unique(self.no_binary + other.no_binary),
            pre=other.pre if other.pre is not None else self.pre,
            package_indexes=tuple(
                {**dict(self.package_indexes), **dict(other.package_indexes)}.items()
            ),
            uploaded_prior_to=other.uploaded_prior_to or self.uploaded_prior_to,
        )


def index_url_problem(url: str) -> str | None:
    """Why `url` cannot be a simple index (pip needs a scheme), or None."""
    if url.startswith(("https://", "http://", "file:")):
        return None
    return "not an index URL: it needs https://, http:// or file:"


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class LayerSettings:
    """`[tool.reqlock.layers.<name>]`."""

    include_base: bool = True
    extras: tuple[str, ...] = ()
    """Extras of the project itself whose requirements join this layer."""
    requires_python: str | None = None
    """Narrows the matrix for this layer only."""
    independent: bool = False
    """Resolved alone, with pins of its own (not shared with the other layers)."""


@dataclass(frozen=True)
class AuditSettings:
    """`[tool.reqlock.audit]`: where `reqlock audit` reads advisories, and which to ignore."""

    db: str | None = None
    """An OSV database folder or zip, relative to the project; None: the OSV API."""
    ignore: tuple[tuple[str, str], ...] = ()
    """(advisory id or alias, reason) pairs."""


@dataclass(frozen=True)
class Settings:
    """`[tool.reqlock]` with defaults applied."""

    source: str | None = None
    """"pyproject" or "requirements"; None lets the loader decide."""
    pythons: tuple[PythonVersion, ...] | None = None
    """None means: derived from requires-python."""
    platforms: tuple[str, ...] = DEFAULT_PLATFORMS
    platforms_set: bool = False
    """Whether the project configures `platforms` (else a matrix given on the command line
    and recorded in the lock headers is kept)."""
    output_dir: str = "requirements"
    venv_dir: str = ".venvs"
    same_versions: bool = False
    """One version everywhere one version serves, instead of what pip would install on
    each environment (the newest that fits there)."""
    index: IndexSettings = IndexSettings()
    layers: Mapping[str, LayerSettings] = field(default_factory=dict)
    audit: AuditSettings = AuditSettings()

    def layer(self, name: str) -> LayerSettings:
        return self.layers.get(canonicalize_name(name), LayerSettings())


class _Reader:
    """Typed access to one TOML table, recording a problem for each bad value."""

    def __init__(self, table: Mapping[str, Any], prefix: str, file: str, out: ProblemCollector):
        self.table, self.prefix, self.file, self.out = table, prefix, file, out

    def where(self, key: str) -> Location:
        return Location(self.file, key=f"{self.prefix}.{key}")

    def check_keys(self, known: tuple[str, ...]) -> None:
        for key in self.table:
            if key not in known:
                hint = did_you_mean(key, known)
                self.out.add(self.where(key), f"unknown setting{hint}")

    def get(self, key: str, kind: type, what: str) -> Any:
        value = self.table.get(key)
        if value is not None and not isinstance(value, kind):
            got = type(value).__name__
            self.out.add(self.where(key), f"must be {what}, not {got}", shown(value))
            return None
        return value

    def strings(self, key: str, check: Callable[[str], str | None] = lambda s: None) -> Any:
        """A list of strings (a lone string is accepted as a list of one)."""
        value = self.table.get(key)
        if isinstance(value, str):
            value = [value]
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.out.add(self.where(key), "must be a list of strings", shown(value))
            return None
        for item in value:
            problem = check(item)
            if problem:
                self.out.add(self.where(key), problem, item)
        return tuple(value)


TOP_KEYS = (
    "source", "python", "platforms", "output-dir", "venv-dir", "index-url",
    "extra-index-url", "find-links", "index-strategy", "only-binary", "no-binary", "pre", "layers",
    "package-index", "same-versions", "audit", "uploaded-prior-to",
)  # fmt: skip
LAYER_KEYS = ("include-base", "extras", "requires-python", "independent")


def parse_settings(table: Mapping[str, Any], file: str, out: ProblemCollector) -> Settings:
    """Validate `[tool.reqlock]`; problems go to `out`, defaults fill their place."""
    r = _Reader(table, "[tool.reqlock]", file, out)
    r.check_keys(TOP_KEYS)
    source = r.get("source", str, "a string")
    if source is not None and source not in SOURCES:
        out.add(r.where("source"), f"must be one of {', '.join(SOURCES)}", source)
    strategy = r.get("index-strategy", str, "a string")
    if strategy is not None and strategy not in INDEX_STRATEGIES:
        hint = did_you_mean(strategy, INDEX_STRATEGIES)
        out.add(r.where("index-strategy"), f"unknown index strategy{hint}", strategy)
    index = IndexSettings(
        index_url=_index_url(r),
        extra_index_urls=r.strings("extra-index-url", index_url_problem) or (),
        find_links=r.strings("find-links") or (),
        index_strategy=strategy,
        only_binary=binary_names(r.strings("only-binary") or ()),
        no_binary=binary_names(r.strings("no-binary") or ()),
        pre=r.get("pre", bool, "true or false"),
        package_indexes=_package_indexes(r),
        uploaded_prior_to=_cutoff(r),
    )
    pythons = r.strings("python", _python_problem)
    platforms = r.strings("platforms", _platform_problem)
    return Settings(
        source=source,
        pythons=None if pythons is None else _parse_pythons(pythons),
        platforms=platforms or DEFAULT_PLATFORMS,
        platforms_set=bool(platforms),
        output_dir=_folder(r, "output-dir") or "requirements",
        venv_dir=_folder(r, "venv-dir") or ".venvs",
        same_versions=bool(r.get("same-versions", bool, "true or false")),
        index=index,
        layers=_parse_layers(r.get("layers", dict, "a table") or {}, file, out),
        audit=_parse_audit(r.get("audit", dict, "a table") or {}, file, out),
    )


def _parse_audit(table: Mapping[str, Any], file: str, out: ProblemCollector) -> AuditSettings:
    """`[tool.reqlock.audit]`: `db = "path"`, `ignore = [{id = "…", reason = "…"}]`."""
    r = _Reader(table, "[tool.reqlock.audit]", file, out)
    r.check_keys(("db", "ignore"))
    ignore = []
    for n, entry in enumerate(r.get("ignore", list, "a list of tables") or []):
        good = isinstance(entry, dict) and set(entry) == {"id", "reason"}
        if not good or not all(isinstance(v, str) and v.strip() for v in entry.values()):
            what = 'must be {id = "…", reason = "…"} (a reason is required)'
            out.add(r.where(f"ignore[{n}]"), what, shown(entry))
            continue
        ignore.append((entry["id"], entry["reason"]))
    return AuditSettings(r.get("db", str, "a string"), tuple(ignore))


def _cutoff(r: _Reader) -> str | None:
    """`uploaded-prior-to`: a date, an RFC 3339 time or an ISO 8601 duration."""
    value: str | None = r.get("uploaded-prior-to", str, "a string")
    if value is None:
        return None
    try:
        return parse_cutoff(value)
    except ValueError as exc:
        r.out.add(r.where("uploaded-prior-to"), str(exc))  # the message quotes the value
        return None


def _folder(r: _Reader, key: str) -> str | None:
    """A folder inside the project: relative, never through `..` (a command-line path
    may point anywhere; a setting read from a file may not)."""
    value: str | None = r.get(key, str, "a string")
    if value is None:
        return None
    parts = value.replace("\\", "/").split("/")
    outside = value.startswith(("/", "\\", "~")) or ":" in parts[0] or ".." in parts
    if outside or not value.strip():
        what = "must be a folder inside the project (relative, without ..)"
        r.out.add(r.where(key), what, value)
        return None
    return "/".join(p for p in parts if p not in {"", "."}) or "."


def _index_url(r: _Reader) -> str | None:
    url: str | None = r.get("index-url", str, "a string")
    problem = index_url_problem(url) if url else None
    if problem:
        r.out.add(r.where("index-url"), problem, url)
        return None
    return url


def _package_indexes(r: _Reader) -> tuple[tuple[str, str], ...]:
    """`[tool.reqlock.package-index]`: `name = "https://index/simple"`, sorted by name."""
    table = r.get("package-index", dict, "a table of package = index URL") or {}
    pairs = []
    for name, url in table.items():
        if not isinstance(url, str) or not url.startswith(("https://", "http://", "file:")):
            where = r.where(f"package-index.{name}")
            r.out.add(where, "must be the URL of a simple index", shown(url))
            continue
        pairs.append((canonicalize_name(name), url))
    return tuple(sorted(pairs))


def binary_name(name: str) -> str:
    """An --only-binary value: ":all:" or a canonical project name."""
    return name if name == ":all:" else canonicalize_name(name)


def binary_names(values: Iterable[str]) -> tuple[str, ...]:
    """--only-binary / --no-binary values as pip reads them: each a comma-separated list
    of names or `:all:`; `:none:` clears what came before."""
    names: list[str] = []
    for value in values:
        for item in value.split(","):
            if item.strip() == ":none:":
                names.clear()
            elif item.strip():
                names.append(binary_name(item.strip()))
    return tuple(dict.fromkeys(names))


def _python_problem(text: str) -> str | None:
    try:
        PythonVersion.parse(text)
    except ValueError as exc:
        return str(exc).rsplit(":", 1)[0]
    return None


def _parse_pythons(texts: tuple[str, ...]) -> tuple[PythonVersion, ...]:
    valid = [t for t in texts if _python_problem(t) is None]
    return tuple(sorted({PythonVersion.parse(t) for t in valid}))


def _platform_problem(name: str) -> str | None:
    if name in PLATFORMS:
        return None
    return f"unknown platform{did_you_mean(name, tuple(PLATFORMS))}; known: {', '.join(PLATFORMS)}"


def _parse_layers(
    table: Mapping[str, Any], file: str, out: ProblemCollector
) -> dict[str, LayerSettings]:
    layers: dict[str, LayerSettings] = {}
    for name, sub in table.items():
        prefix = f"[tool.reqlock.layers.{name}]"
        if not isinstance(sub, dict):
            out.add(Location(file, key=prefix), "must be a table", shown(sub))
            continue
        r = _Reader(sub, prefix, file, out)
        r.check_keys(LAYER_KEYS)
        requires_python = r.get("requires-python", str, "a string")
        if requires_python is not None:
            try:
                parse_requires_python(requires_python)
            except ValueError:
                out.add(r.where("requires-python"), "invalid version specifier", requires_python)
                requires_python = None
        layers[canonicalize_name(name)] = LayerSettings(
            include_base=r.get("include-base", bool, "true or false") is not False,
            extras=tuple(canonicalize_name(e) for e in r.strings("extras") or ()),
            requires_python=requires_python,
            independent=r.get("independent", bool, "true or false") is True,
        )
    return layers
