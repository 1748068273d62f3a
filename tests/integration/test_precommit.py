"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real pre-commit (`try-repo`)
in a temporary git repository, on both layouts (pip-tools' top-level requirements.in with
-o, and requirements/*.in). Network: pip installs pre-commit, and pre-commit installs
reqlock from this checkout with its dependencies, from pip's configured index (the locks
themselves are compiled against the fake index on 127.0.0.1)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = """\
[project]
name = "hooked"
version = "0"
requires-python = ">=3.10"
dependencies = []

[tool.reqlock]
python = ["3.12"]
platforms = ["linux-x86_64"]
"""

pytestmark = pytest.mark.network


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit(tmp_path_factory: pytest.TempPathFactory) -> str:
    venv = tmp_path_factory.mktemp("pre-commit-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin/python"), "-m", "pip", "install", "-q", "pre-commit"]
    subprocess.run(pip, check=True, env={**os.environ, "PIP_CONFIG_FILE": os.devnull})
    return str(venv / "bin/pre-commit")


def test_check_hook_passes_on_fresh_locks_and_fails_on_stale_ones(pre_commit, tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    hooks = tmp_path / "hooks"
    commit_copy(hooks)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pyproject.toml").write_text(PYPROJECT)
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "REQLOCK_CACHE_DIR": str(tmp_path / "c")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    git(repo, "init", "-q")
    compile_ = [sys.executable, "-m", "pipx_lockext", "compile"]  # reqlock may not be on PATH
    subprocess.run(compile_, cwd=repo, check=True, env=env)
    git(repo, "add", "-A")

    def hook(hook_id: str) -> subprocess.CompletedProcess[str]:
        args = [pre_commit, "try-repo", str(hooks), hook_id, "--all-files"]
        return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, check=False)

    passed = hook("reqlock-check")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    (repo / "pyproject.toml").write_text(PYPROJECT.replace('"3.12"', '"3.13"'))
    git(repo, "add", "-A")
    failed = hook("reqlock-check")
    assert failed.returncode == 1
    assert "requirements/base.lock.txt: stale" in failed.stdout
    fixed = hook("reqlock-compile")  # re-locks; pre-commit fails a hook that changes files
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert "files were modified by this hook" in fixed.stdout
    git(repo, "add", "-A")
    assert hook("reqlock-check").returncode == 0


LAYOUTS = {
    "pip-tools": (
        {
            "requirements.in": "--index-url {url}\nweb\n",
            "constraints/shared-constraints.txt": "helper<1.5\n",
            "pyproject.toml": '[project]\nname = "hooked"\nversion = "0"\n',
        },
        (
            "requirements.in",
            *("-c", "constraints/shared-constraints.txt", "-o", "locks/requirements.txt"),
            *("--python", "3.12", "--platform", "linux-x86_64"),
        ),
        ("constraints/shared-constraints.txt", "helper<2\n"),
        "locks/requirements.txt: stale",
    ),
    "layered": (
        {
            "requirements/base.in": "--index-url {url}\nweb\n",
            "requirements/dev.in": "-r base.in\n",
            "pyproject.toml": '[tool.reqlock]\npython = ["3.12"]\nplatforms = ["linux-x86_64"]\n',
        },
        (),
        ("requirements/dev.in", "-r base.in\nhelper\n"),
        "requirements/dev.lock.txt: stale",
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_check_hook_on_both_layouts(pre_commit, tmp_path, fake_index, layout):
    """Issue 14 item 7: pip-tools' layout (top-level requirements.in, -o into a custom
    folder, a constraints file elsewhere) and requirements/*.in; the hook runs when any of
    their inputs changes and fails naming the stale file."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    from tests.fakeindex import Release

    url = fake_index([Release("web", "1.0", requires_dist=("helper",)), Release("helper", "1.0")])
    files, args, change, message = LAYOUTS[layout]
    hooks, repo = tmp_path / "hooks", tmp_path / "repo"
    commit_copy(hooks)
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text.format(url=url.url))
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "REQLOCK_CACHE_DIR": str(tmp_path / "c")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    git(repo, "init", "-q")
    reqlock = [sys.executable, "-m", "pipx_lockext", "compile", *args]
    subprocess.run(reqlock, cwd=repo, check=True, env=env)
    git(repo, "add", "-A")

    def check() -> subprocess.CompletedProcess[str]:
        run = [pre_commit, "try-repo", str(hooks), "reqlock-check"]
        return subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, check=False)

    (repo / "requirements.in" if layout == "pip-tools" else repo / "pyproject.toml").touch()
    assert check().returncode == 0  # nothing staged changed: skipped, or fresh
    (repo / change[0]).write_text(change[1])
    git(repo, "add", "-A")
    failed = check()  # only the staged change: the files: pattern must match it
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert message in failed.stdout


def commit_copy(hooks: Path) -> None:
    """try-repo needs the hooks committed: a copy of this checkout, committed."""
    # Never `.git`: in a worktree it is a file naming the checkout's own git directory, and
    # the commit below would then land on the branch being tested.
    ignore = shutil.ignore_patterns(".git", ".venv*", ".tox", "__pycache__", ".*_cache")
    shutil.copytree(ROOT, hooks, ignore=ignore)
    git(hooks, "init", "-q")
    git(hooks, "add", "-A")
    config = ("-c", "user.name=t", "-c", "user.email=t@t")
    git(hooks, *config, "commit", "-qm", "hooks", "--allow-empty")
