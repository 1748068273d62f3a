"""The provider's own rules, against an in-memory source: a release whose metadata cannot
be read is passed over, the project itself is granted locally (never from an index), and
any `==` (wildcards too) counts as a pin when choosing what to decide first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from pipx_lockext.core.environments import Environment, PythonVersion
from pipx_lockext.core.errors import ResolutionError
from pipx_lockext.core.index.coremeta import BadDistribution, CoreMetadata
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.core.index.listing import Listing
from pipx_lockext.core.resolution.asks import LocalProject, Need, Policy
from pipx_lockext.core.resolution.matrix import resolve_matrix
from pipx_lockext.core.resolution.provider import Provider
from pipx_lockext.core.resolution.resolver import Root, resolve_environment

ENV = Environment(PythonVersion(3, 12), "linux-x86_64")
EXTRA = re.compile(r'extra == "([^"]+)"')


@dataclass
class Memory:
    """Releases as `name -> version -> requires` (None: metadata that cannot be read)."""

    releases: dict[str, dict[str, tuple[str, ...] | None]]
    fetched: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    """What was read (`read <file>`) and fetched ahead (`ahead <file>`), in order."""

    def files(self, name):
        versions = self.releases.get(name, {})
        wheel = name.replace("-", "_")
        return Listing.of(
            name,
            (
                DistFile(f"{wheel}-{v}-py3-none-any.whl", f"mem:{name}/{v}", "0" * 64)
                for v in versions
            ),
        )

    def metadata(self, file):
        self.events.append(f"read {file.filename}")
        name, version = file.url.removeprefix("mem:").split("/")
        self.fetched.append(f"{name} {version}")
        requires = self.releases[name][version]
        if requires is None:
            raise BadDistribution(f"{file.filename}: the build backend failed: error: Cython")
        reqs = tuple(Requirement(r) for r in requires)
        extras = tuple(sorted({canonicalize_name(e) for r in requires for e in EXTRA.findall(r)}))
        return CoreMetadata(canonicalize_name(name), Version(version), reqs, None, extras, "2.1")

    def prefetch(self, names):
        pass

    def prefetch_metadata(self, files):
        self.events.extend(f"ahead {f.filename}" for f in files)


def resolve(source, *requirements, policy=None):
    roots = [Root("base", Need.of(Requirement(r), "project")) for r in requirements]
    return resolve_environment(source, ENV, roots, policy or Policy())


def resolve_all(source, *requirements):
    """Through the matrix (of one environment): a reason that holds everywhere is said
    without naming environments."""
    roots = tuple(Root("base", Need.of(Requirement(r), "project")) for r in requirements)
    return resolve_matrix(source, {ENV: roots}, Policy())


def test_a_release_whose_metadata_cannot_be_built_is_passed_over():
    source = Memory({"ddtrace": {"2.11.1": None, "2.10.0": ()}})
    result = resolve(source, "ddtrace")
    assert result.chosen["ddtrace"].version == Version("2.10.0")


def test_when_none_can_be_read_the_error_says_why():
    source = Memory({"ddtrace": {"2.11.1": None}})
    with pytest.raises(
        ResolutionError,
        match=r"ddtrace 2\.11\.1 could not be built or read: ddtrace-2\.11\.1-py3-none-any\.whl: "
        r"the build backend failed",
    ):
        resolve(source, "ddtrace")


@dataclass
class Sdists(Memory):
    """`Memory` whose releases are sdists only, except the versions in `wheels`."""

    wheels: tuple[str, ...] = ()

    def files(self, name):
        def file(version):
            ext = "-py3-none-any.whl" if version in self.wheels else ".tar.gz"
            return DistFile(f"{name}-{version}{ext}", f"mem:{name}/{version}", "0" * 64)

        return Listing.of(name, (file(v) for v in self.releases.get(name, {})))


def test_after_three_failed_builds_older_sdists_of_the_project_are_not_built():
    """numpy<1.20 on Python 3.12: 67 sdists that fail the same way took five minutes."""
    lib = {f"1.{n}": None for n in range(10)}
    source = Sdists({"lib": lib})
    with pytest.raises(ResolutionError) as caught:
        resolve_all(source, "lib")
    assert set(source.fetched) == {"lib 1.9", "lib 1.8", "lib 1.7"}
    assert str(caught.value) == (
        "3 releases of lib (1.7 to 1.9) could not be built or read: lib-1.9.tar.gz: the build "
        "backend failed: error: Cython; older releases of lib that need a build (1.0 to 1.6, "
        "7 releases) were not tried after 3 failed builds"
    )


def test_the_roots_first_candidates_are_read_ahead_so_that_their_builds_run_side_by_side():
    """resolvelib reads each root's first candidate as it forms its first criteria, one
    root after the other: an sdist each (saleor: promise, Rx, pybars3, …) meant builds
    one after the other. Asked for ahead, they run side by side."""
    source = Sdists({"alpha": {"1.0": (), "2.0": ()}, "beta": {"3.0": ()}})
    resolve(source, "alpha<2", "beta")
    first_read = next(i for i, e in enumerate(source.events) if e.startswith("read "))
    assert source.events[:first_read] == ["ahead alpha-1.0.tar.gz", "ahead beta-3.0.tar.gz"]


def test_a_wheel_is_still_read_after_the_builds_fail():
    lib = {**{f"1.{n}": None for n in range(1, 10)}, "1.0": ()}
    result = resolve(Sdists({"lib": lib}, wheels=("1.0",)), "lib")
    assert result.chosen["lib"].version == Version("1.0")


def test_the_project_asked_for_back_is_granted_locally_and_never_chosen():
    source = Memory(
        {
            "pydantic-settings": {"2.0": ("pydantic>=2.7",)},
            "pydantic": {"9.9": ()},
            "core": {"1.0": ()},
        }
    )
    project = LocalProject(canonicalize_name("pydantic"), Version("2.99"), (Requirement("core"),))
    result = resolve(source, "pydantic-settings", policy=Policy(project=project))
    assert set(result.chosen) == {"pydantic-settings", "core"}
    assert "pydantic 9.9" not in source.fetched


def test_a_project_version_the_dependency_refuses_is_a_conflict():
    source = Memory({"plugin": {"1.0": ("app>=3",)}})
    project = LocalProject(canonicalize_name("app"), Version("2.0"))
    with pytest.raises(ResolutionError, match="no version of app satisfies app>=3"):
        resolve(source, "plugin", policy=Policy(project=project))


def test_any_double_equals_counts_as_a_pin_for_the_order_of_decisions():
    provider = Provider(Memory({}), ENV, Policy())

    class Info:
        def __init__(self, text):
            self.requirement = Need.of(Requirement(text), "x")

    information = {"django": iter([Info("django==4.1.*")]), "other": iter([Info("other>=1")])}
    wildcard = provider.get_preference("django", {}, {}, information, [])
    ranged = provider.get_preference("other", {}, {}, information, [])
    assert wildcard < ranged


def test_the_same_ask_from_every_release_of_a_parent_is_said_once():
    source = Memory({"app": {f"1.{n}": ("lib>=9",) for n in range(30)}, "lib": {"1.0": ()}})
    with pytest.raises(ResolutionError) as caught:
        resolve(source, "app")
    message = str(caught.value)
    assert "lib>=9 (from app 1.29, app 1.28, app 1.27 and 27 more)" in message
    assert message.count("lib>=9") == 1


def test_pre_releases_are_not_offered_as_a_way_out_of_a_conflict():
    source = Memory({"lib": {"1.0": (), "2.0b1": ()}})
    with pytest.raises(ResolutionError) as caught:
        resolve(source, "lib>=1.5", "lib<1.0")
    assert "--pre" not in str(caught.value)


def test_a_resolution_that_never_ends_names_what_it_kept_changing(monkeypatch):
    from pipx_lockext.core.resolution import resolver

    monkeypatch.setattr(resolver, "MAX_ROUNDS", 2)
    # app 2.x needs a lib that conflicts with x's: every 2.x is tried, then thrown away
    # (x has two releases: with one, its lib<2 would hold in every solution, and rule
    # out every app 2.x before resolvelib tries it)
    releases = {f"2.{n}": ("lib>=2",) for n in range(20)}
    x = {"1": ("lib<2",), "0.9": ("lib<2",)}
    source = Memory({"app": {**releases, "1.0": ()}, "lib": {"1.0": (), "2.0": ()}, "x": x})
    gave_up = r"gave up after 2 rounds of backtracking.*; narrow the requirements"
    with pytest.raises(ResolutionError, match=gave_up):
        resolve(source, "x", "app")


WEB = {f"{major}.{minor}": () for major in range(1, 6) for minor in range(10)}
TOOLBAR = {"4.0": ("web>=3",), **{f"5.{n}": ("web>=4.2",) for n in range(5)}, "6.0": ("web>=5",)}


def test_a_clash_between_roots_is_found_without_walking_the_other_side():
    source = Memory({"web": WEB, "toolbar": TOOLBAR})
    with pytest.raises(ResolutionError) as caught:
        resolve_all(source, "web<4", "toolbar>=5")
    assert str(caught.value) == (
        "toolbar>=5 (from project) needs web>=5 (toolbar 6.0) or web>=4.2 (toolbar 5.0 to 5.4, "
        "5 releases); project asks for web<4"
    )
    assert [f for f in source.fetched if f.startswith("web ")] == ["web 3.9"]  # never walked


def test_releases_the_roots_rule_out_are_passed_over_to_an_older_one():
    source = Memory({"web": WEB, "toolbar": TOOLBAR})
    result = resolve(source, "web<4", "toolbar")
    assert result.chosen["toolbar"].version == Version("4.0")
    assert result.chosen["web"].version == Version("3.9")


def test_a_pin_of_a_release_that_does_not_exist_says_so_and_the_newest():
    source = Memory({"web": WEB})
    with pytest.raises(ResolutionError, match=r"^web has no release 9\.9 \(newest: 5\.9;"):
        resolve_all(source, "web==9.9")


def test_an_unknown_name_is_said_without_an_environment():
    source = Memory({"web": WEB, "webb": {}})
    with pytest.raises(ResolutionError, match=r"^no project named webb on any configured index"):
        resolve(source, "web", "webb")


def test_an_extra_is_offered_only_the_versions_its_project_may_take():
    """`kombu[redis]` X needs `kombu==X`: once celery 5.7 bounds kombu to 5.7 and the
    redis extra of 5.7 clashes, no other kombu[redis] can serve; the resolver backtracks
    celery instead of reading every older kombu (saleor: 131 kombu wheels, 13 s cold)."""
    kombu = {f"5.{n}": ('redis>=4; extra == "redis"',) for n in range(7)}
    kombu["5.7"] = ('redis>=6; extra == "redis"',)
    source = Memory({
        "celery": {"5.7": ("kombu[redis]", "kombu>=5.7,<5.8"),
                   "5.6": ("kombu[redis]", "kombu>=5.6,<5.7")},
        "kombu": kombu,
        "redis": {"5.0": (), "6.0": ()},
    })  # fmt: skip
    result = resolve(source, "celery", "redis<6")
    assert {n: str(r.version) for n, r in result.chosen.items()} == {
        "celery": "5.6", "kombu": "5.6", "redis": "5.0"
    }  # fmt: skip
    read = {f for f in source.fetched if f.startswith("kombu")}
    assert sorted(read) == ["kombu 5.6", "kombu 5.7"]


@dataclass
class NativeWheels(Memory):
    """`Memory` whose releases have one wheel per platform."""

    def files(self, name):
        versions = self.releases.get(name, {})
        tags = ("manylinux_2_17_x86_64", "win_amd64")
        return Listing.of(
            name,
            (
                DistFile(f"{name}-{v}-cp312-cp312-{tag}.whl", f"mem:{name}/{v}", "0" * 64)
                for v in versions
                for tag in tags
            ),
        )


def test_the_next_environments_wheels_are_fetched_ahead_after_each_resolution():
    """A replay on the next platform asks for each pin's metadata there one by one (another
    wheel: a download each); fetched side by side as soon as a solution is known, they are
    there when it asks."""
    source = NativeWheels({"native": {"1.0": ("dep",)}, "dep": {"2.0": ()}})
    linux, windows = ENV, Environment(PythonVersion(3, 12), "windows-x86_64")
    roots = (Root("base", Need.of(Requirement("native"), "project")),)
    results = resolve_matrix(source, {linux: roots, windows: roots}, Policy())
    assert {str(r.version) for r in results[windows].chosen.values()} == {"1.0", "2.0"}
    first_read = next(
        i for i, e in enumerate(source.events) if e.startswith("read native-1.0-cp312-cp312-win")
    )
    for wheel in ("native-1.0-cp312-cp312-win_amd64.whl", "dep-2.0-cp312-cp312-win_amd64.whl"):
        assert source.events.index(f"ahead {wheel}") < first_read


def test_a_walk_down_the_releases_fetches_the_next_ones_side_by_side():
    """Ruling out grpcio-status 1.85 … 1.72 (each needs protobuf>=6; the roots ask <6)
    reads each one's metadata: once a walk starts, the next ones are fetched ahead, not
    one at a time as each is reached."""
    status = {f"1.{n}": ("proto>=6",) for n in range(72, 86)}
    status["1.71"] = ("proto>=5",)
    source = NativeWheels({"status": status, "proto": {"5.0": (), "6.0": ()}})
    result = resolve(source, "status", "proto<6")
    assert str(result.chosen["status"].version) == "1.71"
    reads = [e for e in source.events if e.startswith("read status-")]
    late = [e.split()[1] for e in reads[3:]]  # the walk is under way by the fourth
    for wheel in late:
        first_read = source.events.index(f"read {wheel}")
        assert f"ahead {wheel}" in source.events[:first_read], wheel
