"""Build requirements at compile time (issue 12, item 1): resolved by reqlock itself on the
first index, from wheels only, each wheel checked against the index's hash, and exactly
those bytes unpacked (no pip); and the backend run over them alone. Against the fake index
on 127.0.0.1, with a recording unpacker where the seam allows."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

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
from pipx_lockext.edges.index.wheelinstall import WheelError, unpack_wheels
from tests.fakeindex import FakeIndex, Release
from tests.fakeindex.backend import write_sdist

MakeIndex = Callable[..., FakeIndex]
HERE = Environment(PythonVersion(3, 12), "linux-x86_64")
PRIVATE = (Release("helper", "1.0"), Release("needs-leaf", "1.0", requires_dist=("leaf",)),
           Release("leaf", "2.0"), Release("sdist-only", "1.0", wheels=()))  # fmt: skip
PUBLIC = (Release("helper", "99.0"),)


class Unpacker:
    """Records what each install unpacks (file names, target), then unpacks it."""

    def __init__(self, error: str = "") -> None:
        self.calls: list[tuple[list[str], Path]] = []
        self.error = error

    def __call__(self, wheels: Iterable[tuple[str, bytes]], target: Path) -> None:
        wheels = list(wheels)
        self.calls.append(([name for name, _ in wheels], target))
        if self.error:
            raise WheelError(self.error)
        unpack_wheels(wheels, target)


def environments(*indexes: FakeIndex, unpack: Unpacker | None = None) -> BuildEnvironments:
    config = NetConfig(
        index_url=indexes[0].url, extra_index_urls=tuple(i.url for i in indexes[1:])
    )
    http = Http(config, sleep=lambda _: None)

    def source() -> IndexRepository:
        return IndexRepository(config, http, None, speculate=False, builds=False)

    return BuildEnvironments(source, Downloads(Transport(http)), unpack=unpack or Unpacker(),
                             env=HERE)  # fmt: skip


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


def test_exactly_the_checked_wheels_are_unpacked(fake_index: MakeIndex, tmp_path: Path):
    index, unpack = fake_index(PRIVATE), Unpacker()
    target = tmp_path / "overlay"
    target.mkdir()
    environments(index, unpack=unpack)(["needs-leaf"], target, "pkg-1.0.tar.gz")
    assert unpack.calls == [
        (["leaf-2.0-py3-none-any.whl", "needs_leaf-1.0-py3-none-any.whl"], target)
    ]  # fmt: skip
    assert (target / "leaf" / "__init__.py").read_text().endswith('__version__ = "2.0"\n')
    assert (target / "needs_leaf-1.0.dist-info" / "METADATA").is_file()


def test_the_same_build_requirements_are_installed_once_per_compile(fake_index, tmp_path):
    """Most old sdists ask `setuptools>=40.8.0`: the second build gets a copy of what the
    first installed, not another resolution and unpacking."""
    index, unpack = fake_index(PRIVATE), Unpacker()
    envs = environments(index, unpack=unpack)
    for n in range(3):
        target = tmp_path / f"overlay-{n}"
        target.mkdir()
        envs(["needs-leaf"], target, f"pkg-{n}.tar.gz")
        assert (target / "leaf" / "__init__.py").is_file()
    other = tmp_path / "other"
    other.mkdir()
    envs(["helper"], other, "pkg-3.tar.gz")  # another set: installed
    assert len(unpack.calls) == 2
    kept = envs._keep_dir
    assert kept is not None
    assert kept.is_dir()
    envs.close()
    assert not kept.exists()


def test_a_wheel_unlike_the_index_hash_is_never_installed(fake_index: MakeIndex, tmp_path):
    index, unpack = fake_index(PRIVATE), Unpacker()
    index.rewrite("/files/helper-1.0-py3-none-any.whl", lambda body: body + b"\0")
    with pytest.raises(IntegrityError, match=r"helper-1\.0-py3-none-any\.whl"):
        environments(index, unpack=unpack)(["helper"], tmp_path / "overlay", "pkg-1.0.tar.gz")
    assert unpack.calls == []


def test_a_wheel_that_cannot_be_unpacked_names_the_sdist(fake_index, tmp_path: Path):
    unpack = Unpacker("helper-1.0-py3-none-any.whl: refuses to unpack '../x'")
    with pytest.raises(BuildError, match=r"pkg-1\.0\.tar\.gz: installing build .* '\.\./x'"):
        environments(fake_index(PRIVATE), unpack=unpack)(["helper"], tmp_path, "pkg-1.0.tar.gz")


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
