"""Markers of merged pins: true on exactly the environments that chose the pin, for any
subset of any matrix (hypothesis), and compact in the common cases."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.markers import Marker

from pipx_lockext.core.environments import PLATFORMS, PythonVersion, build_matrix
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.resolution.merge import env_marker

PYTHONS = [PythonVersion(3, m) for m in range(8, 15)]
DISTINCT = [p for p in PLATFORMS if p != "linux-musl-x86_64"]  # musl shares glibc's markers


@st.composite
def matrix_and_subset(draw):
    pythons = draw(st.lists(st.sampled_from(PYTHONS), min_size=1, unique=True))
    platforms = draw(st.lists(st.sampled_from(DISTINCT), min_size=1, unique=True))
    matrix = build_matrix(tuple(sorted(pythons)), tuple(platforms))
    subset = draw(st.sets(st.sampled_from(matrix), min_size=1))
    return matrix, frozenset(subset)


@st.composite
def split_matrix_and_subset(draw):
    """A matrix whose series are split at patch releases (the same on every platform)."""
    matrix, _ = draw(matrix_and_subset())
    splits = {env.python: draw(st.sets(st.integers(1, 12), max_size=3)) for env in matrix}
    cells = tuple(sorted(env.at(p) for env in matrix for p in (0, *sorted(splits[env.python]))))
    subset = draw(st.sets(st.sampled_from(cells), min_size=1))
    return cells, frozenset(subset)


@settings(max_examples=300, deadline=None)
@given(split_matrix_and_subset())
def test_split_series_marker_is_true_on_exactly_the_selected_cells(case):
    cells, selected = case
    text = env_marker(selected, cells)
    if text is None:
        assert selected == set(cells)
        return
    marker = Marker(text)
    for cell in cells:
        starts = sorted(c.patch for c in cells if c.series == cell.series)
        ends = [p for p in starts if p > cell.patch]
        for patch in (cell.patch, (ends[0] - 1) if ends else cell.patch + 30):
            full = str(cell.python.release(patch))
            env = {**cell.markers, "python_full_version": full, "extra": ""}
            assert marker.evaluate(env) == (cell in selected), (text, cell, full)


@settings(max_examples=400, deadline=None)
@given(matrix_and_subset())
def test_marker_is_true_on_exactly_the_selected_environments(case):
    matrix, selected = case
    text = env_marker(selected, matrix)
    if text is None:
        assert selected == set(matrix)
        return
    assert " in " not in text
    assert "not in" not in text
    marker = Marker(text)
    for env in matrix:
        assert marker.evaluate({**env.markers, "extra": ""}) == (env in selected), (text, env)


M = build_matrix(
    tuple(PythonVersion(3, m) for m in range(9, 14)),
    ("linux-x86_64", "macos-arm64", "windows-x86_64"),
)


def envs(pythons, platforms=("linux-x86_64", "macos-arm64", "windows-x86_64")):
    return frozenset(e for e in M if e.python.minor in pythons and e.platform_name in platforms)


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        (envs({9, 10}), 'python_version < "3.11"'),
        (envs({11, 12, 13}), 'python_version >= "3.11"'),
        (envs({11}), 'python_version == "3.11"'),
        (envs({10, 11}), 'python_version >= "3.10" and python_version < "3.12"'),
        (envs(range(9, 14), ("windows-x86_64",)), 'sys_platform == "win32"'),
        (envs(range(9, 14), ("linux-x86_64", "macos-arm64")), 'sys_platform != "win32"'),
        (envs({9}, ("windows-x86_64",)), 'python_version < "3.10" and sys_platform == "win32"'),
    ],
)
def test_compact_forms(selected, expected):
    assert env_marker(selected, M) == expected


def test_a_split_series_is_bounded_by_python_full_version():
    cells = tuple(sorted(e.at(p) for e in M if e.platform_name == "linux-x86_64" for p in (0, 2)))
    below = frozenset(
        c for c in cells if c.python.minor < 9 or (c.python.minor == 9 and not c.patch)
    )
    assert env_marker(below, cells) == 'python_full_version < "3.9.2"'
    above_310_2 = frozenset(c for c in cells if (c.python.minor, c.patch) >= (10, 2))
    assert env_marker(above_310_2, cells) == 'python_full_version >= "3.10.2"'
    whole_310 = frozenset(c for c in cells if c.python.minor == 10)
    assert env_marker(whole_310, cells) == 'python_version == "3.10"'


def test_platforms_no_marker_tells_apart_are_an_error():
    matrix = build_matrix((PythonVersion(3, 12),), ("linux-x86_64", "linux-musl-x86_64"))
    with pytest.raises(ResolutionError, match="no environment marker tells these platforms apart"):
        env_marker(frozenset(matrix[:1]), matrix, "numpy")
