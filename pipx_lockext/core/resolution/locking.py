"""From a project's inputs to its lock files as values (pure core; reads the indexes
through `core.index.source.Source`).

It turns layers into resolver roots per environment (the project itself, `-e .` or a
self-reference such as `myproject[test]`, stands for its own dependencies and is never
locked), resolves the whole matrix, merges each layer over its own environments, and
hashes every file of each pinned release. Requirements a hash-pinned lock cannot hold are
refused with their file and line, all at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace

from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

from pipx_lockext.core.environments import Environment, describe_matrix
from pipx_lockext.core.errors import InputError, ProblemCollector, ResolutionError
from pipx_lockext.core.index.source import Source
from pipx_lockext.core.inputs.dependencies import Dependency
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.digest import input_digest
from pipx_lockext.core.lockfiles.lockfile import LockFile
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.core.resolution.asks import LocalProject, Need, Policy
from pipx_lockext.core.resolution.buildlocks import build_lock
from pipx_lockext.core.resolution.candidates import Release, file_formats
from pipx_lockext.core.resolution.directurls import (
    archive_problems,
    branch_warning,
    url_problem,
)
from pipx_lockext.core.resolution.layerhints import independent_hint, python_hint
from pipx_lockext.core.resolution.lockwarnings import (
    dead_marker_warnings,
    extra_warnings,
    sdist_warnings,
    yank_warnings,
)
from pipx_lockext.core.resolution.matrix import resolve_matrix
from pipx_lockext.core.resolution.merge import merge_layer
from pipx_lockext.core.resolution.pins import pin_of
from pipx_lockext.core.resolution.resolver import (
    EnvironmentConflict,
    EnvResolution,
    Root,
)
from pipx_lockext.core.resolution.selfpin import project_releases, with_project
from pipx_lockext.core.resolution.spelling import spelled

NOT_LOCKABLE = {
    "vcs": "a VCS requirement cannot be hash-locked (pip's hash-checking mode refuses it); "
    "pin a released version or a URL to an archive",
    "editable": "an editable requirement cannot be hash-locked (pip's hash-checking mode "
    "refuses it); reqlock sync installs the project itself editable",
    "local": "a local directory cannot be hash-locked; build it into a wheel or publish it",
}


@dataclass(frozen=True)
class LockRequest:
    """What to lock and how, apart from the index."""

    inputs: ProjectInputs
    policy: Policy = field(default_factory=Policy)
    preferred: Mapping[Environment, Mapping[NormalizedName, Version]] = field(default_factory=dict)
    """Pins of the existing locks per environment, minus those being upgraded."""
    constraints: tuple[Requirement, ...] = ()
    """Extra constraints from the command line (`-P name==1.0`)."""
    options: tuple[str, ...] = ()
    """Option lines every lock carries (index URLs, never credentials)."""
    progress: Progress = field(default=NO_PROGRESS, compare=False)
    """Told what the resolver decides as it goes."""
    layers: tuple[str, ...] = ()
    """The layers asked for (all when empty): only their problems are reported."""


@dataclass(frozen=True)
class LockOutcome:
    """The locks of every layer, and what a person should know about them."""

    locks: Mapping[str, LockFile]
    warnings: tuple[str, ...] = ()
    builds: Mapping[str, LockFile] = field(default_factory=dict)
    """Per layer, the lock of its sdist-only pins' build requirements (when it has any)."""
    failed: Mapping[str, InputError] = field(default_factory=dict)
    """Layers asked for whose own inputs cannot be locked (a refused URL, a VCS line):
    not locked, while the others are."""


def lock_project(request: LockRequest, source: Source) -> LockOutcome:
    """Resolve every layer on its environments and build its lock, and the lock of the
    build requirements of what installs from an sdist. The layers are resolved together
    (shared pins), except each `independent` one, resolved alone with what it includes."""
    inputs = request.inputs
    roots, failed = layer_roots(inputs)
    needs = {layer: [root.need for root in found] for layer, found in roots.items()}
    failed.update(archive_problems(needs, source, request.layers or inputs.layer_names()))
    roots = {layer: found for layer, found in roots.items() if layer not in failed}
    failed = {k: v for k, v in failed.items() if not request.layers or k in request.layers}
    locks: dict[str, LockFile] = {}
    builds: dict[str, LockFile] = {}
    warnings = dead_marker_warnings(inputs, roots)
    for group in resolution_groups(inputs, among=roots):
        warnings += _lock_group(request, source, group, roots, (locks, builds))
    warnings += tuple(w for found in roots.values() for r in found if (w := _branch(r)))
    ordered = {layer: locks[layer] for layer in inputs.layer_names() if layer in locks}
    return LockOutcome(ordered, tuple(dict.fromkeys(warnings)), builds, failed)


def _lock_group(
    request: LockRequest,
    source: Source,
    group: tuple[str, ...],
    roots: Mapping[str, list[Root]],
    into: tuple[dict[str, LockFile], dict[str, LockFile]],
) -> tuple[str, ...]:
    """Resolve `group`'s layers together and put their locks and build locks `into`
    the two mappings; the warnings."""
    inputs, (locks, builds) = request.inputs, into
    frozen = _roots_by_env(inputs, group, roots, request)
    policy = replace(request.policy, project=local_project(inputs))
    results = _resolve(inputs, source, frozen, policy, request)
    itself = _project_releases(inputs, results, source, request)
    warnings: tuple[str, ...] = ()
    for layer in group:
        lock = _lock(inputs, layer, results, source, request.options, itself=itself, roots=frozen)
        locks[layer] = lock
        build, said = build_lock(lock, inputs.matrix(layer), results, source=source, policy=policy)
        warnings += said
        if build is not None:
            builds[layer] = build
    return (
        warnings
        + yank_warnings(results, request.preferred, source)
        + sdist_warnings(results)
        + extra_warnings(results)
    )


def _branch(root: Root) -> str | None:
    return branch_warning(root.need.url) if root.need.url else None


def resolution_groups(
    inputs: ProjectInputs, among: Mapping[str, object]
) -> tuple[tuple[str, ...], ...]:
    """The layers (of those `among`) resolved together: all but the independent ones,
    then each of those alone (its includes' requirements come with it through its roots)."""
    names = tuple(name for name in inputs.layer_names() if name in among)
    alone = [name for name in names if inputs.layer(name).independent]
    joint = tuple(name for name in names if name not in alone)
    return tuple(group for group in (joint, *((name,) for name in alone)) if group)


def _roots_by_env(
    inputs: ProjectInputs,
    group: tuple[str, ...],
    roots: Mapping[str, list[Root]],
    request: LockRequest,
) -> dict[Environment, tuple[Root, ...]]:
    extra = [
        Root("", Need.of(req, "the command line"), req.marker, True) for req in request.constraints
    ]
    found: dict[Environment, list[Root]] = {}
    for layer in group:
        for env in inputs.matrix(layer):
            found.setdefault(env, list(extra)).extend(roots[layer])
    return {env: tuple(each) for env, each in found.items()}


def _resolve(
    inputs: ProjectInputs,
    source: Source,
    frozen: Mapping[Environment, tuple[Root, ...]],
    policy: Policy,
    request: LockRequest,
) -> dict[Environment, EnvResolution]:
    try:
        return resolve_matrix(source, frozen, policy, request.preferred, request.progress)
    except EnvironmentConflict as exc:
        # The failure may be on a sub-environment of a split series (3.10.2 on): it has
        # the roots of its series' floor.
        floor = next(
            e
            for e in frozen
            if (e.series, e.platform_name) == (exc.env.series, exc.env.platform_name)
        )
        roots = {**frozen, exc.env: frozen[floor]}
        hint = python_hint(inputs, source, roots, policy, exc.env)
        if hint is None:
            apart = independent_hint(inputs, source, roots[exc.env], policy, exc.env)
            if apart is None:
                raise
            raise ResolutionError(f"{exc}; {apart}") from None
        # The hint says what to change; the first environment's reason says why (the
        # others repeat it per platform and Python).
        first = next(reason for reason, envs in exc.reasons.items() if exc.env in envs)
        raise ResolutionError(f"{hint}. On {exc.env}: {first}") from None


def _project_releases(
    inputs: ProjectInputs,
    results: Mapping[Environment, EnvResolution],
    source: Source,
    request: LockRequest,
) -> dict[Environment, Release]:
    """Per environment where a dependency asks for the project back, the release of it
    the locks pin (see `selfpin`)."""
    if inputs.name is None:
        return {}
    name = NormalizedName(inputs.name)
    policy = request.policy
    return project_releases(
        name,
        results,
        source,
        formats=file_formats(name, policy.only_binary, policy.no_binary),
        preferred=request.preferred,
    )


def local_project(inputs: ProjectInputs) -> LocalProject | None:
    """The project itself, for a dependency that needs it back (pydantic-settings needs
    pydantic): it is granted from here, never taken from an index nor locked."""
    if inputs.name is None:
        return None
    try:
        version = Version(inputs.version) if inputs.version else None
    except InvalidVersion:
        version = None
    return LocalProject(
        NormalizedName(inputs.name),
        version,
        _requirements_of(inputs.project_dependencies or ()),
        {extra: _requirements_of(deps) for extra, deps in inputs.optional_dependencies.items()},
    )


def _requirements_of(deps: Iterable[Dependency]) -> tuple[Requirement, ...]:
    return tuple(d.requirement for d in deps if d.requirement is not None)


def layer_roots(inputs: ProjectInputs) -> tuple[dict[str, list[Root]], dict[str, InputError]]:
    """Each layer's roots: its own and its includes' requirements and constraints, with
    the project itself expanded; instead, for a layer holding anything that cannot be
    locked, an InputError listing all of it (one bad layer never blocks the others)."""
    roots: dict[str, list[Root]] = {}
    failed: dict[str, InputError] = {}
    for layer in inputs.layer_names():
        out = ProblemCollector()
        found: list[Root] = []
        for sub in inputs.included(layer):
            label = root_label(inputs, sub)
            for dep in _requirements(inputs, sub, out):
                found.append(_root(layer, dep, label))
            for dep in inputs.layer(sub).constraints:
                if dep.requirement is not None:
                    found.append(_root(layer, dep, f"-c {dep.where.file}", constraint=True))
        try:
            out.raise_if_any()
            roots[layer] = found
        except InputError as exc:
            failed[layer] = exc
    return roots, failed


def _root(layer: str, dep: Dependency, label: str, *, constraint: bool = False) -> Root:
    assert dep.requirement is not None  # only named requirements get here
    where = f"{dep.where.file}:{dep.where.line}" if dep.where.line else str(dep.where)
    need = replace(Need.of(dep.requirement, label), where=where)
    return Root(layer, need, dep.requirement.marker, constraint)


def root_label(inputs: ProjectInputs, layer: str) -> str:
    """How a lock's `# via` names a layer's own requirements."""
    if inputs.source == "requirements":
        return f"-r {inputs.layer(layer).file}"
    if layer == "base" and inputs.project_dependencies is not None:
        return "project"
    return f"group {layer}"


def _requirements(
    inputs: ProjectInputs, layer: str, out: ProblemCollector
) -> Iterator[Dependency]:
    own = inputs.layer(layer)
    deps = [*own.requirements]
    for extra in own.extras:
        deps += inputs.optional_dependencies.get(extra, ())
    for dep in deps:
        yield from _expand(inputs, dep, out, frozenset())


def _expand(
    inputs: ProjectInputs, dep: Dependency, out: ProblemCollector, seen: frozenset[str]
) -> Iterator[Dependency]:
    """A named requirement as it is, the project itself as its own requirements."""
    if dep.kind in NOT_LOCKABLE:
        out.add(dep.where, NOT_LOCKABLE[dep.kind], dep.text)
        return
    extras: tuple[str, ...] = dep.extras
    if dep.kind == "url" and (problem := url_problem(dep.requirement)):
        out.add(dep.where, problem, dep.text)
        return
    if dep.kind in {"named", "url"} and (dep.name is None or dep.name != inputs.name):
        yield dep
        return
    if dep.kind == "named" and dep.requirement is not None:
        extras = tuple(canonicalize_name(e) for e in dep.requirement.extras)
    if inputs.project_dependencies is None:
        what = "stands for the project itself, whose dependencies reqlock cannot read"
        fix = "declare them in pyproject.toml [project].dependencies, or list them here"
        out.add(dep.where, f"{what} (setup.py or dynamic); {fix}", dep.text)
        return
    for extra in (e for e in extras if e not in inputs.optional_dependencies):
        out.add(dep.where, f"the project has no optional dependency {extra!r}", dep.text)
    own = [*inputs.project_dependencies]
    for extra in (e for e in extras if e not in seen):
        own += inputs.optional_dependencies.get(extra, ())
    for sub in own:
        yield from _expand(inputs, sub, out, seen | set(extras))


def _lock(
    inputs: ProjectInputs,
    layer: str,
    results: Mapping[Environment, EnvResolution],
    source: Source,
    options: tuple[str, ...],
    *,
    itself: Mapping[Environment, Release] | None = None,
    roots: Mapping[Environment, tuple[Root, ...]] | None = None,
) -> LockFile:
    matrix = inputs.matrix(layer)
    lines = merge_layer(layer, matrix, results, source)
    every_root = [root for found in (roots or {}).values() for root in found]
    lines = spelled(lines, layer, results.values(), every_root, source)
    if itself:
        lines = with_project(lines, layer, matrix, results, (itself, source))
    pins = tuple(pin_of(line, source) for line in lines)
    return LockFile(
        layer=layer,
        description=describe_layer(inputs, layer),
        source="pyproject.toml" if inputs.source == "pyproject" else "requirements/*.in",
        environments=describe_matrix(matrix),
        digest=input_digest(inputs, layer, matrix),
        pins=pins,
        options=options,
    )


def describe_layer(inputs: ProjectInputs, layer: str) -> str:
    """`dev = base + group dev` for a lock header."""
    own = inputs.layer(layer)
    parts = [*own.includes, root_label(inputs, layer)]
    parts += [f"project[{extra}]" for extra in own.extras]
    return f"{layer} = {' + '.join(parts)}"
