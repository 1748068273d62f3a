"""How long an index page stays fresh: the index's Cache-Control, else PyPI's 600 s."""

from __future__ import annotations

import pytest

from pipx_lockext.edges.index.network import Response
from pipx_lockext.edges.index.pages import DEFAULT_MAX_AGE, max_age


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({}, DEFAULT_MAX_AGE),
        ({"cache-control": "max-age=30"}, 30.0),
        ({"cache-control": "public, Max-Age=120"}, 120.0),
        ({"cache-control": "no-cache"}, 0.0),  # said, but no max-age: revalidate every time
        ({"cache-control": "max-age=soon"}, 0.0),
    ],
)
def test_max_age(headers: dict[str, str], seconds: float):
    assert max_age(Response("https://example.org/simple/x/", 200, headers, b"")) == seconds
