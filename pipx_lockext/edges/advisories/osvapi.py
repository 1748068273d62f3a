"""OSV records from the OSV API (edge: the network, through `edges.index.network.Http`):
`POST /v1/querybatch` with every pinned (name, version), then `GET /v1/vulns/{id}` for
each advisory named in the answers.

Answers are untrusted: sizes are capped, ids are checked before they go into a URL, and
the whole exchange has an overall deadline besides each request's own. Any failure is
`SourceUnreadable` (exit 4) naming the URL. The API's base URL is `REQLOCK_OSV_API`
(default https://api.osv.dev), for a mirror or a test server.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from pipx_lockext.core.audit.osv import ECOSYSTEM, SourceUnreadable, valid_id
from pipx_lockext.core.errors import NetworkError
from pipx_lockext.edges.index.network import Http, Response, redact

DEFAULT_API = "https://api.osv.dev"
BATCH = 1000
"""Queries per querybatch request (the API's own limit)."""
PAGES = 20
"""Follow-up pages per query at most (a package with that many advisories is rare)."""
ANSWER_LIMIT = 32 << 20
RECORD_LIMIT = 4 << 20
DEADLINE = 300.0
"""Seconds for the whole exchange."""
WORKERS = 8


def api_base(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return (env.get("REQLOCK_OSV_API") or DEFAULT_API).rstrip("/")


class OsvApi:
    """One audit's conversation with the OSV API."""

    def __init__(self, http: Http, base: str, deadline: float = DEADLINE) -> None:
        self.http = http
        self.base = base
        self.deadline = deadline
        self._until = time.monotonic() + deadline

    def records(self, pins: Sequence[tuple[str, str]]) -> list[tuple[str, object]]:
        """(where, JSON) of every advisory the API names for any of `pins`."""
        ids: set[str] = set()
        for start in range(0, len(pins), BATCH):
            ids |= self._batch(pins[start : start + BATCH])
        with ThreadPoolExecutor(WORKERS) as pool:
            return list(pool.map(self._record, sorted(ids)))

    def _batch(self, pins: Sequence[tuple[str, str]]) -> set[str]:
        queries = [_query(name, version) for name, version in pins]
        ids: set[str] = set()
        for _ in range(PAGES):
            answer = self._post("/v1/querybatch", {"queries": queries})
            results = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(results, list) or len(results) != len(queries):
                raise self._bad("/v1/querybatch", "not one result per query")
            again = []
            for query, result in zip(queries, results, strict=True):
                ids |= self._ids(result)
                token = result.get("next_page_token") if isinstance(result, dict) else None
                if isinstance(token, str) and token:
                    again.append({**query, "page_token": token})
            if not again:
                return ids
            queries = again
        raise self._bad("/v1/querybatch", f"still more pages after {PAGES}")

    def _ids(self, result: object) -> set[str]:
        vulns = result.get("vulns", []) if isinstance(result, dict) else None
        if not isinstance(vulns, list):
            raise self._bad("/v1/querybatch", "a result without a list of vulns")
        found = {v.get("id") for v in vulns if isinstance(v, dict)}
        bad = [i for i in found if not isinstance(i, str) or not valid_id(i)]
        if bad:
            raise self._bad("/v1/querybatch", f"not an advisory id: {str(bad[0])[:40]!r}")
        return {i for i in found if isinstance(i, str)}

    def _record(self, ident: str) -> tuple[str, object]:
        path = f"/v1/vulns/{ident}"
        response = self._call(lambda url: self.http.get(url, limit=RECORD_LIMIT), path)
        data = _json(response.body, f"{self.base}{path}")
        if not isinstance(data, dict) or data.get("id") != ident:
            return f"{self.base}{path}", f"the answer is not the record {ident}"
        return f"{self.base}{path}", data

    def _post(self, path: str, payload: object) -> object:
        body = json.dumps(payload, sort_keys=True).encode()
        headers = {"Content-Type": "application/json"}
        response = self._call(
            lambda url: self.http.post(url, body, headers, limit=ANSWER_LIMIT), path
        )
        return _json(response.body, f"{self.base}{path}")

    def _call(self, send: Callable[[str], Response], path: str) -> Response:
        """`send` to the API's `path`, within the deadline; any failure is exit 4."""
        url = f"{self.base}{path}"
        if time.monotonic() >= self._until:
            raise SourceUnreadable(
                f"{redact(url)}: the OSV API did not answer in {self.deadline:g} s"
            )
        try:
            response = send(url)
        except NetworkError as exc:
            raise SourceUnreadable(f"OSV API: {exc}; use --db with an offline database") from None
        if response.status != 200:
            raise SourceUnreadable(f"{redact(url)}: HTTP {response.status} from the OSV API")
        return response

    def _bad(self, path: str, what: str) -> SourceUnreadable:
        return SourceUnreadable(f"{redact(self.base + path)}: unexpected answer: {what}")


def _query(name: str, version: str) -> dict[str, object]:
    return {"package": {"name": name, "ecosystem": ECOSYSTEM}, "version": version}


def _json(body: bytes, url: str) -> object:
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise SourceUnreadable(
            f"{redact(url)}: the OSV API answered with something not JSON"
        ) from None
