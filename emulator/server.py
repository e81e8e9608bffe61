"""The HTTP side of the gateway: a threaded HTTP/1.1 server on loopback.

Built on the standard library's http.server rather than a WSGI stack: WSGI folds header names
to upper case, and API Gateway REST (v1) hands the function the client's own header casing.
Keep-alive, TCP_NODELAY, one thread per connection (not per request). The server started from
a thread returns once it listens (the pattern of moto's ThreadedMotoServer).
"""

from __future__ import annotations

import io
import logging
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from emulator.gateway import errors
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.gateway.rest import API_GATEWAY_MAX_BODY, Gateway

log = logging.getLogger(__name__)

_FRAMING = ("content-length", "connection", "transfer-encoding")  # ours, never the handler's
_DRAIN_LIMIT = 64 << 20  # past this much, a refused body is cut off by closing the connection
_MAX_LINE = 65536  # http.client's limits on one header line and on the number of headers
_MAX_HEADERS = 100


class BodyError(Exception):
    """The request body could not be read as HTTP/1.1 frames it."""


class Headers:
    """A request's header lines in order, names as the client cased them; `get` ignores case."""

    __slots__ = ("_lines",)

    def __init__(self, lines: list[tuple[str, str]]) -> None:
        self._lines = lines

    def items(self) -> list[tuple[str, str]]:
        return self._lines

    def get(self, name: str, default: str = "") -> str:
        wanted = name.lower()
        return next((value for key, value in self._lines if key.lower() == wanted), default)


def read_headers(rfile: io.BufferedIOBase) -> Headers:
    """Read header lines up to the blank line.

    Replaces http.client.parse_headers, whose email.parser costs ~40 us a request (measured; the
    whole gateway spends ~1 ms of CPU on a request). ValueError names what is wrong.
    """
    lines: list[tuple[str, str]] = []
    while True:
        raw = rfile.readline(_MAX_LINE + 1)
        if len(raw) > _MAX_LINE:
            raise ValueError("Line too long")
        if raw in (b"\r\n", b"\n", b""):
            return Headers(lines)
        if len(lines) == _MAX_HEADERS:
            raise ValueError(f"Too many headers (more than {_MAX_HEADERS})")
        name, colon, value = raw.decode("iso-8859-1").partition(":")
        if not colon or not name or name != name.strip() or " " in name or "\t" in name:
            raise ValueError(f"Malformed header line {raw[:80]!r}")
        lines.append((name, value.strip(" \t\r\n")))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # TCP_NODELAY: no 40-90 ms stalls on small replies
    server_version = "review-api-emulator"
    gateway: ClassVar[Gateway]

    def parse_request(self) -> bool:
        """http.server's request-line and Connection/Expect handling, with a lean header reader.

        The base class parses the request line, then hands the headers to its own parser; that
        parser is given an empty header block, and the real one is read here first.
        """
        if len(self.raw_requestline.split()) < 3:  # HTTP/0.9 or garbage: the base class answers
            return bool(super().parse_request())
        headers: Headers | None = None
        try:
            headers = read_headers(self.rfile)
        except ValueError as exc:
            problem = str(exc)
        rfile, self.rfile = self.rfile, io.BytesIO(b"\r\n")
        try:
            if not super().parse_request():
                return False
        finally:
            self.rfile = rfile
        if headers is None:
            self.close_connection = True
            malformed = problem.startswith("Malformed")
            self.send_error(400 if malformed else 431,
                            "Bad request" if malformed else problem.partition(" (")[0], problem)
            return False
        self.headers = headers  # type: ignore[assignment]
        self._apply_connection_headers(headers)
        return True

    def _apply_connection_headers(self, headers: Headers) -> None:
        connection = headers.get("Connection").lower()
        if connection == "close":
            self.close_connection = True
        elif connection == "keep-alive":
            self.close_connection = False
        if headers.get("Expect").lower() == "100-continue" and self.request_version >= "HTTP/1.1":
            self.send_response_only(100)
            self.end_headers()

    def handle_one_request(self) -> None:
        """Dispatch any method (API Gateway has ANY), not only the do_* ones."""
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            self._serve()
            self.wfile.flush()
        except (ConnectionError, TimeoutError):
            self.close_connection = True

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except BodyError as exc:
            self.close_connection = True
            response = (errors.content_length_exceeded() if "exceeded" in str(exc)
                        else errors.bad_request(str(exc)))
            self._write(response)
            return
        split = urllib.parse.urlsplit(self.path)
        request = HttpRequest(
            method=self.command,
            path=urllib.parse.unquote(split.path),
            query=tuple(urllib.parse.parse_qsl(split.query, keep_blank_values=True)),
            headers=tuple(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
        )
        try:
            response = self.gateway.handle(request)
        except Exception:
            log.exception("the emulator failed on %s %s", self.command, self.path)
            response = errors.internal_error()
        self._write(response)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_text = self.headers.get("Content-Length")
        if not length_text:
            return b""
        if not length_text.isdigit():
            raise BodyError(f"invalid Content-Length {length_text!r}")
        length = int(length_text)
        if length > API_GATEWAY_MAX_BODY:
            self._discard(length)
            raise BodyError("content length exceeded")
        return self.rfile.read(length)

    def _discard(self, length: int) -> None:
        """Read and drop a body we refuse, so the client sees our reply, not a reset."""
        left = min(length, _DRAIN_LIMIT)
        while left > 0 and (chunk := self.rfile.read(min(left, 1 << 20))):
            left -= len(chunk)

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            size_line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise BodyError("malformed chunked body") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(body)
            if len(body) + size > API_GATEWAY_MAX_BODY:
                raise BodyError("content length exceeded")
            body += self.rfile.read(size)
            self.rfile.readline(1024)

    def _write(self, response: HttpResponse) -> None:
        """Send the reply in one write (head and body: one segment for a small reply).

        Header values go out UTF-8 encoded (http.server's send_header refuses anything past
        Latin-1 with an exception that cut the connection).
        """
        reason = self.responses.get(response.status, ("",))[0]
        head = [f"HTTP/1.1 {response.status} {reason}", f"Date: {self.date_time_string()}"]
        head += [f"{name}: {value}" for name, value in response.headers
                 if name.lower() not in _FRAMING]
        head.append(f"Content-Length: {len(response.body)}")
        if self.close_connection:
            head.append("Connection: close")
        data = ("\r\n".join(head) + "\r\n\r\n").encode("utf-8")
        self.wfile.write(data if self.command == "HEAD" else data + response.body)

    def log_message(self, format: str, *args: object) -> None:
        """Silence http.server's own access log; the gateway writes one line a request."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


class ServerThread:
    """The gateway served from a background thread.

    `bind` takes the port at once (so a port in use is reported before anything else starts);
    `serve` starts answering; `stop` closes the socket and joins the thread.
    """

    def __init__(self, server: _Server, handler: type[_Handler]) -> None:
        self._server = server
        self._handler = handler
        self._thread = threading.Thread(target=server.serve_forever, name="gateway-server",
                                        daemon=True)

    @classmethod
    def bind(cls, host: str = "127.0.0.1", port: int = 0) -> ServerThread:
        """Listen on host:port (0 = a free port); raise OSError when it is taken."""
        handler = type("GatewayHandler", (_Handler,), {})
        return cls(_Server((host, port), handler), handler)

    @property
    def host_and_port(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def serve(self, gateway: Gateway) -> None:
        """Start answering requests with this gateway."""
        self._handler.gateway = gateway
        self._thread.start()

    def stop(self) -> None:
        """Stop answering, close the socket, join the thread."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()
