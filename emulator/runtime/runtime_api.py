"""The Lambda Runtime API (2018-06-01) served on loopback, one small server per environment.

Emulates what Lambda's own API (RAPID) serves a runtime, as documented ("AWS Lambda runtime
API", its OpenAPI spec) and as AWS's runtime interface emulator renders it:
`GET /2018-06-01/runtime/invocation/next` blocks until there is an event, then returns it with
the `Lambda-Runtime-Aws-Request-Id`, `-Deadline-Ms` (epoch ms), `-Invoked-Function-Arn` and
`-Trace-Id` headers; `POST .../invocation/{id}/response`, `.../invocation/{id}/error` and
`.../init/error` answer 202 `{"status":"OK"}`; an unknown or finished request id gets 400
`{"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`; a response over 6 MB gets
413 and the invocation fails with `Function.ResponseSizeTooLarge`.

Why one server per environment: `AWS_LAMBDA_RUNTIME_API=host:port` is all a runtime is told, so
the port is the only thing that can say which environment is calling. HTTP/1.1 keep-alive and
TCP_NODELAY on every accepted socket: without it each round trip waits ~40-90 ms on delayed ACKs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Mapping
from typing import Any

from emulator.runtime import peers
from emulator.runtime.invocations import (
    MAX_RESPONSE_BYTES,
    RESPONSE_TOO_LARGE_ERROR,
    Reply,
    RuntimeChannel,
    new_trace_id,
    parse_error,
)

logger = logging.getLogger(__name__)

PREFIX = "/2018-06-01/runtime"
NEXT_PATH = f"{PREFIX}/invocation/next"
INIT_ERROR_PATH = f"{PREFIX}/init/error"
_REPLY_PATH = re.compile(rf"^{PREFIX}/invocation/(?P<id>[^/]+)/(?P<kind>response|error)$")
_ACCEPTED = {"status": "OK"}
PID_WAIT_S = 10.0
_INVALID_ID = {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}
_TOO_LARGE = {
    "errorMessage": f"Exceeded maximum allowed payload size ({MAX_RESPONSE_BYTES} bytes).",
    "errorType": "RequestEntityTooLarge",
}


class _BadRequest(Exception):
    """A request we cannot read; answered 400, then the connection is closed."""


_REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Request Entity Too Large",
    500: "Internal Server Error",
}
_MAX_LINE = 65536
_MAX_HEADERS = 100


class _Connection:
    """One runtime's HTTP/1.1 connection: a minimal keep-alive server loop.

    Hand-rolled rather than http.server's: header parsing there goes through email.parser
    (~25-90 us a request, two requests an invocation), which is most of the emulator's cost.
    """

    def __init__(self, sock: socket.socket, channel: RuntimeChannel) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.rfile = sock.makefile("rb")
        self.channel = channel
        self.headers: dict[str, str] = {}
        self.close_after = False

    def serve(self) -> None:
        try:
            while not self.close_after:
                try:
                    head = self._read_head()
                    if head is None:
                        return
                    self._dispatch(*head)
                except _BadRequest as e:
                    logger.debug("runtime api: bad request: %s", e)
                    self.close_after = True
                    self._send_json(400, {"errorMessage": str(e), "errorType": "InvalidRequest"})
        finally:
            self.rfile.close()

    def _read_head(self) -> tuple[str, str] | None:
        """Read a request line and headers; None when the peer closed the connection."""
        line = self.rfile.readline(_MAX_LINE)
        while line in (b"\r\n", b"\n"):  # tolerate stray CRLFs between requests
            line = self.rfile.readline(_MAX_LINE)
        if not line:
            return None
        parts = line.decode("latin-1").split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            raise _BadRequest("Malformed request line")
        method, target, version = parts
        self.headers = {}
        for _ in range(_MAX_HEADERS):
            raw = self.rfile.readline(_MAX_LINE)
            if raw in (b"\r\n", b"\n", b""):
                break
            name, sep, value = raw.decode("latin-1").partition(":")
            if not sep:
                raise _BadRequest("Malformed header line")
            self.headers[name.strip().lower()] = value.strip()
        else:
            raise _BadRequest("Too many headers")
        connection = self.headers.get("connection", "").lower()
        keep_alive = version == "HTTP/1.1" or connection == "keep-alive"
        self.close_after = connection == "close" or not keep_alive
        return method, target.split("?", 1)[0]

    def _dispatch(self, method: str, path: str) -> None:
        match = _REPLY_PATH.match(path)
        known = path in (NEXT_PATH, INIT_ERROR_PATH) or match is not None
        body = self._read_body(MAX_RESPONSE_BYTES) if method != "GET" else b""
        if not known:
            self._send(404, b"404 page not found\n", "text/plain; charset=utf-8")
        elif method == "GET" and path == NEXT_PATH:
            self._next()
        elif method != "POST" or path == NEXT_PATH:
            self._send(405, b"", "text/plain")
        elif match is None:
            self._init_error(body or b"")
        else:
            self._invocation_reply(match["id"], match["kind"], body)

    def _next(self) -> None:
        invocation = self.channel.take_next()
        if invocation is None:
            self.close_after = True
            self._send_json(500, {"errorMessage": "Internal Server Error", "errorType": "Closed"})
            return
        deadline_ms = int(time.time() * 1000 + invocation.timeout_s * 1000)
        headers = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": invocation.function_arn,
            "Lambda-Runtime-Trace-Id": new_trace_id(),
        }
        self._send(200, invocation.event, "application/json", headers)

    def _invocation_reply(self, request_id: str, kind: str, body: bytes | None) -> None:
        if body is None:  # over the limit: the invocation fails, as on AWS
            reply = Reply("error", b"", RESPONSE_TOO_LARGE_ERROR)
            accepted = self.channel.post(request_id, reply)
            self._send_json(413 if accepted else 400, _TOO_LARGE if accepted else _INVALID_ID)
            return
        if kind == "response":
            reply = Reply("response", body)
        else:
            error_type = self.headers.get("lambda-runtime-function-error-type")
            reply = Reply("error", body, parse_error(body, error_type))
        accepted = self.channel.post(request_id, reply)
        self._send_json(202 if accepted else 400, _ACCEPTED if accepted else _INVALID_ID)

    def _init_error(self, body: bytes) -> None:
        error_type = self.headers.get("lambda-runtime-function-error-type")
        if self.channel.fail_init(Reply("init_error", body, parse_error(body, error_type))):
            self._send_json(202, _ACCEPTED)
        else:
            state = {"errorMessage": "State transition to InitError is not allowed"}
            self._send_json(403, {**state, "errorType": "InvalidStateTransition"})

    def _read_body(self, limit: int) -> bytes | None:
        """Return the request body, or None when it exceeds `limit` (then read and dropped)."""
        if self.headers.get("expect", "").lower() == "100-continue":
            self.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            return self._read_chunked(limit)
        raw = self.headers.get("content-length")
        if raw is None:
            return b""
        if not raw.isdigit():
            raise _BadRequest(f"Invalid Content-Length: {raw!r}")
        return self._read_exactly(int(raw), limit)

    def _read_exactly(self, size: int, limit: int) -> bytes | None:
        chunks, remaining = [], size
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 20))
            if not chunk:
                raise _BadRequest("Request body shorter than its Content-Length")
            remaining -= len(chunk)
            if size <= limit:
                chunks.append(chunk)
        return b"".join(chunks) if size <= limit else None

    def _read_chunked(self, limit: int) -> bytes | None:
        chunks, total = [], 0
        while True:
            line = self.rfile.readline(_MAX_LINE).split(b";", 1)[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                raise _BadRequest("Invalid chunk size") from None
            if size == 0:
                break
            data = self._read_exactly(size + 2, limit + 2)  # the chunk and its CRLF
            total += size
            if data is not None and total <= limit:
                chunks.append(data[:-2])
        while self.rfile.readline(_MAX_LINE) not in (b"\r\n", b"\n", b""):  # trailers
            pass
        return b"".join(chunks) if total <= limit else None

    def _send_json(self, status: int, payload: Mapping[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json")

    def _send(
        self, status: int, body: bytes, content_type: str, headers: Mapping[str, str] = {}
    ) -> None:
        lines = [f"HTTP/1.1 {status} {_REASONS[status]}", f"Content-Type: {content_type}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        if self.close_after:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.sock.sendall(head + body)  # one write: no Nagle/delayed-ACK interplay


class RuntimeApiServer:
    """One environment's Runtime API on 127.0.0.1 (a free port); a thread per connection."""

    def __init__(self, channel: RuntimeChannel, *, guarded: bool = False) -> None:
        """`guarded`: serve only the process named by `admit` (the pool spawns it next)."""
        self.channel = channel
        self._guarded = guarded
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._closing = False
        self._runtime_pid: int | None = None  # only its connections are served (peers.py)
        self._pid_known = threading.Event()
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"runtime-api-{self.port}", daemon=True
        )

    @property
    def address(self) -> str:
        """The value of AWS_LAMBDA_RUNTIME_API: `host:port`."""
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self._acceptor.start()

    def admit(self, pid: int) -> None:
        """Serve connections of process `pid` (the environment's runtime) only."""
        self._runtime_pid = pid
        self._pid_known.set()

    def _admitted(self, conn: socket.socket) -> bool:
        if self._guarded:  # admit() follows the spawn at once; the runtime takes longer to start
            self._pid_known.wait(PID_WAIT_S)
        pid = self._runtime_pid
        if pid is None or peers.owned_by(conn, pid) is not False:
            return True
        logger.warning("Runtime API %s: refused a connection from a process other than the "
                       "environment's runtime (pid %d)", self.address, pid)
        return False

    def _accept_loop(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._closing:
                    conn.close()
                    return
                self._connections.add(conn)
                thread = threading.Thread(
                    target=self._serve, args=(conn,), name=self._acceptor.name, daemon=True
                )
                self._threads = [t for t in self._threads if t.is_alive()]
                self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            if self._admitted(conn):
                _Connection(conn, self.channel).serve()
        except OSError:  # the environment went away mid-request (killed, crashed)
            pass
        finally:
            with self._lock:
                self._connections.discard(conn)
            conn.close()

    def close(self) -> None:
        """Stop accepting, cut open connections, and join every thread."""
        self.channel.close()
        with self._lock:
            self._closing = True
            connections = list(self._connections)
        if self._acceptor.is_alive():
            with contextlib.suppress(OSError):  # wake the blocking accept() portably
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._acceptor.is_alive():
            self._acceptor.join()
        self._listener.close()
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join()
