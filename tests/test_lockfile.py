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
        ({"extras": (("x]\n--pre",),)}, "not an extra"),
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


# --- extras: the plain line, then one line per set of extras asked (issue 13 item 4) ------------

EXTRAS = replace(PIN, extras=(("socks",), ("brotli", "socks")), marker='python_version < "3.13"')


def test_a_pin_with_extras_is_written_plain_then_once_per_set_with_the_same_hashes():
    """pip 22.2 to 23.2 in hash-checking mode take `lib>=1`, `lib[socks]>=1` and
    `lib[brotli,socks]>=1` as three requirements, each wanting its own `==` line; pip 23.3
    and later accept the repeats (measured with each pip against the fake index)."""
    text = render(replace(LOCK, pins=(EXTRAS,)))
    marker = ' ; python_version < "3.13" \\\n'
    hashed = f"    --hash=sha256:{H}\n"
    assert (
        f"lib==1.0{marker}{hashed}lib[brotli,socks]==1.0{marker}{hashed}"
        f"lib[socks]==1.0{marker}{hashed}    # via group dev\n"
    ) in text, text


def test_the_repeats_read_back_as_one_pin_that_knows_its_extras():
    parsed = parse_lock(render(replace(LOCK, pins=(EXTRAS,))))
    assert parsed.problems == ()
    (pin,) = parsed.pins
    assert (pin.name, str(pin.version), pin.line) == ("lib", "1.0", 7)
    assert pin.extras == (("brotli", "socks"), ("socks",))
    assert pin.via == ("group dev",)


def test_no_extras_no_repeat_and_a_set_asked_twice_is_written_once():
    assert PIN.requirements() == ("lib==1.0",)
    twice = replace(PIN, extras=(("socks",), ("socks",), ()))
    assert twice.requirements() == ("lib==1.0", "lib[socks]==1.0")


def lines_problems(pins: str) -> list[str]:
    """What parse_lock says of hand-written pin lines (the body-digest aside)."""
    text = "# input-digest: sha256:" + "0" * 64 + "\n" + pins
    return [p.what for p in parse_lock(text).problems if p.line is not None]


@pytest.mark.parametrize(
    "repeat",
    [
        f"lib[socks]==2.0 --hash=sha256:{H}",  # another version
        f"lib[socks]==1.0 --hash=sha256:{'b' * 64}",  # other hashes
        f'lib[socks]==1.0 ; python_version < "3.13" --hash=sha256:{H}',  # another marker
        f"lib==1.0 --hash=sha256:{H}",  # the plain line twice
    ],
)
def test_only_an_exact_repeat_with_extras_may_name_a_project_twice(repeat):
    assert any(
        "lib is pinned twice" in p
        for p in lines_problems(f"lib==1.0 --hash=sha256:{H}\n{repeat}\n")
    )


def test_a_line_with_extras_and_no_plain_twin_is_still_a_pin():
    """Locks written before the repeats carry `lib[socks]==1.0` alone."""
    text = "# input-digest: sha256:" + "0" * 64 + "\n" + f"lib[socks]==1.0 --hash=sha256:{H}\n"
    (pin,) = parse_lock(text).pins
    assert (pin.name, pin.extras) == ("lib", (("socks",),))
    assert lines_problems(f"lib[socks]==1.0 --hash=sha256:{H}\n") == []


def test_the_upload_cutoff_is_a_header_line_that_reads_back():
    text = render(replace(LOCK, cutoff="P7D"))
    assert "# environments: " in text.split("# uploaded-prior-to: P7D\n")[0]
    assert "# input-digest: " in text.split("# uploaded-prior-to: P7D\n")[1]
    parsed = parse_lock(text)
    assert parsed.cutoff == "P7D"
    assert parsed.problems == ()
    assert parse_lock(render(LOCK)).cutoff is None
    assert "uploaded-prior-to" not in render(LOCK)


@pytest.mark.parametrize("cutoff", ["2026-06-01", "soon", "P7D\n--trusted-host x"])
def test_a_cutoff_header_not_as_reqlock_writes_it_is_a_problem(cutoff):
    if "\n" in cutoff:
        with pytest.raises(IntegrityError, match="uploaded-prior-to"):
            render(replace(LOCK, cutoff=cutoff))
        return
    text = render(LOCK).replace(
        "# input-digest:", f"# uploaded-prior-to: {cutoff}\n# input-digest:"
    )
    parsed = parse_lock(text)
    assert parsed.cutoff is None
    assert any("unreadable '# uploaded-prior-to:' header" in p.what for p in parsed.problems)
