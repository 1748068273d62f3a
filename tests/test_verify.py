"""`reqlock verify`: well-formed locks (exit 1 otherwise), hashes still backed by the index
(exit 5 otherwise), installed files still matching their RECORD (exit 5 otherwise)."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tests.conftest import seal
from tests.test_compile import PYPROJECT, RELEASES


@pytest.fixture
def compiled(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})
    assert reqlock("compile", "--project", root).code == 0
    return root, index


def test_fresh_locks_verify_against_the_index(compiled, reqlock):
    root, _ = compiled
    result = reqlock("verify", "--project", root, "--against-index")
    assert result.code == 0, result.err
    assert "2 locks well formed" in result.err
    assert "hashes match the index" in result.err


def test_a_hash_the_index_does_not_back_is_exit_5(compiled, reqlock):
    root, _ = compiled
    lock = root / "requirements/base.lock.txt"
    text = lock.read_text()
    digest = text.split("leaf==1.1 \\\n    --hash=sha256:")[1][:64]
    lock.write_text(seal(text.replace(digest, "f" * 64)))  # forged and sealed again
    assert reqlock("verify", "--project", root).code == 0  # well formed still
    result = reqlock("verify", "--project", root, "--against-index")
    assert result.code == 5
    assert f"requirements/base.lock.txt:12: leaf==1.1 --hash=sha256:{'f' * 64}" in result.err


def test_a_malformed_lock_is_exit_1(compiled, reqlock):
    root, _ = compiled
    lock = root / "requirements/dev.lock.txt"
    lock.write_text(lock.read_text() + "--trusted-host example.com\n-e git+https://x/y.git\n")
    result = reqlock("verify", "--project", root)
    assert result.code == 1
    assert "option reqlock never writes: '--trusted-host example.com'" in result.err


def record_line(path, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{path},sha256={digest},{len(data)}"


def test_installed_files_are_checked_against_their_record(compiled, reqlock):
    root, _ = compiled
    site = root / ".venvs/3.12/lib/python3.12/site-packages"
    (root / ".venvs/3.12/pyvenv.cfg").parent.mkdir(parents=True)
    (root / ".venvs/3.12/pyvenv.cfg").write_text("home = /usr/bin\n")
    (site / "leaf").mkdir(parents=True)
    (site / "leaf/__init__.py").write_bytes(b"VALUE = 1\n")
    (site / "leaf-1.1.dist-info").mkdir()
    lines = [record_line("leaf/__init__.py", b"VALUE = 1\n"), "leaf-1.1.dist-info/RECORD,,"]
    (site / "leaf-1.1.dist-info/RECORD").write_text("\n".join(lines) + "\n")
    result = reqlock("verify", "--project", root, "--installed")
    assert result.code == 0, result.err
    assert "1 installed files match their RECORD in .venvs/3.12" in result.err
    (site / "leaf/__init__.py").write_bytes(b"VALUE = 2\n")
    result = reqlock("verify", "--project", root, "--installed")
    assert result.code == 5
    assert "leaf: " in result.err
    assert "leaf/__init__.py does not match its RECORD hash" in result.err


def test_nothing_to_verify_says_what_to_run(make_project, reqlock):
    root = make_project({"pyproject.toml": "[project]\nname='x'\nversion='0'\n"})
    result = reqlock("verify", "--project", root)
    assert result.code == 1
    assert "no lock file to verify; run reqlock compile" in result.err
