"""Shared fixtures: temporary projects written from file texts, and the CLI in-process."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipx_lockext.cli.main import main
from pipx_lockext.core.inputs.dependencies import Dependency
from pipx_lockext.core.inputs.project import ProjectInputs
from tests.fakeindex import FakeIndex, Release

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True)
def isolated_from_the_machine(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads this machine's pip configuration, netrc, user cache or colour
    settings: the default suite is hermetic, whatever pip.conf, PIP_* or FORCE_COLOR
    variables the machine has."""
    import os

    for key in [k for k in os.environ if k.startswith("PIP_")]:
        monkeypatch.delenv(key)
    for key in ("NO_COLOR", "FORCE_COLOR"):  # a CI that forces colour must not colour errors
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("REQLOCK_CACHE_DIR", str(tmp_path_factory.mktemp("reqlock-cache")))
    monkeypatch.setenv("NETRC", os.devnull)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Write `{relative path: text}` (dedented) under a fresh project directory."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return make


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def reqlock(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run the CLI in-process as `reqlock ARGS`; returns exit code, stdout, stderr."""

    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        else:
            code = 0
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def fake_index(tmp_path: Path) -> Iterator[Callable[..., FakeIndex]]:
    """`make(releases, **options)` starts a FakeIndex in tmp_path; all stop at teardown."""
    started: list[FakeIndex] = []

    def make(releases: Iterable[Release], **options: Any) -> FakeIndex:
        index = FakeIndex(releases, tmp=tmp_path / f"index{len(started)}", **options)
        started.append(index.start())
        return index

    yield make
    for index in started:
        index.stop()


def roots(inputs: ProjectInputs, name: str) -> list[Dependency]:
    """All requirements of a layer: its own, its includes', and its extras'."""
    found: list[Dependency] = []
    for sub in inputs.included(name):
        layer = inputs.layer(sub)
        found += layer.requirements
        for extra in layer.extras:
            found += inputs.optional_dependencies.get(extra, ())
    return found


def seal(text: str) -> str:
    """A lock text with the `# body-digest:` line reqlock would write after its
    input-digest line, an old one replaced: for locks crafted by hand, and for a forger who
    edits a lock and seals it again (the digest catches edits, it is no signature)."""
    from pipx_lockext.core.lockfiles.lockparse import BODY_DIGEST, body_digest

    text = "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith(BODY_DIGEST)
    )
    head, marker, rest = text.partition("# input-digest: sha256:")
    assert marker, "a lock to seal needs an input-digest line"
    line, _, body = rest.partition("\n")
    return f"{head}{marker}{line}\n{BODY_DIGEST}{body_digest(text)}\n{body}"
