"""The layers catalog (issue 13): what real projects' layers did to reqlock, and what
must happen instead. Same table form and the same shared rules as `test_catalog` (exit
code, one line naming the fault, no traceback, a failed command changes no project file),
run by its `run_case`."""

from __future__ import annotations

import pytest

from tests.conftest import Result
from tests.fakeindex import Release
from tests.test_catalog import (
    RELEASES,
    Case,
    Check,
    Step,
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

NO_PYTHONS = """\
[project]
name = "demo"
version = "0"
requires-python = ">=3.11"
dependencies = ["leaf"]
[tool.reqlock]
platforms = ["linux-x86_64"]
index-url = "{url}"
"""
CLI_MATRIX = ("--python", "3.11", "--python", "3.12")
PIP_TOOLS_SETTINGS = (
    '[tool.reqlock]\npython = ["3.12"]\nplatforms = ["linux-x86_64"]\nindex-url = "{url}"\n'
)
APART = "[tool.reqlock.layers.docs] independent = true"
KEPT = "python 3.11-3.12 on linux-x86_64"


def edit(old: str, new: str) -> Step:
    def step(w: World) -> None:
        path = w.root / "pyproject.toml"
        path.write_text(path.read_text().replace(old, new))

    return step


def said_nothing_of(text: str) -> Check:
    def check(_: World, result: Result) -> None:
        assert text not in result.err, result.err

    return check


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
    Case(
        "cli-matrix-kept-by-check",
        "compile --python 3.11 --python 3.12 in a project configuring no Python: the lock "
        "records the flags, and check finds it fresh (not 'inputs changed').",
        ("check",),
        0,
        files={"pyproject.toml": NO_PYTHONS},
        releases=RELEASES,
        setup=(compiled(*CLI_MATRIX),),
        check=lock_of("base", "# To update it, run: reqlock compile --python 3.11 --python 3.12"),
    ),
    Case(
        "cli-matrix-kept-by-compile",
        "After a --python compile, a plain compile keeps that matrix (like pins): the locks "
        "are up to date, and a change of inputs re-resolves on the same matrix.",
        ("compile",),
        0,
        files={"pyproject.toml": NO_PYTHONS},
        releases=RELEASES,
        setup=(compiled(*CLI_MATRIX), edit('["leaf"]', '["leaf", "app-dep"]')),
        check=lock_of("base", f"# environments: {KEPT}", "app-dep==2.0", "--python 3.12"),
    ),
    Case(
        "matrix-change-said-as-such",
        "The configured Python versions changed since compile: check says the matrix "
        "changed, naming both, never that 'the project's inputs changed'.",
        ("check",),
        1,
        ("requirements/base.lock.txt", "stale: the matrix changed", "python 3.12 on", KEPT),
        files={"pyproject.toml": NO_PYTHONS + 'python = ["3.12"]\n'},
        releases=RELEASES,
        setup=(compiled(), edit('python = ["3.12"]', 'python = ["3.11", "3.12"]')),
    ),
    Case(
        "layer-apart-hinted",
        "A pip-tools project pins leaf 1.0 in prod.in and leaf 1.1 in docs.in (compiled "
        "apart by pip-compile): exit 3 naming both, and the line that resolves docs alone, "
        "since docs resolves on its own and prod and dev (which includes prod) without it.",
        ("compile",),
        3,
        (
            "leaf==1.0 (from requirements/prod.in:1)",
            "leaf==1.1 (from requirements/docs.in:1)",
            f"layer docs resolves on its own, and the other layers without it: if it is "
            f"installed apart from them, add {APART} to pyproject.toml",
        ),
        files={
            "requirements/prod.in": "leaf==1.0\napp-dep\n",
            "requirements/dev.in": "-r prod.in\ncommon\n",
            "requirements/docs.in": "leaf==1.1\n",
            "pyproject.toml": PIP_TOOLS_SETTINGS,
        },
    ),
    Case(
        "layer-apart-resolves-alone",
        "The line the hint gives, added: docs gets pins of its own, prod and dev theirs.",
        ("compile",),
        0,
        files={
            "requirements/prod.in": "leaf==1.0\napp-dep\n",
            "requirements/dev.in": "-r prod.in\ncommon\n",
            "requirements/docs.in": "leaf==1.1\n",
            "pyproject.toml": PIP_TOOLS_SETTINGS + APART.replace("] ", "]\n") + "\n",
        },
        check=lock_of("docs", "leaf==1.1"),
    ),
    Case(
        "clash-within-a-layer-not-hinted",
        "The clash is inside one layer's closure (dev includes prod and pins leaf again): "
        "no layer can stand apart, so no such line is suggested.",
        ("compile",),
        3,
        ("leaf==1.0 (from requirements/prod.in:1)", "leaf==1.1 (from requirements/dev.in:2)"),
        files={
            "requirements/prod.in": "leaf==1.0\n",
            "requirements/dev.in": "-r prod.in\nleaf==1.1\n",
            "requirements/docs.in": "app-dep\n",
            "pyproject.toml": PIP_TOOLS_SETTINGS,
        },
        check=said_nothing_of("independent"),
    ),
    Case(
        "in-layer-settings-for-no-layer",
        "A pip-tools project's pyproject.toml narrows the Pythons of a layer that has no .in "
        "file (a typo): exit 2 naming the table and the layer meant, never ignored.",
        ("compile",),
        2,
        ("pyproject.toml", "[tool.reqlock.layers.doc]", "no such layer", "'docs'"),
        files={
            "requirements/base.in": "leaf\n",
            "requirements/docs.in": "-r base.in\napp-dep\n",
            "pyproject.toml": '[tool.reqlock]\npython = ["3.12"]\nplatforms = ["linux-x86_64"]\n'
            'index-url = "{url}"\n[tool.reqlock.layers.doc]\nrequires-python = ">=3.12"\n',
        },
    ),
]


@pytest.mark.parametrize("world", params(CASES), indirect=True)
def test_layers_catalog(world: World) -> None:  # noqa: F811 - the fixture, by its name
    run_case(world)
