"""`reqlock export --format pylock`: PEP 751 files from the fresh locks, never a second
resolution (SPEC "Beyond requirements files"), and `check` holding them to their lock."""

from __future__ import annotations

import sys

import pytest
from packaging.pylock import Pylock

from pipx_lockext.core.environments import Environment, PythonVersion
from pipx_lockext.core.errors import IntegrityError
from pipx_lockext.core.lockfiles.lockparse import parse_lock
from pipx_lockext.core.lockfiles.pylock import (
    FileRecord,
    build_pylock,
    environment_markers,
    pylock_problems,
    render_pylock,
)
from tests.conftest import seal
from tests.test_compile import PYPROJECT, RELEASES, check_in_a_fresh_process

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the 3.10 tox env
    import tomli as tomllib


@pytest.fixture
def compiled(make_project, fake_index, reqlock):
    index = fake_index(RELEASES)
    root = make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})
    assert reqlock("compile", "--project", root).code == 0
    return root, index


def read_pylock(path) -> Pylock:
    return Pylock.from_dict(tomllib.loads(path.read_text()))


def identities(pins) -> set[tuple[str, str, str]]:
    return {(p.name, str(p.version), str(p.marker or "")) for p in pins}


def test_export_writes_one_valid_pylock_per_layer_from_the_locks(compiled, reqlock):
    root, index = compiled
    result = reqlock("export", "--format", "pylock", "--project", root)
    assert result.code == 0, result.err
    assert "created requirements/pylock.base.toml" in result.err
    for layer in ("base", "dev"):
        pylock = read_pylock(root / f"requirements/pylock.{layer}.toml")
        lock = parse_lock((root / f"requirements/{layer}.lock.txt").read_text())
        assert identities(pylock.packages) == identities(lock.pins)
        assert pylock.created_by == "reqlock"
        assert str(pylock.requires_python) == ">=3.10"
        for package in pylock.packages:
            pin = next(
                p for p in lock.pins if (p.name, p.version) == (package.name, package.version)
            )
            files = [*(package.wheels or ()), *([package.sdist] if package.sdist else [])]
            assert sorted(f.hashes["sha256"] for f in files) == sorted(pin.hashes)
            for file in files:
                built = index.files[file.filename]
                assert file.url == index.file_url(file.filename)
                assert (file.size, file.hashes["sha256"]) == (built.size, built.sha256)
    dev = read_pylock(root / "requirements/pylock.dev.toml")
    markers = {p.name: str(p.marker) for p in dev.packages if p.marker}
    assert markers["winonly"] == 'sys_platform == "win32"'
    assert markers["old-py"] in {'python_version < "3.12"', 'python_version >= "3.12"'}
    assert len(dev.environments or ()) == 8  # 3.10 and 3.12 apart, on four platforms


def test_export_twice_changes_nothing_and_check_finds_it_fresh(compiled, reqlock):
    root, _ = compiled
    assert reqlock("export", "--format", "pylock", "--project", root).code == 0
    before = (root / "requirements/pylock.dev.toml").read_bytes()
    again = reqlock("export", "--format", "pylock", "--project", root)
    assert "unchanged requirements/pylock.dev.toml" in again.err
    assert (root / "requirements/pylock.dev.toml").read_bytes() == before
    assert reqlock("check", "--project", root).code == 0


def test_one_layer_named_is_the_only_one_written(compiled, reqlock):
    root, _ = compiled
    assert reqlock("export", "--format", "pylock", "dev", "--project", root).code == 0
    assert (root / "requirements/pylock.dev.toml").is_file()
    assert not (root / "requirements/pylock.base.toml").exists()


def test_dry_run_prints_the_file_and_writes_nothing(compiled, reqlock):
    root, _ = compiled
    result = reqlock("export", "--format", "pylock", "--dry-run", "--project", root)
    assert result.code == 0
    assert '+created-by = "reqlock"' in result.out
    assert not list((root / "requirements").glob("pylock.*"))


def test_a_stale_lock_is_refused_and_nothing_is_written(compiled, reqlock):
    root, _ = compiled
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('dev = ["tool"]', 'dev = ["tool", "leaf"]'))
    result = reqlock("export", "--format", "pylock", "--project", root)
    assert result.code == 1
    assert "requirements/dev.lock.txt: stale" in result.err
    assert "run reqlock compile" in result.err
    assert not list((root / "requirements").glob("pylock.*"))


def test_a_hash_the_index_no_longer_lists_is_exit_5_naming_it(compiled, reqlock):
    root, _ = compiled
    lock = root / "requirements/base.lock.txt"
    text = lock.read_text()
    digest = text.split("leaf==1.1 \\\n    --hash=sha256:")[1][:64]
    lock.write_text(seal(text.replace(digest, "f" * 64)))
    result = reqlock("export", "--format", "pylock", "--project", root)
    assert result.code == 5
    assert f"requirements/base.lock.txt:12: leaf==1.1 --hash=sha256:{'f' * 64}" in result.err
    assert not list((root / "requirements").glob("pylock.*"))  # all layers or none


def test_usage_errors_name_the_layer_or_the_option(compiled, reqlock):
    root, _ = compiled
    result = reqlock("export", "--format", "pylock", "deev", "--project", root)
    assert result.code == 2
    assert "no layer 'deev'" in result.err
    assert "dev" in result.err
    result = reqlock("export", "dev", "--project", root)
    assert result.code == 2
    assert "--format pylock" in result.err


def test_check_names_a_pylock_whose_pins_differ_from_the_lock(compiled, reqlock):
    root, _ = compiled
    assert reqlock("export", "--format", "pylock", "--project", root).code == 0
    assert reqlock("check", "--project", root).code == 0
    path = root / "requirements/pylock.dev.toml"
    path.write_text(path.read_text().replace('"win32"\'', '"linux"\''))
    result = reqlock("check", "--project", root)
    assert result.code == 1
    stale = "requirements/pylock.dev.toml: stale:"
    assert f'{stale} lacks winonly==1.0 ; sys_platform == "win32" that the lock has' in result.err
    assert f'{stale} has winonly==1.0 ; sys_platform == "linux" that the lock lacks' in result.err
    assert "run reqlock export --format pylock" in result.err
    assert reqlock("check", "--project", root).code == 1  # no stamp answered "fresh"


def test_check_names_a_malformed_pylock_file(compiled, reqlock):
    root, _ = compiled
    assert reqlock("export", "--format", "pylock", "--project", root).code == 0
    path = root / "requirements/pylock.dev.toml"
    path.write_text(path.read_text() + "[[packages]\n")
    result = reqlock("check", "--project", root)
    assert result.code == 1
    assert "requirements/pylock.dev.toml:" in result.err
    assert "invalid TOML" in result.err
    path.write_text(path.read_text().replace("[[packages]\n", "").replace("created-by", "x"))
    result = reqlock("check", "--project", root)
    assert result.code == 1
    assert "not a valid PEP 751 lock" in result.err


def test_check_ignores_layers_without_a_pylock_file(compiled, reqlock):
    root, _ = compiled
    assert reqlock("export", "--format", "pylock", "dev", "--project", root).code == 0
    assert reqlock("check", "--project", root).code == 0


# -- the pure builder ------------------------------------------------------------------

A, B, C, D = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)
LOCK = seal(
    f"""# This file is generated by reqlock from pyproject.toml; do not edit it by hand.
# To update it, run: reqlock compile
# layer: base
# environments: python 3.9-3.11, 3.13 on linux-x86_64, linux-musl-x86_64, windows-x86_64
# input-digest: sha256:{A}
direct @ https://example.org/direct-1.0.tar.gz \\
    --hash=sha256:{D}
lib==1.0 ; python_version < "3.11" \\
    --hash=sha256:{A} \\
    --hash=sha256:{B}
lib==2.0 ; python_version >= "3.11" \\
    --hash=sha256:{C}
"""
)
FILES = {
    ("direct", "https://example.org/direct-1.0.tar.gz"): [
        FileRecord("direct-1.0.tar.gz", "https://example.org/direct-1.0.tar.gz", D, 5)
    ],
    ("lib", "1.0"): [
        FileRecord("lib-1.0.zip", "https://files.example/aa/lib-1.0.zip", B, 30),
        FileRecord(
            "lib-1.0-py3-none-any.whl", "https://files.example/lib-1.0-py3-none-any.whl", A, 10
        ),
        FileRecord("lib-1.0-py2-none-any.whl", "https://files.example/x", "e" * 64, 10),
    ],
    ("lib", "2.0"): [FileRecord("lib-2.0-py3-none-any.whl", "https://f.example/dl?id=2", C, None)],
}


def test_builder_takes_each_locked_hash_with_its_url_and_size():
    lock = parse_lock(LOCK)
    assert not lock.problems
    pylock = build_pylock(lock, "requirements/base.lock.txt", FILES)
    direct, old, new = pylock.packages
    assert direct.archive is not None
    assert direct.archive.hashes == {"sha256": D}
    assert old.sdist is not None
    assert old.sdist.url == "https://files.example/aa/lib-1.0.zip"
    assert [w.hashes["sha256"] for w in old.wheels or ()] == [A]  # the unlocked wheel left out
    assert str(old.marker) == 'python_version < "3.11"'
    wheel = (new.wheels or ())[0]
    assert (wheel.name, wheel.size) == ("lib-2.0-py3-none-any.whl", None)  # URL names no file
    text = render_pylock(pylock, "requirements/base.lock.txt")
    assert "marker = 'python_version < \"3.11\"'" in text
    assert Pylock.from_dict(tomllib.loads(text)) == pylock
    assert pylock_problems(tomllib.loads(text), lock) == []


def test_builder_refuses_a_locked_hash_no_file_has():
    lock = parse_lock(LOCK)
    files = {**FILES, ("lib", "2.0"): []}
    with pytest.raises(IntegrityError, match=f"base.lock.txt:12: lib==2.0 --hash=sha256:{C}"):
        build_pylock(lock, "base.lock.txt", files)


def test_environments_are_runs_of_pythons_per_platform_markers_tell_apart():
    envs = [
        Environment(PythonVersion.parse(v), p)
        for v in ("3.9", "3.10", "3.11", "3.13")
        for p in ("linux-x86_64", "linux-musl-x86_64", "windows-x86_64")
    ]
    assert [str(m) for m in environment_markers(envs)] == [
        'python_version >= "3.9" and python_version <= "3.11" and sys_platform == "linux" '
        'and platform_machine == "x86_64"',
        'python_version == "3.13" and sys_platform == "linux" and platform_machine == "x86_64"',
        'python_version >= "3.9" and python_version <= "3.11" and sys_platform == "win32" '
        'and platform_machine == "AMD64"',
        'python_version == "3.13" and sys_platform == "win32" and platform_machine == "AMD64"',
    ]
    floor = environment_markers([Environment(PythonVersion.parse("3.9.2"), "macos-arm64")])
    assert str(floor[0]).startswith('python_full_version >= "3.9.2" and python_version <= "3.9"')
    linux_310, windows_313 = envs[3].markers, envs[-1].markers
    assert [m.evaluate(linux_310) for m in environment_markers(envs)] == [1, 0, 0, 0]
    assert [m.evaluate(windows_313) for m in environment_markers(envs)] == [0, 0, 0, 1]


def test_check_reads_a_foreign_or_different_pylock_as_not_the_lock():
    lock = parse_lock(LOCK)
    data = tomllib.loads(render_pylock(build_pylock(lock, "b", FILES), "b"))
    assert pylock_problems({**data, "created-by": "uv"}, lock) == [
        "created by 'uv', not by reqlock export"
    ]
    data["packages"][1]["wheels"][0]["hashes"]["sha256"] = "e" * 64
    assert pylock_problems(data, lock) == [
        f'lib==1.0 ; python_version < "3.11": sha256 {"e" * 64} is not among the lock\'s hashes'
    ]


def test_check_of_pylock_files_imports_neither_tomlkit_nor_the_resolver(compiled, reqlock):
    root, _ = compiled
    assert reqlock("export", "--format", "pylock", "--project", root).code == 0
    assert check_in_a_fresh_process(root) == "0 []"


# -- every resolver scenario whose lock splits by marker, platform or extra ------------

SPLITTING = ("markers", "multi-python", "platforms", "extras")


def _splitting_scenarios() -> list[object]:
    from tests.test_scenarios import all_scenarios

    return [
        pytest.param(s, id=s.id)
        for s in all_scenarios()
        if s.id.split("/")[0] in SPLITTING and s.expect.exit == 0 and not s.xfail
    ]


@pytest.mark.parametrize("scenario", _splitting_scenarios())
def test_each_scenario_lock_exports_to_the_same_pins(
    scenario, fake_index, make_project, reqlock, monkeypatch
):
    """What each resolver scenario locks, its pylock files hold: the same pins and
    markers, each locked hash as a file the index serves with that size. (The index comes
    from pip's environment, as a lock naming an index the project does not configure is
    one `check`, and so export, refuses.)"""
    compiled = None
    for step in (scenario.before, scenario.step):
        if step is not None:
            index = fake_index(step.index)
            monkeypatch.setenv("PIP_INDEX_URL", index.url)
            project = make_project(step.files)
            compiled = reqlock("compile", "--project", project, *step.args)
            assert compiled.code == 0, compiled.err
    exported = reqlock("export", "--format", "pylock", "--project", project)
    assert exported.code == 0, exported.err
    for layer in scenario.expect.pins:
        lock = parse_lock((project / f"requirements/{layer}.lock.txt").read_text())
        pylock = read_pylock(project / f"requirements/pylock.{layer}.toml")
        assert identities(pylock.packages) == identities(lock.pins)
        for package in pylock.packages:
            for file in [*(package.wheels or ()), *([package.sdist] if package.sdist else [])]:
                built = index.files[file.filename]
                assert (file.size, file.hashes["sha256"]) == (built.size, built.sha256)
    assert reqlock("check", "--project", project).code == 0


def test_each_file_carries_the_upload_time_the_index_gives(make_project, fake_index, reqlock):
    """PEP 751 `upload-time`, from the index's PEP 700 field (JSON pages): a reader can
    tell a file uploaded after the lock was made."""
    from dataclasses import replace
    from datetime import datetime, timezone

    releases = [replace(r, upload_time="2024-05-06T07:08:09Z") for r in RELEASES]
    index = fake_index(releases)
    root = make_project({"pyproject.toml": PYPROJECT.format(url=index.url)})
    assert reqlock("compile", "--project", root).code == 0
    assert reqlock("export", "--format", "pylock", "--project", root, "base").code == 0
    pylock = read_pylock(root / "requirements/pylock.base.toml")
    files = [f for p in pylock.packages for f in (*(p.wheels or ()), p.sdist) if f]
    assert files
    assert {f.upload_time for f in files} == {datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc)}
