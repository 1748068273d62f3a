"""An index's list of every project it has (its root page), as canonical names (pure
core). Only ever used to suggest the name meant when one asked for is on no index, so
what does not read is left out rather than refused."""

from __future__ import annotations

import json
import re

from packaging.utils import NormalizedName, canonicalize_name

from pipx_lockext.core.index.indexpages import JSON_TYPE

PROJECT_LIST_ACCEPT = f"application/vnd.pypi.simple.v1+html, text/html;q=0.9, {JSON_TYPE};q=0.5"
"""HTML first: PyPI's list is 40 MB as HTML, more as JSON."""

_ANCHOR_NAME = re.compile(rb"<a\b[^>]*>\s*([A-Za-z0-9._-]+)\s*</a>", re.IGNORECASE)
"""An anchor whose text is a valid project name (others are left out)."""
_VALID = re.compile(r"[A-Za-z0-9._-]+")


def parse_project_list(body: bytes, content_type: str) -> frozenset[NormalizedName]:
    """The canonical names a root page lists (PEP 691 JSON `projects`, or the text of
    each PEP 503 anchor), read by a pattern, not an HTML parser: PyPI's has 700,000."""
    if content_type.split(";", maxsplit=1)[0].strip().lower() == JSON_TYPE:
        try:
            projects = json.loads(body).get("projects", [])
        except (ValueError, UnicodeDecodeError, AttributeError):
            return frozenset()
        texts = [p.get("name") for p in projects if isinstance(p, dict)]
        valid = (t for t in texts if isinstance(t, str) and _VALID.fullmatch(t))
        return frozenset(_canonical(t) for t in valid)
    return frozenset(_canonical(m.decode("ascii")) for m in _ANCHOR_NAME.findall(body))


def _canonical(name: str) -> NormalizedName:
    """`canonicalize_name`, its common case first (one separator at a time)."""
    fast = name.lower().replace("_", "-").replace(".", "-")
    return NormalizedName(fast) if "--" not in fast else canonicalize_name(name)
