"""requirements/*.in reading: the adapter over pip-requirements-parser, and layering."""

from __future__ import annotations

import pytest

from pipx_lockext.core.errors import InputError
from pipx_lockext.edges.project.loader import load_project


def test_pip_tools_idioms(make_project):
    root = make_project(
        {
            "requirements/base.in": """
                # runtime
                --index-url https://${PIP_USER}:${PIP_TOKEN}@pypi.example.org/simple
                --extra-index-url https://mirror.example.org/simple
                -c constraints.txt
                Django>=4.2,<5  # web framework
                requests[socks] ; python_version < "3.12"
                lxml \\
                    >=4.9
                """,
            "requirements/constraints.txt": "urllib3<3\n",
            "requirements/dev.in": """
                -r base.txt
                -c prod.txt
                -r common-tools.txt
                -e .[test]
                pytest>=8
                """,
            "requirements/common-tools.txt": "ruff\n-r more.txt\n",
            "requirements/more.txt": "mypy\n",
            "requirements/prod.in": "-r base.in\ngunicorn\n",
            "pyproject.toml": """
                [project]
                name = "svc"
                dynamic = ["dependencies"]
                requires-python = ">=3.10"
                [project.optional-dependencies]
                test = ["coverage"]
                """,
        }
    )
    inputs = load_project(root)
    assert inputs.source == "requirements"
    assert inputs.layer_names() == ("base", "dev", "prod")
    base, dev = inputs.layer("base"), inputs.layer("dev")
    assert [d.text for d in base.requirements] == [
        "Django>=4.2,<5",
        'requests[socks] ; python_version < "3.12"',
        "lxml >=4.9",
    ]
    assert [(d.text, d.where.line) for d in base.constraints] == [("urllib3<3", 1)]
    assert dev.includes == ("base",)
    assert dev.constraint_layers == ("prod",)
    assert [(d.kind, d.text) for d in dev.requirements] == [
        ("project", "-e .[test]"),
        ("named", "pytest>=8"),
        ("named", "ruff"),
        ("named", "mypy"),
    ]
    assert dev.requirements[0].extras == ("test",)
    index = inputs.settings.index
    # Placeholders stay as written: they must reach lock files unexpanded.
    assert index.index_url == "https://${PIP_USER}:${PIP_TOKEN}@pypi.example.org/simple"
    assert index.extra_index_urls == ("https://mirror.example.org/simple",)
    assert [str(e.python) for e in inputs.matrix()][:1] == ["3.10"]


def test_unlockable_kinds_are_kept_for_compile_to_refuse(make_project):
    root = make_project(
        {
            "requirements/base.in": """
                -e git+https://github.com/o/a#egg=a
                git+https://github.com/o/b@v1#egg=b
                ./vendor/c
                ./wheels/d-1.0-py3-none-any.whl
                e @ https://example.org/e-1.0.tar.gz
                """,
        }
    )
    kinds = [d.kind for d in load_project(root).layer("base").requirements]
    assert kinds == ["editable", "vcs", "local", "url", "url"]


def test_an_egg_fragment_names_the_url_as_pep_508_does(make_project):
    root = make_project(
        {
            "requirements/base.in": """
                https://example.org/archive/v1.tar.gz#egg=mdx_outline
                https://example.org/b.tar.gz#sha256=abc&egg=b[x,y] ; python_version < "3.12"
                https://example.org/c.tar.gz
                """,
        }
    )
    found = load_project(root).layer("base").requirements
    assert [(d.kind, d.requirement and str(d.requirement)) for d in found] == [
        ("url", "mdx_outline @ https://example.org/archive/v1.tar.gz"),
        ("url", 'b[x,y] @ https://example.org/b.tar.gz#sha256=abc ; python_version < "3.12"'),
        ("url", None),  # no name: compile asks for one
    ]
    # In its PEP 508 form, as `import` writes it into pyproject.toml.
    assert found[0].text == "mdx_outline @ https://example.org/archive/v1.tar.gz"


def test_problems_in_in_files_name_file_and_line(make_project):
    root = make_project(
        {
            "requirements/base.in": "ok\nbad>>1\n--no-index\n--bogus\n",
            "requirements/dev.in": "-r base.in\n-r missing.txt\nrequ\u0435sts\n",
        }
    )
    with pytest.raises(InputError) as info:
        load_project(root)
    found = info.value.messages()
    assert len(found) == 5
    assert found[0].startswith("requirements/base.in:2: invalid requirement")
    assert found[0].endswith(": 'bad>>1'")
    assert found[1] == "requirements/base.in:3: option not supported by reqlock: '--no-index'"
    assert found[2].startswith("requirements/base.in:4: no such option: --bogus")
    assert found[3] == "requirements/dev.in:2: file not found: 'missing.txt'"
    assert found[4].startswith(
        "requirements/dev.in:3: package name 'requ\u0435sts' contains non-ASCII"
    )


def test_layer_cycle_is_named(make_project):
    root = make_project(
        {"requirements/a.in": "-r b.in\nx\n", "requirements/b.in": "-r a.txt\ny\n"}
    )
    with pytest.raises(InputError) as info:
        load_project(root)
    assert info.value.messages() == ["requirements/a.in: -r cycle between layers: a -> b -> a"]


def test_pyproject_with_dependencies_wins_unless_told(make_project):
    files = {
        "pyproject.toml": '[project]\nname = "x"\ndependencies = ["a"]\n',
        "requirements/base.in": "b\n",
    }
    assert load_project(make_project(files)).source == "pyproject"
    files["pyproject.toml"] += '[tool.reqlock]\nsource = "requirements"\n'
    inputs = load_project(make_project(files))
    assert inputs.source == "requirements"
    assert [d.text for d in inputs.layer("base").requirements] == ["b"]


def test_requirements_in_is_the_base_layer(make_project):
    root = make_project(
        {
            "requirements/requirements.in": "flask\n",
            "requirements/dev.in": "-r requirements.txt\npytest\n",
        }
    )
    inputs = load_project(root)
    assert inputs.layer_names() == ("base", "dev")
    assert inputs.layer("dev").includes == ("base",)
