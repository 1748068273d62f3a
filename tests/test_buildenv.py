"""Build requirements at compile time (issue 12, item 1): resolved by reqlock itself on the
first index, from wheels only, each wheel checked against the index's hash, and installed
by pip in hash-checking mode from exactly those files; and the backend run over them alone.
Against the fake index on 127.0.0.1, with a recording runner where pip would run."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from pipx_lockext.core.environments import Environment, PythonVersion
from pipx_lockext.core.errors import IntegrityError
from pipx_lockext.core.index.coremeta import BadDistribution
from pipx_lockext.core.index.netconfig import NetConfig
from pipx_lockext.edges.index.buildenv import BuildEnvironments
from pipx_lockext.edges.index.client import IndexRepository
from pipx_lockext.edges.index.integrity import Downloads
from pipx_lockext.edges.index.network import Http
from pipx_lockext.edges.index.sdistbuild import BuildError, build_metadata
from pipx_lockext.edges.index.transport import Transport
from tests.fakeindex import FakeIndex, Release
from tests.fakeindex.backend import write_sdist

MakeIndex = Callable[..., FakeIndex]
HERE = Environment(PythonVersion(3, 12), "linux-x86_64")
PRIVATE = (Release("helper", "1.0"), Release("needs-leaf", "1.0", requires_dist=("leaf",)),
           Release("leaf", "2.0"), Release("sdist-only", "1.0", wheels=()))  # fmt: skip
PUBLIC = (Release("helper", "99.0"),)


class Recorder:
    """A runner that records each command and answers with `code`."""

    def __init__(self, code: int = 0, stderr: str = "") -> None:
        self.calls: list[list[str]] = []
        self.code, self.stderr = code, stderr

    def __call__(
        self, args: Sequence[str], *_: Any, **__: Any
    ) -> subprocess.CompletedProcess[str]:
        self.calls.append(list(args))
        return subprocess.CompletedProcess(list(args), self.code, "", self.stderr)


def environments(*indexes: FakeIndex, run: Recorder | None = None) -> BuildEnvironments:
    config = NetConfig(
        index_url=indexes[0].url, extra_index_urls=tuple(i.url for i in indexes[1:])
    )
    http = Http(config, sleep=lambda _: None)

    def source() -> IndexRepository:
        return IndexRepository(config, http, None, speculate=False, builds=False)

    return BuildEnvironments(source, Downloads(Transport(http)), run=run or Recorder(), env=HERE)


def test_resolved_on_the_first_index_with_what_they_need(fake_index: MakeIndex):
    private, public = fake_index(PRIVATE), fake_index(PUBLIC)
    # pip's usual setup: the public index as --index-url, the private one as an extra,
    # which reqlock searches first (SPEC).
    chosen = environments(public, private).resolve(["helper", "needs-leaf"], "pkg-1.0.tar.gz")
    assert [(r.name, str(r.version)) for r in chosen] == [
        ("helper", "1.0"), ("leaf", "2.0"), ("needs-leaf", "1.0")
    ]  # fmt: skip
    # Asked for its pages (a name on two indexes is warned about), never for a file.
    assert not [r.path for r in public.requests if r.path.startswith("/files/")]


def test_an_sdist_only_build_requirement_is_refused_never_built(fake_index: MakeIndex):
    index = fake_index(PRIVATE)
    with pytest.raises(BuildError) as caught:
        environments(index).resolve(["sdist-only"], "pkg-1.0.tar.gz")
    message = str(caught.value)
    assert message.startswith("pkg-1.0.tar.gz: its build requirements do not install from wheels")
    assert "sdist-only" in message
    assert "only an sdist, and binaries only are allowed" in message
    assert index.count("/files/") == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [("helper @ https://x.example/helper-1.0-py3-none-any.whl", "names a URL"),
     ("helper>>1", "invalid build requirement")],
)  # fmt: skip
def test_a_url_or_a_malformed_build_requirement_is_refused(fake_index, text, reason):
    with pytest.raises(BuildError, match=reason):
        environments(fake_index(PRIVATE)).resolve([text], "pkg-1.0.tar.gz")


def test_pip_installs_exactly_the_checked_wheels(fake_index: MakeIndex, tmp_path: Path):
    index, run = fake_index(PRIVATE), Recorder()
    target = tmp_path / "overlay"
    environments(index, run=run)(["needs-leaf"], target, "pkg-1.0.tar.gz")
    ((*pip, hashed),) = run.calls
    assert pip[:4] == [sys.executable, "-m", "pip", "install"]
    for flag in ("--isolated", "--no-index", "--no-deps", "--require-hashes"):
        assert flag in pip
    house = Path(pip[pip.index("--find-links") + 1])
    assert pip[pip.index("--only-binary") + 1] == ":all:"
    assert pip[pip.index("--target") + 1] == str(target)
    assert sorted(p.name for p in house.glob("*.whl")) == [
        "leaf-2.0-py3-none-any.whl", "needs_leaf-1.0-py3-none-any.whl"
    ]  # fmt: skip
    leaf = index.files["leaf-2.0-py3-none-any.whl"]
    assert (house / leaf.filename).read_bytes() == leaf.path.read_bytes()
    assert f"leaf==2.0 --hash=sha256:{leaf.sha256}\n" in Path(hashed).read_text()


class Installing(Recorder):
    """A recorder that leaves a file in pip's `--target`, as pip would."""

    def __call__(self, args: Sequence[str], *rest: Any, **options: Any) -> Any:
        target = Path(args[list(args).index("--target") + 1])
        (target / "setuptools").mkdir(parents=True, exist_ok=True)
        (target / "setuptools" / "__init__.py").write_text("# installed\n")
        return super().__call__(args, *rest, **options)


def test_the_same_build_requirements_are_installed_once_per_compile(fake_index, tmp_path):
    """Most old sdists ask `setuptools>=40.8.0`: the second build gets a copy of what the
    first installed, without pip (saleor: five such builds, about 1 s of pip each)."""
    index, run = fake_index(PRIVATE), Installing()
    envs = environments(index, run=run)
    for n in range(3):
        target = tmp_path / f"overlay-{n}"
        target.mkdir()
        envs(["needs-leaf"], target, f"pkg-{n}.tar.gz")
        assert (target / "setuptools" / "__init__.py").read_text() == "# installed\n"
    envs(["helper"], tmp_path / "other", "pkg-3.tar.gz")  # another set: installed
    assert len(run.calls) == 2
    kept = envs._keep_dir
    assert kept is not None
    assert kept.is_dir()
    envs.close()
    assert not kept.exists()


def test_a_wheel_unlike_the_index_hash_is_never_installed(fake_index: MakeIndex, tmp_path):
    index, run = fake_index(PRIVATE), Recorder()
    index.rewrite("/files/helper-1.0-py3-none-any.whl", lambda body: body + b"\0")
    with pytest.raises(IntegrityError, match=r"helper-1\.0-py3-none-any\.whl"):
        environments(index, run=run)(["helper"], tmp_path / "overlay", "pkg-1.0.tar.gz")
    assert run.calls == []


def test_a_failed_install_names_the_sdist_and_pips_reason(fake_index, tmp_path: Path):
    run = Recorder(1, "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES")
    with pytest.raises(BuildError, match=r"pkg-1\.0\.tar\.gz: installing build .* MATCH THE HASH"):
        environments(fake_index(PRIVATE), run=run)(["helper"], tmp_path / "o", "pkg-1.0.tar.gz")


def test_the_source_build_requirements_are_resolved_through_builds_nothing(fake_index, tmp_path):
    index = fake_index([Release("dyn", "1.0", wheels=(), dynamic=("Requires-Dist",))])
    config = NetConfig(index_url=index.url)
    repo = IndexRepository(config, Http(config), None, speculate=False, builds=False)
    (sdist,) = repo.files("dyn").all_files()
    with pytest.raises(BadDistribution, match=r"dyn-1\.0\.tar\.gz: not built"):
        repo.metadata(sdist)
    repo.close()


# The backend's side: what it asks for is installed before it runs, and it sees nothing
# else (not reqlock's own site-packages, not PIP_* variables).

BACKEND = """
import json, os, sys
def get_requires_for_build_wheel(config_settings=None):
    return ["extra-helper>=1"]
def prepare_metadata_for_build_wheel(directory, config_settings=None):
    import static_helper
    seen = {"overlay": [os.path.basename(p) for p in sys.path if "overlay" in p],
            "static": static_helper.WHERE, "pip_index": os.environ.get("PIP_INDEX_URL")}
    try:
        import packaging
        seen["packaging"] = True
    except ImportError:
        seen["packaging"] = False
    os.makedirs(os.path.join(directory, "x-1.0.dist-info"))
    with open(os.path.join(directory, "x-1.0.dist-info", "METADATA"), "w") as out:
        out.write("Metadata-Version: 2.1\\nName: x\\nVersion: 1.0\\nSummary: ")
        out.write(json.dumps(seen) + "\\n")
    return "x-1.0.dist-info"
"""
PYPROJECT = """[build-system]
requires = ["static-helper"]
build-backend = "mybackend"
backend-path = ["."]
"""


def test_the_backend_runs_over_its_installed_requirements_alone(tmp_path, monkeypatch):
    sdist = tmp_path / "x-1.0.tar.gz"
    write_sdist(sdist, "x-1.0", {"pyproject.toml": PYPROJECT.encode(),
                                 "mybackend.py": BACKEND.encode()})  # fmt: skip
    calls: list[tuple[tuple[str, ...], str]] = []

    def install(requires: Sequence[str], target: Path, filename: str) -> None:
        calls.append((tuple(requires), target.name))
        (target / "static_helper.py").write_text(f"WHERE = {target.name!r}\n")

    monkeypatch.setenv("PIP_INDEX_URL", "http://evil.example/simple/")
    metadata = build_metadata(sdist.read_bytes(), sdist.name, install)
    assert calls == [
        (("static-helper",), "overlay"),
        (("static-helper", "extra-helper>=1"), "overlay-all"),  # resolved together, afresh
    ]
    summary = metadata.decode().split("Summary: ", 1)[1].splitlines()[0]
    assert json.loads(summary) == {
        "overlay": ["overlay-all"], "static": "overlay-all", "pip_index": None,
        "packaging": False,
    }  # fmt: skip
