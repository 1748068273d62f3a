"""The input digest written into each lock header (pure core).

It covers what the project declares for that lock, apart from the index's state: the
requirements, includes, constraints, extras and Python range of the layer and of the layers
it includes or is constrained by (not of other layers: they are resolved jointly and can
move a shared pin, but a lock is stale only when its own inputs change; compile still
re-resolves them all and rewrites a lock only when its text changes), the project's own
optional dependencies (and `[project].dependencies` when a layer holds `-e .`), the index
settings without credentials, the lock format version, and the layer's own name and
environments, and the upload-date cutoff as written (`P7D` itself for a relative one, so
such a lock does not go stale as days pass). pip's configuration and one-off
command-line flags are not inputs of the project, so they are left out: a lock compiled
with `--pre` once stays fresh until the project changes. `check` recomputes the digest
from the inputs alone, without the resolver or the network.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from urllib.parse import urlsplit, urlunsplit

from pipx_lockext.core.environments import Environment
from pipx_lockext.core.index.netconfig import PYPI
from pipx_lockext.core.inputs.project import Layer, ProjectInputs
from pipx_lockext.core.inputs.settings import IndexSettings
from pipx_lockext.core.lockfiles.lockfile import FORMAT_VERSION


def input_digest(inputs: ProjectInputs, layer: str, environments: Iterable[Environment]) -> str:
    """sha256 hex of the inputs that decide `layer`'s lock on `environments`: its own
    requirements and those of the layers it includes or is constrained by, never another
    layer's (an edit to `dev` leaves `prod.lock.txt` byte-identical unless a pin moves)."""
    own = _relevant(inputs, layer)
    document = _document(inputs, layer, environments, own)
    if any(dep.kind == "project" for item in own for dep in item.requirements):
        document["project_dependencies"] = [d.text for d in inputs.project_dependencies or ()]
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def legacy_input_digest(
    inputs: ProjectInputs, layer: str, environments: Iterable[Environment]
) -> str:
    """The digest reqlock wrote before each lock's digest covered its own layer only (every
    layer's inputs): a lock carrying it is fresh until its inputs change, so that upgrading
    reqlock rewrites no lock."""
    document = _document(inputs, layer, environments, inputs.layers)
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _relevant(inputs: ProjectInputs, layer: str) -> tuple[Layer, ...]:
    """The layer, the layers it includes, and those constraining it (`-c base.txt`), with
    theirs, in the project's order."""
    names: set[str] = set()
    todo = [layer]
    while todo:
        for name in inputs.included(todo.pop()):
            if name not in names:
                names.add(name)
                todo.extend(inputs.layer(name).constraint_layers)
    return tuple(item for item in inputs.layers if item.name in names)


def _document(
    inputs: ProjectInputs,
    layer: str,
    environments: Iterable[Environment],
    layers: Iterable[Layer],
) -> dict[str, object]:
    return {
        "format": FORMAT_VERSION,
        "layer": layer,
        "environments": sorted(str(env) for env in environments),
        "project": inputs.name,
        "layers": [_layer(item) for item in layers],
        "optional": {
            extra: [dep.text for dep in deps]
            for extra, deps in sorted(inputs.optional_dependencies.items())
        },
        "index": _index(inputs.settings.index),
    } | ({"same_versions": True} if inputs.settings.same_versions else {})


def _layer(layer: Layer) -> dict[str, object]:
    return {
        "name": layer.name,
        "requirements": [dep.text for dep in layer.requirements],
        "includes": list(layer.includes),
        "constraints": [dep.text for dep in layer.constraints],
        "constraint_layers": list(layer.constraint_layers),
        "extras": list(layer.extras),
        "requires_python": layer.requires_python,
    } | ({"independent": True} if layer.independent else {})


def _index(index: IndexSettings) -> dict[str, object]:
    document: dict[str, object] = {
        "index_url": without_credentials(index.index_url) if index.index_url else None,
        "extra_index_urls": [without_credentials(u) for u in index.extra_index_urls],
        "find_links": [without_credentials(u) for u in index.find_links],
        "index_strategy": index.strategy,
        "only_binary": sorted(index.only_binary),
        "pre": bool(index.pre),
    }
    # Only when set, so that locks compiled before these settings existed stay fresh.
    if index.package_indexes:
        pairs = [[n, without_credentials(u)] for n, u in index.package_indexes]
        document["package_indexes"] = pairs
    if index.no_binary:
        document["no_binary"] = sorted(index.no_binary)
    if index.uploaded_prior_to:
        # As written: a duration, not the instant it gave, so a cool-down stays fresh.
        document["uploaded_prior_to"] = index.uploaded_prior_to
    return document


def index_lines(index: IndexSettings) -> tuple[str, ...]:
    """The option lines a lock carries so that plain pip finds the same files (never
    credentials, never --trusted-host)."""
    default = (index.index_url or PYPI).rstrip("/") == PYPI.rstrip("/")
    lines = [] if default else [f"--index-url {without_credentials(index.index_url or PYPI)}"]
    lines += [f"--extra-index-url {without_credentials(u)}" for u in index.extra_index_urls]
    lines += [f"--find-links {without_credentials(u)}" for u in index.find_links]
    # pip has no per-package index: the pinned ones join as extra indexes, which is safe
    # under hash checking (pip installs only files whose hashes the lock lists).
    pinned = dict.fromkeys(without_credentials(u) for _, u in index.package_indexes)
    lines += [f"--extra-index-url {u}" for u in pinned if f"--extra-index-url {u}" not in lines]
    # pip must build what the resolution took from sdists, not pick a listed wheel.
    lines += [f"--no-binary {name}" for name in index.no_binary]
    return tuple(lines)


def without_credentials(url: str) -> str:
    """The URL with literal credentials removed, placeholders kept.

    `https://${USER}:${TOKEN}@host/` stays as written: pip expands `${VAR}` when it reads
    a requirements file, so a lock can reach a private index in CI without holding a
    secret. Anything else before `@` is a secret and goes.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    user, colon, password = userinfo.partition(":")
    # The secret is the password (or a lone user name, which is how tokens are often
    # passed): kept only when it is a placeholder; a plain user name beside it may stay.
    secret = password if colon else user
    if _PLACEHOLDER.fullmatch(secret):
        return url
    return urlunsplit(parts._replace(netloc=host))


_PLACEHOLDER = re.compile(r"\$\{[A-Z0-9_]+\}")
"""The only form of environment variable pip expands in requirements files."""
