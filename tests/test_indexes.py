"""Which index a package comes from: first-index by default (no dependency confusion),
per-package index pinning, and the same file name with other bytes on another index."""

from __future__ import annotations

from tests.fakeindex import Release

PYPROJECT = """
[project]
name = "demo"
version = "0"
dependencies = ["internal-lib", "public-lib"]

[tool.reqlock]
python = ["3.12"]
platforms = ["linux-x86_64"]
index-url = "{public}"
{extra}
"""


def pins(root):
    text = (root / "requirements/base.lock.txt").read_text()
    return [line.removesuffix(" \\") for line in text.splitlines() if "==" in line]


def test_a_package_pinned_to_its_index_is_never_taken_from_another(
    make_project, fake_index, reqlock
):
    # An attacker publishes internal-lib 99.0 on the public index.
    public = fake_index([Release("internal-lib", "99.0"), Release("public-lib", "1.0")])
    private = fake_index([Release("internal-lib", "1.2")])
    extra = f'[tool.reqlock.package-index]\n"Internal_Lib" = "{private.url}"'
    root = make_project({"pyproject.toml": PYPROJECT.format(public=public.url, extra=extra)})
    result = reqlock("compile", "--project", root)
    assert result.code == 0, result.err
    assert pins(root) == ["internal-lib==1.2", "public-lib==1.0"]
    text = (root / "requirements/base.lock.txt").read_text()
    assert f"--extra-index-url {private.url}\n" in text
    digest = private.files["internal_lib-1.2-py3-none-any.whl"].sha256
    assert f"--hash=sha256:{digest}" in text
    assert public.count("/simple/internal-lib/") == 0


def test_first_index_blocks_dependency_confusion_and_best_match_is_opt_in(
    make_project, fake_index, reqlock
):
    # pip's usual setup: the public index as index-url, the private one as an extra (which
    # is searched first, as uv does); an attacker uploads internal-lib 99.0 publicly.
    public = fake_index([Release("internal-lib", "99.0"), Release("public-lib", "1.0")])
    private = fake_index([Release("internal-lib", "1.0")])
    extra = f'extra-index-url = ["{private.url}"]'
    root = make_project({"pyproject.toml": PYPROJECT.format(public=public.url, extra=extra)})
    assert reqlock("compile", "--project", root).code == 0
    assert pins(root)[0] == "internal-lib==1.0"
    assert (
        reqlock("compile", "--project", root, "-U", "--index-strategy", "unsafe-best-match").code
        == 0
    )
    assert pins(root)[0] == "internal-lib==99.0"


def test_the_same_file_name_with_other_bytes_on_two_indexes_is_exit_5(
    make_project, fake_index, reqlock
):
    one = fake_index([Release("internal-lib", "1.0"), Release("public-lib", "1.0")])
    other = fake_index([Release("internal-lib", "1.0", requires_dist=("evil",))])
    extra = f'extra-index-url = ["{other.url}"]\nindex-strategy = "unsafe-best-match"'
    root = make_project({"pyproject.toml": PYPROJECT.format(public=one.url, extra=extra)})
    result = reqlock("compile", "--project", root)
    assert result.code == 5
    assert "internal_lib-1.0-py3-none-any.whl: " in result.err
    assert "serve different bytes under the same name" in result.err
    assert not (root / "requirements").exists()


def test_a_package_index_that_is_not_a_url_is_exit_2(make_project, reqlock):
    extra = '[tool.reqlock.package-index]\ninternal-lib = "private"'
    root = make_project(
        {"pyproject.toml": PYPROJECT.format(public="https://x/simple", extra=extra)}
    )
    result = reqlock("compile", "--project", root)
    assert result.code == 2
    assert (
        "[tool.reqlock].package-index.internal-lib: must be the URL of a simple index"
        in result.err
    )


def test_credentials_never_reach_a_lock_but_placeholders_do():
    from pipx_lockext.core.lockfiles.digest import without_credentials

    cases = {
        "https://alice:s3cret@host/simple/": "https://host/simple/",
        "https://TOKEN123@host/simple/": "https://host/simple/",
        "https://alice:${INDEX_TOKEN}@host/simple/": "https://alice:${INDEX_TOKEN}@host/simple/",
        "https://${USER}:${TOKEN}@host/simple/": "https://${USER}:${TOKEN}@host/simple/",
        "https://${TOKEN}@host/simple/": "https://${TOKEN}@host/simple/",
        "https://${USER}:literal@host/simple/": "https://host/simple/",
        "https://host/simple/": "https://host/simple/",
    }
    assert {url: without_credentials(url) for url in cases} == cases
