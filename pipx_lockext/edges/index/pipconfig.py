"""pip's own configuration, read as pip reads it (edge: reads config files and the
environment).

Files in pip's order, each later one overriding: global (site config dirs), user (legacy
`~/.pip/pip.conf`, then the XDG one), site (`$VIRTUAL_ENV/pip.conf`), the file named by
`PIP_CONFIG_FILE`; within them `[global]` first, then `[install]` (the command whose
options a lock serves); `PIP_*` environment variables last. `PIP_CONFIG_FILE=/dev/null`
loads no file at all, as in pip.
"""

from __future__ import annotations

import configparser
import contextlib
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

SECTIONS = ("global", "install")
KEYS = (
    "index-url", "extra-index-url", "find-links", "no-index", "cert", "client-cert",
    "trusted-host", "timeout", "default-timeout", "retries",
)  # fmt: skip


def pip_options(
    environ: Mapping[str, str] | None = None, etc: Path = Path("/etc")
) -> dict[str, str]:
    """pip's effective values for the keys reqlock uses, by normalised name."""
    environ = os.environ if environ is None else environ
    parsers = [_read(path) for path in config_files(environ, etc)]
    options: dict[str, str] = {}
    for section in SECTIONS:
        for parser in parsers:
            if parser.has_section(section):
                options.update(_wanted(parser.items(section)))
    for key in KEYS:
        value = environ.get("PIP_" + key.upper().replace("-", "_"))
        if value is not None:
            options[key] = value
    return options


def _wanted(items: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    for key, value in items:
        name = key.lower().replace("_", "-").removeprefix("--")
        if name in KEYS:
            yield name, value


def _read(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser()
    # pip refuses a broken file with its own message; we read what we can of it.
    with contextlib.suppress(configparser.Error, UnicodeDecodeError, OSError):
        parser.read(path, encoding="utf-8")
    return parser


def config_files(environ: Mapping[str, str], etc: Path = Path("/etc")) -> list[Path]:
    """pip's configuration files that exist, in override order (later wins)."""
    env_file = environ.get("PIP_CONFIG_FILE")
    if env_file == os.devnull:
        return []
    files = _global_files(environ, etc)
    if not (env_file and Path(env_file).exists()):
        files += _user_files(environ)
    venv = environ.get("VIRTUAL_ENV")
    files.append(Path(venv if venv else sys.prefix) / _basename())
    if env_file:
        files.append(Path(env_file))
    return [f for f in files if f.is_file()]


def _basename() -> str:
    return "pip.ini" if sys.platform == "win32" else "pip.conf"


def _global_files(environ: Mapping[str, str], etc: Path) -> list[Path]:
    if sys.platform == "win32":
        return [Path(environ.get("PROGRAMDATA", r"C:\ProgramData"), "pip", "pip.ini")]
    if sys.platform == "darwin":
        return [Path("/Library/Application Support/pip/pip.conf")]
    dirs = environ.get("XDG_CONFIG_DIRS") or "/etc/xdg"
    return [Path(d, "pip", "pip.conf") for d in dirs.split(os.pathsep) if d] + [etc / "pip.conf"]


def _user_files(environ: Mapping[str, str]) -> list[Path]:
    home = Path(environ.get("HOME") or Path.home())
    if sys.platform == "win32":
        appdata = environ.get("APPDATA", str(home))
        return [home / "pip" / "pip.ini", Path(appdata, "pip", "pip.ini")]
    legacy = home / ".pip" / "pip.conf"
    if sys.platform == "darwin" and (home / "Library/Application Support/pip").is_dir():
        return [legacy, home / "Library/Application Support/pip/pip.conf"]
    xdg = environ.get("XDG_CONFIG_HOME") or str(home / ".config")
    return [legacy, Path(xdg, "pip", "pip.conf")]
