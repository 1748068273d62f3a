"""The pre-commit hooks of .pre-commit-hooks.yaml, run by the real pre-commit in a
temporary git repository, on a pyproject.toml project and on both pip-tools layouts
(top-level requirements.in with -o, and requirements/*.in); issue 14 items 7 and "done
when".

Hermetic: pre-commit is a test dependency, and the hooks are run as `repo: local` hooks
made from .pre-commit-hooks.yaml as it stands (its entry, files pattern and
pass_filenames), with `language: system` so that pre-commit runs the reqlock of this venv
instead of installing one; the locks are compiled against the fake index on 127.0.0.1.
One `network` case runs the hooks as users do (`pre-commit try-repo`, `language: python`:
pre-commit installs reqlock from this checkout with its dependencies from PyPI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.fakeindex import FakeIndex, Release

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PRE_COMMIT = BIN / "pre-commit"
RELEASES = (Release("web", "1.0", requires_dist=("helper",)), Release("helper", "1.0"))

PYPROJECT = """\
[project]
name = "hooked"
version = "0"
requires-python = ">=3.10"
dependencies = ["web"]

[tool.reqlock]
python = ["3.12"]
platforms = ["linux-x86_64"]
index-url = "{url}"
"""

LAYOUTS = {
    "pyproject": (
        {"pyproject.toml": PYPROJECT},
        (),
        ("pyproject.toml", PYPROJECT.replace('"3.12"', '"3.13"')),
        "requirements/base.lock.txt: stale",
    ),
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
    # Locks in a folder no pattern could guess (`output-dir`), edited by hand.
    "output-dir": (
        {"pyproject.toml": PYPROJECT + 'output-dir = "pinned"\n'},
        (),
        ("pinned/base.lock.txt", "web==1.0\n"),
        "pinned/base.lock.txt",
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


def git(repo: Path, *args: str) -> None:
    config = ("-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false")
    subprocess.run(["git", *config, *args], cwd=repo, check=True, capture_output=True)


def environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, REQLOCK_CACHE_DIR=str(tmp_path / "cache"))
    env.update(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), NO_PROXY="127.0.0.1")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def local_config() -> str:
    """.pre-commit-hooks.yaml's hooks as `repo: local` hooks run from this venv."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    local = [{**hook, "language": "system"} for hook in hooks]
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": local}]})


def make_repo(tmp_path: Path, layout: str, url: str) -> tuple[Path, dict[str, str]]:
    files, args, _, _ = LAYOUTS[layout]
    repo, env = tmp_path / "repo", environment(tmp_path)
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text.format(url=url))
    git(repo, "init", "-q")
    compile_ = [sys.executable, "-m", "pipx_lockext", "compile", *args]
    done = subprocess.run(compile_, cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return repo, env


@pytest.fixture
def served(fake_index: Callable[..., FakeIndex]) -> str:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not PRE_COMMIT.exists():
        pytest.skip(f"pre-commit is not installed in this venv ({PRE_COMMIT})")
    return fake_index(RELEASES).url


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_check_hook_runs_on_staged_inputs_and_names_the_stale_lock(
    served: str, tmp_path: Path, layout: str
) -> None:
    """The hook is skipped or passes while nothing it watches is staged, fails naming the
    stale lock once an input (pyproject.toml, an .in file, a constraints file elsewhere)
    is staged, and passes again after `reqlock-compile` re-locks."""
    repo, env = make_repo(tmp_path, layout, served)
    (repo / ".pre-commit-config.yaml").write_text(local_config())
    git(repo, "add", "-A")

    def hook(hook_id: str) -> subprocess.CompletedProcess[str]:
        run = [str(PRE_COMMIT), "run", hook_id]
        return subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, check=False)

    passed = hook("reqlock-check")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    _, _, (name, text), message = LAYOUTS[layout]
    (repo / name).write_text(text.format(url=served))
    git(repo, "add", "-A")
    failed = hook("reqlock-check")  # only the staged change: the files: pattern must match it
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert message in failed.stdout
    if layout == "pyproject":  # the compile hook needs no arguments only in this layout
        fixed = hook("reqlock-compile")  # pre-commit fails a hook that changes files
        assert fixed.returncode == 1, fixed.stdout + fixed.stderr
        assert "files were modified by this hook" in fixed.stdout
        git(repo, "add", "-A")
        again = hook("reqlock-check")
        assert again.returncode == 0, again.stdout + again.stderr


@pytest.mark.network
def test_hooks_install_and_run_as_users_get_them(served: str, tmp_path: Path) -> None:
    """`pre-commit try-repo` installs reqlock from a commit of this checkout
    (`language: python`, its dependencies from PyPI) and runs the check hook."""
    repo, env = make_repo(tmp_path, "pyproject", served)
    hooks = tmp_path / "hooks"
    # Never `.git`: in a worktree it is a file naming the checkout's own git directory, and
    # the commit below would then land on the branch being tested.
    ignore = shutil.ignore_patterns(".git", ".venv*", ".tox", "__pycache__", ".*_cache")
    shutil.copytree(ROOT, hooks, ignore=ignore)
    git(hooks, "init", "-q")
    git(hooks, "add", "-A")
    git(hooks, "commit", "-qm", "hooks", "--allow-empty")
    git(repo, "add", "-A")
    run = [str(PRE_COMMIT), "try-repo", str(hooks), "reqlock-check", "--all-files"]
    done = subprocess.run(run, cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
