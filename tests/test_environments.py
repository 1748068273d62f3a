from __future__ import annotations

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from pipx_lockext.core.environments import (
    PLATFORMS,
    PythonVersion,
    build_matrix,
    default_pythons,
    describe_matrix,
    marker_points,
    specifier_points,
)
from pipx_lockext.core.lockfiles.lockparse import parse_environments


@pytest.mark.parametrize(
    ("requires_python", "expected"),
    [
        (None, ["3.9", "3.10", "3.11", "3.12", "3.13", "3.14"]),
        (">=3.10", ["3.10", "3.11", "3.12", "3.13", "3.14"]),
        (">=3.9.2,<3.12", ["3.9", "3.10", "3.11"]),
        ("<=3.9.1", ["3.9"]),
        ("~=3.11", ["3.11", "3.12", "3.13", "3.14"]),
        ("!=3.10.*,>=3.9", ["3.9", "3.11", "3.12", "3.13", "3.14"]),
        (">=4", []),
    ],
)
def test_default_pythons_follow_requires_python(requires_python, expected):
    assert [str(v) for v in default_pythons(requires_python)] == expected


@pytest.mark.parametrize("bad", ["3", "3.12.1rc1", "3.12.1.1", "py3.12", "3.x", ""])
def test_python_version_must_be_x_y(bad):
    with pytest.raises(ValueError, match=r"X\.Y"):
        PythonVersion.parse(bad)


def test_a_patch_release_is_a_floor_of_its_series():
    version = PythonVersion.parse("3.9.2")
    assert version == PythonVersion(3, 9)  # still the series 3.9: one venv, one header entry
    assert (str(version), version.floor_text) == ("3.9", "3.9.2")
    (env,) = build_matrix((version,), ("linux-x86_64",))
    assert env.full_version == Version("3.9.2")
    assert env.markers["python_full_version"] == "3.9.2"
    assert describe_matrix((env,)) == "python 3.9.2 on linux-x86_64"


def test_floors_round_trip_through_the_header():
    pythons = tuple(PythonVersion.parse(t) for t in ("3.9.2", "3.10", "3.11.4", "3.12"))
    matrix = build_matrix(pythons, ("linux-x86_64",))
    text = describe_matrix(matrix)
    assert text == "python 3.9.2-3.10, 3.11.4-3.12 on linux-x86_64"
    assert parse_environments(text) == matrix


@pytest.mark.parametrize(
    ("requires_python", "floor"),
    [(">=3.9", 0), (">=3.9.2", 2), (">=3.9,!=3.9.0,!=3.9.1", 2), ("!=3.9.*", 0)],
)
def test_requires_python_raises_the_floor_of_a_series(requires_python, floor):
    (env,) = build_matrix((PythonVersion(3, 9),), ("linux-x86_64",), SpecifierSet(requires_python))
    assert env.patch == floor


@pytest.mark.parametrize(
    ("specifier", "points"),
    [
        (">=3.9,!=3.9.0,!=3.9.1", {2}),
        (">=3.9.2", {2}),
        ("<3.9.7", {7}),
        ("<=3.9.7", {8}),
        ("==3.9.4", {4, 5}),
        (">=3.10", set()),  # outside the series: no split
        ("!=3.9.*", set()),
    ],
)
def test_specifier_points_are_where_admission_changes(specifier, points):
    assert specifier_points(SpecifierSet(specifier), PythonVersion(3, 9)) == points


def test_marker_points_read_full_version_comparisons_either_way_round():
    text = 'python_full_version < "3.10.2" or "3.10.5" <= python_full_version'
    assert marker_points(text, PythonVersion(3, 10)) == {2, 3, 5, 6}
    assert marker_points(text, PythonVersion(3, 11)) == set()
    assert marker_points('python_version < "3.10"', PythonVersion(3, 10)) == set()


def test_matrix_is_sorted_and_described_compactly():
    pythons = (
        PythonVersion(3, 13),
        PythonVersion(3, 9),
        PythonVersion(3, 10),
        PythonVersion(3, 11),
    )
    matrix = build_matrix(pythons, ("windows-x86_64", "linux-x86_64"))
    assert matrix == tuple(sorted(matrix))
    assert len(matrix) == 8
    assert describe_matrix(matrix) == "python 3.9-3.11, 3.13 on linux-x86_64, windows-x86_64"


@pytest.mark.parametrize(
    ("platform", "marker", "expected"),
    [
        ("windows-x86_64", 'sys_platform == "win32"', True),
        ("linux-x86_64", 'sys_platform == "win32"', False),
        ("macos-arm64", 'platform_machine == "arm64" and platform_system == "Darwin"', True),
        ("linux-aarch64", 'platform_machine == "aarch64"', True),
        ("linux-musl-x86_64", 'os_name == "posix"', True),
    ],
)
def test_platform_markers(platform, marker, expected):
    env = build_matrix((PythonVersion(3, 12),), (platform,))[0]
    assert Marker(marker).evaluate(env.markers) is expected


def test_python_markers_per_environment():
    env = build_matrix((PythonVersion(3, 9),), ("linux-x86_64",))[0]
    assert Marker('python_version < "3.11"').evaluate(env.markers)
    assert not Marker('python_full_version >= "3.10"').evaluate(env.markers)


def test_platform_tags_are_ones_pip_would_accept_there():
    assert "win_amd64" in PLATFORMS["windows-x86_64"].platform_tags
    assert "manylinux2014_x86_64" in PLATFORMS["linux-x86_64"].platform_tags
    assert "manylinux_2_28_aarch64" in PLATFORMS["linux-aarch64"].platform_tags
    assert "macosx_11_0_arm64" in PLATFORMS["macos-arm64"].platform_tags
    assert "macosx_10_9_x86_64" not in PLATFORMS["macos-arm64"].platform_tags
    assert "macosx_10_9_universal2" in PLATFORMS["macos-x86_64"].platform_tags
    assert "musllinux_1_2_x86_64" in PLATFORMS["linux-musl-x86_64"].platform_tags
