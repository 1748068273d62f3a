"""The pyproject.toml reader: layers, matrix, and every problem reported at once."""

from __future__ import annotations

import pytest

from pipx_lockext.core.errors import InputError
from pipx_lockext.core.inputs.pyproject import read_pyproject
from tests.conftest import roots


def read(data):
    return read_pyproject(data, "/project")


def problems(data) -> list[str]:
    with pytest.raises(InputError) as info:
        read(data)
    return info.value.messages()


def test_base_and_groups_become_layers():
    inputs = read(
        {
            "project": {
                "name": "My_App",
                "dependencies": ["flask>=3"],
                "requires-python": ">=3.10",
            },
            "dependency-groups": {
                "test": ["pytest"],
                "Dev": [{"include-group": "test"}, "ruff"],
                "lint": ["ruff"],
            },
            "tool": {"reqlock": {"layers": {"lint": {"include-base": False}}}},
        }
    )
    assert inputs.name == "my-app"
    assert inputs.layer_names() == ("base", "test", "dev", "lint")
    assert inputs.layer("dev").includes == ("base", "test")
    assert inputs.layer("lint").includes == ()
    assert [d.text for d in roots(inputs, "dev")] == ["ruff", "flask>=3", "pytest"]
    assert inputs.included("dev") == ("dev", "base", "test")
    assert len(inputs.matrix()) == 5 * 4  # 3.10-3.14 on four platforms


def test_extras_join_a_layer():
    inputs = read(
        {
            "project": {
                "name": "app",
                "dependencies": ["flask"],
                "optional-dependencies": {"Postgres": ["psycopg[binary]>=3"]},
            },
            "dependency-groups": {"prod": ["gunicorn"]},
            "tool": {"reqlock": {"layers": {"prod": {"extras": ["postgres"]}}}},
        }
    )
    assert [d.text for d in roots(inputs, "prod")] == ["gunicorn", "psycopg[binary]>=3", "flask"]


def test_layer_may_narrow_its_python_range():
    inputs = read(
        {
            "project": {"name": "app", "dependencies": [], "requires-python": ">=3.9"},
            "dependency-groups": {"docs": ["sphinx>=8"]},
            "tool": {"reqlock": {"layers": {"docs": {"requires-python": ">=3.12"}}}},
        }
    )
    assert {str(env.python) for env in inputs.matrix("docs")} == {"3.12", "3.13", "3.14"}
    assert {str(env.python) for env in inputs.matrix("base")} == {
        "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"
    }  # fmt: skip


def test_without_project_table_a_base_group_is_the_base_layer():
    inputs = read({"dependency-groups": {"base": ["requests"], "dev": ["pytest"]}})
    assert inputs.layer("dev").includes == ("base",)
    inputs = read({"dependency-groups": {"dev": ["pytest"]}})
    assert inputs.layer_names() == ("dev",)


def test_string_dependencies_are_a_type_error_not_characters():
    assert problems({"project": {"name": "x", "dependencies": "requests"}}) == [
        "pyproject.toml: [project].dependencies: must be an array of requirement strings, "
        "not a string: 'requests'"
    ]


def test_all_problems_reported_together_with_their_keys():
    found = problems(
        {
            "project": {"name": "x", "dependencies": ["ok", "bad>>1", 3]},
            "dependency-groups": {"dev": ["fine", "also bad", {"include": "x"}]},
            "tool": {"reqlock": {"pythn": ["3.12"]}},
        }
    )
    assert len(found) == 5
    joined = "\n".join(found)
    assert "[project].dependencies[1]: invalid requirement" in joined
    assert "[project].dependencies[2]: must be a requirement string, not an integer: '3'" in joined
    assert "[dependency-groups].dev[1]: invalid requirement" in joined
    assert "[dependency-groups].dev[2]: must be a requirement string" in joined
    assert "[tool.reqlock].pythn: unknown setting (did you mean 'python'?)" in joined


def test_include_group_cycle_is_named():
    found = problems(
        {
            "dependency-groups": {
                "a": [{"include-group": "b"}],
                "b": [{"include-group": "c"}],
                "c": [{"include-group": "a"}],
            }
        }
    )
    assert found == ["pyproject.toml: [dependency-groups]: include-group cycle: a -> b -> c -> a"]


def test_unknown_include_and_unknown_layer_setting():
    found = problems(
        {
            "project": {"name": "x", "dependencies": []},
            "dependency-groups": {"dev": [{"include-group": "tests"}], "test": []},
            "tool": {"reqlock": {"layers": {"lnit": {"include-base": False}}}},
        }
    )
    assert "includes unknown group 'tests' (did you mean 'test'?)" in found[0]
    assert "[tool.reqlock.layers.lnit]: no such layer" in found[1]


def test_duplicate_group_names_after_normalisation():
    found = problems({"dependency-groups": {"Dev": ["a"], "dev": ["b"]}})
    assert any("Dev" in f and "dev" in f for f in found)


def test_dynamic_dependencies_cannot_be_read():
    found = problems({"project": {"name": "x", "dynamic": ["dependencies"]}})
    assert "dependencies are dynamic" in found[0]


def test_bad_requires_python():
    found = problems({"project": {"name": "x", "dependencies": [], "requires-python": "3.9+"}})
    assert found == [
        "pyproject.toml: [project].requires-python: invalid version specifier: '3.9+'"
    ]
