"""Whether an sdist's PKG-INFO says what its build would, from the `[project]` table of its
own pyproject.toml (pure core).

PEP 621 binds a backend to a field `[project]` declares and `dynamic` does not name: it
must write that field as declared, on every machine. An sdist whose PKG-INFO predates
PEP 643 (Metadata-Version 2.1, most setuptools and scikit-build-core sdists) can still be
read without a build when its pyproject.toml declares the dependencies, the extras and
Requires-Python statically and PKG-INFO agrees with that declaration: the agreement
shows that the backend that wrote PKG-INFO honoured the table (a backend that ignores
`[project]`, an old setuptools reading setup.py, would have written its own list).
Anything that does not read, or does not agree, means "build it", never an error.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name

from pipx_lockext.core.index.coremeta import CoreMetadata

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised by the 3.10 tox env
    import tomli as tomllib

RESOLUTION_FIELDS = frozenset({"dependencies", "optional-dependencies", "requires-python"})
"""The `[project]` keys resolution reads; none may be `dynamic`."""

_Key = tuple[str, frozenset[str], frozenset[str]]


def declared_statically(pyproject: bytes, meta: CoreMetadata) -> bool:
    """Whether `pyproject` (the sdist's own pyproject.toml) declares exactly the
    requirements, extras and Requires-Python of `meta` (its PKG-INFO), none of them
    dynamic."""
    try:
        project = tomllib.loads(pyproject.decode("utf-8")).get("project")
        return isinstance(project, dict) and _agrees(project, meta)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, _NotStatic):
        return False


class _NotStatic(ValueError):
    """A `[project]` table that does not declare what resolution reads, or not validly."""


def _agrees(project: dict[str, Any], meta: CoreMetadata) -> bool:
    dynamic = project.get("dynamic", [])
    if not isinstance(dynamic, list) or RESOLUTION_FIELDS & {str(d) for d in dynamic}:
        return False
    if _name(project.get("name")) != meta.name:
        return False
    extras = _optional(project.get("optional-dependencies", {}))
    declared = Counter(_key(r) for group in extras.values() for r in group)
    declared.update(_key(r) for r in _requirements(project.get("dependencies", [])))
    return (
        set(extras) == set(meta.provides_extra)
        and declared == Counter(_key(r) for r in meta.requires_dist)
        and _python(project.get("requires-python")) == meta.requires_python
    )


def _key(requirement: Requirement) -> _Key:
    """What must agree between a declared requirement and PKG-INFO's: the project, its
    extras and its version bounds (the markers PKG-INFO adds for an extra differ in
    form from backend to backend)."""
    return (
        canonicalize_name(requirement.name),
        frozenset(canonicalize_name(e) for e in requirement.extras),
        frozenset(str(s) for s in requirement.specifier),
    )


def _name(value: object) -> str:
    if not isinstance(value, str):
        raise _NotStatic("no name")
    try:
        return canonicalize_name(value, validate=True)
    except InvalidName:
        raise _NotStatic(f"invalid name {value!r}") from None


def _requirements(value: object) -> list[Requirement]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _NotStatic("dependencies are not a list of strings")
    try:
        return [Requirement(v) for v in value]
    except InvalidRequirement as exc:
        raise _NotStatic(str(exc)) from None


def _optional(value: object) -> dict[str, list[Requirement]]:
    if not isinstance(value, dict):
        raise _NotStatic("optional-dependencies is not a table")
    return {_name(extra): _requirements(group) for extra, group in value.items()}


def _python(value: object) -> SpecifierSet | None:
    if value is None or value == "":
        return None  # as PKG-INFO's empty Requires-Python reads
    if not isinstance(value, str):
        raise _NotStatic("requires-python is not a string")
    try:
        return SpecifierSet(value)
    except InvalidSpecifier:
        raise _NotStatic(f"invalid requires-python {value!r}") from None
