"""Configuration precedence: pip's files < PIP_* variables < the project < flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipx_lockext.core.index.netconfig import PYPI, NetConfig, from_pip, with_index
from pipx_lockext.core.inputs.settings import IndexSettings
from pipx_lockext.edges.index.pipconfig import config_files, pip_options

ETC = Path("/nonexistent-etc")
"""Stands for /etc, so that the machine's own /etc/pip.conf never leaks into a test."""


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """An environment whose pip files all live under tmp_path (none of the machine's)."""
    (tmp_path / "etc").mkdir()
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_DIRS": str(tmp_path / "etc"),
        "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
        "VIRTUAL_ENV": str(tmp_path / "venv"),
    }


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_files_in_pip_order_and_sections(home, tmp_path):
    write(tmp_path / "etc/pip/pip.conf", "[global]\nindex-url = https://global/\ntimeout = 5\n")
    write(tmp_path / "home/.pip/pip.conf", "[global]\nretries = 2\n")
    write(
        tmp_path / "home/.config/pip/pip.conf",
        "[global]\nindex-url = https://user/\n[install]\nextra-index-url =\n  https://a/\n"
        "  https://b/\n[freeze]\ntimeout = 99\n",
    )
    write(tmp_path / "venv/pip.conf", "[install]\ntrusted_host = mirror.local\n")
    options = pip_options(home, ETC)
    assert options == {
        "index-url": "https://user/",
        "timeout": "5",
        "retries": "2",
        "extra-index-url": "\nhttps://a/\nhttps://b/",
        "trusted-host": "mirror.local",
    }
    config = from_pip(options)
    assert config.indexes == ("https://a/", "https://b/", "https://user/")  # extras first, as uv
    assert (config.timeout, config.retries, config.trusted_hosts) == (5.0, 2, ("mirror.local",))


def test_environment_variables_override_files(home, tmp_path):
    write(tmp_path / "etc/pip/pip.conf", "[global]\nindex-url = https://global/\n")
    env = {
        **home,
        "PIP_INDEX_URL": "https://env/",
        "PIP_EXTRA_INDEX_URL": "https://x/ https://y/",
        "PIP_FIND_LINKS": "/wheels",
        "PIP_CERT": "/ca.pem",
        "PIP_DEFAULT_TIMEOUT": "30",
        "PIP_NO_INDEX": "yes",
    }
    config = from_pip(pip_options(env, ETC))
    assert config.index_url == "https://env/"
    assert config.extra_index_urls == ("https://x/", "https://y/")
    assert (config.find_links, config.cert, config.timeout) == (("/wheels",), "/ca.pem", 30.0)
    assert config.no_index
    assert config.indexes == ()


def test_pip_config_file_variable(home, tmp_path):
    write(tmp_path / "home/.config/pip/pip.conf", "[global]\nindex-url = https://user/\n")
    write(tmp_path / "etc/pip/pip.conf", "[global]\nretries = 7\n")
    named = write(tmp_path / "named.conf", "[global]\nextra-index-url = https://named/\n")
    options = pip_options({**home, "PIP_CONFIG_FILE": str(named)}, ETC)
    # The named file replaces the user's files but not the global ones, as in pip.
    assert options == {"retries": "7", "extra-index-url": "https://named/"}
    assert pip_options({**home, "PIP_CONFIG_FILE": "/dev/null"}, ETC) == {}
    assert config_files({**home, "PIP_CONFIG_FILE": "/dev/null"}, ETC) == []


def test_defaults_without_any_configuration(home):
    config = from_pip(pip_options(home, ETC))
    assert config == NetConfig()
    assert config.indexes == (PYPI,)


def test_project_overrides_pip_key_by_key():
    pip = from_pip({"index-url": "https://mirror/", "extra-index-url": "https://corp/"})
    project = IndexSettings(
        extra_index_urls=("https://team/",), index_strategy="unsafe-best-match"
    )
    merged = with_index(pip, project)
    assert merged.indexes == ("https://team/", "https://mirror/")
    assert merged.index_strategy == "unsafe-best-match"
    flags = IndexSettings(index_url="https://flag/")
    assert with_index(pip, flags.over(project)).indexes == ("https://team/", "https://flag/")


def test_a_flag_replaces_a_list_and_keeps_what_it_does_not_set():
    """One rule for searching and for the lock's lines: a project's extra index P with
    unsafe-best-match, compiled with --extra-index-url F, searches F alone, still with
    unsafe-best-match (trust-boundary item 12)."""
    project = IndexSettings(extra_index_urls=("https://p/",), index_strategy="unsafe-best-match")
    flags = IndexSettings(extra_index_urls=("https://f/",))
    both = flags.over(project)
    assert both.extra_index_urls == ("https://f/",)
    assert both.strategy == "unsafe-best-match"
    searched = with_index(NetConfig(), both)
    assert searched.extra_index_urls == both.extra_index_urls
    assert searched.index_strategy == "unsafe-best-match"
    assert IndexSettings(index_strategy="first-index").over(project).strategy == "first-index"
    assert IndexSettings(pre=False).over(IndexSettings(pre=True)).pre is False
    assert IndexSettings().over(IndexSettings(pre=True)).pre is True


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("timeout", "soon"), ("timeout", "0"), ("timeout", "-1"), ("timeout", "nan"),
        ("timeout", "inf"), ("timeout", "1e400"), ("retries", "inf"), ("retries", "-1"),
        ("retries", "2.5"), ("retries", "9" * 400),
    ],
)  # fmt: skip
def test_bad_number_is_named(key, value):
    """Trust-boundary item 11: each was a traceback (ValueError, OverflowError) or a
    client that never times out; now one line naming the setting and the value."""
    with pytest.raises(ValueError, match=rf"pip's {key} \(PIP_{key.upper()} or pip\.conf\)"):
        from_pip({key: value})


def test_the_upload_cutoff_becomes_an_instant_for_the_client():
    from datetime import datetime, timedelta, timezone

    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    week = with_index(NetConfig(), IndexSettings(uploaded_prior_to="P7D"), now)
    assert week.uploaded_before == now - timedelta(days=7)
    fixed = with_index(NetConfig(), IndexSettings(uploaded_prior_to="2024-03-01T00:00:00Z"))
    assert fixed.uploaded_before == datetime(2024, 3, 1, tzinfo=timezone.utc)
    assert with_index(NetConfig(), IndexSettings()).uploaded_before is None
    with pytest.raises(ValueError, match="relative"):
        with_index(NetConfig(), IndexSettings(uploaded_prior_to="P7D"))
