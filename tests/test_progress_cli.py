"""Progress and colour from the command line, against the fake index: pipes get neither
(nor control characters), -v narrates the resolver's decisions and backtracks, a terminal
gets a status line that is erased before every other line and at the end; `--color`,
`NO_COLOR` and `FORCE_COLOR` decide colour."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pipx_lockext.cli import report, status
from pipx_lockext.cli.status import CLEAR
from tests.fakeindex import Release

RELEASES = [
    # a 2.0 wants c 1.0, every b wants c 2.0: a 2.0 must be thrown away. (With one
    # release of b, what it asks would hold in every solution, and a 2.0 would be ruled
    # out before it is tried: no backtrack to narrate.)
    Release("a", "1.0", requires_dist=("c",)),
    Release("a", "2.0", requires_dist=("c==1.0",)),
    Release("b", "0.9", requires_dist=("c>=2",)),
    Release("b", "1.0", requires_dist=("c==2.0",)),
    Release("c", "1.0"),
    Release("c", "2.0"),
]

PYPROJECT = """
[project]
name = "demo"
version = "0"
requires-python = ">=3.12"
dependencies = ["a", "b"]

[tool.reqlock]
python = ["3.12"]
platforms = ["linux-x86_64"]
index-url = "{url}"
"""

ESCAPE = "\x1b"


@pytest.fixture
def project(make_project, fake_index):
    index = fake_index(RELEASES)
    return make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})


def test_in_a_pipe_compile_prints_no_progress_and_no_control_characters(project, reqlock):
    result = reqlock("compile", "--project", project)
    assert result.code == 0, result.err
    assert result.err.splitlines() == [
        "wrote requirements/base.lock.txt: new, 3 pins (a 1.0, b 1.0, c 2.0)"
    ]
    assert ESCAPE not in result.err + result.out
    assert "\r" not in result.err


def test_verbose_narrates_decisions_and_backtracks(project, reqlock):
    result = reqlock("compile", "-v", "--project", project)
    assert result.code == 0, result.err
    lines = result.err.splitlines()
    assert lines[0] == "resolving python 3.12 on linux-x86_64"
    # Which one is thrown away depends on the order the resolver tries them in.
    backtracks = [line for line in lines if line.startswith("  backtracking: ")]
    assert backtracks, lines
    assert all(line.endswith(" leads to a conflict; trying another") for line in backtracks)
    decided = [line.split()[1:] for line in lines if line.startswith("  decided ")]
    assert dict(decided) == {"a": "1.0", "b": "1.0", "c": "2.0"}  # the last word wins
    assert len(decided) > 3  # something was decided again after a backtrack
    assert "resolved python 3.12 on linux-x86_64: 3 projects" in lines
    assert lines[-1].startswith("wrote requirements/base.lock.txt")
    assert ESCAPE not in result.err


def test_quiet_wins_over_verbose(project, reqlock):
    result = reqlock("compile", "-q", "-v", "--project", project)
    assert result.code == 0, result.err
    assert result.err == ""


def test_on_a_terminal_the_status_line_is_erased_before_each_line_and_at_the_end(
    project, reqlock, monkeypatch
):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(status, "DELAY", 0.0)
    monkeypatch.setattr(status, "INTERVAL", 0.001)
    monkeypatch.setenv("NO_COLOR", "1")
    result = reqlock("compile", "-U", "--project", project)
    assert result.code == 0, result.err
    assert CLEAR in result.err  # the status line was drawn at least once
    assert "resolving python 3.12 on linux-x86_64" in result.err
    # What is left once the status line's drawings are taken out: the usual lines only.
    lines = result.err.split("\n")
    assert lines[-1] in {"", CLEAR}
    kept = [line.rsplit(CLEAR, 1)[-1] for line in lines[:-1]]
    assert kept == ["wrote requirements/base.lock.txt: new, 3 pins (a 1.0, b 1.0, c 2.0)"]
    assert not report.GUARDS


@pytest.mark.parametrize(
    "case",
    [
        ((), {}, False, False),
        ((), {}, True, True),
        ((), {"NO_COLOR": "1"}, True, False),
        ((), {"NO_COLOR": ""}, True, True),
        ((), {"FORCE_COLOR": "1"}, False, True),
        ((), {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
        ((), {"TERM": "dumb"}, True, False),
        (("--color", "never"), {"FORCE_COLOR": "1"}, True, False),
        (("--color=always",), {"NO_COLOR": "1"}, False, True),
    ],
)
def test_colour_follows_the_flag_then_no_color_then_force_color_then_the_terminal(
    make_project, reqlock, monkeypatch, case
):
    flag, environ, tty, colour = case
    monkeypatch.delenv("TERM", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
    root = make_project(
        {"pyproject.toml": '[project]\nname = "x"\nversion = "0"\ndependencies = ["bad>>1"]\n'}
    )
    result = reqlock(*flag, "export", "--project", root)
    assert result.code == 2
    painted = result.err.startswith("\x1b[31merror:\x1b[0m pyproject.toml:")
    assert painted is colour, result.err
    assert colour or ESCAPE not in result.err


def test_the_colour_flag_goes_anywhere_before_the_double_dash(project, reqlock, monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    reqlock("compile", "--project", project)
    result = reqlock("check", "--project", project, "--color", "always")
    assert result.code == 0, result.err
    assert result.err == "\x1b[32mlocks are fresh: base\x1b[0m\n"
    again = reqlock("check", "--project", project)
    assert again.err == "locks are fresh: base\n"


def test_warnings_are_yellow(project, reqlock):
    reqlock("compile", "--project", project)
    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml").read_text().replace('"a", "b"', '"a", "b", "c"')
    )
    result = reqlock("--color", "always", "sync", "--project", project, "--python", "3.12")
    assert "\x1b[33mwarning:\x1b[0m requirements/base.lock.txt is stale" in result.err


def test_a_bad_colour_is_a_usage_error(reqlock):
    result = reqlock("--color", "sometimes", "check")
    assert result.code == 2
    assert "'--color'" in result.err
    assert "auto, always, never" in result.err


@pytest.mark.parametrize(("environ", "painted"), [({"FORCE_COLOR": "1"}, True), ({}, False)])
def test_the_fast_path_of_check_follows_the_same_colour_rule(project, reqlock, environ, painted):
    """`reqlock check` answered from the freshness stamp, before click is imported."""
    assert reqlock("compile", "--project", project).code == 0
    code = (
        "import sys; from pipx_lockext.cli import launcher\n"
        "sys.argv[1:] = ['check', '--project', sys.argv[1]]\nlauncher.main()"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"NO_COLOR", "FORCE_COLOR"}}
    for _ in range(2):  # the second one is answered from the stamp the first one left
        out = subprocess.run(
            [sys.executable, "-c", code, str(project)],
            env={**env, **environ},
            capture_output=True,
            text=True,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        fresh = "locks are fresh: base"
        assert out.stderr == (f"\x1b[32m{fresh}\x1b[0m\n" if painted else f"{fresh}\n")


def test_verify_against_the_index_shows_its_fetches_on_a_terminal_only(
    project, reqlock, monkeypatch
):
    assert reqlock("compile", "--project", project).code == 0
    piped = reqlock("verify", "--against-index", "--project", project)
    assert piped.code == 0, piped.err
    assert piped.err == "1 locks well formed (3 pins); 6 hashes match the index\n"
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(status, "DELAY", 0.0)
    monkeypatch.setattr(status, "INTERVAL", 0.001)
    monkeypatch.setenv("NO_COLOR", "1")
    shown = reqlock("verify", "--against-index", "--project", project)
    assert shown.code == 0, shown.err
    assert " fetched, " in shown.err
    assert shown.err.rsplit(CLEAR, 1)[-1] == piped.err
