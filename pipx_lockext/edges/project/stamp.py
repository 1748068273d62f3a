"""Freshness stamps: the state of a project's inputs and locks the last time they were
found fresh (edge: the project's files and one small file in the cache directory).

`reqlock check` and an unchanged `reqlock compile` run on every commit through pre-commit,
so they must answer in about the time Python takes to start. Proving freshness from
scratch means parsing TOML and requirements and hashing the inputs (the `digest`); that is
done once, and then every file it read is stamped with its size, inode, and modification
and change times in nanoseconds. Next time, when every file is unchanged by those and no
file has come or gone in the requirements folders, the answer is the same and nothing is
parsed. The change time (ctime) is set by the kernel on every write and cannot be set back
by tools that restore modification times, so an edit always shows. A stamp is only a
shortcut, kept per user: missing, corrupt or from another reqlock version, it is ignored
and the full check runs (as on every fresh clone in CI).

Import-light on purpose: os, time and zlib only (tab-separated text, not JSON; no
hashlib), so the launcher can use it before click, packaging or tomllib are loaded.
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from collections.abc import Mapping

from pipx_lockext import __version__

REQUIREMENTS_DIR = "requirements"

RACY_NS = 2_000_000_000
"""Files changed this recently are not stamped: file times are coarse (a kernel tick), so
a second write in the same tick would leave them equal (git's "racy clean" problem)."""


def find_project(start: str) -> str | None:
    """The nearest ancestor of `start` holding pyproject.toml or requirements/*.in."""
    folder = os.path.abspath(start)
    while True:
        if os.path.isfile(os.path.join(folder, "pyproject.toml")) or _has_in_files(folder):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _has_in_files(folder: str) -> bool:
    try:
        return any(n.endswith(".in") for n in os.listdir(os.path.join(folder, REQUIREMENTS_DIR)))
    except OSError:
        return False


def cache_dir(environ: Mapping[str, str] | None = None) -> str:
    """reqlock's cache (stamps, pages, metadata): `REQLOCK_CACHE_DIR`, else the platform's
    user cache directory plus `reqlock`."""
    env = os.environ if environ is None else environ
    if env.get("REQLOCK_CACHE_DIR"):
        return env["REQLOCK_CACHE_DIR"]
    home = env.get("HOME") or os.path.expanduser("~")
    if sys.platform == "win32":
        base = env.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
        return os.path.join(base, "reqlock", "Cache")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Caches", "reqlock")
    return os.path.join(env.get("XDG_CACHE_HOME") or os.path.join(home, ".cache"), "reqlock")


def _stamp_path(root: str) -> str:
    # The root itself is also written inside, so a checksum collision only misses.
    key = f"{zlib.crc32(root.encode()):08x}{zlib.adler32(root.encode()):08x}"
    return os.path.join(cache_dir(), "fresh", f"{key}.txt")


def _folders(root: str, output_dir: str) -> list[str]:
    return sorted({os.path.join(root, REQUIREMENTS_DIR), os.path.join(root, output_dir)})


def _snapshot(root: str, output_dir: str, extra: list[str]) -> dict[str, str | None]:
    """The state of pyproject.toml, every file of the requirements folders, and `extra`."""
    paths = {os.path.join(root, "pyproject.toml"), *extra}
    for folder in _folders(root, output_dir):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        paths.update(os.path.join(folder, n) for n in names)
    found: dict[str, str | None] = {}
    for path in sorted(paths):
        try:
            st = os.stat(path)
        except OSError:
            found[path] = None
            continue
        if not os.path.isdir(path):
            found[path] = f"{st.st_size}:{st.st_ino}:{st.st_mtime_ns}:{st.st_ctime_ns}"
    return found


def record(root: str, output_dir: str, layers: list[str], extra: list[str]) -> None:
    """Stamp the project as fresh now; a cache that cannot be written is left alone."""
    root = os.path.abspath(root)
    lines = [f"reqlock-stamp\t{__version__}", f"root\t{root}", f"output_dir\t{output_dir}"]
    lines += [f"layer\t{layer}" for layer in layers]
    lines += [f"extra\t{path}" for path in sorted(extra)]
    files = _snapshot(root, output_dir, extra)
    if any(state and _racy(state) for state in files.values()):
        forget(root)
        return
    lines += [f"file\t{path}\t{state or '-'}" for path, state in files.items()]
    path = _stamp_path(root)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        # A name of our own (not tempfile, which is slow to import): same-directory
        # temp file, then an atomic rename, so a concurrent reader sees old or new.
        temp = f"{path}.{os.getpid()}.tmp"
        with open(temp, "w", encoding="utf-8") as file:
            file.write("\n".join(lines) + "\n")
        os.replace(temp, path)
    except OSError:
        return


def _racy(state: str) -> bool:
    changed = int(state.rsplit(":", 1)[1])
    return changed > time.time_ns() - RACY_NS


def fresh_layers(root: str) -> list[str] | None:
    """The layers, when every stamped file is unchanged since; else None."""
    root = os.path.abspath(root)
    try:
        with open(_stamp_path(root), encoding="utf-8") as file:
            rows = [line.rstrip("\n").split("\t") for line in file]
    except (OSError, UnicodeDecodeError):
        return None
    if not rows or rows[0] != ["reqlock-stamp", __version__]:
        return None
    fields: dict[str, list[list[str]]] = {}
    for row in rows[1:]:
        fields.setdefault(row[0], []).append(row[1:])
    try:
        (output_dir,) = fields["output_dir"][0]
        if fields["root"] != [[root]]:
            return None
        stamped = {path: (None if state == "-" else state) for path, state in fields["file"]}
    except (KeyError, ValueError):
        return None
    extra = [row[0] for row in fields.get("extra", [])]
    if _snapshot(root, output_dir, extra) != stamped:
        return None
    return [row[0] for row in fields.get("layer", [])]


def forget(root: str) -> None:
    """Drop the stamp (after a check that failed, so no old answer lingers)."""
    try:
        os.remove(_stamp_path(root))
    except OSError:
        return
