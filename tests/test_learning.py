"""Clashes between dependencies (not roots) found from their causes: a release whose only
fitting child is ruled out is ruled out too, and what a release every solution holds asks
counts like a root's ask (issue 11; saleor's lock backtracked for minutes over both)."""

from __future__ import annotations

from packaging.version import Version

from tests.test_provider import Memory, resolve

OLD_KOMBUS = {f"4.{n}": ('redis<4; extra == "redis"',) for n in range(40)}


def test_a_parent_whose_only_fitting_child_is_ruled_out_is_passed_over():
    # celery[redis] 5.7 needs kombu>=5.7 and kombu[redis]; kombu[redis] 5.7 needs
    # redis>=6.4, and the roots ask redis<6: celery 5.7 can be in no solution.
    source = Memory(
        {
            "celery": {
                "5.7": ("kombu>=5.7", 'kombu[redis]; extra == "redis"'),
                "5.6": ("kombu>=4,<5.7", 'kombu[redis]; extra == "redis"'),
            },
            "kombu": {"5.7": ('redis>=6.4; extra == "redis"',), "5.6": (), **OLD_KOMBUS},
            "redis": {"6.4": (), "5.0": ()},
        }
    )
    result = resolve(source, "celery[redis]", "redis<6")
    chosen = {name: release.version for name, release in result.chosen.items()}
    assert chosen == {"celery": Version("5.6"), "kombu": Version("5.6"), "redis": Version("5.0")}


def test_what_a_single_fitting_release_asks_holds_like_a_root_ask():
    # otel<0.54 leaves one release, which pins proto 1.32, which asks protobuf<6: every
    # pubsub that needs protobuf>=6 is passed over without pinning protobuf first.
    pubsubs = {f"2.{n}": ("protobuf>=6",) for n in range(10, 40)}
    source = Memory(
        {
            "otel": {"0.53": ("proto==1.32",), "0.60": ("proto==1.40",)},
            "proto": {"1.32": ("protobuf<6",), "1.40": ("protobuf>=6",)},
            "protobuf": {"5.0": (), "6.0": ()},
            "pubsub": {**pubsubs, "2.0": ("protobuf>=5",)},
        }
    )
    result = resolve(source, "otel<0.54", "pubsub")
    assert result.chosen["pubsub"].version == Version("2.0")
    assert result.chosen["protobuf"].version == Version("5.0")
