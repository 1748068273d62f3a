"""Hash checks of what the index client downloads: bytes unlike the listed sha256 are an
integrity error naming the URL (credentials masked), and a file name offered with two
hashes is refused."""

from __future__ import annotations

import hashlib

import pytest

from pipx_lockext.core.errors import IntegrityError
from pipx_lockext.core.index.indexpages import DistFile
from pipx_lockext.edges.index.integrity import same_bytes_everywhere, verified

BODY = b"wheel bytes"
SHA = hashlib.sha256(BODY).hexdigest()


def test_verified_passes_matching_or_unhashed_bytes_through():
    assert verified(BODY, SHA, "https://host/f.whl") is BODY
    assert verified(BODY, None, "https://host/f.whl") is BODY


def test_verified_refuses_other_bytes_naming_the_url_without_credentials():
    with pytest.raises(IntegrityError, match=r"https://u:\*\*\*\*@host/f\.whl: sha256") as err:
        verified(b"other", SHA, "https://u:secret@host/f.whl")
    assert "secret" not in str(err.value)


def test_one_name_with_two_hashes_is_refused():
    one = DistFile("a-1.0-py3-none-any.whl", "https://one/a-1.0-py3-none-any.whl", SHA)
    same = DistFile(one.filename, "https://two/a-1.0-py3-none-any.whl", SHA)
    unhashed = DistFile(one.filename, "file:///links/a-1.0-py3-none-any.whl", None)
    same_bytes_everywhere([one, same, unhashed])
    other = DistFile(one.filename, "https://two/a-1.0-py3-none-any.whl", "0" * 64)
    with pytest.raises(IntegrityError, match="serve different bytes under the same name"):
        same_bytes_everywhere([one, other])
