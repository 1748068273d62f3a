from __future__ import annotations

import pytest

from pipx_lockext.core.errors import InputError, Location
from pipx_lockext.core.inputs.dependencies import parse_pep508

HERE = Location("pyproject.toml", key="[project].dependencies[0]")


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        ("Django>=4.2", "named", "django"),
        ('requests[socks] ; python_version < "3.12"', "named", "requests"),
        ("foo @ https://example.com/foo-1.0-py3-none-any.whl", "url", "foo"),
        ("foo @ git+https://github.com/o/foo@v1", "vcs", "foo"),
        ("foo @ file:///src/foo", "local", "foo"),
        ("foo @ file:///src/foo-1.0.tar.gz", "url", "foo"),
    ],
)
def test_kinds(text, kind, name):
    dep = parse_pep508(text, HERE)
    assert (dep.kind, dep.name, dep.text) == (kind, name, text)


def test_malformed_requirement_names_place_and_text():
    with pytest.raises(InputError) as info:
        parse_pep508("foo>>1", HERE)
    (message,) = info.value.messages()
    assert message.startswith("pyproject.toml: [project].dependencies[0]: invalid requirement")
    assert message.endswith(": 'foo>>1'")


def test_lookalike_letters_are_refused_with_a_hint():
    cyrillic_e = "\u0435"
    with pytest.raises(InputError) as info:
        parse_pep508(f"requ{cyrillic_e}sts>=2", HERE)
    (message,) = info.value.messages()
    assert "non-ASCII" in message
    assert "CYRILLIC SMALL LETTER IE" in message
    assert "did you mean 'requests'?" in message
