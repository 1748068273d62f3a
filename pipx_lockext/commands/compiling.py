"""The compile use case (shell): decide whether the locks are fresh, else resolve, hash and
write every layer's lock all-or-nothing, and say what changed.

Fresh locks and no upgrade or index flag: nothing but the project's own files is read, and
neither the resolver nor the HTTP client is imported. Nothing here prints or exits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from pipx_lockext.commands.uploadcutoff import noted, with_cutoff
from pipx_lockext.core.environments import (
    PLATFORMS,
    PythonVersion,
    parse_requires_python,
)
from pipx_lockext.core.errors import (
    InputError,
    IntegrityError,
    Location,
    Problem,
    ReqlockError,
    ResolutionError,
    UnknownLayer,
    UsageError,
    did_you_mean,
)
from pipx_lockext.core.index.netconfig import PYPI
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.inputs.settings import IndexSettings
from pipx_lockext.core.lockfiles.digest import index_lines, without_credentials
from pipx_lockext.core.lockfiles.lockfile import Pin
from pipx_lockext.core.lockfiles.lockparse import ParsedLock
from pipx_lockext.core.lockfiles.lockset import LockSet, compile_command, preferences
from pipx_lockext.core.progress import NO_PROGRESS, Progress
from pipx_lockext.edges.project.fsio import FileChange, plan_changes, replace_files
from pipx_lockext.edges.project.loader import load_project
from pipx_lockext.edges.project.lockfiles import read_locks, remember
from pipx_lockext.edges.project.projectlock import project_lock

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from pipx_lockext.core.resolution.locking import LockOutcome


@dataclass(frozen=True)
class CompileOptions:
    """What the command line asks of one compile."""

    layers: tuple[str, ...] = ()
    """Layers to write (all when empty); every layer is still resolved, together."""
    upgrade: bool = False
    upgrade_packages: tuple[str, ...] = ()
    """`NAME` or `NAME==VERSION`: drop the existing pin (and pin that version)."""
    pythons: tuple[str, ...] = ()
    platforms: tuple[str, ...] = ()
    dry_run: bool = False
    index: IndexSettings | None = None
    """Index flags, over the project's settings and pip's configuration."""
    cache_dir: Path | None = None
    refresh: bool = False
    offline: bool = False
    uploaded_prior_to: str | None = None
    """`--uploaded-prior-to` as given: a cutoff, or "none" to drop the recorded one."""


@dataclass(frozen=True)
class LayerSummary:
    """How a layer's pins changed."""

    display: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    upgraded: tuple[str, ...] = ()
    downgraded: tuple[str, ...] = ()
    created: bool = False
    """There was no such lock before."""


@dataclass(frozen=True)
class CompileResult:
    """What a compile did (or, with dry_run, would do)."""

    up_to_date: bool
    changes: tuple[FileChange, ...] = ()
    summaries: tuple[LayerSummary, ...] = ()
    warnings: tuple[str, ...] = ()
    dry_run: bool = False
    failed: InputError | None = None
    """The layers asked for whose own inputs cannot be locked (their locks left as they
    were): exit 2, said after what was written (`_failure`)."""


def compile_project(
    root: Path,
    options: CompileOptions,
    waiting: Callable[[str], None] = lambda _m: None,
    progress: Progress = NO_PROGRESS,
) -> CompileResult:
    """`reqlock compile [LAYER…]`; `progress` is told what resolving and fetching do."""
    loaded = load_project(root)
    kept = read_locks(loaded).recorded().inputs  # a matrix given on an earlier command line
    matrix = with_matrix(kept, options.pythons, options.platforms)
    inputs = with_cutoff(matrix, options.uploaded_prior_to)
    command = compile_command(loaded.settings, inputs.settings)
    cutoff = inputs.settings.index.uploaded_prior_to
    layers = selected_layers(inputs, options.layers)
    flags = options.pythons or options.platforms or options.uploaded_prior_to
    stamped = not (flags or options.dry_run)
    forced = options.upgrade or options.upgrade_packages or options.index is not None
    if not forced and _fresh(read_locks(inputs), layers, stamped):
        return CompileResult(up_to_date=True, dry_run=options.dry_run)
    with project_lock(Path(inputs.root), waiting):
        locks = read_locks(inputs)  # another reqlock may have just written them
        outcome = resolve_locks(inputs, options, locks.existing(), progress, layers)
        layers = tuple(layer for layer in layers if layer not in outcome.failed)
        outcome = replace(
            outcome,
            locks={
                k: replace(v, command=command, cutoff=cutoff) for k, v in outcome.locks.items()
            },
            builds={k: replace(v, cutoff=cutoff) for k, v in outcome.builds.items()},
        )
        for layer in layers:
            previous = locks.lock(layer)
            # A changed cutoff leaves out files the old lock listed: not a hand edit.
            if previous is not None and previous.cutoff == cutoff:
                check_kept_hashes(previous, outcome.locks[layer].pins, inputs.lock_file(layer))
        texts = locks.plan(layers, outcome.locks, outcome.builds)
        changes = plan_changes(
            Path(inputs.root), {Path(inputs.root) / p: t for p, t in texts.items()}
        )
        if not options.dry_run:
            replace_files({c.path: c.new for c in changes if c.changed})
    if stamped and not outcome.failed:
        remember(locks.written(texts))
    summaries = tuple(
        summarize(inputs.lock_file(layer), locks.lock(layer), outcome.locks[layer].pins)
        for layer in layers
    )
    failure = _failure(inputs, outcome.failed, layers)
    return CompileResult(False, changes, summaries, outcome.warnings, options.dry_run, failure)


def _failure(
    inputs: ProjectInputs, failed: Mapping[str, InputError], written: tuple[str, ...]
) -> InputError | None:
    """Exit 2 at the end for the layers asked for whose own inputs cannot be locked:
    their problems, and that their locks were left as they were (the others written)."""
    if not failed:
        return None
    problems = [problem for error in failed.values() for problem in error.problems]
    others = f"; written: {', '.join(written)}" if written else ""
    for layer in sorted(failed):
        where = Location(inputs.lock_file(layer))
        problems.append(
            Problem(where, f"layer {layer} not compiled, its lock left as it was{others}")
        )
    return InputError(problems)


def _fresh(locks: LockSet, layers: tuple[str, ...], stamped: bool) -> bool:
    """Whether the chosen layers' locks are fresh (and then the project stamped, when
    every lock is)."""
    if not layers or not locks.fresh(layers):
        return False  # no layers: nothing is fresh (the full command says why)
    if stamped:
        remember(locks)
    return True


def locks_fresh(root: Path) -> bool:
    """Whether a plain `reqlock compile` would only say "up to date" (and stamp it)."""
    try:
        locks = read_locks(load_project(root)).recorded()
        return _fresh(locks, locks.inputs.layer_names(), stamped=True)
    except ReqlockError:
        return False  # the full command reports it


def resolve_locks(
    inputs: ProjectInputs,
    options: CompileOptions,
    existing: Iterable[ParsedLock],
    progress: Progress = NO_PROGRESS,
    layers: tuple[str, ...] = (),
) -> LockOutcome:
    """Resolve every layer of `inputs`, keeping the pins of the `existing` locks unless
    upgraded, against the project's index settings with the command line's over them;
    only the problems of `layers` (when given) are reported."""
    # Imported here: the fresh path above must not load the resolver or the HTTP client.
    from pipx_lockext.core.resolution.asks import Policy  # noqa: PLC0415 - see above
    from pipx_lockext.core.resolution.explain import (  # noqa: PLC0415 - see above
        UnknownProject,
        one_edit_away,
    )
    from pipx_lockext.core.resolution.locking import LockRequest, lock_project  # noqa: PLC0415 - see above
    from pipx_lockext.edges.index.client import open_repository  # noqa: PLC0415 - see above

    index = inputs.settings.index
    if options.index is not None:
        index = options.index.over(index)
    existing = tuple(existing)
    upgrades, constraints = _upgrades(options.upgrade_packages)
    _check_upgrades_are_locked(upgrades, existing)
    preferred = {} if options.upgrade else preferences(inputs, existing, upgrades)
    policy = Policy.of(inputs.settings, index)
    request = LockRequest(
        inputs, policy, preferred, constraints, index_lines(index), progress, layers
    )
    repository = open_repository(
        index,
        cache_dir=options.cache_dir,
        offline=options.offline,
        refresh=options.refresh,
        progress=progress,
    )
    try:
        outcome = lock_project(request, repository)
    except UnknownProject as exc:
        if not exc.hint:  # nothing close among the names looked up: ask the indexes
            names = repository.project_names(canonicalize_name(exc.name))
            exc = exc.hinted(one_edit_away(exc.name, names))
        raise noted(exc.on(_searched(index)), index) from None
    except ResolutionError as exc:
        raise noted(exc, index) from None
    finally:
        repository.close()
    # The index's own warnings (a name offered by several indexes) come from the client,
    # not through the core's `Source`, which has no use for them.
    return replace(outcome, warnings=(*outcome.warnings, *repository.warnings()))


def _check_upgrades_are_locked(
    upgrades: frozenset[NormalizedName], existing: Iterable[ParsedLock]
) -> None:
    """`-P NAME` for a project no lock holds would do nothing: say so (once any lock
    exists; a first compile has nothing to compare with)."""
    locked = {pin.name for lock in existing for pin in lock.pins}
    for name in sorted(upgrades - locked if locked else ()):
        raise UsageError(
            f"--upgrade-package {name}: no lock holds {name}{did_you_mean(name, locked)}; "
            "nothing to upgrade"
        )


def _searched(index: IndexSettings) -> str:
    """The indexes a name was looked up on, as an error names them (no credentials)."""
    urls = [*index.extra_index_urls, index.index_url or PYPI]
    return " or ".join(without_credentials(url) for url in urls)


def _upgrades(specs: tuple[str, ...]) -> tuple[frozenset[NormalizedName], tuple[Requirement, ...]]:
    from packaging.requirements import (  # noqa: PLC0415 - only with -P; slow to import
        InvalidRequirement,
        Requirement,
    )

    names: set[NormalizedName] = set()
    constraints: list[Requirement] = []
    for text in specs:
        try:
            req = Requirement(text)
        except InvalidRequirement:
            raise UsageError(
                f"--upgrade-package {text!r}: expected NAME or NAME==VERSION"
            ) from None
        names.add(canonicalize_name(req.name))
        if req.specifier:
            constraints.append(req)
    return frozenset(names), tuple(constraints)


def with_matrix(
    inputs: ProjectInputs, pythons: tuple[str, ...], platforms: tuple[str, ...]
) -> ProjectInputs:
    """The inputs with `--python` / `--platform` replacing the configured matrix."""
    settings = inputs.settings
    if pythons:
        try:
            versions = tuple(sorted({PythonVersion.parse(text) for text in pythons}))
        except ValueError as exc:
            raise UsageError(f"--python: {exc}") from None
        if inputs.requires_python:
            spec = parse_requires_python(inputs.requires_python)
            for version in versions:
                if not version.admitted_by(spec):
                    raise UsageError(
                        f"--python {version}: the project requires Python "
                        f"{inputs.requires_python} (pyproject.toml [project].requires-python)"
                    )
        settings = replace(settings, pythons=versions)
    if platforms:
        for name in platforms:
            if name not in PLATFORMS:
                hint = did_you_mean(name, PLATFORMS)
                raise UsageError(
                    f"--platform {name!r}: unknown platform{hint}; known: {', '.join(PLATFORMS)}"
                )
        settings = replace(settings, platforms=tuple(dict.fromkeys(platforms)))
    return replace(inputs, settings=settings)


def selected_layers(inputs: ProjectInputs, asked: tuple[str, ...]) -> tuple[str, ...]:
    """The layers named on the command line (all when none), checked to exist."""
    names = inputs.lockable()
    if not asked:
        return names
    for name in asked:
        if canonicalize_name(name) not in names:
            raise UnknownLayer(name, names)
    return tuple(canonicalize_name(name) for name in asked)


def check_kept_hashes(previous: ParsedLock, pins: tuple[Pin, ...], where: str) -> None:
    """A pin kept at the same version must not carry a hash the index does not list."""
    fresh = {(pin.name, pin.version): set(pin.hashes) for pin in pins}
    for old in previous.pins:
        known = fresh.get((old.name, old.version))
        if known is None:
            continue
        for digest in old.hashes:
            if digest not in known:
                raise IntegrityError(
                    f"{where}:{old.line}: {old.name}=={old.version} carries "
                    f"--hash=sha256:{digest}, which matches no file the index lists for that "
                    "release; the lock was edited by hand or the index's files changed"
                )


def summarize(where: str, previous: ParsedLock | None, pins: tuple[Pin, ...]) -> LayerSummary:
    """Added, removed, upgraded and downgraded projects between two locks."""
    old = _versions((p.name, p.version) for p in (previous.pins if previous else ()))
    new = _versions((p.name, p.version) for p in pins)
    added = tuple(f"{n} {_show(new[n])}" for n in sorted(new.keys() - old.keys()))
    removed = tuple(f"{n} {_show(old[n])}" for n in sorted(old.keys() - new.keys()))
    up: list[str] = []
    down: list[str] = []
    for name in sorted(old.keys() & new.keys()):
        if old[name] != new[name]:
            text = f"{name} {_show(old[name])} -> {_show(new[name])}"
            (up if max(new[name]) > max(old[name]) else down).append(text)
    return LayerSummary(where, added, removed, tuple(up), tuple(down), previous is None)


def _versions(items: Iterable[tuple[str, Version]]) -> dict[str, list[Version]]:
    found: dict[str, list[Version]] = {}
    for name, version in items:
        found.setdefault(name, []).append(version)
    return {name: sorted(set(versions)) for name, versions in found.items()}


def _show(versions: list[Version]) -> str:
    return "/".join(str(v) for v in versions)
