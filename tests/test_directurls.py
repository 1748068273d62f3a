"""Which direct URLs are source archives, and which are archives of a branch."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement

from pipx_lockext.core.resolution.directurls import branch_warning, is_archive, url_problem

GH = "https://github.com/o/r/archive/"


@pytest.mark.parametrize("ext", [".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".TAR.GZ"])
def test_source_archives_are_recognised_by_their_extension(ext: str) -> None:
    assert is_archive(f"{GH}stable{ext}#sha256=" + "0" * 64)
    assert url_problem(Requirement(f"x @ {GH}stable{ext}")) is None


def test_other_files_are_neither_wheels_nor_archives() -> None:
    problem = url_problem(Requirement("x @ https://h.example/x.rpm"))
    assert problem is not None
    assert "neither a wheel of x" in problem
    assert not is_archive("https://h.example/x-1.0-py3-none-any.whl")


@pytest.mark.parametrize(
    "ref", ["main.tar.gz", "stable.zip", "refs/heads/release-1.0.tar.gz", "master.zip"]
)
def test_branch_archives_are_warned_about(ref: str) -> None:
    warning = branch_warning(GH + ref)
    assert warning is not None
    assert "not immutable" in warning


@pytest.mark.parametrize(
    "url",
    [
        GH + "0123456789abcdef0123456789abcdef01234567.tar.gz",
        GH + "refs/tags/stable.tar.gz",
        GH + "v1.2.3.zip",
        GH + "24.1.0.tar.gz",
        "https://files.example/pkg/stable.tar.gz",
    ],
)
def test_commit_tag_and_other_archives_are_not(url: str) -> None:
    assert branch_warning(url) is None
