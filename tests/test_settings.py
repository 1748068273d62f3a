from __future__ import annotations

from pipx_lockext.core.environments import PythonVersion
from pipx_lockext.core.errors import ProblemCollector
from pipx_lockext.core.inputs.settings import IndexSettings, parse_settings


def parse(table):
    out = ProblemCollector()
    settings = parse_settings(table, "pyproject.toml", out)
    return settings, [str(p) for p in out.problems]


def test_defaults():
    settings, problems = parse({})
    assert problems == []
    assert settings.pythons is None
    assert settings.platforms == ("linux-x86_64", "linux-aarch64", "macos-arm64", "windows-x86_64")
    assert settings.output_dir == "requirements"
    assert settings.venv_dir == ".venvs"
    assert settings.index == IndexSettings()


def test_full_table():
    settings, problems = parse(
        {
            "python": ["3.12", "3.10"],
            "platforms": ["linux-aarch64"],
            "output-dir": "locks",
            "index-url": "https://${USER}:${TOKEN}@example.org/simple",
            "extra-index-url": "https://other.example/simple",
            "only-binary": [":all:", "Foo_Bar"],
            "layers": {"Docs": {"include-base": False, "requires-python": ">=3.12"}},
        }
    )
    assert problems == []
    assert settings.pythons == (PythonVersion(3, 10), PythonVersion(3, 12))
    assert settings.index.extra_index_urls == ("https://other.example/simple",)
    assert settings.index.only_binary == (":all:", "foo-bar")
    assert settings.index.index_url == "https://${USER}:${TOKEN}@example.org/simple"
    docs = settings.layer("docs")
    assert (docs.include_base, docs.requires_python) == (False, ">=3.12")


def test_unknown_keys_get_a_did_you_mean_hint():
    _, problems = parse({"pyhton": ["3.12"], "layers": {"dev": {"include_base": False}}})
    assert problems == [
        "pyproject.toml: [tool.reqlock].pyhton: unknown setting (did you mean 'python'?)",
        "pyproject.toml: [tool.reqlock.layers.dev].include_base: unknown setting "
        "(did you mean 'include-base'?)",
    ]


def test_every_bad_value_is_reported_at_once():
    _, problems = parse(
        {
            "python": ["3.12", "three"],
            "platforms": ["linux-x86-64"],
            "index-strategy": "first",
            "output-dir": 3,
            "layers": {"dev": {"requires-python": ">>3"}},
        }
    )
    assert len(problems) == 5
    expected = [
        "[tool.reqlock].python: not a Python version of the form X.Y: 'three'",
        "[tool.reqlock].platforms: unknown platform (did you mean 'linux-x86_64'?)",
        "[tool.reqlock].index-strategy: unknown index strategy (did you mean 'first-index'?)",
        "[tool.reqlock].output-dir: must be a string, not int: '3'",
        "[tool.reqlock.layers.dev].requires-python: invalid version specifier: '>>3'",
    ]
    for text in expected:
        assert any(text in problem for problem in problems), text


def test_uploaded_prior_to_is_written_one_way_and_a_bad_one_names_its_key():
    settings, problems = parse({"uploaded-prior-to": "2026-06-01"})
    assert problems == []
    assert settings.index.uploaded_prior_to == "2026-06-01T00:00:00Z"
    assert parse({"uploaded-prior-to": "p7d"})[0].index.uploaded_prior_to == "P7D"
    _, problems = parse({"uploaded-prior-to": "last week"})
    assert problems == [
        "pyproject.toml: [tool.reqlock].uploaded-prior-to: not a date, time or duration: "
        "'last week'; give an RFC 3339 time with Z or an offset (2026-06-01T00:00:00Z), a "
        "date (2026-06-01, midnight UTC) or an ISO 8601 duration before now (P7D, PT12H)"
    ]


def test_a_cutoff_on_the_command_line_wins_over_the_projects():
    project = IndexSettings(uploaded_prior_to="P7D")
    flags = IndexSettings(uploaded_prior_to="2026-06-01T00:00:00Z")
    assert flags.over(project).uploaded_prior_to == "2026-06-01T00:00:00Z"
    assert IndexSettings().over(project).uploaded_prior_to == "P7D"
