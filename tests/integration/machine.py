"""The machine as the integration tests see it: its interpreters, and processes run
without any of its pip configuration. Shared by the integration modules."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

MARKER_ENVIRONMENT = """
import json, os, platform, sys
def fmt(info):
    version = "{0.major}.{0.minor}.{0.micro}".format(info)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version
print(json.dumps({
    "implementation_name": sys.implementation.name,
    "implementation_version": fmt(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}))
"""


def pyenv_versions() -> Path:
    return Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"


def find_python(version: str) -> Path | None:
    """A CPython X.Y from pyenv's versions, else `pythonX.Y` on PATH (shims that fail
    for a version pyenv lacks are not counted)."""
    for home in sorted(pyenv_versions().glob(f"{version}*"), reverse=True):
        rest = home.name[len(version) :]  # "3.1*" also matches 3.10
        if (rest == "" or not rest[0].isdigit()) and (home / "bin" / "python").is_file():
            return home / "bin" / "python"
    on_path = shutil.which(f"python{version}")
    if on_path is not None and run(on_path, "-c", "").returncode == 0:
        return Path(on_path)
    return None


def where_looked(version: str) -> str:
    return f"looked for {pyenv_versions()}/{version}*/bin/python and python{version} on PATH"


def clean_env() -> dict[str, str]:
    """The environment of the tests' own pip runs: nothing of this machine's pip setup."""
    drop = ("PIP_", "PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1")
    env.update(NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    return env


def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], env=clean_env(), capture_output=True, text=True, check=False
    )


@contextlib.contextmanager
def isolated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The autouse isolation fixture is function-scoped; this is its module-scoped twin."""
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith("PIP_")]:
            patch.delenv(key)
        patch.setenv("PIP_CONFIG_FILE", os.devnull)
        patch.setenv("NETRC", os.devnull)
        patch.setenv("REQLOCK_CACHE_DIR", str(tmp_path_factory.mktemp("reqlock-cache")))
        yield
