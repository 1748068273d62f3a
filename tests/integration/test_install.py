"""The installed CLI in a fresh venv, as a newcomer gets it (needs PyPI for the
dependencies, so it runs on demand with `pytest -m network`)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.network
@pytest.mark.integration
def test_pip_install_gives_the_reqlock_command(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    isolated = {**os.environ, "PIP_CONFIG_FILE": "/dev/null"}
    system_ca = Path("/etc/ssl/certs/ca-certificates.crt")  # trust what the machine trusts
    if system_ca.is_file():
        isolated["PIP_CERT"] = str(system_ca)
    subprocess.run([python, "-m", "pip", "install", "-q", str(ROOT)], check=True, env=isolated)
    shown = subprocess.run(
        [env_dir / "bin" / "reqlock", "--help"], capture_output=True, text=True, check=True
    )
    listed = shown.stdout.split("Commands:")[1].splitlines()
    assert [line.split()[0] for line in listed if line.strip()] == ["export", "import"]
    module = subprocess.run(
        [python, "-m", "pipx_lockext", "--version"], capture_output=True, text=True, check=True
    )
    assert module.stdout.startswith("reqlock, version ")
    assert sys.version_info >= (3, 10)
