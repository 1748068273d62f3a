"""Time `reqlock compile` and `reqlock check` against uv and pip-tools on real PyPI.

For each fixed input set (SETS) it times a cold run (a fresh, empty cache for each tool)
and a warm run (the same cache again; the output files are removed first, so that every
tool resolves again and none reads its old pins as preferences) of:

- `uv pip compile --universal --generate-hashes -p 3.9` (one lock for every environment);
- `pip-compile --generate-hashes` (pip-tools; one environment only: the tool venv's Python);
- `reqlock compile` of a project locking Python 3.9-3.13 on reqlock's default platforms.

Then, on the project reqlock has just locked: `reqlock compile` with unchanged inputs (it
must say the locks are up to date and touch no network: it runs behind a dead proxy),
against `python -c "import pipx_lockext"` on the same interpreter, and `reqlock check`;
each the median of --repeat runs, both with reqlock's freshness stamp in place (after one
untimed run leaves it) and without (an empty cache directory per run, as on a fresh CI
clone). Prints one table with the ratios and, next to them, the targets of the issue
(OK/MISS).

pip-tools and uv live in their own venv (WORK_DIR/tools, made on first use); every tool
runs with the machine's pip and uv configuration switched off and PyPI as the only index.
reqlock is this checkout's (`python -m pipx_lockext` on the running interpreter) unless
--reqlock names an executable.

    python benchmarks/compile_bench.py [--sets small,medium] [--work-dir DIR] [--reqlock PATH]

Needs the network (pypi.org). Progress and tool failures go to stderr, the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import app_sets  # benchmarks/ is not a package: its own folder goes first

SETS = {
    "small": ["requests", "click"],
    "medium": [
        "django", "djangorestframework", "celery[redis]", "psycopg[binary]", "boto3",
        "gunicorn", "sentry-sdk", "pytest", "pytest-django", "black", "mypy", "ruff", "httpx",
    ],
    "large": [
        "pandas", "scikit-learn", "matplotlib", "jupyterlab", "fastapi[standard]",
        "sqlalchemy", "alembic", "pydantic-settings",
    ],
    "warehouse": app_sets.WAREHOUSE,
    "saleor": app_sets.SALEOR,
    "synthetic-400": app_sets.synthetic_roots(),
}  # fmt: skip
PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]
SET_PYTHONS = {"warehouse": app_sets.WAREHOUSE_PYTHONS, "saleor": app_sets.SALEOR_PYTHONS}
"""The Python versions a set is locked for, where not PYTHONS (the applications' own)."""
LARGE_APPS = ("warehouse", "saleor")
SYNTHETIC = "synthetic-400"
PYPI = "https://pypi.org/simple"
JSON_API = "https://pypi.org/pypi/pip/json"
CHECKOUT = Path(__file__).resolve().parent.parent
DEFAULT_WORK_DIR = Path.home() / ".cache" / "reqlock-bench"

# The targets: on the medium set, cold, reqlock at most 1 times uv and 10 times
# faster than pip-compile; on the large applications cold at most 2 times uv and warm at
# most 1 times; the synthetic graph within 10 s (cold).
TARGET_SET = "medium"
MAX_VS_UV = 1.0
MAX_LARGE_COLD_VS_UV = 2.0
MAX_LARGE_WARM_VS_UV = 1.0
MAX_SYNTHETIC_SECONDS = 10.0
MIN_FASTER_THAN_PIP_COMPILE = 10.0
MAX_UNCHANGED_VS_IMPORT = 1.2
MAX_CHECK_MS = 150.0

# pip settings that do not choose the index (TLS, timeouts) are kept from the machine.
KEEP_PIP = {
    "PIP_CERT", "PIP_CLIENT_CERT", "PIP_DEFAULT_TIMEOUT", "PIP_TIMEOUT", "PIP_RETRIES",
    "PIP_DISABLE_PIP_VERSION_CHECK",
}  # fmt: skip
# Nothing listens on the discard port: a tool that goes online behind it fails.
DEAD_PROXY = "http://127.0.0.1:9"
PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==", re.MULTILINE)
UP_TO_DATE = re.compile(r"up[ -]to[ -]date", re.IGNORECASE)
TAIL_LINES = 15
X = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Run:
    """One timed tool run, or the median of several."""

    seconds: float | None
    """None when the tool failed."""
    output: str
    """stdout then stderr."""


@dataclass(frozen=True)
class BenchSet:
    """How one input set is locked apart from its requirements."""

    pythons: list[str]
    index_args: list[str]
    """`--index-url URL` for the synthetic graph's local index, else nothing (PyPI)."""


@dataclass(frozen=True)
class Job:
    """One tool's compile, in a directory of its own."""

    tool: str
    cmd: list[str]
    cwd: Path
    env: dict[str, str]
    outputs: str
    """Glob (relative to cwd) of the files the compile writes."""


@dataclass(frozen=True)
class Compiled:
    """Cold and warm run of one tool on one set."""

    cold: Run
    warm: Run
    pins: int | None
    """Distinct names pinned by the cold run."""


@dataclass(frozen=True)
class Quick:
    """reqlock's short measurements on a locked project."""

    import_only: Run
    unchanged: Run
    """With reqlock's freshness stamp in place (the second run on a developer's machine)."""
    unchanged_unstamped: Run
    """Each run with an empty cache directory: freshness proven from scratch, as in CI."""
    check: Run
    check_unstamped: Run
    said_up_to_date: bool
    """Every unchanged-inputs run said the locks are up to date."""


def isolated_env(**extra: str) -> dict[str, str]:
    """This environment without the machine's index settings, pip or uv config files.
    Bytecode is written as on a user's machine: with PYTHONDONTWRITEBYTECODE (set in some
    sandboxes) every run would compile every module from source and time that instead."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("UV_", "REQLOCK_"))
        and (not key.startswith("PIP_") or key in KEEP_PIP)
        and key != "PYTHONDONTWRITEBYTECODE"
    }
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        UV_NO_CONFIG="1",
        UV_INDEX_URL=PYPI,
        UV_PYTHON_DOWNLOADS="never",  # a Python download would be timed as resolving
    )
    env.update(extra)
    return env


def timed(label: str, cmd: Sequence[str], cwd: Path, env: dict[str, str], timeout: float) -> Run:
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return failed(label, str(exc))
    seconds = time.perf_counter() - start
    output = proc.stdout + proc.stderr
    if proc.returncode:
        return failed(label, f"exit code {proc.returncode}\n{output}")
    return Run(seconds, output)


def failed(label: str, text: str) -> Run:
    tail = "\n".join(text.strip().splitlines()[-TAIL_LINES:])
    print(f"FAIL {label}:\n{textwrap.indent(tail, '    ')}", file=sys.stderr)
    return Run(None, text)


def median_of(
    label: str,
    cmd: Sequence[str],
    cwd: Path,
    env: Callable[[], dict[str, str]],
    args: argparse.Namespace,
    *,
    prime: bool = False,
) -> Run:
    """The median of --repeat runs (after one untimed run if `prime`); a failure fails it."""
    runs = []
    for _ in range(args.repeat + prime):
        run = timed(label, cmd, cwd, env(), args.timeout)
        if run.seconds is None:
            return run
        runs.append(run)
    return Run(statistics.median(run.seconds or 0 for run in runs[prime:]), runs[0].output)


def bin_path(bindir: Path, name: str) -> Path:
    return bindir / (name + ".exe" if os.name == "nt" else name)


def tool_venv(work_dir: Path, upgrade: bool) -> Path:
    """The bin directory of a venv holding pip-tools and uv, made or upgraded on demand."""
    venv = work_dir / "tools"
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    ready = all(bin_path(bindir, n).exists() for n in ("uv", "pip-compile"))
    if ready and not upgrade:
        return bindir
    print(f"installing pip-tools and uv into {venv}", file=sys.stderr)
    steps = [] if ready else [[sys.executable, "-m", "venv", "--clear", str(venv)]]
    pip = [str(bin_path(bindir, "python")), "-m", "pip", "install", "--quiet", "--upgrade"]
    steps.append([*pip, "pip-tools", "uv"])
    for step in steps:
        proc = subprocess.run(
            step, env=isolated_env(), capture_output=True, text=True, check=False
        )
        if proc.returncode:
            sys.exit(f"cannot set up {venv}: {' '.join(step)}\n{proc.stdout}{proc.stderr}")
    return bindir


def write_requirements_in(directory: Path, requirements: list[str]) -> None:
    directory.mkdir(parents=True)
    (directory / "requirements.in").write_text("\n".join(requirements) + "\n")


def uv_job(bindir: Path, root: Path, requirements: list[str], bench: BenchSet) -> Job:
    cwd, cache = root / "uv" / "project", root / "uv" / "cache"
    write_requirements_in(cwd, requirements)
    cmd = [str(bin_path(bindir, "uv")), "pip", "compile", "--universal", "--generate-hashes"]
    # `-p 3.9` means "target 3.9", but makes uv hunt for a 3.9 interpreter first (through
    # pyenv shims that costs ~0.7 s a run, timed as resolving); naming the build interpreter
    # and the target version apart gives the same resolution without the hunt.
    cmd += ["--python", str(bin_path(bindir, "python")), "--python-version", bench.pythons[0]]
    cmd += ["requirements.in", "-o", "out.txt", "--cache-dir", str(cache), *bench.index_args]
    return Job("uv --universal", cmd, cwd, isolated_env(UV_CACHE_DIR=str(cache)), "out.txt")


def pip_compile_job(bindir: Path, root: Path, requirements: list[str], bench: BenchSet) -> Job:
    cwd, cache = root / "pip-compile" / "project", root / "pip-compile" / "cache"
    write_requirements_in(cwd, requirements)
    cmd = [str(bin_path(bindir, "pip-compile")), "--generate-hashes", "requirements.in"]
    cmd += ["-o", "out.txt", "--cache-dir", str(cache / "pip-tools"), *bench.index_args]
    # pip's own HTTP and wheel caches sit apart from pip-tools' cache; both start empty.
    env = isolated_env(PIP_CACHE_DIR=str(cache / "pip"), XDG_CACHE_HOME=str(cache / "xdg"))
    return Job("pip-compile", cmd, cwd, env, "out.txt")


def reqlock_job(reqlock: list[str], root: Path, requirements: list[str], bench: BenchSet) -> Job:
    cwd, cache = root / "reqlock" / "project", root / "reqlock" / "cache"
    cwd.mkdir(parents=True)
    (cwd / "pyproject.toml").write_text(
        "[project]\n"
        'name = "bench"\n'
        'version = "0"\n'
        'requires-python = ">=3.9"\n'
        f"dependencies = {json.dumps(requirements)}\n"
        "\n[tool.reqlock]\n"
        f"python = {json.dumps(bench.pythons)}\n"
        # The project configures its index, as a real one would: `check` refuses a lock
        # naming an index the project does not configure.
        + "".join(f"index-url = {json.dumps(url)}\n" for url in bench.index_args[1:])
    )
    env = isolated_env(REQLOCK_CACHE_DIR=str(cache))
    if reqlock[1:] == ["-m", "pipx_lockext"]:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH")]))
    cmd = [*reqlock, "compile", "--project", str(cwd)]
    return Job("reqlock", cmd, cwd, env, "requirements/*.lock.txt")


def pinned_names(job: Job) -> int | None:
    files = sorted(job.cwd.glob(job.outputs))
    names = {m.group(1).lower() for f in files for m in PIN.finditer(f.read_text())}
    return len(names) if files else None


def cold_and_warm(label: str, job: Job, timeout: float) -> Compiled:
    print(f"{label}: {job.tool} cold", file=sys.stderr)
    cold = timed(f"{label} {job.tool} cold", job.cmd, job.cwd, job.env, timeout)
    pins = pinned_names(job)
    if cold.seconds is None:
        return Compiled(cold, Run(None, ""), pins)
    for path in job.cwd.glob(job.outputs):
        path.unlink()
    print(f"{label}: {job.tool} warm", file=sys.stderr)
    warm = timed(f"{label} {job.tool} warm", job.cmd, job.cwd, job.env, timeout)
    return Compiled(cold, warm, pins)


def quick_runs(label: str, job: Job, reqlock: list[str], args: argparse.Namespace) -> Quick:
    print(f"{label}: reqlock unchanged inputs, import, check", file=sys.stderr)
    # reqlock does not stamp files written in the last ~2 s (their times may yet be equal
    # to a second write's); a user's next command seldom comes that soon after a compile.
    time.sleep(args.settle)
    offline = {**job.env, **dict.fromkeys(PROXY_VARS, DEAD_PROXY), "NO_PROXY": "", "no_proxy": ""}
    stamps = job.cwd.parent / "stamps"
    stamps.mkdir()

    def stamped(env: dict[str, str]) -> Callable[[], dict[str, str]]:
        return lambda: env

    def unstamped(env: dict[str, str]) -> Callable[[], dict[str, str]]:
        return lambda: {**env, "REQLOCK_CACHE_DIR": tempfile.mkdtemp(dir=stamps)}

    imports = [reqlock_python(reqlock), "-c", "import pipx_lockext"]
    check = [*reqlock, "check", "--project", str(job.cwd)]
    name = f"{label} reqlock"
    runs = {
        "import": median_of(f"{label} import", imports, job.cwd, stamped(job.env), args),
        "unchanged_unstamped": median_of(
            f"{name} unchanged, no stamp", job.cmd, job.cwd, unstamped(offline), args
        ),
        "check_unstamped": median_of(
            f"{name} check, no stamp", check, job.cwd, unstamped(job.env), args
        ),
        "unchanged": median_of(
            f"{name} unchanged", job.cmd, job.cwd, stamped(offline), args, prime=True
        ),
        "check": median_of(f"{name} check", check, job.cwd, stamped(job.env), args, prime=True),
    }
    said = all(UP_TO_DATE.search(runs[k].output) for k in ("unchanged", "unchanged_unstamped"))
    return Quick(
        runs["import"],
        runs["unchanged"],
        runs["unchanged_unstamped"],
        runs["check"],
        runs["check_unstamped"],
        said,
    )


def reqlock_python(reqlock: list[str]) -> str:
    """The interpreter behind the reqlock command: its own, or its script's shebang."""
    if len(reqlock) > 1:
        return reqlock[0]
    try:
        first = Path(reqlock[0]).read_bytes().split(b"\n", 1)[0].decode()
    except (OSError, UnicodeDecodeError):
        return sys.executable
    return first[2:].strip() if first.startswith("#!") and "python" in first else sys.executable


def seconds(run: Run) -> str:
    return "FAIL" if run.seconds is None else f"{run.seconds:.2f}"


def ratio(numerator: Run, denominator: Run) -> float | None:
    if numerator.seconds is None or denominator.seconds is None:
        return None
    return numerator.seconds / denominator.seconds


def times(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}{X}"


def speedup(pip_compile_over_reqlock: float | None) -> str:
    value = pip_compile_over_reqlock
    if value is None:
        return "n/a"
    return f"{value:.1f}{X} faster" if value >= 1 else f"{1 / value:.1f}{X} slower"


def verdict(value: float | None, ok: bool) -> str:
    return "n/a" if value is None else ("OK" if ok else "MISS")


def compile_rows(name: str, results: dict[str, Compiled]) -> list[list[str]]:
    rows = [
        [name, tool, seconds(r.cold), seconds(r.warm), "-" if r.pins is None else str(r.pins), ""]
        for tool, r in results.items()
    ]
    uv, pc, rl = (results[t] for t in ("uv --universal", "pip-compile", "reqlock"))
    vs_uv = [ratio(rl.cold, uv.cold), ratio(rl.warm, uv.warm)]
    vs_pc = [ratio(pc.cold, rl.cold), ratio(pc.warm, rl.warm)]
    uv_target = pc_target = ""
    if name in LARGE_APPS:
        uv_target = large_app_target(vs_uv[0], vs_uv[1])
    if name == SYNTHETIC:
        rl_cold = rl.cold.seconds
        ok = rl_cold is not None and rl_cold <= MAX_SYNTHETIC_SECONDS
        rows[-1][-1] = f"cold ≤ {MAX_SYNTHETIC_SECONDS:.0f} s {verdict(rl_cold, ok)}"
    if name == TARGET_SET:
        cold_uv, cold_pc = vs_uv[0], vs_pc[0]
        ok_uv = cold_uv is not None and cold_uv <= MAX_VS_UV
        ok_pc = cold_pc is not None and cold_pc >= MIN_FASTER_THAN_PIP_COMPILE
        uv_target = f"cold ≤ {MAX_VS_UV:.1f}{X} {verdict(cold_uv, ok_uv)}"
        pc_target = f"cold ≥ {MIN_FASTER_THAN_PIP_COMPILE:.0f}{X} faster {verdict(cold_pc, ok_pc)}"
    rows.append([name, "reqlock / uv", times(vs_uv[0]), times(vs_uv[1]), "", uv_target])
    rows.append([name, "reqlock vs pip-compile", *map(speedup, vs_pc), "", pc_target])
    return rows


def large_app_target(cold: float | None, warm: float | None) -> str:
    ok_cold = cold is not None and cold <= MAX_LARGE_COLD_VS_UV
    ok_warm = warm is not None and warm <= MAX_LARGE_WARM_VS_UV
    return (
        f"cold ≤ {MAX_LARGE_COLD_VS_UV:.0f}{X} {verdict(cold, ok_cold)}, "
        f"warm ≤ {MAX_LARGE_WARM_VS_UV:.0f}{X} {verdict(warm, ok_warm)}"
    )


def quick_rows(name: str, quick: Quick | None) -> list[list[str]]:
    if quick is None:
        skipped = "not measured: reqlock compile failed"
        return [[name, "unchanged inputs", skipped, ""], [name, "check", skipped, ""]]
    return [
        unchanged_row(name, "unchanged inputs", quick.unchanged, quick),
        unchanged_row(name, "unchanged, no stamp", quick.unchanged_unstamped, quick),
        check_row(name, "check", quick.check),
        check_row(name, "check, no stamp (CI)", quick.check_unstamped),
    ]


def unchanged_row(name: str, label: str, run: Run, quick: Quick) -> list[str]:
    over_import = ratio(run, quick.import_only)
    ok = over_import is not None and over_import <= MAX_UNCHANGED_VS_IMPORT
    text = f"{millis(run)} = {times(over_import)} import ({millis(quick.import_only)})"
    if run.seconds is not None and not quick.said_up_to_date:
        text += ", did not say up to date"
        ok = False
    return [name, label, text, f"≤ {MAX_UNCHANGED_VS_IMPORT}{X} import {verdict(over_import, ok)}"]


def millis(run: Run) -> str:
    return "FAIL" if run.seconds is None else f"{run.seconds * 1000:.0f} ms"


def check_row(name: str, label: str, run: Run) -> list[str]:
    ms = None if run.seconds is None else run.seconds * 1000
    text = millis(run)
    ok = ms is not None and ms <= MAX_CHECK_MS
    return [name, label, text, f"≤ {MAX_CHECK_MS:.0f} ms {verdict(ms, ok)}"]


def render(compiled: list[list[str]], quick: list[list[str]]) -> str:
    """Compile rows in columns; quick rows span the three number columns."""
    head = ["set", "tool", "cold s", "warm s", "pins", "target"]
    widths = [max(len(row[i]) for row in [head, *compiled]) for i in range(5)]
    widths[1] = max(widths[1], *(len(row[1]) for row in quick))
    widest = max((len(row[2]) for row in quick), default=0)
    widths[2] += max(0, widest - (widths[2] + widths[3] + widths[4] + 4))
    span = widths[2] + widths[3] + widths[4] + 4

    def line(row: list[str]) -> str:
        if len(row) == 4:
            cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1]), row[2].ljust(span), row[3]]
        else:
            cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
            cells += [row[i].rjust(widths[i]) for i in (2, 3, 4)] + [row[5]]
        return "  ".join(cells).rstrip()

    order = {name: i for i, name in enumerate(SETS)}
    rows = sorted([*compiled, *quick], key=lambda row: order[row[0]])  # stable: keeps tools
    return "\n".join([line(head), *map(line, rows)])


def synthetic_index(tmp: Path) -> Any:
    """The synthetic graph (`app_sets.synthetic`) as wheels on the test suite's fake index,
    served on 127.0.0.1 (a FakeIndex, started)."""
    sys.path.insert(0, str(CHECKOUT))
    from tests.fakeindex import FakeIndex, Release  # noqa: PLC0415  # only this set needs the checkout's test index

    releases = [
        Release(name, version, tuple(requires), sdist=False)
        for name, versions in app_sets.synthetic().items()
        for version, requires in versions.items()
    ]
    print(f"building the synthetic index ({len(releases)} releases)", file=sys.stderr)
    tmp.mkdir(parents=True)
    return FakeIndex(releases, tmp=tmp).start()


def bench_set(
    name: str, root: Path, bindir: Path, reqlock: list[str], args: argparse.Namespace
) -> tuple[list[list[str]], list[list[str]]]:
    requirements = SETS[name]
    index = synthetic_index(root / name / "index") if name == SYNTHETIC else None
    try:
        bench = BenchSet(
            SET_PYTHONS.get(name, PYTHONS), ["--index-url", index.url] if index else []
        )
        jobs = [
            uv_job(bindir, root / name, requirements, bench),
            pip_compile_job(bindir, root / name, requirements, bench),
            reqlock_job(reqlock, root / name, requirements, bench),
        ]
        results = {job.tool: cold_and_warm(name, job, args.timeout) for job in jobs}
    finally:
        if index is not None:
            index.stop()
    quick: Quick | None = None
    if results["reqlock"].warm.seconds is not None:
        quick = quick_runs(name, jobs[2], reqlock, args)
    return compile_rows(name, results), quick_rows(name, quick)


def json_api_note() -> list[str]:
    """pip-compile takes hashes from PyPI's JSON API; where it cannot, it downloads every file."""
    try:
        with urllib.request.urlopen(JSON_API, timeout=15) as response:
            urls = [file["url"] for file in json.load(response)["urls"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        problem = f"unreachable ({exc})"
    else:
        if all(url.startswith("https://") for url in urls):
            return []
        problem = "lists relative file URLs (a mirror?)"
    return [f"note: {JSON_API} {problem}: pip-compile downloads every file to hash it"]


def versions(bindir: Path, reqlock: list[str]) -> list[str]:
    commands = {
        "uv": [str(bin_path(bindir, "uv")), "--version"],
        "pip-compile": [str(bin_path(bindir, "pip-compile")), "--version"],
        "reqlock": [*reqlock, "--version"],
    }
    env = isolated_env(PYTHONPATH=str(CHECKOUT))
    lines = []
    for tool, cmd in commands.items():
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        lines.append(f"{tool}: {(proc.stdout or proc.stderr).strip() or 'unknown'}")
    return lines


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Needs the network: every run resolves against https://pypi.org/simple.",
    )
    parser.add_argument(
        "--sets",
        default=",".join(SETS),
        help=f"comma-separated input sets out of {', '.join(SETS)} (default: all)",
    )
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=DEFAULT_WORK_DIR,
        help="holds the pip-tools/uv venv and each run's caches (default: %(default)s)",
    )
    parser.add_argument(
        "--reqlock",
        help="reqlock executable to time (default: python -m pipx_lockext from this checkout)",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of each short measurement (median taken)"
    )
    parser.add_argument(
        "--settle",
        type=float,
        default=3,
        help="seconds to wait after the last compile before the short measurements, since "
        "reqlock does not stamp files changed in the last ~2 s (default: %(default)s)",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds before a run counts as FAIL"
    )
    parser.add_argument(
        "--upgrade-tools", action="store_true", help="upgrade pip-tools and uv in the venv first"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep this run's projects and caches for a look"
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    chosen = [name.strip() for name in args.sets.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SETS))
    if unknown or not chosen:
        sys.exit(f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(SETS)}")
    args.work_dir.mkdir(parents=True, exist_ok=True)
    bindir = tool_venv(args.work_dir, args.upgrade_tools)
    reqlock = [args.reqlock] if args.reqlock else [sys.executable, "-m", "pipx_lockext"]
    root = Path(tempfile.mkdtemp(prefix="run-", dir=args.work_dir))
    try:
        compiled, quick = [], []
        for name in (name for name in SETS if name in chosen):
            rows = bench_set(name, root, bindir, reqlock, args)
            compiled += rows[0]
            quick += rows[1]
    finally:
        if args.keep:
            print(f"kept {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print("\n".join(versions(bindir, reqlock) + json_api_note()))
    print(f"reqlock locks Python {', '.join(PYTHONS)} on its default platforms", end="")
    print(" (warehouse: 3.13, saleor: 3.12: their own; uv targets the lowest);")
    print("pip-compile resolves for the tool venv's Python only.\n")
    print(render(compiled, quick))


if __name__ == "__main__":
    main()
