"""The one writer of lock text: every value is checked before it becomes a line, so that a
lock `check` would refuse is never written (trust-boundary item 5)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from packaging.utils import NormalizedName
from packaging.version import Version

from pipx_lockext.core.errors import IntegrityError
from pipx_lockext.core.lockfiles.lockfile import LockFile, Pin, PinFile, render
from pipx_lockext.core.lockfiles.lockparse import parse_lock

H = "a" * 64
FILE = PinFile("lib-1.0.tar.gz", "https://files.example/lib-1.0.tar.gz", H, 1234)
PIN = Pin(NormalizedName("lib"), Version("1.0"), None, (FILE,), ("group dev",))
LOCK = LockFile("dev", "dev = base + group dev", "pyproject.toml",
                "python 3.12 on linux-x86_64", "0" * 64, (PIN,))  # fmt: skip
INJECTED = "\n--trusted-host evil.example\nevilpkg==6.6.6"


def test_a_good_lock_renders_and_reads_back_without_problems():
    text = render(replace(LOCK, options=("--extra-index-url https://corp.example/simple/",)))
    assert parse_lock(text).problems == ()
    assert "lib==1.0 \\\n    --hash=sha256:" + H in text


@pytest.mark.parametrize(
    ("change", "what"),
    [
        ({"files": (replace(FILE, sha256=H + INJECTED),)}, "not a sha256"),
        ({"files": (replace(FILE, sha256="A" * 64),)}, "not a sha256"),
        ({"files": (replace(FILE, url="https://x/\n--pre"),)}, "file 'lib-1.0.tar.gz'"),
        ({"name": NormalizedName("evil\n--trusted-host x")}, "not a normalized project name"),
        ({"extras": (("x]\n--pre",),)}, "not a normalized project name"),
        ({"marker": 'python_version < "3"' + INJECTED}, "not a marker"),
        ({"marker": "python_version <"}, "not a marker"),
        ({"url": "file:///etc/passwd"}, "not an http(s) URL"),
        ({"url": "https://x/lib-1.0.tar.gz\n--pre"}, "not an http(s) URL"),
        ({"via": ("-r requirements/x\n.in",)}, "via"),
        ({"via": ("\x1b]0;OWNED\x07",)}, "via"),
    ],
)
def test_a_value_that_would_not_read_back_is_refused(change, what):
    bad = replace(LOCK, pins=(replace(PIN, **change),))
    with pytest.raises(
        IntegrityError, match=f"refusing to write the lock of 'dev': .*{re.escape(what)}"
    ):
        render(bad)


@pytest.mark.parametrize(
    "change",
    [
        {"options": ("--trusted-host evil.example",)},
        {"options": ("--index-url https://x/simple/\n--trusted-host evil",)},
        {"description": "dev\n--trusted-host evil"},
        {"environments": "python 3.12\rerror: fake"},
    ],
)
def test_header_and_option_lines_are_checked_too(change):
    with pytest.raises(IntegrityError, match="refusing to write"):
        render(replace(LOCK, **change))


def test_two_pins_on_one_environment_are_refused_by_reading_back():
    twice = replace(LOCK, pins=(PIN, replace(PIN, version=Version("2.0"))))
    with pytest.raises(IntegrityError, match="lib is pinned twice"):
        render(twice)
