"""The `sync` and `run` use cases (shell): one venv per Python version, holding exactly
what the layer's lock installs there, and commands run inside them (`synctargets`: which).

pip is started only when something is missing or different: `pip install
--require-hashes -r <lock>` (no `--no-deps`, so pip itself proves the lock complete), then
`pip uninstall` of what the lock does not hold, then the project itself, editable and
`--no-deps`, when it is a package. pip downloads and checks every file before it installs
any, so a hash mismatch leaves the venv as it was. Nothing here prints or exits; progress
goes to a callback.
"""

from __future__ import annotations

import os
import shlex
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.commands.synctargets import (
    SyncOptions,
    Target,
    choose_layer,
    missing_pythons,
    stale_warning,
    targets,
    usable_lock,
)
from pipx_lockext.core.environments import PythonVersion
from pipx_lockext.core.errors import (
    IntegrityError,
    NotTrue,
    UsageError,
)
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.lockparse import LockedPin, ParsedLock
from pipx_lockext.core.lockfiles.lockset import LockSet
from pipx_lockext.edges.project.loader import load_project
from pipx_lockext.edges.project.lockfiles import read_locks
from pipx_lockext.edges.project.projectlock import project_lock
from pipx_lockext.edges.venvs import installrecord
from pipx_lockext.edges.venvs.interpreters import Finder
from pipx_lockext.edges.venvs.processes import Runner, run_process
from pipx_lockext.edges.venvs.venvs import SEEDED, Venv

Progress = Callable[[str], None]

PIP = ("-m", "pip", "--disable-pip-version-check", "--no-input")
HASH_MISMATCH = "DO NOT MATCH THE HASHES"
BUILD_CONSTRAINT_PIP = Version("25.3")
"""The first pip with `--build-constraint`."""
REPORT_PIP = Version("22.2")
"""The first pip with `install --report`."""


@dataclass(frozen=True)
class SyncOutcome:
    """What syncing one venv did."""

    version: PythonVersion
    venv: str
    created: bool
    installed: tuple[str, ...]
    """`name==version` of everything pip was asked to add or change."""
    removed: tuple[str, ...]
    project: bool
    """Whether the project itself was (re)installed, editable."""
    warnings: tuple[str, ...] = ()

    @property
    def pip_ran(self) -> bool:
        return bool(self.installed or self.removed or self.project)


@dataclass(frozen=True)
class RunRow:
    """One version's run: its exit code and how long it took."""

    version: PythonVersion
    code: int | None
    """None: the interpreter is not on this machine."""
    seconds: float

    @property
    def failed(self) -> bool:
        return self.code != 0


@dataclass(frozen=True)
class Context:
    """The machine as sync sees it: processes, interpreters, progress."""

    run: Runner = run_process
    finder: Finder | None = None
    progress: Progress = lambda _message: None
    """Work under way (venv creation, installs): silent in pipes and with -q."""
    announce: Progress = lambda _message: None
    """What the user must see even in CI logs: which Python a command's output is from."""

    def find(self) -> Finder:
        return self.finder or Finder.here()


def sync_project(root: Path, options: SyncOptions, context: Context) -> tuple[SyncOutcome, ...]:
    """`reqlock sync`: every chosen venv made to hold exactly its lock's set."""
    plan = _Plan.of(root, options)
    warnings = stale_warning(plan.locks, plan.layer)
    outcomes = []
    for target in targets(plan.inputs, plan.layer, options, context.find()):
        outcome = plan.sync(target, options, context)
        outcomes.append(replace(outcome, warnings=warnings))
    return tuple(outcomes)


@dataclass(frozen=True)
class _Plan:
    """The project, the layer and its lock that sync and run work from."""

    inputs: ProjectInputs
    layer: str
    locks: LockSet
    lock: ParsedLock

    @classmethod
    def of(cls, root: Path, options: SyncOptions) -> _Plan:
        locks = read_locks(load_project(root)).recorded()
        inputs = locks.inputs
        layer = choose_layer(inputs, options.layer)
        return cls(inputs, layer, locks, usable_lock(locks, layer))

    def sync(self, target: Target, options: SyncOptions, context: Context) -> SyncOutcome:
        """One venv synced, holding the project's lock only meanwhile."""
        with project_lock(Path(self.inputs.root), context.progress):
            return sync_one(
                self.inputs,
                target,
                self.lock,
                build_lock=self.locks.build(self.layer) is not None,
                reinstall=options.reinstall,
                context=context,
            )


def run_command(
    root: Path, options: SyncOptions, command: Sequence[str], context: Context
) -> tuple[RunRow, ...]:
    """`reqlock run -- CMD`: sync, then CMD in each chosen venv, in turn."""
    if not command:
        raise UsageError("nothing to run: give the command after --")
    plan = _Plan.of(root, options)
    inputs, layer = plan.inputs, plan.layer
    rows = []
    for target in targets(inputs, layer, options, context.find()):
        plan.sync(target, options, context)  # the project lock is not held while CMD runs
        if options.all_pythons:
            context.announce(f"==> Python {target.version}: {shlex.join(command)}")
        start = time.perf_counter()
        done = context.run(command, venv_environ(target.venv), Path(inputs.root), capture=False)
        rows.append(RunRow(target.version, done.returncode, time.perf_counter() - start))
        if done.returncode == 127 and done.stderr:
            context.announce(done.stderr)  # why it did not start: not a passing step
    if options.all_pythons and not options.skip_missing:
        rows += [RunRow(v, None, 0.0) for v in missing_pythons(inputs, layer, context.find())]
    return tuple(sorted(rows, key=lambda row: row.version))


def sync_one(
    inputs: ProjectInputs,
    target: Target,
    lock: ParsedLock,
    *,
    build_lock: bool,
    reinstall: bool,
    context: Context,
) -> SyncOutcome:
    """Make one venv hold exactly the lock's set for its interpreter (`build_lock`: the
    layer has a build lock holding pins). With `reinstall`, the new venv replaces the old
    one only when it is complete: a failure (a hash mismatch, Ctrl-C) puts the old back."""
    if target.version not in {env.python for env in lock.environments}:
        raise UsageError(
            f"{target.lock_file} does not cover Python {target.version}; run reqlock compile"
        )
    if not reinstall:
        return _sync_venv(inputs, target, lock, build_lock, context)
    with target.venv.kept_aside():
        return _sync_venv(inputs, target, lock, build_lock, context)


def _check_patch_floor(target: Target, lock: ParsedLock, full_version: str) -> None:
    """A lock whose series starts at a patch floor (`python 3.9.2-3.13`) does not hold
    on an earlier patch release: refused (exit 2) before pip runs. Within the series the
    lock's `python_full_version` markers pick each interpreter's own lines."""
    floors = [env.full_version for env in lock.environments if env.python == target.version]
    try:
        found = Version(full_version)
    except ValueError:
        return  # an interpreter reporting no PEP 440 version: pip judges its markers
    if floors and found < min(floors):
        raise UsageError(
            f"{target.lock_file} holds from Python {min(floors)} on, and "
            f"{target.interpreter.path} is Python {found}; use a later {target.version} "
            "or run reqlock compile without that floor"
        )


def _sync_venv(
    inputs: ProjectInputs, target: Target, lock: ParsedLock, build_lock: bool, context: Context
) -> SyncOutcome:
    venv, created = target.venv, False
    if not venv.matches(target.interpreter):
        context.progress(f"creating {_display(inputs, venv)} with {target.interpreter.path}")
        venv.create(target.interpreter, context.run)
        created = True
    markers = {**venv.markers(context.run), "extra": ""}
    _check_patch_floor(target, lock, markers["python_full_version"])
    required = {
        pin.name: pin for pin in lock.pins if pin.marker is None or pin.marker.evaluate(markers)
    }
    installed = venv.installed()
    project = _project_name(inputs)
    if project is not None and venv.editable(project):
        # The lock's line for the project (asked back by a dependency) is for plain pip;
        # here the working tree installed over it stands for it.
        required.pop(project, None)
    installed = _drop_untrusted(context, venv, required, installed)
    changed = sorted(n for n, pin in required.items() if installed.get(n) != pin.version)
    mine = {project} if project else set()
    extraneous = sorted(set(installed) - set(required) - SEEDED - mine)
    if changed:
        context.progress(f"installing {len(changed)} packages into {_display(inputs, venv)}")
        lock_path = str(Path(inputs.root) / target.lock_file)
        args = [
            "install",
            "--require-hashes",
            "-r",
            lock_path,
            *(_build_constraint(inputs, target, installed) if build_lock else []),
        ]
        _install_and_record(context, venv, args, required, installed)
    if extraneous:
        context.progress(f"removing {len(extraneous)} packages from {_display(inputs, venv)}")
        _pip(context, venv, ["uninstall", "-y", *extraneous])
    reinstalled = False
    if project is not None and not venv.editable(project):
        context.progress(f"installing the project {project} (editable, --no-deps)")
        _pip(context, venv, ["install", "--no-deps", "-e", inputs.root])
        reinstalled = True
    return SyncOutcome(
        target.version,
        _display(inputs, venv),
        created,
        tuple(f"{n}=={required[n].version}" for n in changed),
        tuple(extraneous),
        reinstalled,
    )


def _drop_untrusted(
    context: Context,
    venv: Venv,
    required: dict[NormalizedName, LockedPin],
    installed: dict[NormalizedName, Version],
) -> dict[NormalizedName, Version]:
    """Uninstall what sync cannot vouch for (it is then installed from the lock again)."""
    untrusted = _untrusted(venv, required, installed)
    if not untrusted:
        return installed
    context.progress(f"reinstalling what sync did not install as locked: {', '.join(untrusted)}")
    _pip(context, venv, ["uninstall", "-y", *untrusted])
    return {n: v for n, v in installed.items() if n not in untrusted}


def _untrusted(
    venv: Venv, required: dict[NormalizedName, LockedPin], installed: dict[NormalizedName, Version]
) -> list[NormalizedName]:
    """Locked distributions present at the locked version that sync did not install, or
    whose RECORD changed since (installed by hand, or other bytes under the same version)."""
    record = installrecord.read(venv.path)
    digests = installrecord.record_digests(venv.site_packages())
    return sorted(
        name
        for name, pin in required.items()
        if installed.get(name) == pin.version
        and (
            (entry := record.get(name)) is None
            or entry.version != str(pin.version)
            or entry.record != digests.get(name)
        )
    )


def _install_and_record(
    context: Context,
    venv: Venv,
    args: list[str],
    required: dict[NormalizedName, LockedPin],
    before: dict[NormalizedName, Version],
) -> None:
    """pip install (with `--report` when the venv's pip has it), then record what the
    venv now holds of the lock: the new distributions, and the trusted ones kept."""
    pip = before.get(NormalizedName("pip"))
    with tempfile.TemporaryDirectory(prefix="reqlock-report-") as folder:
        report = Path(folder) / "report.json"
        reporting = pip is not None and pip >= REPORT_PIP
        _pip(context, venv, [*args, *(["--report", str(report)] if reporting else [])])
        files = installrecord.report_hashes(report) if reporting else {}
    old = installrecord.read(venv.path)
    digests = installrecord.record_digests(venv.site_packages())
    now = venv.installed()
    kept = {n: e for n, e in old.items() if n in required and before.get(n) == now.get(n)}
    for name, pin in required.items():
        if now.get(name) == pin.version and name in digests and name not in kept:
            kept[name] = installrecord.Installed(str(pin.version), digests[name], files.get(name))
    installrecord.write(venv.path, kept)


def _build_constraint(
    inputs: ProjectInputs, target: Target, installed: dict[NormalizedName, Version]
) -> list[str]:
    """`--build-constraint <layer>.build.lock.txt` when the layer has one and the venv's pip
    knows the option (25.3+): then what pip fetches to build sdists is hash-checked too."""
    path = Path(inputs.root) / inputs.build_lock_file(target.layer)
    pip = installed.get(NormalizedName("pip"))
    if pip is None or pip < BUILD_CONSTRAINT_PIP:
        return []
    return ["--build-constraint", str(path)]


def _pip(context: Context, venv: Venv, args: list[str]) -> None:
    result = context.run([str(venv.python), *PIP, *args])
    if result.returncode == 0:
        return
    output = f"{result.stdout}\n{result.stderr}"
    tail = " | ".join(line.strip() for line in output.strip().splitlines()[-6:] if line.strip())
    if HASH_MISMATCH in output:
        raise IntegrityError(f"pip refused the lock, nothing was installed: {tail}")
    raise NotTrue(f"pip {args[0]} failed in {venv.path}: {tail}")


def _project_name(inputs: ProjectInputs) -> NormalizedName | None:
    """The project's name when it is a package pip can install (a build system or a
    setup.py), else None."""
    root = Path(inputs.root)
    if inputs.name is None:
        return None
    if (root / "setup.py").is_file() or (root / "setup.cfg").is_file() or _has_build_system(root):
        return NormalizedName(inputs.name)
    return None


def _has_build_system(root: Path) -> bool:
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return False
    return "[build-system]" in text


def venv_environ(venv: Venv) -> dict[str, str]:
    """The environment of a command run inside the venv (as `activate` would set it)."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONHOME", "__PYVENV_LAUNCHER__"}}
    env["VIRTUAL_ENV"] = str(venv.path)
    env["PATH"] = os.pathsep.join([str(venv.bin), env.get("PATH", "")])
    return env


def _display(inputs: ProjectInputs, venv: Venv) -> str:
    try:
        return venv.path.relative_to(inputs.root).as_posix()
    except ValueError:
        return str(venv.path)
