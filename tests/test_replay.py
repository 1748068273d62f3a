"""Another environment's solution is taken only when it is what this environment would
choose: each pin the first match given everything the closure asks of it, every ask
granted. Anything else is resolved in full (issue 11: most platforms of a matrix end
with the same pins, and resolving each from scratch cost as much as the first)."""

from __future__ import annotations

import difflib
import shutil
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from pipx_lockext.core.resolution.asks import Need, Policy
from pipx_lockext.core.resolution.fixed import FixedAsks
from pipx_lockext.core.resolution.provider import Provider
from pipx_lockext.core.resolution.replay import replay
from tests.test_provider import ENV, Memory, resolve


def attempt(source: Memory, roots: tuple[str, ...], earlier: dict[str, str]):
    """What `replay` gives (identifier to version), or None."""
    needs = [Need.of(Requirement(r), "project") for r in roots]
    provider = Provider(source, ENV, Policy(), fixed=FixedAsks(needs))  # as resolve_environment
    found = replay(provider, needs, {k: Version(v) for k, v in earlier.items()})
    return None if found is None else {k: str(c.version) for k, c in found.mapping.items()}


def test_the_earlier_solution_is_taken_when_each_pin_is_the_first_match():
    source = Memory({"a": {"2.0": ("b>=1",)}, "b": {"1.1": (), "1.0": ()}})
    assert attempt(source, ("a",), {"a": "2.0", "b": "1.1"}) == {"a": "2.0", "b": "1.1"}


def test_an_earlier_pin_older_than_the_newest_that_fits_here_is_not_taken():
    # Python 3.9 ends with django 4.2; on 3.12 the newest that fits is newer.
    source = Memory({"django": {"5.2": (), "4.2": ()}})
    assert attempt(source, ("django",), {"django": "4.2"}) is None


def test_an_ask_met_later_in_the_walk_is_counted():
    # a 1.0 is not the newest, but b's a<2 (met after a was pinned) makes it first.
    source = Memory({"a": {"2.0": (), "1.0": ()}, "b": {"1.0": ("a<2",)}})
    assert attempt(source, ("a", "b"), {"a": "1.0", "b": "1.0"}) == {"a": "1.0", "b": "1.0"}


def test_a_project_only_this_environment_needs_gets_its_first_match():
    # colorama only on Windows: the earlier (Linux) solution has no pin for it.
    source = Memory({"click": {"8.0": ("colorama",)}, "colorama": {"0.4": (), "0.3": ()}})
    assert attempt(source, ("click",), {"click": "8.0"}) == {"click": "8.0", "colorama": "0.4"}


def test_a_first_match_that_a_later_ask_excludes_means_a_full_resolution():
    # c is new here: z's plain ask first matches c 2.0; d, walked later, asks c<2.
    source = Memory(
        {
            "a": {"1.0": ("d",)},
            "z": {"1.0": ("c",)},
            "c": {"2.0": (), "1.0": ()},
            "d": {"1.0": ("c<2",)},
        }
    )
    assert attempt(source, ("a", "z"), {"a": "1.0", "z": "1.0", "d": "1.0"}) is None
    chosen = resolve(source, "a", "z").chosen
    assert {n: str(r.version) for n, r in chosen.items()} == {
        "a": "1.0", "z": "1.0", "c": "1.0", "d": "1.0",
    }  # fmt: skip


def test_a_pin_this_environment_cannot_read_means_a_full_resolution():
    source = Memory({"a": {"2.0": None, "1.0": ()}})
    assert attempt(source, ("a",), {"a": "2.0"}) is None
    assert resolve(source, "a").chosen["a"].version == Version("1.0")


def test_an_extra_and_its_project_are_replayed_together():
    source = Memory({"a": {"1.0": ('b; extra == "x"',)}, "b": {"3.0": ()}})
    found = attempt(source, ("a[x]",), {"a[x]": "1.0", "a": "1.0", "b": "3.0"})
    assert found == {"a[x]": "1.0", "a": "1.0", "b": "3.0"}


KOMBU = {
    "celery": {
        "5.7": ("kombu>=5.7", 'kombu[redis]>=5.7; extra == "redis"'),
        "5.6": ("kombu>=5.6", 'kombu[redis]>=5.6; extra == "redis"'),
    },
    "kombu": {"5.7": ('redis>=6.4; extra == "redis"',), "5.6": ('redis; extra == "redis"',)},
    "redis": {"6.4": (), "5.0": ()},
}


def test_a_project_asked_with_several_extras_is_judged_as_one():
    # kombu 5.7 fits kombu and kombu[sqs], but kombu[redis] 5.7 needs redis>=6.4 against
    # the root redis<6: no identifier of kombu can take 5.7, so 5.6 stands; celery 5.7
    # fits celery, but celery[redis] 5.7 is ruled out with kombu[redis] 5.7 (saleor).
    source = Memory(KOMBU)
    roots = ("celery[redis]", "kombu[sqs]", "redis<6")
    earlier = {k: str(v) for k, v in solution(source, roots).items()}
    assert earlier["kombu[sqs]"] == earlier["kombu[redis]"] == earlier["celery"] == "5.6"
    assert attempt(source, roots, earlier) == earlier


def test_what_a_project_asks_of_itself_does_not_hold_its_pin():
    # kombu[sqs] 5.6 asks kombu==5.6; that must not make 5.6 look like the newest.
    source = Memory(KOMBU)
    assert attempt(source, ("kombu[sqs]",), {"kombu": "5.6", "kombu[sqs]": "5.6"}) is None


def solution(source: Memory, roots: tuple[str, ...]) -> dict[str, Version]:
    return resolve(source, *roots).solution


REPLAYED_TOPICS = ("platforms", "multi-python", "markers", "extras", "sticky-pins")


def replayed_scenarios() -> list[Any]:
    from tests.test_scenarios import all_scenarios

    return [
        pytest.param(s, id=s.id)
        for s in all_scenarios()
        if s.id.split("/")[0] in REPLAYED_TOPICS and s.expect.exit == 0 and not s.xfail
    ]


@pytest.mark.parametrize("scenario", replayed_scenarios())
def test_replay_changes_no_lock(  # noqa: PLR0917 - pytest fixtures
    scenario, tmp_path, fake_index, make_project, reqlock, monkeypatch
):
    """Replay only saves time: each scenario of the topics where environments differ
    writes the same locks, byte for byte, with every environment resolved in full."""
    from pipx_lockext.core.resolution.matrix import _MatrixRun
    from tests.test_scenarios import lock_files, run_step

    written = []
    project = tmp_path / "project"  # where make_project writes
    for replaying in (True, False):
        if not replaying:
            monkeypatch.setattr(_MatrixRun, "_replayable", lambda self, env: None)
        shutil.rmtree(project, ignore_errors=True)
        for step in (scenario.before, scenario.step):
            if step is not None:
                result, index = run_step(step, project, fake_index, make_project, reqlock)
                assert result.code == 0, result.err
        # Each compile has an index of its own, on another port (the body digest covers it).
        written.append({k: same_index(v, index.url) for k, v in lock_files(project).items()})
    for layer in written[0]:
        assert written[0][layer] == written[1].get(layer), "".join(
            difflib.unified_diff(
                written[0][layer].splitlines(True), written[1].get(layer, "").splitlines(True)
            )
        )


def same_index(lock: str, url: str) -> str:
    lines = lock.replace(url, "INDEX").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("# body-digest:"))
