"""The `check` and `why` use cases (shell): read the project's inputs and its locks, and
answer from them alone.

Made for pre-commit hooks and CI: no network, no resolution, never a write. It must not
import the resolver, the HTTP client or tomlkit (a test holds it to that), so that it
answers in milliseconds. Nothing here prints or exits.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name

from pipx_lockext.core.errors import UsageError, did_you_mean
from pipx_lockext.core.inputs.project import ProjectInputs
from pipx_lockext.core.lockfiles.digest import index_lines, input_digest
from pipx_lockext.core.lockfiles.lockfile import holds_pins
from pipx_lockext.core.lockfiles.lockparse import ParsedLock, parse_lock
from pipx_lockext.edges.project import stamp
from pipx_lockext.edges.project.loader import load_project

LOCK_SUFFIX = ".lock.txt"


@dataclass(frozen=True)
class Finding:
    """Why one lock is not fresh or not well formed."""

    file: str
    line: int | None
    what: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.what}"


@dataclass(frozen=True)
class CheckResult:
    """Every layer checked, and what is wrong with any of them."""

    layers: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return not self.findings


def check_project(root: Path) -> CheckResult:
    """`reqlock check`: every lock fresh for its inputs and well formed."""
    inputs = load_project(root)
    texts = {
        layer: read_if_present(Path(inputs.root) / inputs.lock_file(layer))
        for layer in inputs.layer_names()
    }
    findings = check_texts(inputs, texts)
    remember(inputs, findings)
    return CheckResult(inputs.layer_names(), tuple(findings))


def check_texts(
    inputs: ProjectInputs,
    texts: Mapping[str, str | None],
    parsed: Mapping[str, ParsedLock] | None = None,
) -> list[Finding]:
    """Findings for every layer's lock text (None: the file is missing), and orphans;
    `parsed` holds those texts already parsed, when the caller has them."""
    findings: list[Finding] = []
    for layer in inputs.layer_names():
        display = inputs.lock_file(layer)
        text = texts.get(layer)
        if text is None:
            findings.append(Finding(display, None, "missing; run reqlock compile"))
            continue
        lock = (parsed or {}).get(layer) or parse_lock(text)
        findings += check_lock(inputs, layer, display, lock)
        build = inputs.build_lock_file(layer)
        build_text = read_if_present(Path(inputs.root) / build)
        if holds_pins(build_text):
            findings += check_lock(inputs, layer, build, parse_lock(build_text))
    return findings + _orphans(inputs)


def remember(inputs: ProjectInputs, findings: list[Finding]) -> None:
    """Stamp a fresh project so that the next check answers without parsing anything."""
    if findings:
        stamp.forget(inputs.root)
        return
    files = {
        dep.where.file
        for layer in inputs.layers
        for dep in (*layer.requirements, *layer.constraints)
    }
    files |= {layer.file for layer in inputs.layers}
    paths = [os.path.join(inputs.root, file) for file in sorted(files)]
    stamp.record(inputs.root, inputs.settings.output_dir, list(inputs.layer_names()), paths)


def check_lock(inputs: ProjectInputs, layer: str, display: str, lock: ParsedLock) -> list[Finding]:
    """What makes one parsed lock stale or malformed."""
    found = [Finding(display, p.line, p.what) for p in lock.problems]
    expected = set(index_lines(inputs.settings.index))
    for line, option in lock.options:
        if option not in expected and not any(p.line == line for p in lock.problems):
            what = "index option the project does not configure"
            hint = "set it in [tool.reqlock] (or the .in file) and compile again"
            found.append(Finding(display, line, f"{what}: {option!r}; {hint}"))
    digest = input_digest(inputs, layer, inputs.matrix(layer))
    if lock.digest is not None and lock.digest != digest:
        what = (
            "stale: the project's inputs changed since it was compiled (all layers are "
            "resolved together, so a change to any layer stales every lock)"
        )
        found.append(Finding(display, None, f"{what}; run reqlock compile"))
    return found


def _orphans(inputs: ProjectInputs) -> list[Finding]:
    folder = Path(inputs.root) / inputs.settings.output_dir
    names = set(inputs.layer_names())
    found = []
    for path in sorted(folder.glob(f"*{LOCK_SUFFIX}")):
        layer = path.name.removesuffix(LOCK_SUFFIX).removesuffix(".build")
        if layer not in names:
            display = f"{inputs.settings.output_dir}/{path.name}"
            found.append(Finding(display, None, f"no layer {layer!r} any more; delete the file"))
    return found


@dataclass(frozen=True)
class WhyResult:
    """For each layer whose lock holds the package, the chains that bring it in."""

    name: NormalizedName
    chains: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    """(lock display, chains); each chain runs from the package up to a root label."""


def why(root: Path, name: str, layer: str | None) -> WhyResult:
    """`reqlock why NAME`: chains of `# via` from NAME up to the layer's roots."""
    inputs = load_project(root)
    layers = inputs.layer_names()
    if layer is not None and canonicalize_name(layer) not in layers:
        raise UsageError(f"no layer {layer!r}{did_you_mean(layer, layers)}")
    wanted = canonicalize_name(name)
    found = []
    for each in (canonicalize_name(layer),) if layer else layers:
        display = inputs.lock_file(each)
        text = read_if_present(Path(inputs.root) / display)
        if text is None:
            continue
        chains = via_chains(parse_lock(text), wanted)
        if chains:
            found.append((display, chains))
    return WhyResult(wanted, tuple(found))


def via_chains(
    lock: ParsedLock, name: NormalizedName, limit: int = 20
) -> tuple[tuple[str, ...], ...]:
    """Paths from `name` to a root label through the lock's `# via` comments, shortest
    first (breadth first: the direct parents before the long ways round); when there are
    more than `limit`, the last entry says how many were left out."""
    pins = {pin.name: pin for pin in lock.pins}
    if name not in pins:
        return ()
    chains: list[tuple[str, ...]] = []
    more = 0
    queue: deque[tuple[NormalizedName, tuple[str, ...], frozenset[str]]] = deque()
    queue.append((name, (), frozenset({name})))
    while queue:
        current, path, seen = queue.popleft()
        pin = pins[current]
        here = (*path, f"{pin.name}=={pin.version}")
        for parent in pin.via or ("(no via comment)",):
            key = canonicalize_name(parent)
            if key not in pins:
                if len(chains) < limit:
                    chains.append((*here, parent))
                else:
                    more += 1
            elif key not in seen:  # a cycle (a needs b needs a) ends the chain
                queue.append((key, here, seen | {key}))
        if more > 10 * limit:
            break  # enough to say "many"
    unique = list(dict.fromkeys(chains))
    if more:
        unique.append((f"… {more} more",))
    return tuple(unique)


def read_if_present(path: Path) -> str | None:
    """A file's text, or None when it (or a folder on its path) is not there."""
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
