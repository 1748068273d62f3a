"""The layers catalog (issue 13): what real projects' layers did to reqlock, and what
must happen instead. Same table form and the same shared rules as `test_catalog` (exit
code, one line naming the fault, no traceback, a failed command changes no project file),
run by its `run_case`."""

from __future__ import annotations

import pytest

from tests.conftest import Result
from tests.fakeindex import Release
from tests.test_catalog import (
    Case,
    Check,
    World,
    compiled,
    params,
    run_case,
    world,  # noqa: F401 - the fixture the cases run in
)

ITSELF = "(the project itself; sync installs the working tree over it)"
# A test plugin that asks for the project back, as hypothesis asks for attrs.
ASKED_BACK = (
    Release("demo", "1.0"),
    Release("demo", "1.5", requires_dist=("leaf",)),
    Release("leaf", "1.0"),
    Release("plugin", "1.0", requires_dist=("demo>=1.2",)),
)
SELF_PROJECT = """\
[project]
name = "demo"
version = "2.0.dev0"
dependencies = ["leaf"]
[dependency-groups]
test = ["plugin"]
[tool.reqlock]
python = ["3.12"]
platforms = ["linux-x86_64"]
index-url = "{url}"
"""


def lock_of(layer: str, *texts: str) -> Check:
    def check(w: World, _: Result) -> None:
        lock = (w.root / f"requirements/{layer}.lock.txt").read_text()
        for text in texts:
            assert w.fill(text) in lock, lock

    return check


def no_line_of(layer: str, text: str) -> Check:
    def check(w: World, _: Result) -> None:
        lock = (w.root / f"requirements/{layer}.lock.txt").read_text()
        assert text not in lock, lock

    return check


CASES = [
    Case(
        "project-asked-back-is-pinned",
        "plugin asks for the project back: the test lock pins its newest release on the "
        "index, hashed, marked as the project itself, so plain pip install -r works.",
        ("compile",),
        0,
        files={"pyproject.toml": SELF_PROJECT},
        releases=ASKED_BACK,
        check=lock_of("test", "demo==1.5 \\\n    --hash=sha256:", f"# via plugin {ITSELF}"),
    ),
    Case(
        "project-asked-back-check-accepts-its-line",
        "check accepts the project's own line in the lock it wrote.",
        ("check",),
        0,
        files={"pyproject.toml": SELF_PROJECT},
        releases=ASKED_BACK,
        setup=(compiled(),),
        check=no_line_of("base", "demo=="),
    ),
    Case(
        "project-asked-back-verify-accepts-its-line",
        "verify --against-index accepts the project's own line: its hashes are the index's.",
        ("verify", "--against-index"),
        0,
        files={"pyproject.toml": SELF_PROJECT},
        releases=ASKED_BACK,
        setup=(compiled(),),
    ),
]


@pytest.mark.parametrize("world", params(CASES), indirect=True)
def test_layers_catalog(world: World) -> None:  # noqa: F811 - the fixture, by its name
    run_case(world)
