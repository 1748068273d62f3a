"""An sdist's PKG-INFO from before PEP 643 is read without a build only when its own
pyproject.toml declares the same requirements statically (PEP 621); anything else means
"build it", never an error."""

from __future__ import annotations

import pytest

from pipx_lockext.core.index.coremeta import parse_metadata
from pipx_lockext.core.index.staticproject import declared_statically

PKG_INFO = b"""\
Metadata-Version: 2.1
Name: Mem_Ray
Version: 1.20.0
Requires-Python: >=3.9.0
Requires-Dist: jinja2>=2.9
Requires-Dist: Rich[jupyter]>=11.2.0
Provides-Extra: test
Requires-Dist: greenlet; python_version < "3.15" and extra == "test"
Requires-Dist: textual!=0.66,>=0.43; extra == "test"
"""

PROJECT = """\
[project]
name = "mem-ray"
requires-python = ">=3.9.0"
dependencies = ["jinja2 >= 2.9", "rich[Jupyter] >= 11.2.0"]
dynamic = ["version"]

[project.optional-dependencies]
Test = ["greenlet; python_version < '3.15'", "textual >= 0.43, != 0.66"]
"""

META = parse_metadata(PKG_INFO)


def test_a_table_that_declares_what_pkg_info_says_makes_it_reliable():
    assert not META.static_for_resolution, "Metadata-Version 2.1: PEP 643 cannot say"
    assert declared_statically(PROJECT.encode(), META)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ('dynamic = ["version"]', 'dynamic = ["version", "dependencies"]', "dynamic deps"),
        ('dynamic = ["version"]', 'dynamic = ["optional-dependencies"]', "dynamic extras"),
        ('dynamic = ["version"]', 'dynamic = ["requires-python"]', "dynamic python"),
        ('name = "mem-ray"', 'name = "other"', "another project"),
        ('"jinja2 >= 2.9", ', "", "PKG-INFO has a requirement the table lacks"),
        ('"jinja2 >= 2.9"', '"jinja2 >= 3"', "other bounds"),
        ("rich[Jupyter]", "rich", "other extras of a requirement"),
        ('requires-python = ">=3.9.0"\n', "", "PKG-INFO has a Requires-Python the table lacks"),
        ('">=3.9.0"', '">=3.10"', "another Requires-Python"),
        ("Test = [", "tests = [", "another extra"),
        ('"jinja2 >= 2.9"', '"jinja2 >=>= 2.9"', "an invalid requirement"),
        ('dependencies = ["jinja2', 'dependencies = "jinja2', "not a list"),
        ('name = "mem-ray"\n', "", "no name"),
        ("[project]", "[tool.other]", "no [project] table"),
        ("[project]", "[project", "not TOML"),
    ],
)
def test_anything_short_of_the_same_static_declaration_means_build(old, new, why):
    assert old in PROJECT
    assert not declared_statically(PROJECT.replace(old, new).encode(), META), why


def test_a_setup_py_project_that_lists_more_than_its_table_is_built():
    """An old backend ignores `[project]` and writes what setup.py computes: the two lists
    differ, so PKG-INFO is not taken for what a build elsewhere would write."""
    extra = PKG_INFO + b"Requires-Dist: pywin32\n"
    assert not declared_statically(PROJECT.encode(), parse_metadata(extra))


def test_bytes_that_are_not_utf8_mean_build():
    assert not declared_statically(b"\xff\xfe[project]", META)
