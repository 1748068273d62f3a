"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real pre-commit (`try-repo`)
in a temporary git repository. Network: pre-commit installs reqlock and its
dependencies from PyPI into its own environment."""

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
    hooks = tmp_path / "hooks"  # try-repo needs the hooks committed: a copy of this checkout
    shutil.copytree(
        ROOT, hooks, ignore=shutil.ignore_patterns(".venv*", ".tox", "__pycache__", ".*_cache")
    )
    if not (hooks / ".git").exists():
        git(hooks, "init", "-q")
    git(hooks, "add", "-A")
    git(
        hooks,
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "hooks",
        "--allow-empty",
    )
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pyproject.toml").write_text(PYPROJECT)
    env = {**os.environ, "PIP_CONFIG_FILE": os.devnull, "REQLOCK_CACHE_DIR": str(tmp_path / "c")}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    git(repo, "init", "-q")
    subprocess.run(["reqlock", "compile"], cwd=repo, check=True, env=env)
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
