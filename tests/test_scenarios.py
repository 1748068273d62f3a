"""Resolver scenarios: every `tests/scenarios/<topic>/<case>.toml` run through `reqlock
compile` against a fake index served on 127.0.0.1 (packse's model: one small declarative
file per case, saying what must happen and why).

A scenario file holds (unknown keys anywhere are an error, so a typo never passes
silently; tests/scenarios/README.md has a full example):

    description = "One sentence: what must come out, and why."
    xfail = "what reqlock does wrong"  # optional: a strict xfail, a bug report in place
    args = ["--pre"]                   # optional: more `reqlock compile` arguments

    [[index]]                # one table per release: the fields of fakeindex's `Release`
    name = "a"               # (kebab-case): name, version, requires-dist,
    version = "1.0"          # requires-python, wheels (tag triples), sdist, yanked,
    requires-dist = ["b"]    # dynamic, metadata-version, upload-time (PEP 700, every
                             # file), upload-times (["<tag or sdist>=<time>"], per file)

    [files]                  # the project: relative path -> text
    "pyproject.toml" = '''...'''

    [before]                 # optional: an earlier compile the case starts from
    index = [...]            # the index at that time ([[before.index]] tables)
    files = {...}            # optional: the project then (default: [files])
    args = [...]             # optional

    [expect]
    exit = 0                 # default 0
    pins.base = ["a==1.0", 'b==2.0 ; python_version < "3.11"']
    environments.base = "python 3.12 on linux-x86_64"   # the lock's header line
    absent = ["docs"]        # layers that must have no lock
    hashes = true            # default: every pin carries exactly the sha256 of every
                             # file the index holds for that release
    warning = ["yanked"]     # exit 0: substrings of the output (case-insensitive)
    error = ["a<2", "b"]     # exit != 0 (then required): substrings of the output
    unsaid = ["python 3"]    # substrings the output must not hold

With exit 0, the locks written are exactly the layers of `pins`, each compared line by
line in file order (requirement lines only: hashes and comments are checked apart). With
any other exit, no lock file may have changed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.fakeindex import FakeIndex, Release

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the 3.10 tox env
    import tomli as tomllib

SCENARIOS = Path(__file__).parent / "scenarios"

# The schema: each table's keys and the kind of value each takes.
KINDS: dict[str, Callable[[Any], bool]] = {
    "a string": lambda v: isinstance(v, str),
    "an integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "true or false": lambda v: isinstance(v, bool),
    "a string or true": lambda v: isinstance(v, (str, bool)),
    "a list of strings": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
    "a table": lambda v: isinstance(v, dict),
    "a list of tables": lambda v: isinstance(v, list) and all(isinstance(i, dict) for i in v),
}
TOP = {
    "description": "a string", "xfail": "a string", "args": "a list of strings",
    "index": "a list of tables", "files": "a table", "before": "a table", "expect": "a table",
}  # fmt: skip
REQUIRED_TOP = {"description", "index", "files", "expect"}
BEFORE = {"index": "a list of tables", "files": "a table", "args": "a list of strings"}
RELEASE = {
    "name": "a string", "version": "a string", "requires-dist": "a list of strings",
    "requires-python": "a string", "wheels": "a list of strings", "sdist": "true or false",
    "yanked": "a string or true", "dynamic": "a list of strings", "metadata-version": "a string",
    "build-requires": "a list of strings", "upload-time": "a string",
    "upload-times": "a list of strings",
}  # fmt: skip
EXPECT = {
    "exit": "an integer", "pins": "a table", "environments": "a table",
    "absent": "a list of strings", "hashes": "true or false", "warning": "a list of strings",
    "error": "a list of strings", "unsaid": "a list of strings",
}  # fmt: skip


class ScenarioError(ValueError):
    """A scenario file that does not follow the format; names the file and the key."""


@dataclass(frozen=True)
class Expect:
    exit: int = 0
    pins: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    environments: Mapping[str, str] = field(default_factory=dict)
    absent: tuple[str, ...] = ()
    hashes: bool = True
    warning: tuple[str, ...] = ()
    error: tuple[str, ...] = ()
    unsaid: tuple[str, ...] = ()
    """Substrings the output must not hold (noise a message must leave out)."""


@dataclass(frozen=True)
class Step:
    """One compile: the index it runs against, the project files, extra arguments."""

    index: tuple[Release, ...]
    files: Mapping[str, str]
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    id: str
    """"<topic>/<case>"."""
    description: str
    step: Step
    expect: Expect
    before: Step | None = None
    xfail: str | None = None


def check_table(table: Mapping[str, Any], where: str, schema: Mapping[str, str]) -> None:
    """Reject unknown keys and values of the wrong kind."""
    unknown = sorted(set(table) - set(schema))
    if unknown:
        known = ", ".join(schema)
        raise ScenarioError(f"{where}: unknown key {', '.join(unknown)} (known: {known})")
    for key, value in table.items():
        if not KINDS[schema[key]](value):
            raise ScenarioError(f"{where}: {key} must be {schema[key]}, not {value!r}")


def load_scenario(path: Path) -> Scenario:
    """Read and validate one scenario file."""
    where = path.relative_to(SCENARIOS).as_posix() if path.is_relative_to(SCENARIOS) else str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{where}: invalid TOML ({exc})") from None
    check_table(data, where, TOP)
    missing = sorted(REQUIRED_TOP - set(data))
    if missing:
        raise ScenarioError(f"{where}: missing key {', '.join(missing)}")
    if not data["description"].strip():
        raise ScenarioError(f"{where}: description must say what must happen and why")
    step = load_step(data, f"{where}")
    before = None
    if "before" in data:
        check_table(data["before"], f"{where} [before]", BEFORE)
        fallback = {"files": data["files"], **data["before"]}
        before = load_step(fallback, f"{where} [before]")
    scenario_id = f"{path.parent.name}/{path.stem}"
    expect = load_expect(data["expect"], f"{where} [expect]")
    return Scenario(scenario_id, data["description"], step, expect, before, data.get("xfail"))


def load_step(data: Mapping[str, Any], where: str) -> Step:
    if "index" not in data:
        raise ScenarioError(f"{where}: missing key index")
    files = data.get("files", {})
    bad = [k for k, v in files.items() if not isinstance(v, str)]
    if bad:
        raise ScenarioError(f"{where}: files.{bad[0]} must be the file's text")
    releases = tuple(
        load_release(table, f"{where} index[{i}]") for i, table in enumerate(data["index"])
    )
    return Step(releases, dict(files), tuple(data.get("args", ())))


def load_release(table: Mapping[str, Any], where: str) -> Release:
    check_table(table, where, RELEASE)
    if not {"name", "version"} <= set(table):
        raise ScenarioError(f"{where}: a release needs name and version")
    fields = {
        key.replace("-", "_"): tuple(value) if isinstance(value, list) else value
        for key, value in table.items()
    }
    try:
        return Release(**fields)
    except ValueError as exc:
        raise ScenarioError(f"{where}: {exc}") from None


def load_expect(table: Mapping[str, Any], where: str) -> Expect:
    check_table(table, where, EXPECT)
    pins = {
        layer: _pin_list(value, f"{where} pins.{layer}")
        for layer, value in table.get("pins", {}).items()
    }
    environments = table.get("environments", {})
    if not all(isinstance(v, str) for v in environments.values()):
        raise ScenarioError(f"{where}: environments.<layer> must be a string")
    expect = Expect(
        exit=table.get("exit", 0),
        pins=pins,
        environments=dict(environments),
        absent=tuple(table.get("absent", ())),
        hashes=table.get("hashes", True),
        warning=tuple(table.get("warning", ())),
        error=tuple(table.get("error", ())),
        unsaid=tuple(table.get("unsaid", ())),
    )
    problem = _inconsistency(expect)
    if problem:
        raise ScenarioError(f"{where}: {problem}")
    return expect


def _pin_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ScenarioError(f"{where}: must be a list of strings")
    for text in value:
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            raise ScenarioError(f"{where}: {text!r} is not a requirement ({exc})") from None
        if len(req.specifier) != 1 or next(iter(req.specifier)).operator != "==":
            raise ScenarioError(f"{where}: {text!r} is not pinned with ==")
    return tuple(value)


def _inconsistency(e: Expect) -> str | None:
    rules = [
        (e.exit not in range(7), f"exit {e.exit} is not one of SPEC's codes 0-6"),
        (e.exit == 0 and bool(e.error), "error is for a failing compile; use warning with exit 0"),
        (e.exit == 0 and not e.pins, "a successful compile must say which locks it writes (pins)"),
        (
            e.exit != 0 and not e.error,
            "a failing compile must say what its message explains (error)",
        ),
        (
            e.exit != 0 and bool(e.pins or e.environments or e.warning),
            "a failing compile writes no lock: no pins, environments or warning",
        ),
        (bool(set(e.absent) & set(e.pins)), "a layer cannot be both in pins and absent"),
        (bool(set(e.environments) - set(e.pins)), "environments names a layer not in pins"),
    ]
    return next((message for broken, message in rules if broken), None)


def all_scenarios() -> list[Scenario]:
    return [load_scenario(path) for path in sorted(SCENARIOS.glob("*/*.toml"))]


def _params() -> list[Any]:
    """One pytest param per file; `xfail` becomes a strict xfail."""
    params = []
    for scenario in all_scenarios():
        marks = [pytest.mark.xfail(reason=scenario.xfail, strict=True)] if scenario.xfail else []
        params.append(pytest.param(scenario, id=scenario.id, marks=marks))
    return params


# --- reading what compile wrote -------------------------------------------------------


@dataclass(frozen=True)
class LockText:
    pins: tuple[str, ...]
    """Requirement lines, trailing ` \\` removed, in file order."""
    hashes: Mapping[str, tuple[str, ...]]
    """Requirement line to its sha256 hex digests."""
    environments: str | None
    cutoff: str | None = None
    """The `# uploaded-prior-to:` header (an RFC 3339 time in UTC, in scenarios)."""


def parse_lock(text: str) -> LockText:
    pins: list[str] = []
    hashes: dict[str, list[str]] = {}
    environments = cutoff = None
    for line in text.splitlines():
        if line.startswith("# uploaded-prior-to: "):
            cutoff = line.removeprefix("# uploaded-prior-to: ")
        elif line.startswith("# environments: "):
            environments = line.removeprefix("# environments: ")
        elif line and not line.startswith(("#", " ", "-")):
            pins.append(line.removesuffix("\\").rstrip())
            hashes[pins[-1]] = []
        elif line.strip().startswith("--hash=sha256:") and pins:
            hashes[pins[-1]].append(line.strip().removesuffix("\\").strip().split(":", 1)[1])
    return LockText(tuple(pins), {k: tuple(v) for k, v in hashes.items()}, environments, cutoff)


def lock_files(project: Path) -> dict[str, str]:
    """Layer name to lock text, for every `requirements/<layer>.lock.txt`."""
    found = sorted((project / "requirements").glob("*.lock.txt"))
    return {p.name.removesuffix(".lock.txt"): p.read_text(encoding="utf-8") for p in found}


def index_hashes(index: FakeIndex, cutoff: str | None) -> dict[tuple[str, Version], set[str]]:
    """Per release, the sha256 of every file the index holds, less those uploaded at or
    after the lock's cutoff (RFC 3339 UTC times compare as text)."""
    by_release: dict[tuple[str, Version], set[str]] = {}
    for file in index.files.values():
        uploaded = file.release.upload_time_of(file.filename)
        if cutoff is not None and (uploaded is None or uploaded >= cutoff):
            continue
        key = (canonicalize_name(file.release.name), Version(file.release.version))
        by_release.setdefault(key, set()).add(file.sha256)
    return by_release


def check_hashes(layer: str, lock: LockText, index: FakeIndex) -> None:
    on_index = index_hashes(index, lock.cutoff)
    for pin, digests in lock.hashes.items():
        req = Requirement(pin)
        version = Version(next(iter(req.specifier)).version)
        expected = on_index.get((canonicalize_name(req.name), version), set())
        assert digests, f"{layer}: {pin} has no --hash"
        assert set(digests) == expected, f"{layer}: {pin} hashes differ from the index's files"
        assert list(digests) == sorted(digests), f"{layer}: {pin} hashes are not sorted"


# --- the test -------------------------------------------------------------------------


def test_scenario_files_are_valid() -> None:
    """Loads every file (schema errors fail here, whether or not compile exists)."""
    scenarios = all_scenarios()
    assert len(scenarios) >= 40
    assert len({s.id for s in scenarios}) == len(scenarios)


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        ("colour = 1", "unknown key colour"),
        ("[expect.pinz]", "unknown key pinz"),
        ("[[index]]\nname = 'a'\nversion = '1.0'\nrequires_dist = []", "unknown key requires_"),
        ("[expect]\nexit = 3", "must say what its message explains"),
        ("[expect]\npins.base = ['a>=1']", "not pinned with =="),
        ("[[index]]\nname = 'a'\nversion = '1.0'\nwheels = ['py3']", "not python-abi-platform"),
    ],
)
def test_loader_rejects_bad_files(tmp_path: Path, snippet: str, message: str) -> None:
    base = {"description": '"d."', "index": "[]", "files": "{}"}
    head = [f"{key} = {value}" for key, value in base.items() if f"{key}" not in snippet]
    expect = "" if "[expect" in snippet else "[expect]\npins.base = ['a==1.0']\n"
    path = tmp_path / "case.toml"
    path.write_text("\n".join(head) + "\n" + expect + snippet + "\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[")):
        load_scenario(path)


def run_step(
    step: Step, project: Path, fake_index: Any, make_project: Any, reqlock: Any
) -> tuple[Any, FakeIndex]:
    """Start the step's index, write its files over the project, compile."""
    index = fake_index(step.index)
    make_project(step.files)
    result = reqlock("compile", "--project", project, "--index-url", index.url, *step.args)
    return result, index


@pytest.mark.parametrize("scenario", _params())
def test_scenario(
    scenario: Scenario, tmp_path: Path, fake_index: Any, make_project: Any, reqlock: Any
) -> None:
    project = tmp_path / "project"
    if scenario.before is not None:
        result, _ = run_step(scenario.before, project, fake_index, make_project, reqlock)
        assert result.code == 0, f"the [before] compile failed:\n{result.out}{result.err}"
    old_locks = lock_files(project)
    result, index = run_step(scenario.step, project, fake_index, make_project, reqlock)
    output = result.out + result.err
    expect = scenario.expect
    assert result.code == expect.exit, f"exit {result.code}, expected {expect.exit}:\n{output}"
    for text in expect.error + expect.warning:
        assert text.lower() in output.lower(), f"{text!r} not in the output:\n{output}"
    for text in expect.unsaid:
        assert text.lower() not in output.lower(), f"{text!r} in the output:\n{output}"
    locks = lock_files(project)
    if expect.exit != 0:
        assert locks == old_locks, "a failed compile changed the lock files"
        return
    assert sorted(locks) == sorted(expect.pins), f"locks written: {sorted(locks)}"
    assert not set(expect.absent) & set(locks)
    for layer, pins in expect.pins.items():
        lock = parse_lock(locks[layer])
        assert list(lock.pins) == list(pins), f"{layer}.lock.txt:\n{locks[layer]}"
        if layer in expect.environments:
            assert lock.environments == expect.environments[layer]
        if expect.hashes:
            check_hashes(layer, lock, index)
