"""export and import through the CLI: round trips on both examples, dry runs, formatting."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipx_lockext.edges.project.loader import load_project
from tests.conftest import EXAMPLES, roots


def layer_sets(root: Path) -> dict[str, set[str]]:
    """Each layer's full requirement set, as canonical PEP 508 strings."""
    inputs = load_project(root)
    result = {}
    for name in inputs.layer_names():
        result[name] = {
            str(d.requirement) if d.requirement else d.text for d in roots(inputs, name)
        }
    return result


@pytest.fixture
def webapp(tmp_path: Path) -> Path:
    # Only what git tracks: a README run leaves locks and venvs in the example.
    ignore = shutil.ignore_patterns("requirements", ".venvs", "__pycache__")
    return Path(shutil.copytree(EXAMPLES / "webapp", tmp_path / "webapp", ignore=ignore))


@pytest.fixture
def layered(tmp_path: Path) -> Path:
    return Path(shutil.copytree(EXAMPLES / "layered", tmp_path / "layered"))


def test_export_writes_one_in_file_per_layer(webapp, reqlock):
    result = reqlock("export", "--project", webapp)
    assert result.code == 0, result.err
    files = sorted(p.name for p in (webapp / "requirements").iterdir())
    assert files == ["base.in", "dev.in", "prod.in", "test.in"]
    dev = (webapp / "requirements/dev.in").read_text()
    assert dev.splitlines()[2:] == ["-r base.in", "-r test.in", "ruff>=0.6"]
    prod = (webapp / "requirements/prod.in").read_text()
    assert "psycopg[binary]>=3.1" in prod  # the postgres extra joins prod


def test_export_is_idempotent_and_dry_run_writes_nothing(webapp, reqlock):
    dry = reqlock("export", "--dry-run", "--project", webapp)
    assert dry.code == 0
    assert "+++ b/requirements/base.in" in dry.out
    assert not (webapp / "requirements").exists()
    assert reqlock("export", "--project", webapp).code == 0
    again = reqlock("export", "--dry-run", "--project", webapp)
    assert (again.code, again.out) == (0, "")
    assert "no changes" in again.err


def test_export_then_import_keeps_every_layer(webapp, reqlock):
    before = layer_sets(webapp)
    assert reqlock("export", "--project", webapp).code == 0
    text = (webapp / "pyproject.toml").read_text()
    # Drop the layers from pyproject.toml, then bring them back from the .in files.
    stripped = text.replace(
        '    "flask>=3.0",\n    "sqlalchemy>=2.0",\n    "requests>=2.31",\n', ""
    )
    stripped = (
        stripped[: stripped.index("[dependency-groups]")]
        + stripped[stripped.index("[tool.reqlock]") :]
    )
    (webapp / "pyproject.toml").write_text(stripped)
    ins = sorted((webapp / "requirements").glob("*.in"))
    result = reqlock("import", "--project", webapp, *ins)
    assert result.code == 0, result.err
    assert layer_sets(webapp) == before
    # ...and exporting again reproduces the same files.
    assert reqlock("export", "--dry-run", "--project", webapp).out == ""


def test_import_keeps_comments_and_formatting(webapp, reqlock):
    (webapp / "requirements").mkdir()
    (webapp / "requirements/docs.in").write_text("-r base.in\nsphinx>=7  # docs\n")
    before = (webapp / "pyproject.toml").read_text()
    result = reqlock("import", "--project", webapp, webapp / "requirements/docs.in")
    assert result.code == 0, result.err
    after = (webapp / "pyproject.toml").read_text()
    assert after.startswith(before.split("[dependency-groups]")[0])
    assert "# Tests and tooling for working on the service." in after
    assert "# What the container runs in production." in after
    assert 'docs = ["sphinx>=7"]' in after
    assert layer_sets(webapp)["docs"] == layer_sets(webapp)["base"] | {"sphinx>=7"}


def test_import_dry_run_prints_a_diff_and_writes_nothing(layered, reqlock):
    ins = sorted((layered / "requirements").glob("*.in"))
    result = reqlock("import", "--dry-run", "--project", layered, *ins)
    assert result.code == 0, result.err
    assert result.out.startswith("--- a/pyproject.toml\n+++ b/pyproject.toml\n")
    assert not (layered / "pyproject.toml").exists()


def test_import_without_files_takes_the_projects_in_files(layered, reqlock):
    """Issue 14 item 12: `reqlock import` alone was a usage error."""
    ins = sorted((layered / "requirements").glob("*.in"))
    named = reqlock("import", "--dry-run", "--project", layered, *ins)
    alone = reqlock("import", "--dry-run", "--project", layered)
    assert alone.code == 0, alone.err
    assert alone.out == named.out


def test_layered_example_round_trip(layered, reqlock):
    before = layer_sets(layered)
    ins = sorted((layered / "requirements").glob("*.in"))
    assert reqlock("import", "--project", layered, *ins).code == 0
    assert load_project(layered).source == "pyproject"
    assert layer_sets(layered) == before
    assert reqlock("export", "--project", layered).code == 0
    exported = sorted(p.name for p in (layered / "requirements").glob("*.in"))
    assert exported == ["base.in", "dev.in", "prod.in"]
    shutil.move(layered / "pyproject.toml", layered / "pyproject.toml.bak")
    assert layer_sets(layered) == before


def test_import_maps_project_extras_and_include_base(make_project, reqlock):
    root = make_project(
        {
            "pyproject.toml": """
                [project]
                name = "svc"
                version = "1"
                dependencies = ["flask"]
                [project.optional-dependencies]
                test = ["coverage"]
                """,
            "requirements/test.in": "-e .[test]\npytest\n",
            "requirements/lint.in": "ruff\n",
            "requirements/dev.in": "-r base.in\n-r test.in\n--index-url https://${TOKEN}@idx/simple\n",
        }
    )
    ins = [root / "requirements" / f for f in ("test.in", "lint.in", "dev.in")]
    result = reqlock("import", "--project", root, *ins)
    assert result.code == 0, result.err
    inputs = load_project(root)
    assert inputs.settings.layer("test").extras == ("test",)
    assert inputs.settings.layer("lint").include_base is False
    assert inputs.layer("dev").includes == ("base", "test")
    assert inputs.settings.index.index_url == "https://${TOKEN}@idx/simple"
    assert {d.text for d in roots(inputs, "test")} == {"pytest", "coverage", "flask"}
