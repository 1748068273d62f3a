"""`reqlock outdated` from the command line, against the fake index: a pin merely behind,
one held back by a parent's upper bound (the chain printed up to the project's line), one
by the project's own requirement (its file and line or key), one newer only on Python
3.12, one held by what the newest release itself needs; nothing outdated; the JSON shape;
stale, malformed and missing locks refused (exit 1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fakeindex import Release

RELEASES = [
    Release("lib", "1.0"),
    Release("lib", "2.0"),
    Release("lib", "3.0rc1"),  # a pre-release: newer only with --pre
    Release("web", "4.0"),
    Release("web", "4.2"),
    Release("web", "5.0"),
    Release("web", "5.1", yanked="broken"),  # yanked: never the newest
    Release("toolbar", "1.0", requires_dist=("web<5",)),
    Release("kit", "1.0", requires_dist=("toolbar",)),
    Release("cli-tool", "1.0"),
    Release("cli-tool", "1.1"),
    Release("fast", "1.0"),
    Release("fast", "2.0", requires_python=">=3.12"),
]

PYPROJECT = """
[project]
name = "demo"
version = "0"
requires-python = ">=3.10"
dependencies = [
    "lib",
    "kit",
    "cli-tool<1.1",
    "fast",
]

[tool.reqlock]
python = ["3.10", "3.12"]
platforms = ["linux-x86_64"]
index-url = "{url}"
"""

BEHIND = ("-P", "lib==1.0", "-P", "web==4.0", "-P", "fast==1.0")
"""Compile flags that leave pins behind what the index offers."""


@pytest.fixture
def locked(make_project, fake_index, reqlock):
    """A project compiled with `args` against RELEASES (plus `more`)."""

    def make(*args: str, files: dict[str, str] | None = None, more=()) -> Path:
        index = fake_index([*RELEASES, *more])
        texts = files or {"pyproject.toml": PYPROJECT}
        root = make_project({k: v.format(url=index.url) for k, v in texts.items()})
        result = reqlock("compile", "--project", root, *args)
        assert result.code == 0, result.err
        return root

    return make


def test_each_pin_behind_with_what_is_allowed_and_what_holds_it(locked, reqlock):
    root = locked(*BEHIND)
    result = reqlock("outdated", "--project", root)
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "requirements/base.lock.txt (python 3.10, 3.12 on linux-x86_64):",
        "  package   pinned  allowed  newest",
        "  cli-tool  1.0     1.0      1.1",
        "      held by pyproject.toml: [project].dependencies[2] asks for cli-tool<1.1",
        "  fast      1.0     2.0      2.0",
        "      on python 3.12 on linux-x86_64",
        "  lib       1.0     2.0      2.0",
        "  web       4.0     4.2      5.0",
        "      held by toolbar 1.0 needs web<5",
        "        toolbar 1.0 <- kit 1.0 <- kit (from pyproject.toml: [project].dependencies[1])",
    ]
    # fast 2.0 needs Python 3.12: on 3.10 the pin is the newest there is.
    assert "python 3.10 on" not in result.out
    # lib 3.0rc1 is a pre-release, web 5.1 is yanked: neither is "newest".
    assert "3.0rc1" not in result.out
    assert "5.1" not in result.out


def test_a_requirements_in_line_holding_a_pin_is_named_by_file_and_line(locked, reqlock):
    files = {
        "pyproject.toml": '[tool.reqlock]\npython = ["3.12"]\nplatforms = ["linux-x86_64"]\n',
        "requirements/base.in": "--index-url {url}\nlib\ncli-tool<1.1\n",
    }
    root = locked(files=files)
    result = reqlock("outdated", "--project", root)
    assert result.code == 0, result.err
    assert "  cli-tool  1.0     1.0      1.1" in result.out
    assert "held by requirements/base.in:3 asks for cli-tool<1.1" in result.out
    assert "lib" not in result.out  # at the newest


def test_a_newest_release_that_needs_what_the_project_excludes_is_explained(locked, reqlock):
    more = [
        Release("core", "1.0"),
        Release("core", "2.0"),
        Release("plug", "1.0", requires_dist=("core",)),
        Release("plug", "2.0", requires_dist=("core>=2",)),
    ]
    files = {"pyproject.toml": PYPROJECT.replace('"fast",', '"fast",\n    "plug",\n    "core<2",')}
    root = locked(files=files, more=more)
    result = reqlock("outdated", "--project", root)
    assert result.code == 0, result.err
    assert "  plug      1.0     1.0      2.0" in result.out
    assert "held by plug 2.0 needs core>=2; the resolution holds core 1.0" in result.out
    assert "held by pyproject.toml: [project].dependencies[5] asks for core<2" in result.out


def test_a_newer_release_without_a_wheel_for_the_platform_is_not_newer_there(locked, reqlock):
    more = [
        Release("plat", "1.0"),
        Release("plat", "2.0", wheels=("cp312-cp312-win_amd64",), sdist=False),
    ]
    files = {
        "pyproject.toml": PYPROJECT.replace('"fast",', '"plat",').replace(
            'platforms = ["linux-x86_64"]', 'platforms = ["linux-x86_64", "windows-x86_64"]'
        )
    }
    root = locked("-P", "plat==1.0", files=files, more=more)
    result = reqlock("outdated", "--project", root)
    assert result.code == 0, result.err
    assert "  plat      1.0     2.0      2.0\n      on python 3.12 on windows-x86_64\n" in (
        result.out
    )


def test_pages_are_read_again_and_nothing_is_written(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})
    assert reqlock("compile", "--project", root, *BEHIND).code == 0
    before = {p: p.read_bytes() for p in (root / "requirements").iterdir()}
    index.clear_log()
    result = reqlock("outdated", "--project", root)
    assert result.code == 0, result.err
    assert index.count("/simple/lib/") >= 1  # the cached page revalidated: today's releases
    assert {p: p.read_bytes() for p in (root / "requirements").iterdir()} == before


def test_a_newest_release_no_one_requirement_excludes_says_how_to_learn_why(locked, reqlock):
    more = [
        Release("ghost", "0.5"),
        Release("plug", "1.0"),
        Release("plug", "2.0", requires_dist=("ghost>=1",)),  # no ghost 1 anywhere
    ]
    files = {"pyproject.toml": PYPROJECT.replace('"fast",', '"plug",')}
    root = locked(files=files, more=more)
    result = reqlock("outdated", "--project", root)
    assert result.code == 0, result.err
    assert "  plug      1.0     1.0      2.0" in result.out
    assert (
        "held by no single requirement excludes plug 2.0, the requirements together do "
        "(reqlock compile -P plug==2.0 says why)"
    ) in result.out
    said = reqlock("compile", "--project", root, "-P", "plug==2.0", "--dry-run")
    assert said.code == 3
    assert "ghost>=1" in said.err


def test_nothing_outdated_says_so_and_exits_0_even_with_exit_code(locked, reqlock):
    only = PYPROJECT.replace('"kit",', "").replace('"cli-tool<1.1",', "")
    root = locked(files={"pyproject.toml": only})
    result = reqlock("outdated", "--project", root, "--exit-code")
    assert result.code == 0, result.err
    assert result.out == ""
    assert "requirements/base.lock.txt: every pin is the newest release" in result.err


def test_exit_code_flag_exits_1_when_anything_is_outdated(locked, reqlock):
    root = locked(*BEHIND)
    assert reqlock("outdated", "--project", root).code == 0
    assert reqlock("outdated", "--project", root, "--exit-code").code == 1


def test_pre_counts_pre_releases_as_newer(locked, reqlock):
    root = locked(*BEHIND)
    result = reqlock("outdated", "--project", root, "--pre")
    assert result.code == 0, result.err
    assert "  lib       1.0     3.0rc1   3.0rc1" in result.out


def test_json_shape(locked, reqlock):
    root = locked(*BEHIND)
    result = reqlock("outdated", "--project", root, "--format", "json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    (layer,) = data["layers"]
    assert layer["layer"] == "base"
    assert layer["lock"] == "requirements/base.lock.txt"
    assert layer["environments"] == "python 3.10, 3.12 on linux-x86_64"
    rows = {row["name"]: row for row in layer["outdated"]}
    assert sorted(rows) == ["cli-tool", "fast", "lib", "web"]
    assert rows["web"] == {
        "name": "web",
        "pinned": "4.0",
        "allowed": "4.2",
        "newest": "5.0",
        "environments": "python 3.10, 3.12 on linux-x86_64",
        "held_by": [
            {
                "requirement": "toolbar 1.0 needs web<5",
                "chain": [
                    "toolbar 1.0",
                    "kit 1.0",
                    "kit (from pyproject.toml: [project].dependencies[1])",
                ],
            }
        ],
    }
    assert rows["fast"]["environments"] == "python 3.12 on linux-x86_64"
    assert rows["lib"]["held_by"] == []


def test_layers_named_are_the_only_ones_reported(locked, reqlock):
    files = {"pyproject.toml": PYPROJECT + '\n[dependency-groups]\ndev = ["cli-tool"]\n'}
    root = locked(*BEHIND, files=files)
    result = reqlock("outdated", "--project", root, "base")
    assert "requirements/base.lock.txt" in result.out
    assert "dev.lock.txt" not in result.out + result.err
    result = reqlock("outdated", "--project", root, "dve")
    assert result.code == 2
    assert "did you mean 'dev'" in result.err


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda root: _edit(root / "pyproject.toml", '"fast",', '"fast", "extra-dep",'), "stale"),
        (lambda root: _edit(root / "requirements/base.lock.txt", "lib==1.0", "lib==2.0"), "body"),
        (lambda root: (root / "requirements/base.lock.txt").unlink(), "no lock for layer base"),
    ],
    ids=["stale", "hand-edited", "missing"],
)
def test_a_lock_that_is_not_fresh_and_well_formed_is_refused(locked, reqlock, edit, said):
    root = locked(*BEHIND)
    edit(root)
    result = reqlock("outdated", "--project", root)
    assert result.code == 1
    assert said in result.err
    assert result.out == ""


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.network
def test_a_real_project_held_back_by_its_own_bound(make_project, reqlock):
    root = make_project(
        {
            "pyproject.toml": """
            [project]
            name = "demo"
            version = "0"
            dependencies = ["idna<3.5"]

            [tool.reqlock]
            python = ["3.12"]
            platforms = ["linux-x86_64"]
            """
        }
    )
    assert reqlock("compile", "--project", root).code == 0
    result = reqlock("outdated", "--project", root)
    assert result.code == 0, result.err
    assert "  idna     3.4     3.4      " in result.out
    assert "held by pyproject.toml: [project].dependencies[0] asks for idna<3.5" in result.out


def test_a_layer_narrowed_to_a_newer_python_and_resolved_alone(locked, reqlock):
    files = {
        "pyproject.toml": PYPROJECT
        + '\n[dependency-groups]\ndev = ["cli-tool"]\n'
        + '\n[tool.reqlock.layers.dev]\nrequires-python = ">=3.12"\nindependent = true\n'
    }
    root = locked(*BEHIND, files=files)
    result = reqlock("outdated", "--project", root, "dev")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "requirements/dev.lock.txt (python 3.12 on linux-x86_64):"
    # On the only Python of the layer, fast 2.0 is newer everywhere the layer is.
    assert "  fast      1.0     2.0      2.0" in lines
    assert "on python" not in result.out


def test_the_projects_own_release_pinned_for_a_dependency_is_not_reported(locked, reqlock):
    more = [
        Release("demo", "0.5"),
        Release("demo", "1.0"),
        Release("helper", "1.0", requires_dist=("demo<1",)),  # needs the project back
    ]
    files = {"pyproject.toml": PYPROJECT.replace('"fast",', '"helper",')}
    root = locked(files=files, more=more)
    assert "demo==0.5" in (root / "requirements/base.lock.txt").read_text()
    result = reqlock("outdated", "--project", root)
    assert result.code == 0, result.err
    # sync installs the working tree over that pin: whether 1.0 is out is not the lock's.
    assert "demo" not in result.out
    assert "  cli-tool  1.0     1.0      1.1" in result.out  # the others are still said


def test_the_upload_cutoff_of_the_locks_bounds_the_newest(make_project, fake_index, reqlock):
    """A lock compiled `--uploaded-prior-to 2024-06-01` records it: a release uploaded
    later does not exist for `outdated` either (a cool-down is not undone by asking)."""
    index = fake_index(
        [
            Release("lib", "1.0", upload_time="2024-01-01T00:00:00Z"),
            Release("lib", "2.0", upload_time="2024-03-01T00:00:00Z"),
            Release("lib", "3.0", upload_time="2024-09-01T00:00:00Z"),
        ]
    )
    text = PYPROJECT.replace('"kit",', "").replace('"cli-tool<1.1",', "").replace('"fast",', "")
    root = make_project({"pyproject.toml": text.format(url=index.url)})
    compiled = reqlock(
        "compile", "--project", root, "-P", "lib==1.0", "--uploaded-prior-to", "2024-06-01"
    )
    assert compiled.code == 0, compiled.err
    result = reqlock("outdated", "--project", root, "--format", "json")
    assert result.code == 0, result.err
    assert '"3.0"' not in result.out
    assert '"2.0"' in result.out
