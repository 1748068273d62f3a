"""The catalog: every bad input, fault and attack we know of, with the exit code and the
one-line message each must get (SPEC "Bad input and faults", issue 6 item 8).

One table of `Case`s, each saying in a sentence what a user or an attacker did and what
must happen; one parametrized test runs them all against the fake index on 127.0.0.1 and
also holds every case to the rules that hold for all of them:

- the exit code is the SPEC's class (1 stale/malformed, 2 bad input, 3 resolution
  impossible, 4 network/index/auth/TLS, 5 integrity, 6 local);
- the message names what is at fault (file and line, package, URL) on one line;
- no traceback unless `-v`; no password or token of the case anywhere in the output, the
  project or the cache;
- a failed command leaves every file of the project byte for byte as it was.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import ssl
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pipx_lockext.edges.project.projectlock import project_lock
from tests.conftest import Result, seal
from tests.fakeindex import FakeIndex, Release
from tests.fakeindex.server import FaultKind
from tests.fakeindex.tls import openssl_missing
from tests.fakeindex.tls import self_signed as make_self_signed

RELEASES = (
    Release("app-dep", "1.0", requires_dist=("leaf>=1",)),
    Release("app-dep", "2.0", requires_dist=("leaf>=1",)),
    Release("leaf", "1.0"),
    Release("leaf", "1.1"),
    Release("alpha", "1.0", requires_dist=("common<2",)),
    Release("beta", "1.0", requires_dist=("common>=2",)),
    Release("common", "1.0"),
    Release("common", "2.0"),
    Release("needs-ghost", "1.0", requires_dist=("ghost",)),
    Release("new-leaf-user", "1.0", requires_dist=("leaf>=1.1",)),
    Release("gone", "1.0", yanked="data loss on upgrade"),
    Release("gone", "1.1", yanked=True),
    Release("pulled", "1.0"),
    Release("pulled", "2.0", yanked="broken wheel"),
    Release("winlib", "1.0", wheels=("py3-none-win_amd64",), sdist=False),
    Release("future-only", "1.0", requires_python=">=3.13"),
)
# The same name on a private and a public index: the public one is an attacker's.
PRIVATE = (Release("internal-lib", "1.0"),)
PUBLIC = (Release("internal-lib", "99.0", requires_dist=("leaf",)), Release("leaf", "1.1"))
# The same file name with other bytes (another dependency makes another METADATA).
TWIN = (Release("internal-lib", "1.0", requires_dist=("leaf",)), Release("leaf", "1.1"))

# The Python running the tests (so an interpreter is surely there) and one the lock is
# made for instead.
PY = f"{sys.version_info[0]}.{sys.version_info[1]}"
NEXT = f"{sys.version_info[0]}.{sys.version_info[1] + 1}"
# pulled 2.0 before it was yanked: a lock made then keeps it as a preference.
UNYANKED = (Release("pulled", "1.0"), Release("pulled", "2.0"))

PASSWORD = "pw-4f1c9e-hunter2"
WRONG = "pw-0bad0bad-wrong"
SECRETS = (PASSWORD, WRONG)
EVIL = "https://evil.example"
H = "--hash=sha256:" + "a" * 64


def pyproject(
    deps: tuple[str, ...] = ("app-dep",), *, index: str = "{url}", more: str = ""
) -> str:
    """A small project on one environment (fast); `index` "" leaves the index to pip's
    configuration or the command line."""
    return "\n".join(
        [
            "[project]",
            'name = "demo"',
            'version = "0"',
            'requires-python = ">=3.11"',
            f"dependencies = {json.dumps(list(deps), ensure_ascii=False)}",
            more,
            "[tool.reqlock]",
            'python = ["3.12"]',
            'platforms = ["linux-x86_64"]',
            f'index-url = "{index}"' if index else "",
            "",
        ]
    )


PROJECT = pyproject()
GROUPS = '[dependency-groups]\ndev = ["leaf<1.1"]\n'
TWO_PYTHONS = PROJECT.replace('">=3.11"', '">=3.9"').replace(
    'python = ["3.12"]', f'python = ["{PY}", "{NEXT}"]'
)


@dataclass
class World:
    """What a case's setup works with: the project, the indexes, the environment."""

    case: Case
    root: Path
    index: FakeIndex
    other: FakeIndex | None
    run: Callable[..., Result]
    env: pytest.MonkeyPatch
    stack: contextlib.ExitStack
    vars: dict[str, str]

    def fill(self, text: str) -> str:
        for key, value in self.vars.items():
            text = text.replace("{" + key + "}", value)
        return text

    def compile(self, *args: str) -> Result:
        result = self.run("compile", "--project", self.root, *args)
        assert result.code == 0, result.err
        return result

    @property
    def lock(self) -> Path:
        return self.root / "requirements/base.lock.txt"

    def edit_lock(self, old: str, new: str) -> None:
        """Replace `old` by `new` in the base lock (append `new` when `old` is ""), and
        remember the line `new` lands on as {line}."""
        text = self.lock.read_text()
        old, new = self.fill(old), self.fill(new)
        assert not old or old in text, old
        text = text.replace(old, new) if old else f"{text}{new}\n"
        self.lock.write_text(text)
        self.vars["line"] = str(text[: text.index(new)].count("\n") + 1)

    def write(self, rel: str, text: str) -> Path:
        path = self.root.parent / rel
        path.write_text(self.fill(text))
        path.chmod(0o600)
        return path


Step = Callable[[World], None]
Check = Callable[[World, Result], None]


@dataclass(frozen=True)
class Case:
    id: str
    why: str
    command: tuple[str, ...]
    code: int
    message: tuple[str, ...] = ()
    """Substrings of one line of stderr; {url}, {line}, … filled in from the world."""
    files: dict[str, str] = field(default_factory=lambda: {"pyproject.toml": PROJECT})
    releases: tuple[Release, ...] = RELEASES
    other: tuple[Release, ...] | None = None
    """A second index ({other}), started after the first."""
    auth: bool = False
    """The index wants alice / PASSWORD."""
    tls: bool = False
    """The index speaks HTTPS with a self-signed certificate ({cert})."""
    env: dict[str, str] = field(default_factory=dict)
    setup: tuple[Step, ...] = ()
    check: Check | None = None
    xfail: str | None = None


# Setup steps -------------------------------------------------------------------------


def compiled(*args: str) -> Step:
    def step(w: World) -> None:
        w.compile(*args)

    return step


def edit_lock(old: str, new: str) -> Step:
    return lambda w: w.edit_lock(old, new)


def append(line: str) -> tuple[Step, ...]:
    return (compiled(), edit_lock("", line))


def tamper_leaf_hash(w: World) -> None:
    """A forger's edit of leaf's hash, the lock sealed again (its body-digest matches)."""
    text = w.lock.read_text()
    digest = text.split("leaf==1.1 \\\n    --hash=sha256:")[1][:64]
    w.edit_lock(digest, "0" * 64)
    w.lock.write_text(seal(w.lock.read_text()))
    w.vars["line"] = str(text[: text.index("leaf==1.1")].count("\n") + 1)


def fault(path_glob: str, kind: FaultKind, **options: Any) -> Step:
    return lambda w: w.index.fault(path_glob, kind, **options)


def netrc(password: str) -> Step:
    def step(w: World) -> None:
        path = w.write("netrc", f"machine 127.0.0.1 login alice password {password}\n")
        w.env.setenv("NETRC", str(path))

    return step


def pip_conf(text: str) -> Step:
    return lambda w: w.env.setenv("PIP_CONFIG_FILE", str(w.write("pip.conf", text)))


def python_on_path(w: World) -> None:
    w.env.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])


def switch_to_other_index(w: World) -> None:
    pyproject = w.root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(w.vars["url"], w.vars["other"]))


def edit_pyproject(old: str, new: str) -> Step:
    def step(w: World) -> None:
        pyproject = w.root / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace(old, new))

    return step


def hold_project_lock(w: World) -> None:
    w.stack.enter_context(project_lock(w.root))


def poison_cache(w: World) -> None:
    """Garbage in every cache entry; the lock kept for comparing."""
    w.vars["before"] = w.lock.read_text()
    entries = [p for p in Path(os.environ["REQLOCK_CACHE_DIR"]).rglob("*") if p.is_file()]
    assert entries
    for entry in entries:
        entry.write_bytes(b"\x00garbage" * (entry.stat().st_size // 8 + 1))
    w.index.clear_log()


# Checks after the command -------------------------------------------------------------


def lock_has(*texts: str) -> Check:
    def check(w: World, _: Result) -> None:
        lock = w.lock.read_text()
        for text in texts:
            assert w.fill(text) in lock

    return check


def lock_lacks(*texts: str) -> Check:
    def check(w: World, _: Result) -> None:
        lock = w.lock.read_text()
        for text in texts:
            assert w.fill(text) not in lock

    return check


def both(*checks: Check) -> Check:
    def check(w: World, result: Result) -> None:
        for one in checks:
            one(w, result)

    return check


def other_never_asked(w: World, _: Result) -> None:
    assert w.other is not None
    assert w.other.requests == []


def asked_three_times(w: World, _: Result) -> None:
    assert w.index.count("/simple/app-dep/") == 3  # PIP_RETRIES=2: one try, two retries


def no_authorization_to_the_other_origin(w: World, _: Result) -> None:
    assert w.other is not None
    assert w.other.requests
    assert not any("authorization" in r.headers for r in w.other.requests)


def no_venv_made(w: World, _: Result) -> None:
    assert not (w.root / ".venvs").exists()


def refetched_and_same_lock(w: World, _: Result) -> None:
    assert w.index.count("/files/") > 0  # metadata fetched again, not read from garbage
    assert w.lock.read_text() == w.vars["before"]


# The catalog ----------------------------------------------------------------------------

CASES = [
    # --- bad input: pyproject.toml and requirements/*.in (exit 2) ---
    Case(
        "pyproject-invalid-toml",
        "A bare word where a string belongs: the TOML error with file, line and column.",
        ("compile",),
        2,
        ("pyproject.toml:6:3:", "invalid TOML", "'leaf]'"),
        files={"pyproject.toml": PROJECT.replace('["app-dep"]', '["app-dep",\n  leaf]')},
    ),
    Case(
        "pyproject-dependencies-string",
        "dependencies written as one string instead of an array is refused, not split.",
        ("compile",),
        2,
        ("pyproject.toml", "[project].dependencies", "not a string", "'app-dep'"),
        files={"pyproject.toml": PROJECT.replace('["app-dep"]', '"app-dep"')},
    ),
    Case(
        "pyproject-bad-requirement",
        "A requirement pip cannot parse is named with its index in the array.",
        ("compile",),
        2,
        ("pyproject.toml", "[project].dependencies[1]", "invalid requirement", "'leaf>>1'"),
        files={"pyproject.toml": pyproject(("app-dep", "leaf>>1"))},
    ),
    Case(
        "pyproject-include-group-cycle",
        "Two groups including each other: the cycle is spelt out, nothing resolved.",
        ("compile",),
        2,
        ("pyproject.toml", "include-group cycle: a -> b -> a"),
        files={
            "pyproject.toml": pyproject(
                more='[dependency-groups]\na = [{include-group = "b"}]\n'
                'b = [{include-group = "a"}]\n'
            )
        },
    ),
    Case(
        "pyproject-unknown-setting",
        "A misspelt [tool.reqlock] key would silently build the wrong lock: refused, with a hint.",
        ("compile",),
        2,
        ("pyproject.toml", "[tool.reqlock].platfroms", "unknown setting", "'platforms'"),
        files={"pyproject.toml": PROJECT + 'platfroms = ["linux-x86_64"]\n'},
    ),
    Case(
        "pyproject-lookalike-name",
        "A Cyrillic a (U+0430) in a name, typosquatting by homoglyph, is refused by name.",
        ("compile",),
        2,
        ("pyproject.toml", "non-ASCII", "CYRILLIC SMALL LETTER A", "did you mean 'app-dep'"),
        files={"pyproject.toml": pyproject(("\u0430pp-dep",))},
    ),
    Case(
        "in-file-bad-line",
        "A malformed line of a requirements .in file is named by file and line.",
        ("compile",),
        2,
        ("requirements/base.in:3", "invalid requirement", "'leaf>>1'"),
        files={"requirements/base.in": "--index-url {url}\napp-dep\nleaf>>1\n"},
    ),
    Case(
        "in-file-editable-vcs-line",
        "An editable VCS line cannot be hash-checked by pip: refused where it is written.",
        ("compile",),
        2,
        ("requirements/base.in:2", "editable", "cannot be hash-locked", "git+https://evil"),
        files={"requirements/base.in": "--index-url {url}\n-e git+https://evil.example/x.git\n"},
    ),
    Case(
        "in-file-vcs-line",
        "A plain `name @ git+…` line is code from a branch: refused where it is written.",
        ("compile",),
        2,
        ("requirements/base.in:2", "VCS", "git+https://evil.example/x.git"),
        files={"requirements/base.in": "--index-url {url}\nx @ git+https://evil.example/x.git\n"},
    ),
    Case(
        "in-file-trusted-host-not-copied",
        "--trusted-host in an .in file may help pip reach the index but never enters a lock.",
        ("compile",),
        0,
        files={"requirements/base.in": "--index-url {url}\n--trusted-host 127.0.0.1\napp-dep\n"},
        check=lock_lacks("--trusted-host", "trusted"),
    ),
    Case(
        "python-version-does-not-exist",
        "--python 3.99 names no Python that exists: bad usage, no lock for it.",
        ("compile", "--python", "3.99"),
        2,
        ("--python", "3.99"),
    ),
    Case(
        "python-version-malformed",
        "--python 3 is not X.Y: bad usage naming the flag.",
        ("compile", "--python", "3"),
        2,
        ("--python", "X.Y", "'3'"),
    ),
    Case(
        "unknown-platform",
        "A platform reqlock cannot describe cannot be locked for: bad usage with a hint.",
        ("compile", "--platform", "linux-sparc"),
        2,
        ("--platform 'linux-sparc'", "unknown platform", "known:"),
    ),
    Case(
        "unknown-index-strategy",
        "An index strategy that does not exist must not fall back to a default silently.",
        ("compile", "--index-strategy", "best"),
        2,
        ("--index-strategy", "best"),
    ),
    Case(
        "pip-timeout-not-a-number",
        "PIP_TIMEOUT=soon is bad configuration: named, not a traceback.",
        ("compile",),
        2,
        ("timeout", "'soon'"),
        env={"PIP_TIMEOUT": "soon"},
    ),
    Case(
        "sync-python-not-in-lock",
        "sync for a Python the lock was not made for would install an unchecked set: refused.",
        ("sync", "--python", "3.13"),
        2,
        ("layer base is locked for Python 3.12, not 3.13",),
        setup=(compiled(),),
    ),
    Case(
        "sync-lock-does-not-cover-python",
        "A lock made only for another Python (compile --python) is not installed here.",
        ("sync", "--python", PY),
        2,
        (f"requirements/base.lock.txt does not cover Python {PY}", "reqlock compile"),
        files={"pyproject.toml": TWO_PYTHONS},
        setup=(compiled("--python", NEXT), python_on_path),
        check=no_venv_made,
    ),
    Case(
        "unknown-layer",
        "A layer name with a typo: bad usage with a hint, nothing compiled.",
        ("compile", "deev"),
        2,
        ("no layer 'deev'", "did you mean 'dev'?"),
        files={"pyproject.toml": pyproject(more=GROUPS.replace("leaf<1.1", "leaf"))},
    ),
    Case(
        "index-url-not-a-url",
        "--index-url that is no URL at all is bad input, not a network failure.",
        ("compile", "--index-url", "pypi.example/simple"),
        2,
        ("--index-url", "pypi.example/simple"),
    ),
    # --- resolution impossible (exit 3) ---
    Case(
        "unknown-package",
        "A name no index has (a typo, or a package taken down) names the name.",
        ("compile",),
        3,
        ("error: no project named no-such-pkg on http://127.0.0.1",),
        files={"pyproject.toml": pyproject(("app-dep", "no-such-pkg"))},
    ),
    Case(
        "unknown-transitive-package",
        "A dependency's dependency no index has names it and who asked for it.",
        ("compile",),
        3,
        ("ghost", "needs-ghost"),
        files={"pyproject.toml": pyproject(("needs-ghost",))},
    ),
    Case(
        "conflict-two-parents",
        "alpha needs common<2, beta needs common>=2: both parents and both specifiers named.",
        ("compile",),
        3,
        ("alpha 1.0", "beta 1.0", "common<2", "common>=2"),
        files={"pyproject.toml": pyproject(("alpha", "beta"))},
    ),
    Case(
        "conflict-root-and-dependency",
        "The project asks leaf<1.1 but its dependency new-leaf-user needs leaf>=1.1.",
        ("compile",),
        3,
        ("new-leaf-user", "needs leaf>=1.1 (new-leaf-user 1.0)", "asks for leaf<1.1"),
        files={"pyproject.toml": pyproject(("new-leaf-user", "leaf<1.1"))},
    ),
    Case(
        "conflict-between-layers",
        "base wants leaf>=1.1, group dev wants leaf<1.1: the layers that clash are named.",
        ("compile",),
        3,
        ("leaf>=1.1", "leaf<1.1", "dev"),
        files={"pyproject.toml": pyproject(("leaf>=1.1",), more=GROUPS)},
    ),
    Case(
        "only-yanked-releases",
        "Every release is yanked and none is pinned exactly: impossible, with the reason.",
        ("compile",),
        3,
        ("gone", "yanked", "data loss on upgrade"),
        files={"pyproject.toml": pyproject(("gone>=1",))},
    ),
    Case(
        "yanked-pinned-exactly",
        "An exact pin of a yanked release is allowed (PEP 592), with the yank reason shown.",
        ("compile",),
        0,
        ("pulled", "2.0", "broken wheel"),
        files={"pyproject.toml": pyproject(("pulled==2.0",))},
        check=lock_has("pulled==2.0"),
    ),
    Case(
        "no-file-for-the-platform",
        "Only a Windows wheel and no sdist: nothing installs on linux-x86_64.",
        ("compile",),
        3,
        ("winlib", "linux-x86_64"),
        files={"pyproject.toml": pyproject(("winlib",))},
    ),
    Case(
        "no-release-for-the-python",
        "The only release needs Python >= 3.13 and the project locks for 3.12.",
        ("compile",),
        3,
        ("future-only", "3.12", ">=3.13"),
        files={"pyproject.toml": pyproject(("future-only",))},
    ),
    Case(
        "yanked-since-kept-pin",
        "A kept pin whose release was yanked since the last compile is reported with the reason.",
        ("compile",),
        0,
        ("pulled==2.0", "yanked", "broken wheel"),
        files={"pyproject.toml": pyproject(("pulled",))},
        releases=UNYANKED,
        other=RELEASES,
        setup=(compiled(), switch_to_other_index),
    ),
    # --- stale, missing or hand-edited locks: check and verify (exit 1) ---
    Case(
        "lock-missing",
        "No lock yet: check fails naming the file and what to run.",
        ("check",),
        1,
        ("requirements/base.lock.txt", "missing", "reqlock compile"),
    ),
    Case(
        "lock-stale",
        "A dependency added to pyproject.toml after the compile: check says the lock is stale.",
        ("check",),
        1,
        ("requirements/base.lock.txt", "stale", "reqlock compile"),
        setup=(compiled(), edit_pyproject('["app-dep"]', '["app-dep", "common"]')),
    ),
    Case(
        "lock-unpinned",
        "leaf>=1.1 instead of == lets pip pick another version: not pinned.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "leaf is not pinned with ==", "'leaf>=1.1'"),
        setup=(compiled(), edit_lock("leaf==1.1 \\", "leaf>=1.1 \\")),
    ),
    Case(
        "lock-arbitrary-equality",
        "leaf===1.1 is not == either (pip's hash mode wants ==).",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "leaf", "==="),
        setup=(compiled(), edit_lock("leaf==1.1 \\", "leaf===1.1 \\")),
    ),
    Case(
        "lock-no-hash",
        "A pin without a hash would make pip refuse the whole file: named.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "extra-pkg==1.0 has no --hash=sha256:"),
        setup=append("extra-pkg==1.0"),
    ),
    Case(
        "lock-md5-hash",
        "An md5 hash is forgeable: only sha256 counts.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "extra-pkg: not a sha256 hash: md5"),
        setup=append("extra-pkg==1.0 --hash=md5:0123456789abcdef0123456789abcdef"),
    ),
    Case(
        "lock-short-hash",
        "--hash=sha256:abc is not 64 hex digits: malformed, not merely unmatched.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "sha256"),
        setup=append("extra-pkg==1.0 --hash=sha256:abc"),
    ),
    Case(
        "lock-duplicate-pin",
        "leaf pinned twice without exclusive markers: which one pip takes is undefined.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "leaf is pinned twice"),
        setup=append(f"leaf==1.0 {H}"),
    ),
    Case(
        "lock-injected-trusted-host",
        "An injected --trusted-host would let pip take plain HTTP or any certificate.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "option reqlock never writes: '--trusted-host"),
        setup=append("--trusted-host evil.example"),
    ),
    Case(
        "lock-injected-extra-index",
        "An injected --extra-index-url opens the door to dependency confusion at install.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "index option the project does not", EVIL),
        setup=append(f"--extra-index-url {EVIL}/simple"),
    ),
    Case(
        "lock-swapped-index-url",
        "The --index-url line pointed at another host: not the index the project names.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "index option the project does not", EVIL),
        setup=(compiled(), edit_lock("--index-url {url}", f"--index-url {EVIL}/simple/")),
    ),
    Case(
        "lock-injected-find-links",
        "An injected --find-links adds a source of files the project never configured.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", EVIL),
        setup=append(f"--find-links {EVIL}/links/"),
    ),
    Case(
        "lock-injected-include",
        "An injected -r pulls in another file's unchecked lines.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "-r"),
        setup=append("-r /tmp/evil.txt"),
    ),
    Case(
        "lock-injected-editable-vcs",
        "An injected -e git+… line is code from a branch, never hash-checked.",
        ("check",),
        1,
        ("requirements/base.lock.txt:{line}", "option reqlock never writes: '-e"),
        setup=append("-e git+https://evil.example/x.git#egg=x"),
    ),
    Case(
        "lock-missing-digest-header",
        "Without its input-digest header a lock cannot be proven fresh.",
        ("check",),
        1,
        ("requirements/base.lock.txt", "no '# input-digest: sha256:…' header line"),
        setup=(compiled(), edit_lock("# input-digest: sha256:", "# input: ")),
    ),
    Case(
        "verify-injected-vcs-requirement",
        "verify refuses a PEP 508 VCS requirement slipped in with a hash.",
        ("verify",),
        1,
        ("requirements/base.lock.txt:{line}", "evil"),
        setup=append(f"evil @ git+https://evil.example/x.git {H}"),
    ),
    # --- integrity (exit 5) ---
    Case(
        "tampered-hash-on-recompile",
        "A hand-tampered hash in the old lock is reported on re-compile, never laundered.",
        ("compile", "-P", "app-dep"),
        5,
        ("requirements/base.lock.txt:", "leaf==1.1 carries --hash=sha256:" + "0" * 64),
        setup=(compiled(), tamper_leaf_hash),
    ),
    Case(
        "tampered-hash-verify-against-index",
        "verify --against-index finds the hash the index does not back, by line.",
        ("verify", "--against-index"),
        5,
        ("requirements/base.lock.txt:{line}", "leaf==1.1 --hash=sha256:" + "0" * 64),
        setup=(compiled(), tamper_leaf_hash),
    ),
    Case(
        "corrupted-download",
        "The index (or a proxy) serves other bytes than the hash it advertises.",
        ("compile",),
        5,
        ("app_dep-2.0", "does not match"),
        setup=(fault("/files/*", "corrupt"),),
    ),
    Case(
        "same-file-other-bytes-on-two-indexes",
        "Two indexes serve internal_lib-1.0 with different bytes: which is real is unknown.",
        ("compile", "--index-strategy", "unsafe-best-match", "--extra-index-url", "{other}"),
        5,
        ("internal_lib-1.0",),
        files={"pyproject.toml": pyproject(("internal-lib",))},
        releases=PRIVATE,
        other=TWIN,
    ),
    # --- index and network (exit 4) ---
    Case(
        "index-503-persistent",
        "An index answering 503 is retried PIP_RETRIES times, then named with the status.",
        ("compile",),
        4,
        ("{url}app-dep/", "HTTP 503"),
        env={"PIP_RETRIES": "2"},
        setup=(fault("/simple/*", "status", status=503),),
        check=asked_three_times,
    ),
    Case(
        "index-503-transient",
        "Two 503s, then the page: retried with backoff and compiled.",
        ("compile",),
        0,
        env={"PIP_RETRIES": "2"},
        setup=(fault("/simple/app-dep/", "status", status=503, times=2),),
        check=lock_has("app-dep==2.0"),
    ),
    Case(
        "index-page-garbage",
        "An index page of garbage bytes (a broken proxy): an index failure naming the page.",
        ("compile",),
        4,
        ("{url}app-dep/",),
        setup=(fault("/simple/*", "corrupt"),),
    ),
    Case(
        "file-404",
        "A file the page lists is gone (HTTP 404): an index failure, not a bad package.",
        ("compile",),
        4,
        ("/files/", "HTTP 404"),
        env={"PIP_RETRIES": "0"},
        setup=(fault("/files/*", "status", status=404),),
    ),
    Case(
        "index-unreachable-no-fallback",
        "The index asked first (an extra index, as uv) is down: fail naming it, never quietly "
        "use the other one.",
        ("compile", "--index-url", "{other}", "--extra-index-url", "{dead}"),
        4,
        ("{dead_root}", "cannot connect"),
        files={"pyproject.toml": pyproject(index="")},
        env={"PIP_RETRIES": "0"},
        other=RELEASES,
        check=other_never_asked,
    ),
    Case(
        "index-timeout",
        "An index that never answers is given up on after PIP_TIMEOUT, said as a timeout.",
        ("compile",),
        4,
        ("{url}", "timed out"),
        env={"PIP_TIMEOUT": "0.3", "PIP_RETRIES": "0"},
        setup=(fault("/simple/*", "delay", seconds=2.0),),
    ),
    Case(
        "truncated-download",
        "A connection cut mid-file is a network failure, not a broken package.",
        ("compile",),
        4,
        ("/files/", "truncated"),
        env={"PIP_RETRIES": "1"},
        setup=(fault("/files/*", "truncate"),),
    ),
    Case(
        "offline-with-empty-cache",
        "--offline with nothing cached cannot resolve: says offline and names what is missing.",
        ("compile", "--offline"),
        4,
        ("offline", "app-dep"),
    ),
    # --- credentials and TLS ---
    Case(
        "auth-missing",
        "A private index wants credentials none were given for: authentication failed.",
        ("compile",),
        4,
        ("{url}", "authentication failed", "401"),
        auth=True,
    ),
    Case(
        "auth-forbidden",
        "An index answering 403 (token without rights): authentication failed, exit 4.",
        ("compile",),
        4,
        ("{url}app-dep/", "authentication failed", "403"),
        setup=(fault("/simple/*", "status", status=403),),
    ),
    Case(
        "auth-wrong-password-in-url",
        "A wrong password in --index-url fails as authentication and is never printed.",
        ("compile", "--index-url", "{scheme}://alice:" + WRONG + "@{host}/simple/"),
        4,
        ("authentication failed", "127.0.0.1"),
        files={"pyproject.toml": pyproject(index="")},
        auth=True,
    ),
    Case(
        "auth-wrong-password-verbose",
        "Not even -v's traceback may show the password from the URL.",
        ("compile", "-v", "--index-url", "{scheme}://alice:" + WRONG + "@{host}/simple/"),
        4,
        ("authentication failed",),
        files={"pyproject.toml": pyproject(index="")},
        auth=True,
    ),
    Case(
        "auth-credentials-in-index-url-flag",
        "Credentials in --index-url get in; the lock names the index without them.",
        ("compile", "-v", "--index-url", "{scheme}://alice:" + PASSWORD + "@{host}/simple/"),
        0,
        files={"pyproject.toml": pyproject(index="")},
        auth=True,
        check=both(lock_has("app-dep==2.0", "--index-url"), lock_lacks("alice")),
    ),
    Case(
        "auth-credentials-in-environment",
        "PIP_INDEX_URL with a password: used, never written.",
        ("compile",),
        0,
        files={"pyproject.toml": pyproject(index="")},
        env={"PIP_INDEX_URL": "{scheme}://alice:" + PASSWORD + "@{host}/simple/"},
        auth=True,
        check=lock_has("app-dep==2.0"),
    ),
    Case(
        "auth-credentials-in-pip-conf",
        "index-url with a password in pip.conf: used, never written.",
        ("compile",),
        0,
        files={"pyproject.toml": pyproject(index="")},
        setup=(pip_conf("[global]\nindex-url = http://alice:" + PASSWORD + "@{host}/simple/\n"),),
        auth=True,
        check=lock_has("app-dep==2.0"),
    ),
    Case(
        "auth-netrc",
        "netrc credentials for the index host are used and appear nowhere.",
        ("compile",),
        0,
        setup=(netrc(PASSWORD),),
        auth=True,
        check=lock_has("app-dep==2.0"),
    ),
    Case(
        "auth-netrc-wrong-password",
        "A stale netrc password fails as authentication, naming the index, not the password.",
        ("compile",),
        4,
        ("{url}", "authentication failed"),
        setup=(netrc(WRONG),),
        auth=True,
    ),
    Case(
        "auth-placeholder-stays-unexpanded",
        "index-url with ${INDEX_TOKEN}: the token is used, the lock keeps the placeholder.",
        ("compile",),
        0,
        files={
            "pyproject.toml": pyproject(index="{scheme}://alice:${INDEX_TOKEN}@{host}/simple/")
        },
        env={"INDEX_TOKEN": PASSWORD},
        auth=True,
        check=lock_has("--index-url {scheme}://alice:${INDEX_TOKEN}@{host}/simple/"),
    ),
    Case(
        "auth-never-sent-to-another-origin",
        "The private index's Authorization header never goes to the extra index.",
        ("compile", "--extra-index-url", "{other}"),
        0,
        files={
            "pyproject.toml": pyproject(
                ("app-dep", "internal-lib"), index="{scheme}://alice:${INDEX_TOKEN}@{host}/simple/"
            )
        },
        env={"INDEX_TOKEN": PASSWORD},
        auth=True,
        other=PRIVATE,
        check=no_authorization_to_the_other_origin,
    ),
    Case(
        "tls-self-signed",
        "A certificate no CA vouches for: exit 4 saying certificate, naming the index.",
        ("compile",),
        4,
        ("{url}", "certificate"),
        env={"PIP_RETRIES": "0"},
        tls=True,
    ),
    Case(
        "tls-with-pip-cert",
        "PIP_CERT naming the CA makes the same index trusted.",
        ("compile",),
        0,
        env={"PIP_CERT": "{cert}"},
        tls=True,
        check=lock_has("app-dep==2.0"),
    ),
    Case(
        "tls-trusted-host-never-written",
        "PIP_TRUSTED_HOST gets past the certificate but never enters the lock.",
        ("compile",),
        0,
        env={"PIP_TRUSTED_HOST": "127.0.0.1"},
        tls=True,
        check=lock_lacks("--trusted-host"),
    ),
    # --- dependency confusion ---
    Case(
        "confusion-first-index-wins",
        "internal-lib 99.0 on the public index-url loses to the private extra index's 1.0 "
        "(first-index, extra indexes first as uv).",
        ("compile", "--extra-index-url", "{other}"),
        0,
        files={"pyproject.toml": pyproject(("internal-lib",))},
        releases=PUBLIC,
        other=PRIVATE,
        check=both(lock_has("internal-lib==1.0"), lock_lacks("99.0", "leaf")),
    ),
    Case(
        "confusion-unsafe-best-match-opt-in",
        "With unsafe-best-match asked for, the highest version wins, as pip would.",
        ("compile", "--index-strategy", "unsafe-best-match", "--extra-index-url", "{other}"),
        0,
        files={"pyproject.toml": pyproject(("internal-lib",))},
        releases=PRIVATE,
        other=PUBLIC,
        check=lock_has("internal-lib==99.0"),
    ),
    Case(
        "confusion-package-index-pin",
        "[tool.reqlock.package-index] pins internal-lib to its index even under best-match.",
        ("compile", "--index-strategy", "unsafe-best-match", "--extra-index-url", "{other}"),
        0,
        files={
            "pyproject.toml": pyproject(("internal-lib",))
            + '[tool.reqlock.package-index]\ninternal-lib = "{url}"\n'
        },
        releases=PRIVATE,
        other=PUBLIC,
        check=lock_has("internal-lib==1.0"),
    ),
    # --- local (exit 6) and the cache ---
    Case(
        "project-lock-held",
        "Another reqlock holds the project: wait REQLOCK_LOCK_TIMEOUT, then exit 6, no write.",
        ("compile",),
        6,
        ("another reqlock has held this project for over 0.3 s", "REQLOCK_LOCK_TIMEOUT"),
        env={"REQLOCK_LOCK_TIMEOUT": "0.3"},
        setup=(hold_project_lock,),
    ),
    Case(
        "output-dir-is-a-file",
        "The lock folder cannot be made (a file is in the way): a local failure naming it.",
        ("compile",),
        6,
        ("requirements",),
        files={"pyproject.toml": PROJECT, "requirements": "not a folder\n"},
    ),
    Case(
        "corrupted-cache",
        "Garbage in every cache entry is read as a miss: fetched again, same lock.",
        ("compile", "-U"),
        0,
        setup=(compiled(), poison_cache),
        check=refetched_and_same_lock,
    ),
    Case(
        "cache-dir-unusable",
        "A cache folder that cannot be written costs speed, not correctness.",
        ("compile",),
        0,
        env={"REQLOCK_CACHE_DIR": "{root}/pyproject.toml"},
        check=lock_has("app-dep==2.0"),
    ),
]


# The one test ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ssl.SSLContext]:
    if openssl_missing():
        pytest.skip("openssl is not installed")
    return make_self_signed(tmp_path_factory.mktemp("tls"))


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def snapshot(*folders: Path) -> dict[Path, bytes]:
    return {
        p: p.read_bytes() for folder in folders if folder.is_dir() for p in folder.rglob("*")
        if p.is_file() and ".venvs" not in p.parts
    }  # fmt: skip


def params(cases: list[Case]) -> list[Any]:
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else [],
        )
        for case in cases
    ]


@pytest.fixture
def world(
    request: pytest.FixtureRequest,
    make_project: Callable[[dict[str, str]], Path],
    fake_index: Callable[..., FakeIndex],
    reqlock: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[World]:
    """The case's indexes, project and environment, with its setup steps done."""
    case: Case = request.param
    options: dict[str, Any] = {}
    cert = ""
    if case.tls:
        cert_path, options["ssl_context"] = request.getfixturevalue("self_signed")
        cert = str(cert_path)
    if case.auth:
        options["auth"] = ("alice", PASSWORD)
    index = fake_index(case.releases, **options)
    other = fake_index(case.other) if case.other is not None else None
    dead = f"http://127.0.0.1:{closed_port()}"
    scheme, host = index.root.split("://")
    variables = {
        "url": index.url,
        "host": host,
        "scheme": scheme,
        "other": other.url if other else "",
        "dead": f"{dead}/simple/",
        "dead_root": dead,
        "cert": cert,
    }
    with contextlib.ExitStack() as stack:
        w = World(case, Path(), index, other, reqlock, monkeypatch, stack, variables)
        w.root = make_project({rel: w.fill(text) for rel, text in case.files.items()})
        variables["root"] = str(w.root)
        for key, value in case.env.items():
            monkeypatch.setenv(key, w.fill(value))
        for step in case.setup:
            step(w)
        yield w


@pytest.mark.parametrize("world", params(CASES), indirect=True)
def test_catalog(world: World) -> None:
    run_case(world)


def run_case(world: World) -> None:
    """Run the case's command and hold it to its own expectations and the shared rules."""
    case = world.case
    cache = Path(os.environ["REQLOCK_CACHE_DIR"])
    before = snapshot(world.root)
    result = world.run(*(world.fill(a) for a in case.command), "--project", world.root)

    assert result.code == case.code, f"{case.why}\nstdout: {result.out}\nstderr: {result.err}"
    wanted = [world.fill(text) for text in case.message]
    if wanted:
        lines = result.err.splitlines()
        assert any(all(w in line for w in wanted) for line in lines), (
            f"no one line of stderr holds all of {wanted}:\n{result.err}"
        )
    if "-v" not in case.command:
        assert "Traceback" not in result.err
    written = snapshot(world.root, cache)
    for secret in SECRETS:
        assert secret not in result.out + result.err
        for path, data in written.items():
            assert secret.encode() not in data, f"{secret} written to {path}"
    if case.code != 0:
        assert snapshot(world.root) == before, "a failed command changed the project's files"
    if case.check is not None:
        case.check(world, result)


def test_the_catalog_is_big_and_covers_every_exit_code() -> None:
    codes = {case.code for case in CASES}
    assert len(CASES) >= 35
    assert codes == {0, 1, 2, 3, 4, 5, 6}
    assert len({case.id for case in CASES}) == len(CASES)
