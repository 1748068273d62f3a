"""Suggesting the name meant from an index's list of every project: the list read from
either format, and a name one edit away found among hundreds of thousands."""

from __future__ import annotations

import json

import pytest

from pipx_lockext.core.index.projectlist import parse_project_list
from pipx_lockext.core.resolution.explain import one_edit_away

HTML = b"""<!DOCTYPE html><html><body>
<a href="django/">Django</a>
<a href="zope-interface/">zope.interface</a><br/>
<A HREF="x/">not a name!</A>
<a href="requests/">requests</a>
<A HREF="foo-bar/"> Foo__Bar.. </A>
</body></html>"""


def test_the_list_is_read_from_html_anchors_and_canonicalized():
    assert parse_project_list(HTML, "text/html") == {
        "django", "zope-interface", "requests", "foo-bar-"
    }  # fmt: skip


def test_the_list_is_read_from_pep_691_json():
    body = json.dumps({"meta": {"api-version": "1.1"}, "projects": [
        {"name": "Django"}, {"name": 3}, "requests", {"name": "Foo_Bar"}]}).encode()  # fmt: skip
    assert parse_project_list(body, "application/vnd.pypi.simple.v1+json") == {
        "django",
        "foo-bar",
    }


def test_a_list_that_does_not_read_suggests_nothing():
    assert parse_project_list(b"{", "application/vnd.pypi.simple.v1+json") == frozenset()


NAMES = frozenset({"django", "requests", "numpy", "web", "webtest", "flask", "pytest-django"})


@pytest.mark.parametrize(
    ("asked", "meant"),
    [
        ("djnago", "django"),  # two neighbours swapped
        ("reqests", "requests"),  # a letter dropped
        ("numpyy", "numpy"),  # a letter added
        ("flesk", "flask"),  # a letter changed
        ("pytest_django".replace("_", "-").replace("-d", "-"), "pytest-django"),
    ],
)
def test_a_name_one_edit_away_is_suggested(asked, meant):
    assert one_edit_away(asked, NAMES) == f" (did you mean {meant!r}?)"


def test_nothing_is_suggested_when_no_name_is_one_edit_away():
    assert one_edit_away("tensorflow", NAMES) == ""
    assert one_edit_away("django", NAMES) == ""  # the name itself is no suggestion
