"""Freshness stamps and the launcher's shortcut: an unchanged project is answered without
parsing anything; any edit, new file or other argument goes the full way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipx_lockext.cli.launcher import from_stamp, plain_form
from pipx_lockext.edges.project import stamp


def shortcut(args: list[str]) -> str | None:
    """What the launcher answers from the stamp alone ("" when quiet), else None."""
    plain = plain_form(args)
    return None if plain is None else from_stamp(*plain)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(stamp, "RACY_NS", 0)  # files written just now count as settled
    root = tmp_path / "p"
    (root / "requirements").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'p'\n")
    (root / "requirements" / "base.lock.txt").write_text("# lock\n")
    return root


def test_a_recorded_project_is_fresh_until_a_file_changes(project):
    stamp.record(str(project), "requirements", ["base", "dev"], [])
    assert stamp.fresh_layers(str(project)) == ["base", "dev"]
    assert shortcut(["check", "--project", str(project)]) == "locks are fresh: base, dev"
    assert shortcut(["compile", "-q", f"--project={project}"]) == ""
    (project / "requirements" / "base.lock.txt").write_text("# lokk\n")  # same size
    assert stamp.fresh_layers(str(project)) is None


@pytest.mark.parametrize(
    "change",
    [
        lambda root: (root / "requirements" / "dev.in").write_text("x\n"),
        lambda root: (root / "requirements" / "base.lock.txt").unlink(),
        lambda root: (root / "pyproject.toml").write_text("[project]\nname = 'q'\n"),
        lambda root: (root / "constraints.txt").write_text("x==1\n"),
    ],
    ids=["new file", "removed lock", "pyproject edited", "referenced file edited"],
)
def test_every_kind_of_change_invalidates_the_stamp(project, change):
    (project / "constraints.txt").write_text("x==2\n")
    stamp.record(str(project), "requirements", ["base"], [str(project / "constraints.txt")])
    assert stamp.fresh_layers(str(project)) == ["base"]
    change(project)
    assert stamp.fresh_layers(str(project)) is None


def test_files_changed_within_the_racy_window_are_not_stamped(project, monkeypatch):
    monkeypatch.setattr(stamp, "RACY_NS", 60 * 10**9)
    stamp.record(str(project), "requirements", ["base"], [])
    assert stamp.fresh_layers(str(project)) is None


def test_a_stamp_of_another_version_or_garbage_is_ignored(project):
    stamp.record(str(project), "requirements", ["base"], [])
    path = Path(stamp._stamp_path(str(project)))
    path.write_text(path.read_text().replace("reqlock-stamp\t", "reqlock-stamp\t0.0.0-"))
    assert stamp.fresh_layers(str(project)) is None
    path.write_bytes(b"\xff\xfe garbage")
    assert stamp.fresh_layers(str(project)) is None


@pytest.mark.parametrize(
    "args",
    [[], ["sync"], ["check", "--python", "3.12"], ["compile", "-U"], ["compile", "dev"]],
)
def test_only_the_plain_forms_take_the_shortcut(project, args, monkeypatch):
    stamp.record(str(project), "requirements", ["base"], [])
    monkeypatch.chdir(project)
    assert shortcut(args) is None


def test_the_shortcut_loads_neither_click_nor_packaging(project):
    stamp.record(str(project), "requirements", ["base"], [])
    out = launch("check", "--project", str(project))
    assert out.stdout.strip() == "0 []"
    assert out.stderr == "locks are fresh: base\n"


def test_a_check_without_stamp_runs_without_click(project, tmp_path):
    out = launch("check", "--project", str(project), cache=tmp_path / "empty-cache")
    assert out.stdout.strip() == "1 ['packaging']"
    assert "requirements/base.lock.txt: no '# input-digest: sha256:…' header line" in out.stderr


def test_an_unchanged_compile_without_stamp_answers_without_click(make_project, reqlock, tmp_path):
    root = make_project(
        {"pyproject.toml": "[project]\nname = 'p'\nversion = '0'\ndependencies = []\n"}
    )
    assert reqlock("compile", "--project", root).code == 0  # no dependency: no index needed
    out = launch("compile", "--project", str(root), cache=tmp_path / "empty-cache")
    assert out.stdout.strip() == "0 ['packaging']"
    assert out.stderr == "locks are up to date (inputs unchanged; nothing fetched)\n"


def launch(*args: str, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`reqlock ARGS` through the launcher in a new process; stdout says its exit code and
    which heavy modules it loaded."""
    code = (
        "import sys; from pipx_lockext.cli.launcher import main\n"
        "try: main()\n"
        "except SystemExit as e:\n"
        "    print(e.code, sorted({'click', 'packaging', 'resolvelib'} & set(sys.modules)))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    if cache is not None:
        env["REQLOCK_CACHE_DIR"] = str(cache)
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, env=env
    )
