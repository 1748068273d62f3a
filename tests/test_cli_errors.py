"""Bad input through the CLI: exit 2, one line per problem, no traceback, nothing written."""

from __future__ import annotations

import pytest

PROJECT = '[project]\nname = "x"\nversion = "1"\n'


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(
            {"pyproject.toml": '[project]\nname = "x"\ndependencies = [\n  "a",\n  b\n]\n'},
            ["error: pyproject.toml:5:3: invalid TOML (Invalid value): 'b'"],
            id="invalid-toml",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + 'dependencies = "requests"\n'},
            [
                "error: pyproject.toml: [project].dependencies: must be an array of "
                "requirement strings, not a string: 'requests'"
            ],
            id="string-dependencies",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + 'dependencies = ["flask", "foo>>1"]\n'},
            [
                "error: pyproject.toml: [project].dependencies[1]: invalid requirement "
                "(Expected semicolon (after name with no version specifier) or end): 'foo>>1'"
            ],
            id="malformed-requirement-pyproject",
        ),
        pytest.param(
            {"requirements/base.in": "flask\n\nfoo>>1\n"},
            [
                "error: requirements/base.in:3: invalid requirement "
                "(Expected semicolon (after name with no version specifier) or end): 'foo>>1'"
            ],
            id="malformed-requirement-in-file",
        ),
        pytest.param(
            {
                "pyproject.toml": '[dependency-groups]\na = [{include-group = "b"}]\n'
                'b = [{include-group = "a"}]\n'
            },
            ["error: pyproject.toml: [dependency-groups]: include-group cycle: a -> b -> a"],
            id="include-cycle",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + 'dependencies = []\n[tool.reqlock]\nplatform = ["x"]\n'},
            [
                "error: pyproject.toml: [tool.reqlock].platform: unknown setting "
                "(did you mean 'platforms'?)"
            ],
            id="unknown-setting",
        ),
        pytest.param(
            {"pyproject.toml": PROJECT + 'dependencies = ["dj\u0430ngo>=4"]\n'},
            [
                "error: pyproject.toml: [project].dependencies[0]: package name 'dj\u0430ngo' "
                "contains non-ASCII letters '\u0430' (CYRILLIC SMALL LETTER A); "
                "did you mean 'django'?: "
                "'dj\u0430ngo>=4'"
            ],
            id="lookalike-letters",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_each(make_project, reqlock, files, expected):
    root = make_project(files)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = reqlock("export", "--project", root)
    assert result.code == 2
    assert result.err.splitlines() == expected
    assert "Traceback" not in result.err
    assert result.out == ""
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_several_problems_are_reported_at_once(make_project, reqlock):
    root = make_project(
        {
            "pyproject.toml": PROJECT + 'dependencies = ["ok", "bad>>1"]\n'
            '[dependency-groups]\ndev = ["pytest", 7]\n[tool.reqlock]\npyhton = ["3.12"]\n'
        }
    )
    result = reqlock("export", "--project", root)
    assert result.code == 2
    assert len(result.err.splitlines()) == 3


def test_verbose_shows_the_traceback(make_project, reqlock):
    root = make_project({"pyproject.toml": "[project\n"})
    result = reqlock("export", "-v", "--project", root)
    assert result.code == 2
    assert "Traceback" in result.err
    assert result.err.splitlines()[-1].startswith("error: pyproject.toml:1:")


def test_no_project_found(tmp_path, reqlock, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = reqlock("export")
    assert result.code == 2
    assert "no pyproject.toml or requirements/*.in" in result.err


def test_import_refuses_what_pyproject_cannot_hold(make_project, reqlock):
    root = make_project(
        {
            "pyproject.toml": PROJECT + "dependencies = []\n",
            "requirements/dev.in": "-e ./libs/a\n-c constraints.txt\npytest\n",
            "requirements/constraints.txt": "pytest<9\n",
        }
    )
    before = (root / "pyproject.toml").read_text()
    result = reqlock("import", "--project", root, root / "requirements/dev.in")
    assert result.code == 2
    assert result.err.splitlines() == [
        "error: requirements/constraints.txt:1: constraints have no place in pyproject.toml; "
        'keep the .in files as the source ([tool.reqlock] source = "requirements"): '
        "'pytest<9'",
        "error: requirements/dev.in:1: editable requirements cannot be written to "
        "pyproject.toml: '-e ./libs/a'",
    ]
    assert (root / "pyproject.toml").read_text() == before


def test_unknown_command_is_usage_error(reqlock):
    result = reqlock("frobnicate")
    assert result.code == 2
    assert "No such command" in result.err


def test_a_project_with_nothing_to_lock_is_said_so_by_compile_and_check(make_project, reqlock):
    """A Poetry project (no [project], no groups, no .in files): "locks are up to date"
    and "locks are fresh" would hide that reqlock reads none of it."""
    root = make_project({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.9"\n'})
    for command in ("compile", "check"):
        done = reqlock(command, "--project", root)
        assert done.code == 2, (command, done.err)
        assert "pyproject.toml: nothing to lock" in done.err
        assert "[tool.poetry]" in done.err
