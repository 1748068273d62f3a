"""Direct URLs to source archives named by no version (issue 13 item 8): a GitHub
`…/archive/<ref>.tar.gz` is downloaded, hashed and built to learn its name, version and
dependencies, and locked as `name @ URL --hash=…`, as pip accepts it; a layer whose own
inputs cannot be locked never stops the other layers. Same table form and shared rules as
`test_catalog`, run by its `run_case`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.fakeindex import Release
from tests.fakeindex.backend import BUILD_LOG
from tests.fakeindex.builder import build_sdist
from tests.test_catalog import (
    RELEASES,
    Case,
    Check,
    Step,
    World,
    both,
    lock_has,
    params,
    pyproject,
    run_case,
    world,  # noqa: F401 - the fixture the cases run in
)
from tests.test_fakeindex import installed, run_pip

BRANCH = "/gh/archive/stable.tar.gz"
TAG = "/gh/archive/v1.0.tar.gz"
ARCHIVED = Release(
    "archived", "1.0", requires_dist=("leaf>=1.1",), wheels=(), dynamic=("Requires-Dist",)
)
NO_HASH = "0" * 64


def served(path: str, release: Release = ARCHIVED) -> Step:
    """The sdist of `release`, served at `path` (a name that is not `name-version`), its
    sha256 as {sha}."""

    def step(w: World) -> None:
        folder = w.root.parent / "archives"
        folder.mkdir(exist_ok=True)
        data = build_sdist(release, folder).path.read_bytes()
        w.index.serve(path, data)
        w.vars["sha"] = hashlib.sha256(data).hexdigest()

    return step


def rewritten(*deps: str) -> Step:
    """pyproject.toml asking for `deps`, written once the setup knows {sha}."""

    def step(w: World) -> None:
        text = pyproject(deps).replace("{url}", w.index.url)
        (w.root / "pyproject.toml").write_text(w.fill(text))

    return step


def project(*deps: str, groups: str = "") -> dict[str, str]:
    return {"pyproject.toml": pyproject(deps, more=groups)}


def said(text: str, *, times: int = 1) -> Check:
    def check(w: World, result: object) -> None:
        err = getattr(result, "err", "")
        assert err.count(w.fill(text)) == times, err

    return check


def checks_fresh(w: World, _: object) -> None:
    """`check` reads the lock back: the version under the archive's line, its hash."""
    result = w.run("check", "--project", w.root)
    assert result.code == 0, result.err
    assert "# version: 1.0 (built from the archive" in w.lock.read_text()


def compiled_once(w: World) -> None:
    result = w.run("compile", "--project", w.root)
    assert result.code == 0, result.err


def built_once(w: World, _: object) -> None:
    """The second compile found the metadata under the hash of the same bytes."""
    hooks = (w.root.parent / "build-hooks.log").read_text().splitlines()
    assert [h for h in hooks if h.endswith("prepare_metadata_for_build_wheel")] == [
        "archived 1.0 prepare_metadata_for_build_wheel"
    ], hooks


def lock_of(layer: str, *texts: str) -> Check:
    def check(w: World, _: object) -> None:
        lock = (w.root / f"requirements/{layer}.lock.txt").read_text()
        for text in texts:
            assert w.fill(text) in lock, lock

    return check


def no_lock(layer: str) -> Check:
    def check(w: World, _: object) -> None:
        assert not (w.root / f"requirements/{layer}.lock.txt").exists()

    return check


URL = "{scheme}://{host}"
IN_SETTINGS = (
    '[tool.reqlock]\npython = ["3.12"]\nplatforms = ["linux-x86_64"]\nindex-url = "{url}"\n'
)
"""pyproject.toml beside requirements/*.in: settings only."""
CASES = [
    Case(
        "branch-archive-built-and-locked",
        "A GitHub branch archive names no version: it is downloaded and built; the lock "
        "holds `name @ URL` with the sha256 of those bytes, and its dependencies; the "
        "branch is warned about once (its hash breaks when the branch moves).",
        ("compile",),
        0,
        files=project(f"archived @ {URL}{BRANCH}"),
        setup=(served(BRANCH),),
        check=both(
            lock_has(f"archived @ {URL}{BRANCH} \\\n    --hash=sha256:{{sha}}", "leaf==1.1"),
            said("is not immutable"),
            checks_fresh,
        ),
    ),
    Case(
        "archive-built-once-per-hash",
        "The archive is downloaded again (a branch moves), but bytes already built are "
        "not built again: their metadata is cached under the hash computed from them.",
        ("compile", "-U"),
        0,
        files=project(f"archived @ {URL}{BRANCH}"),
        env={BUILD_LOG: "{root}/../build-hooks.log"},
        setup=(served(BRANCH), compiled_once),
        check=built_once,
    ),
    Case(
        "tag-archive-not-warned-about",
        "An archive of a tag that names a version is not warned about.",
        ("compile",),
        0,
        files=project(f"archived @ {URL}{TAG}"),
        setup=(served(TAG),),
        check=both(lock_has(f"archived @ {URL}{TAG}"), said("is not immutable", times=0)),
    ),
    Case(
        "egg-fragment-in-a-requirements-file",
        "A pip-tools file names the archive pip's older way, `URL#egg=archived`: read as "
        "`archived @ URL`, built and locked so (pip and uv accept the form too).",
        ("compile",),
        0,
        files={
            "requirements/base.in": f"{URL}{BRANCH}#egg=archived\n",
            "pyproject.toml": IN_SETTINGS,
        },
        setup=(served(BRANCH),),
        check=lock_has(f"archived @ {URL}{BRANCH} \\\n    --hash=sha256:{{sha}}", "leaf==1.1"),
    ),
    Case(
        "nameless-url-in-a-requirements-file",
        "A bare archive URL with no #egg= names no project: exit 2 naming the file and "
        "line, and both ways to name it.",
        ("compile",),
        2,
        ("requirements/base.in:1", "write `name @ URL` (or `URL#egg=name`)", BRANCH),
        files={
            "requirements/base.in": f"{URL}{BRANCH}\n",
            "pyproject.toml": IN_SETTINGS,
        },
        setup=(served(BRANCH),),
    ),
    Case(
        "archive-of-another-project",
        "The archive builds `archived`, the requirement names `wanted`: refused, naming "
        "the URL and what its metadata says.",
        ("compile",),
        2,
        (f"{URL}{BRANCH}", "its metadata says archived 1.0, not wanted"),
        files=project(f"wanted @ {URL}{BRANCH}"),
        setup=(served(BRANCH),),
    ),
    Case(
        "archive-unlike-its-fragment",
        "The user's #sha256= must match the bytes served: exit 5 naming the URL.",
        ("compile",),
        5,
        (f"{URL}{BRANCH}", "does not match"),
        files=project(f"archived @ {URL}{BRANCH}#sha256={NO_HASH}"),
        setup=(served(BRANCH),),
    ),
    Case(
        "archive-like-its-fragment",
        "A #sha256= that matches is accepted, and the lock carries that hash.",
        ("compile",),
        0,
        setup=(served(BRANCH), rewritten(f"archived @ {URL}{BRANCH}#sha256=" + "{sha}")),
        check=lock_has("--hash=sha256:{sha}"),
    ),
    Case(
        "unselected-bad-layer-says-nothing",
        "`compile base dev`: the `gh` layer (a VCS line, and an archive that is another "
        "project) is not asked for, so it neither blocks them nor is mentioned.",
        ("compile", "base", "dev"),
        0,
        files=project(
            "leaf",
            groups='[dependency-groups]\ndev = ["app-dep"]\n'
            f'gh = ["demo-vcs @ git+https://example.com/x.git", "wanted @ {URL}{BRANCH}"]\n',
        ),
        setup=(served(BRANCH),),
        check=both(
            lock_of("dev", "app-dep==2.0"),
            no_lock("gh"),
            said("git+", times=0),
            said("wanted", times=0),
        ),
    ),
]


@pytest.mark.parametrize("world", params(CASES), indirect=True)
def test_archive_catalog(world: World) -> None:  # noqa: F811 - the fixture, by its name
    run_case(world)


def test_a_bad_layer_leaves_its_lock_and_the_others_are_written(
    make_project, fake_index, reqlock
) -> None:
    """All layers asked for: the good ones are written, the bad one's old lock is left
    byte for byte, its problem is reported, and the exit code is 2."""
    index = fake_index(RELEASES)
    groups = '[dependency-groups]\ndev = ["app-dep"]\ngh = ["leaf"]\n'
    text = pyproject(("leaf",), index=index.url, more=groups)
    root: Path = make_project({"pyproject.toml": text})
    assert reqlock("compile", "--project", root).code == 0
    old_gh = (root / "requirements/gh.lock.txt").read_bytes()
    bad = groups.replace('gh = ["leaf"]', 'gh = ["demo-vcs @ git+https://example.com/x.git"]')
    bad = bad.replace('dev = ["app-dep"]', 'dev = ["app-dep", "common"]')
    (root / "pyproject.toml").write_text(pyproject(("leaf",), index=index.url, more=bad))
    result = reqlock("compile", "--project", root)
    assert result.code == 2, result.err
    assert "VCS requirement cannot be hash-locked" in result.err
    assert "layer gh not compiled, its lock left as it was" in result.err
    # What was written is said first, as on a compile that succeeds.
    wrote = result.err.index("wrote requirements/dev.lock.txt: 1 added (common")
    assert wrote < result.err.index("layer gh not compiled")
    assert (root / "requirements/gh.lock.txt").read_bytes() == old_gh
    assert "common==" in (root / "requirements/dev.lock.txt").read_text()


@pytest.mark.integration
def test_pip_installs_the_lock_of_a_built_archive_in_hash_checking_mode(
    make_project, fake_index, reqlock, tmp_path: Path
) -> None:
    """pip, given the lock, downloads the archive, checks it against the lock's hash,
    builds it and installs it with its dependency."""
    index = fake_index(RELEASES)
    data = build_sdist(ARCHIVED, tmp_path).path.read_bytes()
    url = index.serve(BRANCH, data)
    root: Path = make_project(
        {"pyproject.toml": pyproject((f"archived @ {url}",), index=index.url)}
    )
    result = reqlock("compile", "--project", root)
    assert result.code == 0, result.err
    lock = root / "requirements/base.lock.txt"
    assert f"--hash=sha256:{hashlib.sha256(data).hexdigest()}" in lock.read_text()
    target = tmp_path / "target"
    run_pip(index, target, "--require-hashes", "-r", str(lock))
    assert {"archived-1.0.dist-info", "leaf-1.1.dist-info"} <= installed(target)
