"""pip's and pip-compile's --no-binary (issue 13 item 12): from the command line, from
`[tool.reqlock] no-binary` and from an .in file; the lock carries `--no-binary NAME` so
that plain pip builds what the resolution took from an sdist, and `check` accepts it.
Also --only-binary's comma-separated form, as pip reads it."""

from __future__ import annotations

import pytest

from pipx_lockext.core.inputs.settings import binary_names
from pipx_lockext.core.resolution.candidates import file_formats
from tests.fakeindex import Release

RELEASES = (
    Release("lib", "2.0", sdist=False),
    Release("lib", "1.0"),
    Release("other", "2.0", sdist=False),
)


@pytest.mark.parametrize(
    ("values", "names"),
    [
        (["a,B_c"], ("a", "b-c")),
        ([":all:"], (":all:",)),
        (["x", ":none:", "y"], ("y",)),
        (["x,x", "X"], ("x",)),
    ],
)
def test_values_read_as_pip_reads_them(values, names):
    assert binary_names(values) == names


@pytest.mark.parametrize(
    ("only", "no", "formats"),
    [
        ((), (), "any"),
        ((":all:",), (), "binary"),
        ((), (":all:",), "source"),
        (("lib",), (":all:",), "binary"),  # naming the project beats :all:
        ((":all:",), ("lib",), "source"),
        (("lib",), ("lib",), "source"),
    ],
)
def test_a_setting_naming_the_project_beats_one_for_all(only, no, formats):
    assert file_formats("lib", only, no) == formats


def test_an_in_file_no_binary_line_is_locked_and_checked(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    root = make_project(
        {
            "requirements/base.in": f"--index-url {index.url}\n--no-binary lib\n"
            "--only-binary other,Unused_Name\nlib\nother\n",
            "pyproject.toml": '[tool.reqlock]\npython = ["3.12"]\nplatforms = ["linux-x86_64"]\n',
        }
    )
    done = reqlock("compile", "--project", root)
    assert done.code == 0, done.err
    text = (root / "requirements" / "base.lock.txt").read_text()
    assert "\n--no-binary lib\n" in text
    assert "lib==1.0 \\" in text
    assert "other==2.0 \\" in text
    assert reqlock("check", "--project", root).code == 0


def test_a_hand_added_no_binary_line_is_refused_by_check(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    root = make_project(
        {
            "pyproject.toml": '[project]\nname = "app"\nversion = "0"\ndependencies = ["lib"]\n'
            f'[tool.reqlock]\npython = ["3.12"]\nplatforms = ["linux-x86_64"]\n'
            f'index-url = "{index.url}"\n',
        }
    )
    assert reqlock("compile", "--project", root).code == 0
    lock = root / "requirements" / "base.lock.txt"
    lines = lock.read_text().splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith("--index-url"))
    lock.write_text("".join([*lines[: at + 1], "--no-binary other\n", *lines[at + 1 :]]))
    done = reqlock("check", "--project", root)
    assert done.code == 1
    assert "--no-binary other" in done.out + done.err


def test_pip_compile_mode_takes_no_binary(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    root = make_project({"requirements.in": "lib\nother\n"})
    done = reqlock(
        "compile", "--project", root, "requirements.in", "-o", "requirements.txt",
        "--index-url", index.url, "--no-binary", "lib", "--python", "3.12",
        "--platform", "linux-x86_64",
    )  # fmt: skip
    assert done.code == 0, done.err
    text = (root / "requirements.txt").read_text()
    assert "lib==1.0 \\" in text
    assert "--no-binary lib" in text
    assert reqlock("check", "--project", root, "requirements.txt").code == 0
