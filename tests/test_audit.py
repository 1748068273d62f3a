"""`reqlock audit` from the command line: locks compiled from the fake index, advisories
from the fixture OSV database in tests/osv (as a folder and as a zip) and from a fake OSV
API on 127.0.0.1; exit codes 0, 1 and 4, the JSON output, the ignore list, and a finding
reported on exactly the environments where the vulnerable pin is active."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.fakeosv import FakeOsv
from tests.test_compile import PYPROJECT, RELEASES

OSV = Path(__file__).resolve().parent / "osv"
LINUX_MAC_WIN = "linux-x86_64, linux-aarch64, macos-arm64, windows-x86_64"


@pytest.fixture
def compiled(make_project, fake_index, reqlock):
    """The project of test_compile: old-py 1.0 on Python 3.10, 2.0 on 3.12."""

    def make(pyproject: str = PYPROJECT) -> Path:
        index = fake_index(RELEASES)
        root = make_project({"pyproject.toml": pyproject.format(url=index.url)})
        result = reqlock("compile", "--project", root)
        assert result.code == 0, result.err
        return root

    return make


@pytest.fixture
def osv_zip(tmp_path: Path) -> Path:
    """tests/osv as osv.dev publishes it: PyPI/all.zip, records at the top."""
    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for record in sorted((OSV / "PyPI").glob("*.json")):
            archive.write(record, record.name)
    return path


@pytest.fixture
def fake_osv(monkeypatch):
    started: list[FakeOsv] = []

    def make(**options) -> FakeOsv:
        osv = FakeOsv(OSV, **options).start()
        started.append(osv)
        monkeypatch.setenv("REQLOCK_OSV_API", osv.url)
        return osv

    yield make
    for osv in started:
        osv.stop()


def test_the_advisory_is_reported_on_exactly_the_environments_of_the_vulnerable_pin(
    compiled, reqlock
):
    root = compiled()
    result = reqlock("audit", "--project", root, "--db", OSV)
    assert result.code == 1, result.err
    assert result.out.splitlines() == [
        "PYSEC-0000-1 (CVE-2099-0001)  old-py 1.0  fixed in 2.0",
        "  old-py runs code from crafted input",
        f"  base, dev: python 3.10 on {LINUX_MAC_WIN}",
        "    fix: allowed by the project's requirements",
        "PYSEC-0000-5  tool 3.0  no fix",
        "  tool, no fix yet",
        f"  dev: python 3.10, 3.12 on {LINUX_MAC_WIN}",
        "    fix: no fixed release known",
    ]
    assert "old-py 2.0" not in result.out  # pinned on 3.12, not affected
    assert "PYSEC-0000-2" not in result.out  # withdrawn
    assert "PYSEC-0000-3" not in result.out  # npm
    assert (
        "PYSEC-0000-4.json: advisory skipped: PYSEC-0000-4: version 'not a version!'" in result.err
    )
    assert "2 known vulnerabilities in 6 pins of base, dev" in result.err


def test_json_names_each_environment(compiled, reqlock):
    root = compiled()
    result = reqlock("audit", "--project", root, "--db", OSV, "--format", "json")
    assert result.code == 1, result.err
    data = json.loads(result.out)
    first = data["vulnerabilities"][0]
    assert first["id"] == "PYSEC-0000-1"
    assert first["aliases"] == ["CVE-2099-0001"]
    assert (first["package"], first["version"], first["fixed"]) == ("old-py", "1.0", "2.0")
    assert [layer["layer"] for layer in first["layers"]] == ["base", "dev"]
    base = first["layers"][0]
    assert base["lock"] == "requirements/base.lock.txt"
    assert {env["python"] for env in base["environments"]} == {"3.10"}
    assert len(base["environments"]) == 4
    assert base["fix"] == "allowed"
    tool = data["vulnerabilities"][1]
    assert (tool["package"], tool["fixed"], tool["layers"][0]["fix"]) == ("tool", None, "no-fix")
    assert [layer["layer"] for layer in tool["layers"]] == ["dev"]
    assert data["ignored"] == []
    assert data["pins"] == 6


def test_the_zip_osv_dev_publishes_reads_as_the_folder(compiled, reqlock, osv_zip):
    root = compiled()
    folder = reqlock("audit", "--project", root, "--db", OSV, "--format", "json")
    zipped = reqlock("audit", "--project", root, "--db", osv_zip, "--format", "json")
    assert zipped.code == 1, zipped.err
    assert json.loads(zipped.out)["vulnerabilities"] == json.loads(folder.out)["vulnerabilities"]


def test_ignored_advisories_by_id_or_alias_do_not_fail_the_audit(compiled, reqlock):
    ignore = """
[tool.reqlock.audit]
db = "osv"
ignore = [
    {{id = "CVE-2099-0001", reason = "only reachable from the admin shell"}},
    {{id = "PYSEC-0000-5", reason = "tool runs in CI only"}},
]
"""
    root = compiled(PYPROJECT + ignore)
    shutil.copytree(OSV, root / "osv")
    result = reqlock("audit", "--project", root)
    assert result.code == 0, result.err
    assert result.out == ""
    assert "ignored PYSEC-0000-1 (old-py 1.0): only reachable from the admin shell" in result.err
    assert "no known vulnerabilities in 6 pins of base, dev (advisories: osv)" in result.err
    data = json.loads(reqlock("audit", "--project", root, "--format", "json").out)
    assert data["vulnerabilities"] == []
    assert [(i["id"], i["reason"]) for i in data["ignored"]] == [
        ("PYSEC-0000-1", "only reachable from the admin shell"),
        ("PYSEC-0000-5", "tool runs in CI only"),
    ]


def test_an_ignore_entry_needs_a_reason(compiled, reqlock):
    root = compiled()
    with (root / "pyproject.toml").open("a") as file:
        file.write('\n[tool.reqlock.audit]\nignore = [{id = "PYSEC-0000-1"}]\n')
    result = reqlock("audit", "--project", root, "--db", OSV)
    assert result.code == 2
    assert "[tool.reqlock.audit].ignore[0]: must be {id" in result.err


def test_a_held_back_fix_names_the_requirement_and_a_transitive_one_says_not_known(
    compiled, reqlock
):
    root = compiled(PYPROJECT.replace('dev = ["tool"]', 'dev = ["tool", "leaf<1.1"]'))
    data = json.loads(reqlock("audit", "--project", root, "--db", OSV, "--format", "json").out)
    leaf = next(v for v in data["vulnerabilities"] if v["package"] == "leaf")
    assert (leaf["id"], leaf["version"], leaf["fixed"]) == ("GHSA-leaf-0000-0001", "1.0", "1.1")
    fixes = {layer["layer"]: (layer["fix"], layer["held_back_by"]) for layer in leaf["layers"]}
    assert fixes["base"] == ("not-known", [])  # comes in through app-dep
    assert fixes["dev"] == (
        "held-back",
        ["leaf<1.1 (pyproject.toml: [dependency-groups].dev[1])"],
    )
    text = reqlock("audit", "--project", root, "--db", OSV).out
    assert "    fix: held back by leaf<1.1 (pyproject.toml: [dependency-groups].dev[1])" in text


def test_no_advisory_exits_0(compiled, reqlock, tmp_path):
    root = compiled()
    empty = tmp_path / "empty-db"
    empty.mkdir()
    result = reqlock("audit", "--project", root, "--db", empty)
    assert result.code == 0, result.err
    assert result.out == ""
    assert "no known vulnerabilities in 6 pins of base, dev" in result.err


@pytest.mark.parametrize("what", ["missing", "not a database", "broken zip"])
def test_a_database_that_cannot_be_read_exits_4(compiled, reqlock, tmp_path, what):
    root = compiled()
    db = tmp_path / "db.zip"
    if what == "not a database":
        db.write_text("hello")
    elif what == "broken zip":
        with zipfile.ZipFile(db, "w") as archive:
            archive.writestr("A-1.json", "{}" * 1000)
        data = bytearray(db.read_bytes())
        data[40:60] = b"\0" * 20  # the entry's compressed bytes and header damaged
        db.write_bytes(bytes(data))
    result = reqlock("audit", "--project", root, "--db", db)
    assert result.code == 4, (result.out, result.err)
    assert result.err.startswith(f"error: {db}: ")
    assert len(result.err.splitlines()) == 1


def test_the_osv_api_is_asked_for_every_pin_and_each_advisory(compiled, reqlock, fake_osv):
    root = compiled()
    osv = fake_osv(page_size=1)  # one id per page: next_page_token followed
    result = reqlock("audit", "--project", root, "--format", "json")
    assert result.code == 1, result.err
    data = json.loads(result.out)
    assert data["source"] == osv.url
    found = [(v["id"], v["package"], v["version"]) for v in data["vulnerabilities"]]
    assert found == [("PYSEC-0000-1", "old-py", "1.0"), ("PYSEC-0000-5", "tool", "3.0")]
    assert {env["python"] for env in data["vulnerabilities"][0]["layers"][0]["environments"]} == {
        "3.10"
    }
    posts = [path for method, path in osv.requests if method == "POST"]
    assert posts[0] == "/v1/querybatch"
    assert len(posts) >= 2  # a second page was asked for
    gets = sorted(path for method, path in osv.requests if method == "GET")
    assert "/v1/vulns/PYSEC-0000-1" in gets


@pytest.mark.parametrize("status", [404, 400])
def test_an_osv_api_that_fails_exits_4(compiled, reqlock, fake_osv, status):
    root = compiled()
    osv = fake_osv()
    osv.status = status
    result = reqlock("audit", "--project", root)
    assert result.code == 4, result.err
    assert f"{osv.url}/v1/querybatch: HTTP {status} from the OSV API" in result.err


def test_an_osv_api_not_reachable_exits_4(compiled, reqlock, fake_osv, monkeypatch):
    root = compiled()
    osv = fake_osv()
    osv.stop()
    monkeypatch.setenv("PIP_RETRIES", "0")
    result = reqlock("audit", "--project", root)
    assert result.code == 4, result.err
    assert "error: OSV API: " in result.err
    assert "use --db with an offline database" in result.err


def test_audit_without_locks_says_so(make_project, reqlock):
    root = make_project({"pyproject.toml": '[project]\nname = "x"\nversion = "0"\n'})
    result = reqlock("audit", "--project", root, "--db", OSV)
    assert result.code == 1
    assert "requirements/base.lock.txt: missing; run reqlock compile" in result.err


AUDIT_MODULES = (
    "pipx_lockext.core.audit",
    "pipx_lockext.edges.advisories",
    "pipx_lockext.commands.auditing",
)


@pytest.mark.parametrize("entry", ["pipx_lockext.cli.main", "pipx_lockext.cli.launcher"])
def test_check_loads_nothing_of_the_audit(compiled, entry):
    """STYLE rule 8: `check` stays light, whichever door it comes in by."""
    import subprocess
    import sys

    root = compiled()
    code = (
        f"import sys; from {entry} import main\n"
        "sys.argv = ['reqlock', 'check', '-q', '--project', sys.argv[1]]\n"
        "try: main()\n"
        "except SystemExit as e: code = e.code\n"
        f"loaded = [m for m in sys.modules if m.startswith({AUDIT_MODULES!r})]\n"
        "print(code, loaded)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=False
    )
    assert out.stdout.strip() == "0 []", out.stderr


def test_a_record_decompressing_past_its_cap_is_skipped_not_read(compiled, reqlock, osv_zip):
    root = compiled()
    with zipfile.ZipFile(osv_zip, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("BOMB-1.json", " " * (17 << 20))  # 17 MiB of spaces, a few KB zipped
    result = reqlock("audit", "--project", root, "--db", osv_zip)
    assert result.code == 1, result.err
    assert f"warning: {osv_zip}:BOMB-1.json: advisory skipped: over the 16 MiB cap" in result.err


def test_a_misspelt_audit_setting_gets_a_hint(compiled, reqlock):
    root = compiled()
    with (root / "pyproject.toml").open("a") as file:
        file.write("\n[tool.reqlock.audit]\nignor = []\n")
    result = reqlock("audit", "--project", root)
    assert result.code == 2
    assert "[tool.reqlock.audit].ignor: unknown setting (did you mean 'ignore'?)" in result.err


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (
            (
                'dependencies = ["app-dep", "old-py"]',
                'dependencies = ["app-dep", "old-py", "leaf<1.1"]',
            ),
            "pyproject.toml: [project].dependencies[2]",
        ),
        (
            (
                "[dependency-groups]",
                '[project.optional-dependencies]\nold = ["leaf<1.1"]\n\n[dependency-groups]',
            ),
            "pyproject.toml: [project.optional-dependencies].old[0]",
        ),
    ],
    ids=["included layer", "extra"],
)
def test_a_fix_held_back_by_an_included_layer_or_an_extra(compiled, reqlock, edit, where):
    pyproject = PYPROJECT.replace(*edit)
    if "optional" in edit[1]:
        pyproject += '\n[tool.reqlock.layers.dev]\nextras = ["old"]\n'
    root = compiled(pyproject)
    data = json.loads(reqlock("audit", "--project", root, "--db", OSV, "--format", "json").out)
    leaf = next(v for v in data["vulnerabilities"] if v["package"] == "leaf")
    dev = next(layer for layer in leaf["layers"] if layer["layer"] == "dev")
    assert (dev["fix"], dev["held_back_by"]) == ("held-back", [f"leaf<1.1 ({where})"])


def test_an_ignore_entry_that_matches_nothing_is_said(compiled, reqlock):
    root = compiled()
    with (root / "pyproject.toml").open("a") as file:
        file.write('\n[tool.reqlock.audit]\nignore = [{id = "CVE-1999-1", reason = "old"}]\n')
    result = reqlock("audit", "--project", root, "--db", OSV)
    assert result.code == 1
    assert (
        "warning: [tool.reqlock.audit] ignore: CVE-1999-1 matches no advisory found" in result.err
    )


def test_the_osv_api_has_an_overall_deadline(fake_osv):
    from pipx_lockext.core.audit.osv import SourceUnreadable
    from pipx_lockext.core.index.netconfig import NetConfig
    from pipx_lockext.edges.advisories.osvapi import OsvApi
    from pipx_lockext.edges.index.network import Http

    osv = fake_osv()
    with pytest.raises(SourceUnreadable, match="the OSV API did not answer in 0 s"):
        OsvApi(Http(NetConfig()), osv.url, deadline=0).records([("leaf", "1.0")])
    assert osv.requests == []


def test_an_osv_api_answering_another_record_is_not_believed(fake_osv, compiled, reqlock):
    root = compiled()
    osv = fake_osv()
    osv.records["PYSEC-0000-1"] = {**osv.records["PYSEC-0000-1"], "id": "PYSEC-9999-9"}
    result = reqlock("audit", "--project", root, "--format", "json")
    assert (
        "PYSEC-0000-1: advisory skipped: the answer is not the record PYSEC-0000-1" in result.err
    )
    assert [v["id"] for v in json.loads(result.out)["vulnerabilities"]] == ["PYSEC-0000-5"]


def test_a_build_lock_is_audited_too(compiled, reqlock):
    """The build requirements of a layer's sdist-only pins run at install time: their lock
    is audited like the layer's (here one written as compile writes them, pinning leaf 1.0
    for building on Windows)."""
    root = compiled()
    (root / "requirements/dev.build.lock.txt").write_text(
        "# layer: dev.build = what dev's sdist-only pins need to build\n"
        "# environments: python 3.10, 3.12 on windows-x86_64\n"
        'leaf==1.0 ; sys_platform == "win32" \\\n'
        f"    --hash=sha256:{'0' * 64}\n"
        "    # via building winonly 1.0\n"
    )
    result = reqlock("audit", "--project", root, "--db", OSV)
    assert result.code == 1, result.err
    text = result.out
    assert "GHSA-leaf-0000-0001 (CVE-2099-0002)  leaf 1.0  fixed in 1.1\n" in text
    assert (
        "  dev (build requirements): python 3.10, 3.12 on windows-x86_64\n"
        "    fix: not a direct requirement: whether it is allowed is not known without "
        "resolving\n"
    ) in text
    data = json.loads(reqlock("audit", "--project", root, "--db", OSV, "--format", "json").out)
    leaf = next(v for v in data["vulnerabilities"] if v["package"] == "leaf")
    assert [(x["layer"], x["lock"], x["build"]) for x in leaf["layers"]] == [
        ("dev", "requirements/dev.build.lock.txt", True)
    ]
