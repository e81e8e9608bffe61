"""A tiny stand-in for a deployed stage with no reviews: the read side of the contract only.

It records every request (method, raw path, headers, body) so tests can check what
`python -m contracts` sent: signatures, extra headers, and that a read-only run wrote nothing.
It shares no code with api/ or the emulator: another implementation of the same contract.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

ITEM = re.compile(r"^/[^/]+/reviews/[^/]+$")
LIST = re.compile(r"^/[^/]+/reviews$")
LIMIT = re.compile(r"^[0-9]{1,3}$")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CORS = {"Access-Control-Allow-Origin": "*"}


@dataclass(frozen=True, slots=True)
class Recorded:
    method: str
    raw_path: str
    headers: dict[str, str]
    body: bytes


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, status: int, body: object | None, headers: dict[str, str]) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.record(Recorded(self.command, self.path, dict(self.headers.items()), body))
        url = urlsplit(self.path)
        if self.command == "GET" and LIST.match(url.path):
            self._list(parse_qs(url.query, keep_blank_values=True))
        elif self.command == "GET" and ITEM.match(url.path):
            self._reply(404, {"message": "Review not found"}, CORS)
        else:  # API Gateway's reply to a route or method it does not have
            self._reply(403, {"message": "Missing Authentication Token"}, {})

    def _list(self, query: dict[str, list[str]]) -> None:
        limit = query.get("limit", ["25"])[-1]
        if not LIMIT.match(limit) or not 1 <= int(limit) <= 100:
            self._reply(400, {"message": "bad limit"}, CORS)
        elif "nextToken" in query:  # this stage never issued one
            self._reply(400, {"message": "bad nextToken"}, CORS)
        elif "author" in query and not UUID.match(query["author"][-1]):  # not a user's sub
            self._reply(400, {"message": "bad author"}, CORS)
        else:
            self._reply(200, {"items": [], "nextToken": None}, CORS)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_TRACE = _answer
    do_OPTIONS = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[Recorded] = []
        self._lock = threading.Lock()

    def record(self, request: Recorded) -> None:
        with self._lock:
            self.requests.append(request)


class FakeStage:
    """`with FakeStage("prod") as stage:` serves http://127.0.0.1:<port>/prod."""

    def __init__(self, stage: str = "dev") -> None:
        self._server = _Server()  # listening once constructed: no wait needed
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/{stage}"

    @property
    def requests(self) -> list[Recorded]:
        return list(self._server.requests)

    def __enter__(self) -> FakeStage:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
