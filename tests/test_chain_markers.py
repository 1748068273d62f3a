"""Chain markers: a requirement's own marker, without its `extra` term, kept short
(absorption, size limits), rendered with the parentheses precedence needs."""

from __future__ import annotations

import pytest
from packaging.markers import Marker

from pipx_lockext.core.resolution.chains import TRUE, _and, _short, _without_extra, render


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('sys_platform != "win32" and extra == "standard"', 'sys_platform != "win32"'),
        (
            '(sys_platform != "win32" and (sys_platform != "cygwin" and '
            'platform_python_implementation != "PyPy")) and extra == "standard"',
            'sys_platform != "win32" and (sys_platform != "cygwin" and '
            'platform_python_implementation != "PyPy")',
        ),
        ('(os_name == "nt") and (a == "2") and extra == "x"', '(os_name == "nt") and (a == "2")'),
        ('extra == "speed"', ""),
        ('platform_machine == "AMD64"', 'platform_machine == "AMD64"'),
        ('extra == "a" or extra == "b"', None),
    ],
)
def test_extra_terms_are_dropped_or_the_marker_is_unusable(text, expected):
    assert _without_extra(text) == expected


def test_a_clause_implied_by_a_shorter_one_goes():
    a, b = 'sys_platform == "linux"', 'platform_machine == "x86_64"'
    assert _short(frozenset({(a,), (a, b)})) == frozenset({(a,)})
    assert _short(frozenset({(), (a,)})) == TRUE


def test_long_chains_are_not_kept():
    terms = [f'platform_release == "{n}"' for n in range(4)]
    assert _short(frozenset({tuple(terms)})) is None
    assert _short(frozenset({(t,) for t in terms[:3]})) is None


def test_rendering_keeps_precedence():
    a, b, c = (
        'sys_platform == "linux"',
        'platform_machine == "x86_64"',
        "os_name == 'nt' or os_name == 'posix'",
    )
    assert render(_and(frozenset({(a,)}), frozenset({(b,)}))) == f"{b} and {a}"
    text = render(frozenset({(a, b), (c,)}))
    marker = Marker(text)
    linux_x86 = {"sys_platform": "linux", "platform_machine": "x86_64", "os_name": "java"}
    assert marker.evaluate(linux_x86)
    assert not marker.evaluate({**linux_x86, "platform_machine": "aarch64"})
    assert marker.evaluate({**linux_x86, "platform_machine": "aarch64", "os_name": "nt"})
    assert render(frozenset({(a, c)})) == f"{a} and ({c})"
