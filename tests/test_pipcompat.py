"""pip-compile compatible mode: `reqlock compile SRC… -o OUT` against the fake index."""

from __future__ import annotations

import pytest

from tests.fakeindex import Release

RELEASES = [
    Release("web", "1.0", requires_dist=("helper>=1",)),
    Release("web", "2.0", requires_dist=("helper>=1",)),
    Release("helper", "1.0"),
    Release("helper", "1.5"),
    Release("testing", "8.0", requires_dist=('helper; extra == "x"',)),
]


@pytest.fixture
def workdir(make_project, fake_index):
    index = fake_index(RELEASES)
    return make_project(
        {
            "requirements.in": f"--index-url {index.url}\nweb\n",
            "dev.in": "-r requirements.in\ntesting[x]\n",
            "constraints.txt": "helper<1.5\n",
            "pyproject.toml": f"""
                [project]
                name = "demo"
                version = "0"
                dependencies = ["web"]
                [project.optional-dependencies]
                test = ["testing"]
                [tool.reqlock]
                index-url = "{index.url}"
            """,
        }
    )


def lines(path):
    return [
        line.removesuffix(" \\")
        for line in path.read_text().splitlines()
        if line and not line.startswith(("#", " ", "-"))
    ]


def test_an_in_file_compiles_to_the_file_beside_it(workdir, reqlock, monkeypatch):
    monkeypatch.chdir(workdir)
    result = reqlock("compile", "requirements.in")
    assert result.code == 0, result.err
    assert lines(workdir / "requirements.txt") == ["helper==1.5", "web==2.0"]
    text = (workdir / "requirements.txt").read_text()
    assert "# To update it, run: reqlock compile requirements.in -o requirements.txt" in text
    assert text.count("--hash=sha256:") == 4  # a wheel and an sdist each


def test_layered_sources_constraints_and_bare_output(workdir, reqlock):
    result = reqlock(
        "compile", "--project", workdir, "dev.in", "-c", "constraints.txt", "-o", "out.txt",
        "--no-header", "--no-annotate",
    )  # fmt: skip
    assert result.code == 0, result.err
    text = (workdir / "out.txt").read_text()
    assert lines(workdir / "out.txt") == [
        "helper==1.0",
        "testing==8.0",
        "testing[x]==8.0",
        "web==2.0",
    ]
    assert not text.startswith("# This file")
    assert "# via" not in text


def test_pyproject_with_extras_and_sticky_output(workdir, reqlock):
    args = ("compile", "--project", workdir, "pyproject.toml", "--extra", "test", "-o", "r.txt")
    assert reqlock(*args, "-P", "web==1.0").code == 0
    assert lines(workdir / "r.txt") == ["helper==1.5", "testing==8.0", "web==1.0"]
    assert reqlock(*args).code == 0  # existing pins kept
    assert lines(workdir / "r.txt")[2] == "web==1.0"
    assert reqlock(*args, "-U").code == 0
    assert lines(workdir / "r.txt")[2] == "web==2.0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("dev", "requirements.in"), "pip-compile mode takes SRC files only"),
        (("--extra", "test"), "need SRC files"),
        (("requirements.in", "--extra", "test"), "apply to a pyproject.toml source"),
        (("pyproject.toml", "--extra", "tset", "-o", "x.txt"), "no such optional dependency"),
        (("missing.in",), "missing.in: no such file"),
    ],
)
def test_bad_pip_compile_usage_is_exit_2(workdir, reqlock, args, message):
    result = reqlock("compile", "--project", workdir, *args)
    assert result.code == 2
    assert message in result.err


def test_a_layer_of_a_layered_project_is_not_silently_pip_compiled(make_project, reqlock):
    """Issue 14 item 8: `reqlock compile requirements/dev.in` wrote requirements/dev.txt
    for one Python with other pins; it now says how to compile layer dev."""
    root = make_project({"requirements/base.in": "web\n", "requirements/dev.in": "-r base.in\n"})
    result = reqlock("compile", "--project", root, "requirements/dev.in")
    assert result.code == 2
    assert "requirements/dev.in is layer dev of the project" in result.err
    assert "`reqlock compile dev`" in result.err
    assert not (root / "requirements/dev.txt").exists()


def test_a_source_a_lock_cannot_hold_is_refused_naming_its_line(workdir, reqlock):
    (workdir / "vcs.in").write_text("web\ndemo-vcs @ git+https://example.com/x.git\n")
    result = reqlock("compile", "--project", workdir, "vcs.in", "-o", "vcs.txt")
    assert result.code == 2, result.err
    assert "vcs.in:2: a VCS requirement cannot be hash-locked" in result.err
    assert not (workdir / "vcs.txt").exists()
