"""`reqlock compile`, `check` and `why` from the command line, against the fake index:
freshness without network, sticky pins and upgrades, tampered hashes, dry runs, failures
that leave the old locks untouched, and what check reports for each way a lock can be
wrong. Resolver behaviour case by case lives in tests/scenarios."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakeindex import Release

RELEASES = [
    Release("app-dep", "1.0", requires_dist=("leaf>=1",)),
    Release("app-dep", "2.0", requires_dist=("leaf>=1",)),
    Release("leaf", "1.0"),
    Release("leaf", "1.1"),
    Release("tool", "3.0", requires_dist=('winonly; sys_platform == "win32"',)),
    Release("winonly", "1.0", wheels=("py3-none-win_amd64",), sdist=False),
    Release("old-py", "1.0", requires_python=">=3.8,<3.11"),
    Release("old-py", "2.0", requires_python=">=3.11"),
]

PYPROJECT = """
[project]
name = "demo"
version = "0"
requires-python = ">=3.10"
dependencies = ["app-dep", "old-py"]

[dependency-groups]
dev = ["tool"]

[tool.reqlock]
python = ["3.10", "3.12"]
index-url = "{url}"
"""


@pytest.fixture
def project(make_project, fake_index):
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})
    return root, index


def pins(root: Path, layer: str) -> list[str]:
    text = (root / "requirements" / f"{layer}.lock.txt").read_text()
    return [
        line.removesuffix(" \\")
        for line in text.splitlines()
        if line and not line.startswith(("#", " ", "-"))
    ]


def test_compile_writes_one_lock_per_layer_with_markers_and_hashes(project, reqlock):
    root, index = project
    result = reqlock("compile", "--project", root)
    assert result.code == 0, result.err
    assert pins(root, "base") == [
        "app-dep==2.0",
        "leaf==1.1",
        'old-py==1.0 ; python_version < "3.12"',
        'old-py==2.0 ; python_version >= "3.12"',
    ]
    assert 'winonly==1.0 ; sys_platform == "win32"' in pins(root, "dev")
    text = (root / "requirements/dev.lock.txt").read_text()
    assert "# layer: dev = base + group dev\n" in text
    assert (
        "# environments: python 3.10, 3.12 on linux-x86_64, linux-aarch64, macos-arm64, "
        "windows-x86_64"
    ) in text
    assert f"--index-url {index.url}\n" in text
    # every file of the release is hashed: app-dep 2.0 has a wheel and an sdist
    block = text.split("app-dep==2.0")[1].split("# via")[0]
    assert block.count("--hash=sha256:") == 2
    assert (
        "wrote requirements/base.lock.txt: new, 3 pins (app-dep 2.0, leaf 1.1, old-py 1.0/2.0)"
        in result.err
    )


def test_unchanged_inputs_fetch_nothing_and_say_up_to_date(project, reqlock):
    root, index = project
    assert reqlock("compile", "--project", root).code == 0
    before = {p: p.read_bytes() for p in (root / "requirements").iterdir()}
    index.clear_log()
    result = reqlock("compile", "--project", root)
    assert result.code == 0
    assert "up to date" in result.err
    assert index.requests == []
    assert {p: p.read_bytes() for p in (root / "requirements").iterdir()} == before


def test_same_inputs_give_the_same_bytes(project, reqlock):
    root, _ = project
    assert reqlock("compile", "--project", root).code == 0
    first = (root / "requirements/dev.lock.txt").read_bytes()
    assert reqlock("compile", "--project", root, "--upgrade").code == 0
    assert (root / "requirements/dev.lock.txt").read_bytes() == first


def test_existing_pins_are_kept_until_upgraded(project, reqlock):
    root, _ = project
    lock = root / "requirements/base.lock.txt"
    assert reqlock("compile", "--project", root, "-P", "app-dep==1.0", "-P", "leaf==1.0").code == 0
    assert pins(root, "base")[:2] == ["app-dep==1.0", "leaf==1.0"]
    # a new dependency does not move the others
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"old-py"]', '"old-py", "tool"]'))
    assert reqlock("compile", "--project", root).code == 0
    assert pins(root, "base")[:2] == ["app-dep==1.0", "leaf==1.0"]
    # -P moves only the one named
    result = reqlock("compile", "--project", root, "-P", "leaf")
    assert result.code == 0
    assert pins(root, "base")[:2] == ["app-dep==1.0", "leaf==1.1"]
    assert "1 upgraded (leaf 1.0 -> 1.1)" in result.err
    assert reqlock("compile", "--project", root, "-U").code == 0
    assert pins(root, "base")[0] == "app-dep==2.0"
    assert lock.read_text().count("--hash") >= 4


def test_upgrading_a_package_no_lock_holds_is_bad_usage(project, reqlock):
    """Issue 14 item 9: `-P flask` where flask is in no lock did nothing and exited 0."""
    root, _ = project
    assert reqlock("compile", "--project", root).code == 0
    before = (root / "requirements/base.lock.txt").read_bytes()
    result = reqlock("compile", "--project", root, "-P", "lef")
    assert result.code == 2
    assert "--upgrade-package lef: no lock holds lef (did you mean 'leaf'?)" in result.err
    assert (root / "requirements/base.lock.txt").read_bytes() == before


def test_dry_run_prints_a_diff_and_writes_nothing(project, reqlock):
    root, _ = project
    result = reqlock("compile", "--project", root, "--dry-run")
    assert result.code == 0
    assert "+++ b/requirements/base.lock.txt" in result.out
    assert "+app-dep==2.0 \\" in result.out
    assert not (root / "requirements").exists()


def test_a_hand_tampered_hash_is_reported_not_laundered(project, reqlock):
    root, _ = project
    assert reqlock("compile", "--project", root).code == 0
    lock = root / "requirements/base.lock.txt"
    text = lock.read_text()
    digest = text.split("leaf==1.1 \\\n    --hash=sha256:")[1][:64]
    tampered = text.replace(digest, "0" * 64)
    lock.write_text(tampered)
    result = reqlock("compile", "--project", root, "-P", "app-dep")
    assert result.code == 5
    assert "requirements/base.lock.txt:" in result.err
    assert "leaf==1.1 carries --hash=sha256:" + "0" * 64 in result.err
    assert lock.read_text() == tampered


def test_a_failed_compile_leaves_every_lock_untouched(project, reqlock):
    root, index = project
    assert reqlock("compile", "--project", root).code == 0
    before = {p.name: p.read_bytes() for p in (root / "requirements").iterdir()}
    index.fault("/simple/*", "status", status=503)
    result = reqlock("compile", "--project", root, "-U", "--refresh")
    assert result.code == 4
    assert "HTTP 503" in result.err
    assert {p.name: p.read_bytes() for p in (root / "requirements").iterdir()} == before


def test_only_the_named_layers_are_written(project, reqlock):
    root, _ = project
    assert reqlock("compile", "--project", root, "dev").code == 0
    assert sorted(p.name for p in (root / "requirements").iterdir()) == ["dev.lock.txt"]
    result = reqlock("compile", "--project", root, "deev")
    assert result.code == 2
    assert "no layer 'deev' (did you mean 'dev'?)" in result.err


def test_unknown_package_is_exit_3_naming_it(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    root = make_project(
        {"pyproject.toml": PYPROJECT.format(url=index.url).replace('"tool"', '"no-such-pkg"')}
    )
    result = reqlock("compile", "--project", root)
    assert result.code == 3
    assert "error: no project named no-such-pkg on http://127.0.0.1" in result.err
    assert "[dependency-groups].dev" in result.err
    assert not (root / "requirements").exists()


@pytest.mark.parametrize(
    ("requirement", "message"),
    [
        ("demo-vcs @ git+https://example.com/x.git", "VCS requirement cannot be hash-locked"),
        ("demo-local @ file:///tmp/somewhere", "local directory cannot be hash-locked"),
        (
            "demo-sub @ https://x.example/a.zip#subdirectory=s",
            "subdirectory cannot be hash-locked",
        ),
        ("demo-odd @ https://x.example/other.rpm", "neither a wheel of demo-odd"),
    ],
)
def test_requirements_a_lock_cannot_hold_are_refused(
    make_project, fake_index, reqlock, requirement, message
):
    index = fake_index(RELEASES)
    text = PYPROJECT.format(url=index.url).replace('"tool"', f'"{requirement}"')
    root = make_project({"pyproject.toml": text})
    result = reqlock("compile", "--project", root)
    assert result.code == 2
    assert "pyproject.toml" in result.err
    assert message in result.err


def test_the_project_itself_stands_for_its_dependencies(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    text = PYPROJECT.format(url=index.url).replace('dev = ["tool"]', 'dev = ["demo[cli]"]')
    text = text.replace(
        "[dependency-groups]",
        '[project.optional-dependencies]\ncli = ["tool"]\n\n[dependency-groups]',
    )
    root = make_project({"pyproject.toml": text})
    assert reqlock("compile", "--project", root).code == 0
    dev = pins(root, "dev")
    assert "tool==3.0" in dev
    assert not any(p.startswith("demo") for p in dev)


def test_check_passes_on_fresh_locks_and_names_each_stale_layer(project, reqlock):
    root, _ = project
    result = reqlock("check", "--project", root)
    assert result.code == 1
    assert "requirements/base.lock.txt: missing; run reqlock compile" in result.err
    assert reqlock("compile", "--project", root).code == 0
    assert reqlock("check", "--project", root).code == 0
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('dev = ["tool"]', 'dev = ["tool>=3"]'))
    result = reqlock("check", "--project", root)
    assert result.code == 1
    assert "requirements/dev.lock.txt: stale: the project's inputs changed" in result.err
    # each lock's digest covers its own layer's inputs: base's did not change
    assert "requirements/base.lock.txt" not in result.err


def test_a_dev_only_edit_leaves_the_base_lock_byte_identical(project, reqlock):
    """SPEC: a lock file changes only when its own content changes (Docker layer caches,
    PR noise): an edit to dev that moves no pin of base rewrites dev.lock.txt only."""
    root, _ = project
    assert reqlock("compile", "--project", root).code == 0
    base = (root / "requirements/base.lock.txt").read_bytes()
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('dev = ["tool"]', 'dev = ["tool>=3"]'))
    assert reqlock("compile", "--project", root).code == 0
    assert (root / "requirements/base.lock.txt").read_bytes() == base
    assert reqlock("check", "--project", root).code == 0


H = "--hash=sha256:" + "a" * 64
MALFORMED = [
    # (text replaced, its replacement (appended when the first is empty), message)
    ("leaf==1.1 \\", "leaf>=1.1 \\", ":12: leaf is not pinned with ==: 'leaf>=1.1'"),
    ("leaf==1.1 \\", 'leaf==1.1 ; python_version < "3" \\', "edited since reqlock wrote it"),
    ("# body-digest: sha256:", "# body: ", "no '# body-digest: sha256:…' header line"),
    ("", "--trusted-host evil.example", "option reqlock never writes: '--trusted-host"),
    ("", "--extra-index-url https://x.example/simple", "index option the project does not"),
    ("", "leaf==1.0", "leaf==1.0 has no --hash=sha256:"),
    ("", f"leaf==1.0 {H}", "leaf is pinned twice"),
    ("", "leaf==1.0 --hash=md5:abc", "leaf: not a sha256 hash: md5"),
    ("", "-e git+https://example.com/x.git#egg=x", "option reqlock never writes: '-e"),
    ("# input-digest: sha256:", "# input: ", "no '# input-digest: sha256:…' header line"),
]


@pytest.mark.parametrize(("old", "new", "message"), MALFORMED)
def test_check_names_each_malformed_line(project, reqlock, old, new, message):
    root, _ = project
    assert reqlock("compile", "--project", root).code == 0
    lock = root / "requirements/base.lock.txt"
    text = lock.read_text()
    lock.write_text(text.replace(old, new) if old else f"{text}{new}\n")
    before = lock.read_bytes()
    result = reqlock("check", "--project", root)
    assert result.code == 1
    assert message in result.err
    assert "requirements/base.lock.txt" in result.err
    assert lock.read_bytes() == before


@pytest.mark.parametrize("edit", ["delete the leaf pin", "change a hash", "crlf line ends"])
def test_the_body_digest_catches_a_hand_edit_offline(project, reqlock, edit):
    """Issue 14 item 1: a deleted transitive pin or a changed hash passed check; a
    checkout with CRLF line ends is no edit."""
    root, _ = project
    assert reqlock("compile", "--project", root).code == 0
    lock = root / "requirements/base.lock.txt"
    text = lock.read_text()
    if edit == "delete the leaf pin":
        start = text.index("leaf==1.1")
        end = text.index("\n", text.index("# via", start)) + 1
        text = text[:start] + text[end:]
    elif edit == "change a hash":
        at = text.index("--hash=sha256:") + len("--hash=sha256:")
        text = text[:at] + ("0" if text[at] != "0" else "1") + text[at + 1 :]
    else:
        text = text.replace("\n", "\r\n")
    lock.write_bytes(text.encode())
    result = reqlock("check", "--project", root)
    if edit == "crlf line ends":
        assert result.code == 0, result.err
        return
    assert result.code == 1
    assert "requirements/base.lock.txt: edited since reqlock wrote it" in result.err


def test_check_imports_neither_the_resolver_nor_the_http_client(project, reqlock):
    root, _ = project
    assert reqlock("compile", "--project", root).code == 0
    assert check_in_a_fresh_process(root) == "0 []"


def check_in_a_fresh_process(root: Path) -> str:
    """`reqlock check -q` in a new interpreter: its exit code, then the heavy modules it
    loaded (none may be: check stays light)."""
    import subprocess
    import sys

    code = (
        "import sys; from pipx_lockext.cli.main import main\n"
        "try: main(['check', '-q', '--project', sys.argv[1]])\n"
        "except SystemExit as e: code = e.code\n"
        "heavy = {'resolvelib', 'urllib3', 'tomlkit', 'pipx_lockext.core.resolution.resolver'}\n"
        "print(code, sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=False
    )
    return out.stdout.strip() or out.stderr


def test_why_shows_the_chains_to_the_roots(project, reqlock):
    root, _ = project
    assert reqlock("compile", "--project", root).code == 0
    result = reqlock("why", "leaf", "--project", root, "--layer", "dev")
    assert result.code == 0
    assert result.out == "requirements/dev.lock.txt:\n  leaf==1.1 <- app-dep==2.0 <- project\n"
    result = reqlock("why", "winonly", "--project", root)
    # Issue 14 item 12: the marker is said, and chains the same in two locks said once.
    assert 'winonly==1.0 (sys_platform == "win32") <- tool==3.0 <- group dev' in result.out
    assert reqlock("why", "nothing", "--project", root).code == 1
    both = reqlock("why", "leaf", "--project", root)
    assert both.out.startswith("requirements/base.lock.txt, requirements/dev.lock.txt:\n")
    assert both.out.count("leaf==1.1 <- app-dep==2.0 <- project") == 1


def test_a_direct_url_to_an_archive_is_locked_with_its_hash(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    wheel = next(name for name in index.files if name.startswith("app_dep-1.0-"))
    url = index.file_url(wheel)
    text = PYPROJECT.format(url=index.url).replace('"tool"', f'"app-dep @ {url}"')
    root = make_project({"pyproject.toml": text})
    result = reqlock("compile", "--project", root)
    assert result.code == 0, result.err
    dev = (root / "requirements/dev.lock.txt").read_text()
    line = f"app-dep @ {url} \\\n    --hash=sha256:{index.files[wheel].sha256}\n"
    assert line in dev
    assert "app-dep==" not in dev  # one pin, the URL's, shared with base's plain app-dep
    assert reqlock("check", "--project", root).code == 0


def test_pins_that_install_from_an_sdist_are_reported(make_project, fake_index, reqlock):
    releases = [*RELEASES, Release("built", "1.0", wheels=("cp312-cp312-win_amd64",))]
    index = fake_index(releases)
    text = PYPROJECT.format(url=index.url).replace('"tool"', '"built"')
    root = make_project({"pyproject.toml": text})
    result = reqlock("compile", "--project", root)
    assert result.code == 0, result.err
    assert (
        "warning: built==1.0 has no wheel for python 3.10, 3.12 on linux-aarch64; "
        "python 3.10, 3.12 on linux-x86_64; python 3.10, 3.12 on macos-arm64; "
        "python 3.10 on windows-x86_64: pip builds it from the sdist, and the build "
        "dependencies it fetches are not hash-checked"
    ) in result.err


def test_build_requirements_of_sdist_only_pins_get_their_own_lock(
    make_project, fake_index, reqlock
):
    releases = [
        *RELEASES,
        Release("built", "1.0", wheels=(), build_requires=("buildhelper>=1",)),
        Release("buildhelper", "1.0"),
        Release("buildhelper", "2.0", sdist=False),
    ]
    index = fake_index(releases)
    text = PYPROJECT.format(url=index.url).replace('"tool"', '"built"')
    root = make_project({"pyproject.toml": text})
    result = reqlock("compile", "--project", root)
    assert result.code == 0, result.err
    build = (root / "requirements/dev.build.lock.txt").read_text()
    assert "# layer: dev.build = what dev's sdist-only pins need to build\n" in build
    digest = index.files["buildhelper-2.0-py3-none-any.whl"].sha256
    assert (
        f"buildhelper==2.0 \\\n    --hash=sha256:{digest}\n    # via building built 1.0\n" in build
    )
    assert not (root / "requirements/base.build.lock.txt").exists()
    assert reqlock("check", "--project", root).code == 0
    verified = reqlock("verify", "--project", root, "--against-index")
    assert verified.code == 0, verified.err
    assert "3 locks well formed" in verified.err
    tampered = build.replace("buildhelper==2.0", "buildhelper>=2.0")
    (root / "requirements/dev.build.lock.txt").write_text(tampered)
    result = reqlock("check", "--project", root)
    assert result.code == 1
    assert "requirements/dev.build.lock.txt:" in result.err


def test_common_flags_before_the_command_and_pip_compiles_dash_n(project, reqlock):
    """Issue 14 item 12: `reqlock -q compile` and `compile -n` were refused."""
    root, _ = project
    result = reqlock("-q", "compile", "--project", root, "-n")
    assert result.code == 0, result.err
    assert "+++ b/requirements/base.lock.txt" in result.out
    assert result.err == ""
    assert not (root / "requirements").exists()
