"""Reading pip requirements files (`requirements/*.in`): the one adapter over
pip-requirements-parser (edge: reads files).

`read_requirements_file` turns one file into a `ReqFile` value: requirements with their
kind and line, `-r`/`-c` targets as written, index options, and problems. It does not
follow `-r`/`-c` (the loader decides what they mean) and never expands `${VAR}`
placeholders: they must reach lock files exactly as the user wrote them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from pipx_lockext.core.errors import InputError, Location, Problem
from pipx_lockext.core.inputs.dependencies import VCS_SCHEMES, Dependency, Kind, parse_pep508
from pipx_lockext.core.inputs.layered import Reference, ReqFile
from pipx_lockext.core.inputs.settings import IndexSettings, binary_names, index_url_problem

_PER_LINE_OPTION = re.compile(r"\s+--?(hash|global-option|install-option|config-settings)\b.*$")
_PATH_WITH_EXTRAS = re.compile(r"^(?P<path>.*?)(\[(?P<extras>[^\]]*)\])?$")

# Options that only tune how pip installs and do not change what a lock holds.
_HARMLESS = {"prefer_binary", "trusted_hosts", "require_hashes", "use_features"}


def read_requirements_file(path: Path, display: str, project_root: Path) -> ReqFile:
    """Parse `path`; problems are returned in the value, not raised."""
    from pip_requirements_parser import RequirementsFile  # noqa: PLC0415 - slow import, only here

    try:
        parsed = RequirementsFile.from_file(str(path), include_nested=False)
    except OSError as exc:
        raise InputError.single(Location(display), f"cannot read file ({exc.strerror})") from None
    problems: list[Problem] = []
    requirements = []
    for item in parsed.requirements:
        where = Location(display, item.line_number)
        try:
            requirements.append(_dependency(item, where, path.parent, project_root))
        except InputError as exc:
            problems.extend(exc.problems)
    for bad in parsed.invalid_lines:
        problems.append(
            _invalid_line(bad.line, bad.error_message, Location(display, bad.line_number))
        )
    includes, constraints, index = _options(parsed.options, display, problems)
    problems.sort(key=lambda p: p.where.line or 0)
    return ReqFile(display, tuple(requirements), includes, constraints, index, tuple(problems))


def _dependency(item: Any, where: Location, file_dir: Path, root: Path) -> Dependency:
    text = " ".join(_PER_LINE_OPTION.sub("", item.line).split())
    bare = re.sub(r"^(-e|--editable)\s*", "", text)
    is_path = item.is_local_path and not item.is_archive
    if item.name is None or item.is_editable or is_path:
        match = _PATH_WITH_EXTRAS.match(bare)
        if match and _is_project(match["path"], file_dir, root):
            extras = (match["extras"] or "").split(",")
            return Dependency(text, where, "project", None, extras=_names(extras))
    kind = _kind(bare, item.is_editable, is_path, item.is_archive)
    if kind == "named":
        return parse_pep508(text, where)
    if kind == "url" and item.name and bare.startswith(("https://", "http://")):
        # Kept in its PEP 508 form: `import` writes it into pyproject.toml as it is.
        return parse_pep508(_egg_named(bare, item.name, item.extras), where)
    return Dependency(text, where, kind, item.name)


def _egg_named(line: str, name: str, extras: set[str]) -> str:
    """`URL#egg=name` (pip's older spelling, common in pip-tools files) as the PEP 508
    `name @ URL` it means, the URL's other fragment parts (`sha256=`) and any marker kept."""
    url, _, rest = line.partition(" ")  # the line's spaces are single ones (`_dependency`)
    base, _, fragment = url.partition("#")
    kept = "&".join(p for p in fragment.split("&") if p and not p.startswith("egg="))
    wanted = f"{name}[{','.join(sorted(extras))}]" if extras else name
    return f"{wanted} @ {base}{'#' + kept if kept else ''}{' ' + rest if rest else ''}"


def _kind(bare: str, editable: bool, is_path: bool, is_archive: bool) -> Kind:
    """What pip would do with the line: only "named" and "url" can be hash-locked."""
    if editable:
        return "editable"
    target = bare.split("@", 1)[1].strip() if " @ " in bare else bare  # `name @ url`
    if bare.startswith(VCS_SCHEMES) or target.startswith(VCS_SCHEMES):
        return "vcs"
    if target.startswith(("https://", "http://")):  # never a local path, whatever it ends with
        return "named" if " @ " in bare else "url"
    if is_path:
        return "local"
    if is_archive and "@" not in bare:
        return "url"
    return "named"


def _names(items: list[str]) -> tuple[str, ...]:
    return tuple(sorted(canonicalize_name(e.strip()) for e in items if e.strip()))


def _invalid_line(line: str, message: str, where: Location) -> Problem:
    if not line.startswith("-"):
        try:  # parse it ourselves for the same wording as pyproject.toml errors
            parse_pep508(line, where)
        except InputError as exc:
            return exc.problems[0]
    reason = message.splitlines()[0].replace("pip_requirements_parser: ", "")
    return Problem(where, reason.removeprefix("error: "), line)


def _is_project(location: str, file_dir: Path, root: Path) -> bool:
    """`.`, `-e .`, `file:..` and friends that point at the project itself."""
    location = location.removeprefix("file:").strip()
    if not location or "://" in location:
        return False
    # pip resolves relative paths from the working directory (the project root in
    # practice); some teams write them relative to the .in file instead: accept both.
    candidates = {(root / location).resolve(), (file_dir / location).resolve()}
    return root.resolve() in candidates


def _options(
    options: Any, display: str, problems: list[Problem]
) -> tuple[tuple[Reference, ...], tuple[Reference, ...], IndexSettings]:
    includes: list[Reference] = []
    constraints: list[Reference] = []
    values: dict[str, Any] = {"extra_index_urls": [], "find_links": []}
    values |= {"only_binary": [], "no_binary": []}
    for line in options:
        where = Location(display, line.line_number)
        for key, value in line.options.items():
            if key in {"index_url", "extra_index_urls"}:
                for url in value if isinstance(value, list) else [value]:
                    if problem := index_url_problem(url):
                        problems.append(Problem(where, problem, url))
            if key == "requirements":
                includes.extend(Reference(v, where) for v in value)
            elif key == "constraints":
                constraints.extend(Reference(v, where) for v in value)
            elif key in {"extra_index_urls", "find_links", "only_binary", "no_binary"}:
                values[key].extend(value)
            elif key in {"index_url", "pre"}:
                values[key] = value
            elif key not in _HARMLESS:
                problems.append(Problem(where, "option not supported by reqlock", line.line))
    index = IndexSettings(
        index_url=values.get("index_url"),
        extra_index_urls=tuple(values["extra_index_urls"]),
        find_links=tuple(values["find_links"]),
        only_binary=binary_names(values["only_binary"]),
        no_binary=binary_names(values["no_binary"]),
        pre=True if values.get("pre") else None,
    )
    return tuple(includes), tuple(constraints), index
