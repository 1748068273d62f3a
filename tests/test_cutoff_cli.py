"""`reqlock compile --uploaded-prior-to` / `--exclude-newer` and `[tool.reqlock]
uploaded-prior-to` from the command line, against the fake index (which serves PEP 700
upload times in its JSON pages): the cutoff recorded in the lock header and kept, `none`
dropping it, `check` naming a changed cutoff, relative cut-offs, and indexes that cannot
say when a file was uploaded. Which releases a cutoff leaves out, case by case, lives in
tests/scenarios/upload-cutoff."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.fakeindex import Release

OLD, NEW = "2024-01-10T08:00:00Z", "2024-06-01T08:00:00Z"
RELEASES = [
    Release("lib", "1.0", upload_time=OLD, wheels=("py3-none-any", "cp312-cp312-win_amd64"),
            upload_times=(f"cp312-cp312-win_amd64={NEW}",)),
    Release("lib", "2.0", upload_time=NEW),
]  # fmt: skip
PYPROJECT = """
[project]
name = "demo"
version = "0"
dependencies = ["lib"]

[tool.reqlock]
python = ["3.12"]
platforms = ["linux-x86_64"]
index-url = "{url}"
{more}"""
HEADER = "# uploaded-prior-to: "


@pytest.fixture
def project(make_project, fake_index):
    def make(releases=RELEASES, more="", **options):
        index = fake_index(releases, **options)
        return make_project({"pyproject.toml": PYPROJECT.format(url=index.url, more=more)})

    return make


def lock(root: Path) -> str:
    return (root / "requirements/base.lock.txt").read_text()


def pins(root: Path) -> list[str]:
    return [ln.removesuffix(" \\") for ln in lock(root).splitlines() if ln.startswith("lib")]


def test_the_cutoff_is_recorded_and_kept_until_none_drops_it(project, reqlock):
    root = project()
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", "2024-03-01")
    assert result.code == 0, result.err
    assert pins(root) == ["lib==1.0"]
    assert f"{HEADER}2024-03-01T00:00:00Z\n" in lock(root)
    assert lock(root).count("--hash=sha256:") == 2  # not the windows wheel uploaded later
    assert reqlock("check", "--project", root).code == 0
    # A plain compile keeps it (nothing to do), and so does an upgrade of everything.
    assert "up to date" in reqlock("compile", "--project", root).err
    assert reqlock("compile", "--project", root, "-U").code == 0
    assert pins(root) == ["lib==1.0"]
    assert f"{HEADER}2024-03-01T00:00:00Z\n" in lock(root)
    # none drops it: the header line goes, the kept pin stays until an upgrade.
    assert reqlock("compile", "--project", root, "--exclude-newer", "none").code == 0
    assert HEADER not in lock(root)
    assert lock(root).count("--hash=sha256:") == 3
    assert reqlock("check", "--project", root).code == 0
    assert reqlock("compile", "--project", root, "-U").code == 0
    assert pins(root) == ["lib==2.0"]


def test_adding_a_cutoff_drops_later_files_of_a_kept_pin_without_calling_it_tampering(
    project, reqlock
):
    root = project()
    assert reqlock("compile", "--project", root, "-P", "lib==1.0").code == 0
    assert lock(root).count("--hash=sha256:") == 3
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", "2024-03-01")
    assert result.code == 0, result.err
    assert pins(root) == ["lib==1.0"]
    assert lock(root).count("--hash=sha256:") == 2


def test_a_kept_pin_newer_than_the_cutoff_is_resolved_again(project, reqlock):
    root = project()
    assert reqlock("compile", "--project", root).code == 0
    assert pins(root) == ["lib==2.0"]
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", "2024-03-01")
    assert result.code == 0, result.err
    assert pins(root) == ["lib==1.0"]
    assert "lib 2.0 -> 1.0" in result.err


def test_check_names_a_changed_cutoff(project, reqlock):
    root = project(more='uploaded-prior-to = "2024-03-01"\n')
    assert reqlock("compile", "--project", root).code == 0
    assert f"{HEADER}2024-03-01T00:00:00Z\n" in lock(root)
    assert reqlock("check", "--project", root).code == 0
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("2024-03-01", "2024-07-01T00:00Z"))
    result = reqlock("check", "--project", root)
    assert result.code == 1
    assert (
        "requirements/base.lock.txt: stale: the upload cutoff changed (locked with "
        "uploaded-prior-to 2024-03-01T00:00:00Z, the project now asks for "
        "2024-07-01T00:00:00Z); run reqlock compile"
    ) in result.err
    assert reqlock("compile", "--project", root, "-U").code == 0
    assert pins(root) == ["lib==2.0"]


def test_a_setting_the_command_line_overrides_makes_the_lock_stale(project, reqlock):
    """The project's setting is an input: `none` on the command line writes a lock without
    it, which check then calls stale (the setting, not the flag, is what CI holds)."""
    root = project(more='uploaded-prior-to = "2024-03-01"\n')
    assert reqlock("compile", "--project", root, "--uploaded-prior-to", "none").code == 0
    assert HEADER not in lock(root)
    result = reqlock("check", "--project", root)
    assert result.code == 1
    assert "locked with uploaded-prior-to none" in result.err


def test_a_relative_cutoff_is_recorded_as_the_duration_and_stays_fresh(project, reqlock):
    now = datetime.now(timezone.utc)
    stamp = lambda days: (now - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731 - two uses
    releases = [
        Release("lib", "1.0", upload_time=stamp(30)),
        Release("lib", "1.1", upload_time=stamp(2)),  # inside the cool-down
    ]
    root = project(releases)
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", "p7d")
    assert result.code == 0, result.err
    assert pins(root) == ["lib==1.0"]
    assert f"{HEADER}P7D\n" in lock(root)
    assert reqlock("check", "--project", root).code == 0
    assert reqlock("compile", "--project", root, "-U").code == 0
    assert pins(root) == ["lib==1.0"]
    assert reqlock("compile", "--project", root, "-U", "--uploaded-prior-to", "PT1H").code == 0
    assert pins(root) == ["lib==1.1"]


def test_an_html_only_index_with_a_cutoff_is_an_index_error_naming_it(project, reqlock):
    root = project(formats=("html",))
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", "2024-03-01")
    assert result.code == 4
    assert "/simple/: gives no upload-time for lib-1.0" in result.err
    assert "PEP 700" in result.err
    assert not (root / "requirements/base.lock.txt").exists()
    assert reqlock("compile", "--project", root).code == 0  # without one, all is well


def test_a_file_without_upload_time_on_a_json_index_is_named(project, reqlock):
    root = project([Release("lib", "1.0", upload_time=OLD), Release("lib", "2.0")])
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", "2024-03-01")
    assert result.code == 4
    assert "gives no upload-time for lib-2.0" in result.err


def test_find_links_files_are_not_filtered(project, reqlock, fake_index):
    """Find-links carry no upload times: the cutoff applies to indexes only."""
    links = fake_index([Release("local-tool", "5.0")])
    more = f'find-links = ["{links.files_dir.as_posix()}"]\n'
    root = project(more=more)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('["lib"]', '["lib", "local-tool"]'))
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", "2024-03-01")
    assert result.code == 0, result.err
    assert "local-tool==5.0" in lock(root)


@pytest.mark.parametrize(
    ("value", "said"),
    [("2024-13-01", "not a real date"), ("P1M", "no fixed length"), ("soon", "P7D")],
)
def test_a_bad_cutoff_is_bad_usage(project, reqlock, value, said):
    root = project()
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", value)
    assert result.code == 2
    assert said in result.err
    assert "--uploaded-prior-to" in result.err


def test_a_bad_setting_names_its_key(project, reqlock):
    root = project(more='uploaded-prior-to = "2024-03-01T00:00"\n')
    result = reqlock("compile", "--project", root)
    assert result.code == 2
    assert "[tool.reqlock].uploaded-prior-to: '2024-03-01T00:00' has no time zone" in result.err


def test_pip_compile_mode_refuses_it_for_now(make_project, reqlock):
    root = make_project({"requirements.in": "lib\n"})
    result = reqlock(
        "compile", root / "requirements.in", "-o", root / "out.txt", "--exclude-newer", "P7D"
    )
    assert result.code == 2
    assert "not supported in pip-compile mode" in result.err


def test_help_describes_it(reqlock):
    out = reqlock("compile", "--help").out
    assert "--uploaded-prior-to, --exclude-newer DATE|DURATION|none" in out


def test_a_malformed_upload_time_is_named_with_the_index(project, reqlock, fake_index):
    root = project([Release("lib", "1.0", upload_time="2024-01-10 08:00:00")])
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", "2024-03-01")
    assert result.code == 4
    assert "the upload-time it gives for lib-1.0" in result.err
    assert "not an RFC 3339 UTC time as PEP 700 asks: '2024-01-10 08:00:00'" in result.err


def test_direct_url_requirements_are_not_filtered(project, reqlock, fake_index):
    """A URL the project names is the file it asked for, whenever it was uploaded."""
    late = fake_index([Release("direct", "1.0", upload_time=NEW, sdist=False)])
    root = project()
    pyproject = root / "pyproject.toml"
    url = f"{late.root}/files/direct-1.0-py3-none-any.whl"
    pyproject.write_text(pyproject.read_text().replace('["lib"]', f'["lib", "direct @ {url}"]'))
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", "2024-03-01")
    assert result.code == 0, result.err
    assert f"direct @ {url}" in lock(root)


@pytest.mark.network
def test_a_real_lock_as_of_a_past_date(make_project, reqlock, monkeypatch, tmp_path):
    """requests as of 2023-01-01 on PyPI: 2.28.1 (2.28.2 came on 2023-01-12), with the
    dependencies of that day."""
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")  # this machine's extra indexes
    text = PYPROJECT.format(url="https://pypi.org/simple/", more="")
    root = make_project({"pyproject.toml": text.replace('"lib"', '"requests"')})
    args = ("--uploaded-prior-to", "2023-01-01", "--cache-dir", tmp_path / "cache")
    result = reqlock("compile", "--project", root, *args)
    assert result.code == 0, result.err
    assert [ln.split(" ")[0] for ln in lock(root).splitlines() if "==" in ln] == [
        "certifi==2022.12.7",
        "charset-normalizer==2.1.1",
        "idna==3.4",
        "requests==2.28.1",
        "urllib3==1.26.13",
    ]


def test_build_requirements_are_resolved_under_the_cutoff_too(project, reqlock):
    """An sdist-only pin's build requirements come from the same indexes under the same
    cutoff: buildhelper 2.0, uploaded later, is not in the build lock."""
    releases = [
        *RELEASES,
        Release("built", "1.0", wheels=(), build_requires=("buildhelper>=1",), upload_time=OLD),
        Release("buildhelper", "1.0", sdist=False, upload_time=OLD),
        Release("buildhelper", "2.0", sdist=False, upload_time=NEW),
    ]
    root = project(releases)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('["lib"]', '["lib", "built"]'))
    result = reqlock("compile", "--project", root, "--uploaded-prior-to", "2024-03-01")
    assert result.code == 0, result.err
    build = (root / "requirements/base.build.lock.txt").read_text()
    assert f"{HEADER}2024-03-01T00:00:00Z\n" in build
    assert "buildhelper==1.0 \\\n" in build
    assert reqlock("check", "--project", root).code == 0
