"""Network faults and credentials, each class against the fake index: retries, typed
errors naming the URL with credentials masked, Authorization only for its own origin,
TLS failures reported as certificate problems."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import urllib3

from pipx_lockext.core.errors import IntegrityError, NetworkError
from pipx_lockext.core.index.netconfig import NetConfig
from pipx_lockext.edges.index.cache import Cache
from pipx_lockext.edges.index.client import IndexRepository
from pipx_lockext.edges.index.network import Http, Stopped, redact, split_credentials
from tests.fakeindex import FakeIndex, Release
from tests.fakeindex.tls import openssl_missing
from tests.fakeindex.tls import self_signed as make_self_signed

MakeIndex = Callable[..., FakeIndex]
RELEASES = [Release("demo", "1.0", requires_dist=("dep",)), Release("dep", "1.0", wheels=())]


def repo(index_url: str, tmp_path: Path, *, retries: int = 2, **config: object) -> IndexRepository:
    settings: dict[str, object] = {"timeout": 1.0, **config}
    net = NetConfig(index_url=index_url, retries=retries, **settings)  # type: ignore[arg-type]  # test-only keyword pass-through
    sleeps: list[float] = []
    http = Http(net, sleep=sleeps.append)
    return IndexRepository(net, http, Cache(tmp_path / "cache"))


def with_credentials(url: str, userinfo: str) -> str:
    return url.replace("http://", f"http://{userinfo}@")


def test_redact_and_split_credentials(monkeypatch: pytest.MonkeyPatch):
    assert redact("https://u:secret@host/simple/") == "https://u:****@host/simple/"
    assert redact("https://token@host/simple/") == "https://****@host/simple/"
    assert redact("https://host/simple/") == "https://host/simple/"
    monkeypatch.setenv("INDEX_TOKEN", "s3cr3t")
    bare, creds = split_credentials("https://user:${INDEX_TOKEN}@host:8443/simple/")
    assert (bare, creds) == ("https://host:8443/simple/", ("user", "s3cr3t"))


def test_5xx_is_retried_then_succeeds(fake_index: MakeIndex, tmp_path: Path):
    index = fake_index(RELEASES)
    index.fault("/simple/demo/", "status", times=2, status=503)
    assert repo(index.url, tmp_path).files("demo").all_files()
    assert index.count("/simple/demo/") == 3


def test_5xx_that_persists_is_a_network_error_naming_the_url(fake_index, tmp_path):
    index = fake_index(RELEASES)
    index.fault("/simple/demo/", "status", status=500)
    with pytest.raises(NetworkError, match=r"127\.0\.0\.1:\d+/simple/demo/: HTTP 500") as err:
        repo(index.url, tmp_path).files("demo").all_files()
    assert err.value.exit_code == 4
    assert index.count("/simple/demo/") == 3  # one try and two retries, then stop


def test_an_unreachable_index_fails_and_never_falls_back(fake_index: MakeIndex, tmp_path):
    index = fake_index(RELEASES)
    down = "http://127.0.0.1:9/simple/"  # discard port: nothing listens
    with pytest.raises(NetworkError, match=r"127\.0\.0\.1:9/simple/demo/: cannot connect"):
        repo(index.url, tmp_path, extra_index_urls=(down,)).files(
            "demo"
        ).all_files()  # extras first
    assert index.count("/simple/") == 0


def test_a_timeout_is_reported_as_such(fake_index: MakeIndex, tmp_path: Path):
    index = fake_index(RELEASES)
    # Ten times the client's timeout: a loaded machine cannot make the answer arrive first.
    index.fault("/simple/demo/", "delay", seconds=5.0)
    with pytest.raises(NetworkError, match="timed out"):
        repo(index.url, tmp_path, retries=0, timeout=0.5).files("demo").all_files()


def test_a_truncated_body_is_a_network_error_not_a_bad_package(fake_index, tmp_path):
    index = fake_index(RELEASES)
    index.fault("/files/*", "truncate")
    client = repo(index.url, tmp_path, retries=1)
    sdist = client.files("dep").all_files()[0]
    with pytest.raises(NetworkError, match="truncated"):
        client.metadata(sdist)


def test_a_closed_client_gives_up_a_download_at_its_next_piece(fake_index, tmp_path):
    index = fake_index(RELEASES)
    index.fault("/files/*", "drip", seconds=0.05)  # the sdist would take minutes
    client = repo(index.url, tmp_path)
    sdist = client.files("dep").all_files()[0]
    threading.Timer(0.5, client.close).start()
    with pytest.raises(Stopped, match="not read to its end: the run is over"):
        client.metadata(sdist)
    http = Http(NetConfig(index_url=index.url))
    http.stop()  # nothing is sent any more
    with pytest.raises(Stopped, match="not fetched: the run is over"):
        http.get(f"{index.url}/demo/", limit=1 << 20)


def test_bytes_unlike_the_advertised_hash_are_an_integrity_error(fake_index, tmp_path):
    index = fake_index(RELEASES)
    client = repo(index.url, tmp_path)
    # Before the pages are read: reading them starts fetching the newest metadata ahead.
    index.fault("/files/*", "corrupt")
    sdist, (wheel, *_) = client.files("dep").all_files()[0], client.files("demo").all_files()
    with pytest.raises(IntegrityError, match=r"dep-1\.0\.tar\.gz: sha256 \w+ does not match"):
        client.metadata(sdist)
    with pytest.raises(IntegrityError, match=r"\.whl\.metadata: sha256"):
        client.metadata(wheel)


def test_authentication(fake_index: MakeIndex, tmp_path: Path):
    index = fake_index(RELEASES, auth=("alice", "s3cret"))
    with pytest.raises(NetworkError, match="authentication failed \\(HTTP 401\\)"):
        repo(index.url, tmp_path / "a").files("demo").all_files()
    wrong = with_credentials(index.url, "alice:nope")
    with pytest.raises(NetworkError) as err:
        repo(wrong, tmp_path / "b").files("demo").all_files()
    assert "nope" not in str(err.value)
    assert "alice:****@" in str(err.value) or "alice" not in str(err.value)
    good = repo(with_credentials(index.url, "alice:s3cret"), tmp_path / "c")
    assert good.metadata(good.files("demo").all_files()[0]).name == "demo"


def test_netrc_credentials(fake_index: MakeIndex, tmp_path: Path):
    index = fake_index(RELEASES, auth=("bob", "pw"))
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login bob password pw\n")
    netrc.chmod(0o600)
    config = NetConfig(index_url=index.url, retries=0)
    client = IndexRepository(config, Http(config, netrc_file=str(netrc)), None)
    assert client.files("demo").all_files()


def test_authorization_goes_only_to_its_own_origin(fake_index: MakeIndex, tmp_path: Path):
    private = fake_index(RELEASES, auth=("alice", "s3cret"))
    links = fake_index([Release("other", "1.0")])
    client = repo(
        with_credentials(private.url, "alice:s3cret"),
        tmp_path,
        find_links=(links.links_url,),
    )
    assert client.files("other").all_files()
    assert client.files("demo").all_files()
    assert all("authorization" in r.headers for r in private.requests)
    assert not any("authorization" in r.headers for r in links.requests)


@pytest.fixture
def self_signed(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    if openssl_missing():
        pytest.skip("openssl is not installed")
    return make_self_signed(tmp_path)


def test_tls_with_an_untrusted_certificate_is_a_certificate_problem(
    fake_index: MakeIndex, tmp_path: Path, self_signed: tuple[Path, ssl.SSLContext]
):
    cert, context = self_signed
    index = fake_index(RELEASES, ssl_context=context)
    with pytest.raises(NetworkError, match="TLS certificate problem"):
        repo(index.url, tmp_path / "a").files("demo").all_files()
    assert repo(index.url, tmp_path / "b", cert=str(cert)).files("demo").all_files()
    assert repo(index.url, tmp_path / "c", trusted_hosts=("127.0.0.1",)).files("demo").all_files()


def test_plain_http_to_a_remote_host_needs_trusted_host():
    config = NetConfig(index_url="http://example.invalid/simple/", retries=0)
    with pytest.raises(NetworkError, match="plain HTTP to an untrusted host"):
        Http(config).get("http://example.invalid/simple/demo/", limit=1 << 20)


def test_proxies_from_the_environment_with_no_proxy_and_loopback_exempt():
    proxies = {"https": "http://proxy.corp:3128", "no": "internal.corp, .example.org"}
    http = Http(NetConfig(), proxies=proxies)
    assert isinstance(http._pool("https://pypi.org/simple/", True), urllib3.ProxyManager)
    for exempt in (
        "https://internal.corp/simple/",
        "https://a.example.org/x",
        "https://127.0.0.1/",
    ):
        assert not isinstance(http._pool(exempt, True), urllib3.ProxyManager), exempt
    assert not isinstance(http._pool("http://files.local/", True), urllib3.ProxyManager)
