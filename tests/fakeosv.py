"""`FakeOsv`: the OSV API's two endpoints that `reqlock audit` calls, served over real
HTTP on 127.0.0.1 from a daemon thread, from a folder of OSV records.

`POST /v1/querybatch` answers each query with the ids of the records naming that package
(whatever the version: the audit's own matcher decides, as it must for any answer), one
id per page when `page_size` is 1, with `next_page_token`; `GET /v1/vulns/{id}` answers
the record. `status` makes every answer that HTTP status instead. The request log is
`requests`."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class FakeOsv:
    def __init__(self, folder: Path, page_size: int = 1000) -> None:
        self.records = {
            data["id"]: data
            for path in sorted(folder.rglob("*.json"))
            if isinstance(data := json.loads(path.read_text()), dict)
        }
        self.page_size = page_size
        self.status = 200
        self.requests: list[tuple[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FakeOsv:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def ids_for(self, name: str) -> list[str]:
        return sorted(
            ident
            for ident, data in self.records.items()
            for item in data.get("affected", [])
            if _canonical(item.get("package", {}).get("name", "")) == _canonical(name)
        )

    def answer(self, query: dict[str, Any]) -> dict[str, Any]:
        ids = self.ids_for(query["package"]["name"])
        start = int(query.get("page_token") or 0)
        page = ids[start : start + self.page_size]
        result: dict[str, Any] = {
            "vulns": [{"id": i, "modified": "2026-01-01T00:00:00Z"} for i in page]
        }
        if start + self.page_size < len(ids):
            result["next_page_token"] = str(start + self.page_size)
        return result

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        osv = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, payload: object) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                osv.requests.append(("POST", self.path))
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if osv.status != 200:
                    return self._send(osv.status, {"message": "down"})
                if self.path != "/v1/querybatch":
                    return self._send(404, {"message": "not found"})
                return self._send(200, {"results": [osv.answer(q) for q in body["queries"]]})

            def do_GET(self) -> None:
                osv.requests.append(("GET", self.path))
                ident = self.path.removeprefix("/v1/vulns/")
                if osv.status != 200:
                    return self._send(osv.status, {"message": "down"})
                if ident not in osv.records:
                    return self._send(404, {"message": "not found"})
                return self._send(200, osv.records[ident])

        return Handler
