"""Time how fast reqlock, uv and pip-tools say that requirements cannot be met, on real PyPI.

Each case of CONFLICTS is a mistake users make (the two of issue 11 first): every tool
must fail, and the point is how soon and how clearly. For each case and tool: a cold run
(a fresh, empty cache) and a warm run (the same cache again), each cut off at --timeout.
Prints one table: seconds cold and warm, the exit code, reqlock's time over uv's and
pip-compile's over reqlock's, and each tool's first line of explanation; then the target
of the issue (every conflict exits 3 within 5 s warm) with OK/MISS.

- `uv pip compile --universal` (one resolution for every environment);
- `pip-compile` (pip-tools; this tool venv's Python);
- `reqlock compile --python 3.12` of a project whose `requirements/base.in` holds the case.

    python benchmarks/conflicts_bench.py [--cases a,b] [--work-dir DIR] [--timeout 300]

Tools come from compile_bench's tool venv (made on first use). Needs the network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compile_bench import CHECKOUT, DEFAULT_WORK_DIR, bin_path, isolated_env, tool_venv

CONFLICTS: dict[str, tuple[list[str], list[str]]] = {
    # name: (requirements, extra reqlock arguments)
    "debug-toolbar": (["django<4", "django-debug-toolbar>=5"], []),
    "pytest-django": (["pytest<7", "pytest-django>=4.9"], []),
    "disjoint-ranges": (["django<4", "django>=5"], []),
    "flask-sqlalchemy": (["sqlalchemy<2", "flask-sqlalchemy>=3.1"], []),
    "celery-beat": (["celery<5", "django-celery-beat>=2.5"], []),
    "missing-release": (["django==9.9"], []),
    "misspelt-name": (["djnago"], []),
}
TARGET_WARM_SECONDS = 5.0
TOOLS = ("uv --universal", "pip-compile", "reqlock")


@dataclass(frozen=True)
class Outcome:
    seconds: float
    code: int | None
    """None: cut off at the timeout."""
    said: str
    """The first line that explains (error, cause or conflict)."""


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float) -> Outcome:
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return Outcome(timeout, None, f"(no answer within {timeout:.0f} s)")
    return Outcome(time.perf_counter() - start, proc.returncode, first_reason(proc.stderr))


def first_reason(text: str) -> str:
    """uv's last "because" line (its conclusion), else the first error line, else the
    first line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    because = [line for line in lines if "because" in line.lower()]
    errors = [line for line in lines if line.lower().startswith(("error", "cause:"))]
    return (because[-1:] or errors[:1] or lines[:1] or [""])[0][:240]


def command(tool: str, bindir: Path, project: Path, extra: list[str]) -> list[str]:
    cache = str(project.parent / "cache")
    if tool == "uv --universal":
        uv = [str(bin_path(bindir, "uv")), "pip", "compile", "--universal", "--python-version"]
        return [*uv, "3.12", "requirements/base.in", "--cache-dir", cache]
    if tool == "pip-compile":
        pc = [str(bin_path(bindir, "pip-compile")), "requirements/base.in", "-o", "out.txt"]
        return [*pc, "--cache-dir", cache]
    python = [sys.executable, "-m", "pipx_lockext", "compile", "--python", "3.12"]
    return [*python, "--cache-dir", cache, *extra]


def tool_env(tool: str, project: Path) -> dict[str, str]:
    cache = project.parent / "cache"
    env = isolated_env(PIP_CACHE_DIR=str(cache / "pip"), XDG_CACHE_HOME=str(cache / "xdg"))
    if tool == "reqlock":
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT), env.get("PYTHONPATH")]))
    return env


def bench_case(name: str, bindir: Path, root: Path, timeout: float) -> dict[str, list[Outcome]]:
    requirements, extra = CONFLICTS[name]
    results = {}
    for tool in TOOLS:
        project = root / name / tool.split()[0] / "project"
        (project / "requirements").mkdir(parents=True)
        (project / "requirements" / "base.in").write_text("\n".join(requirements) + "\n")
        cmd, env = command(tool, bindir, project, extra), tool_env(tool, project)
        runs = []
        for kind in ("cold", "warm"):
            print(f"{name}: {tool} {kind}", file=sys.stderr)
            runs.append(run(cmd, project, env, timeout))
        results[tool] = runs
    return results


def render(all_results: dict[str, dict[str, list[Outcome]]]) -> str:
    rows = [["case", "tool", "cold s", "warm s", "exit", "ratio", "first line"]]
    misses = []
    for case, results in all_results.items():
        uv_warm = results["uv --universal"][1].seconds
        ours = results["reqlock"][1]
        for tool, (cold, warm) in results.items():
            ratio = ""
            if tool == "reqlock":
                ratio = f"{warm.seconds / uv_warm:.1f}x uv" if uv_warm else ""
            elif tool == "pip-compile" and ours.seconds:
                ratio = f"{warm.seconds / ours.seconds:.0f}x reqlock"
            code = "timeout" if warm.code is None else str(warm.code)
            rows.append([case, tool, f"{cold.seconds:.1f}", f"{warm.seconds:.1f}", code, ratio,
                         warm.said])  # fmt: skip
        if ours.code != 3 or ours.seconds > TARGET_WARM_SECONDS:
            misses.append(case)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1] for r in rows
    ]
    verdict = "OK" if not misses else f"MISS ({', '.join(misses)})"
    lines.append(
        f"target: every conflict exits 3 within {TARGET_WARM_SECONDS:.0f} s warm: {verdict}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default=",".join(CONFLICTS))
    parser.add_argument("--work-dir", type=Path, default=DEFAULT_WORK_DIR)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    bindir = tool_venv(args.work_dir, upgrade=False)
    root = Path(tempfile.mkdtemp(prefix="conflicts-", dir=args.work_dir))
    try:
        results = {
            name: bench_case(name, bindir, root, args.timeout) for name in args.cases.split(",")
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(render(results))


if __name__ == "__main__":
    main()
