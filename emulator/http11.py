"""HTTP/1.1 request framing for the gateway, socket-free: bytes in, requests or refusals out.

llhttp (through httptools, the parser uvicorn uses) frames the requests and refuses what
RFC 9112 says a server must not guess at: Content-Length together with Transfer-Encoding, a
repeated or non-numeric Content-Length, a transfer coding other than chunked last, a chunk size
that is not plain hex, folded or malformed header lines (each a 400, and the connection is
closed). This module adds the limits llhttp leaves to its user (request line, header lines,
header count, body size), refuses HTTP/0.9 and HTTP/2+ on this port, and keeps header names
as the client cased them: API Gateway REST hands them to the function that way.

A request is only ever produced whole: headers up to the blank line and every byte of the
body. What arrives before a connection drops is never a request.
"""

from __future__ import annotations

import email.utils
import enum
import time
import urllib.parse
from dataclasses import dataclass, replace
from http import HTTPStatus

import httptools

from emulator.gateway.http import HttpRequest, HttpResponse

MAX_LINE = 65536  # one request line or header line (http.client's limit, the server's so far)
MAX_HEADERS = 100
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"
_FRAMING = frozenset({"content-length", "connection", "transfer-encoding"})  # ours alone
_REASONS = {status.value: status.phrase for status in HTTPStatus}


class Phase(enum.Enum):
    IDLE = "idle"  # between requests: nothing of the next one has arrived
    HEAD = "head"  # the request line or headers are arriving
    BODY = "body"  # headers done, the body is arriving


@dataclass(frozen=True, slots=True)
class Request:
    """One whole request, ready for the gateway."""

    http: HttpRequest
    keep_alive: bool


@dataclass(frozen=True, slots=True)
class Continue:
    """The client sent `Expect: 100-continue`: it waits for an interim 100 before the body."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """The request cannot be served; answer `status` and close the connection.

    `drain` is how many body bytes the client announced and will still send: reading them
    before closing lets it see the reply instead of a reset.
    """

    status: int
    detail: str
    drain: int = 0


Event = Request | Continue | Refusal


class RequestParser:
    """Feed a connection's bytes; get back whole requests, 100-continue prompts and refusals.

    After a Refusal the parser is done: later bytes are ignored. `max_body` refuses a larger
    body with 413 (API Gateway's limit, checked again by the gateway).
    """

    def __init__(self, max_body: int, source_ip: str = "127.0.0.1", *,
                 max_line: int = MAX_LINE, max_headers: int = MAX_HEADERS) -> None:
        self.phase = Phase.IDLE
        self._max_body = max_body
        self._max_line = max_line
        self._max_headers = max_headers
        self._source_ip = source_ip
        self._parser = httptools.HttpRequestParser(self)
        self._events: list[Event] = []
        self._done = False
        self._reset()

    def _reset(self) -> None:
        self._url = b""
        self._headers: list[tuple[str, str]] = []
        self._body: list[bytes] = []
        self._body_size = 0
        self._trailers = 0
        self._line_ended = False  # the current chunk completed a header line or held URL bytes
        self._pending = 0  # bytes received since the last completed line (head only)

    def feed(self, data: bytes) -> list[Event]:
        """Parse the next bytes of the connection; return the events they complete."""
        if self._done:
            return []
        self._line_ended = False
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._end_after_last_request()
        except httptools.HttpParserCallbackError:
            if not self._done:  # a callback refused the request (`_stop`); anything else is a bug
                raise
        except httptools.HttpParserError as exc:
            self._refuse(400, f"Bad Request: {exc}")
        if self.phase is Phase.HEAD and not self._done:
            self._check_head(data)
        events, self._events = self._events, []
        return events

    def _check_head(self, data: bytes) -> None:
        """Refuse HTTP/0.9 at once; bound a line still arriving.

        A request line ending without a version leaves llhttp waiting for headers: "0.0" with a
        newline in this chunk after the URL is HTTP/0.9. A complete line is measured exactly
        in the callbacks; the chunk in which a line completed is not counted here, so a line
        may run one chunk past the limit before this refuses it: it bounds memory only.
        """
        if (self._url and not self._headers and b"\n" in data
                and self._parser.get_http_version() == "0.0"):
            self._refuse(400, "Bad Request: HTTP/0.9 is not supported")
            return
        self._pending = 0 if self._line_ended else self._pending + len(data)
        if self._pending > self._max_line:
            self._refuse(431, "Request Header Fields Too Large")

    def _refuse(self, status: int, detail: str, drain: int = 0) -> None:
        self._events.append(Refusal(status, detail, drain))
        self._done = True
        self.phase = Phase.IDLE

    def _end_after_last_request(self) -> None:
        """An Upgrade or CONNECT: answer the request as plain HTTP, then close."""
        if self._events and isinstance(last := self._events[-1], Request):
            self._events[-1] = replace(last, keep_alive=False)
        self._done = True

    # httptools callbacks (named by its protocol)

    def on_message_begin(self) -> None:
        self.phase = Phase.HEAD

    def on_url(self, url: bytes) -> None:
        self._line_ended = True  # not ended, but measured here: _check_head skips this chunk
        self._url += url
        if len(self._url) > self._max_line:
            self._stop(414, "Request-URI Too Long")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._line_ended = True
        if len(name) + len(value) + 2 > self._max_line:
            self._stop(431, "Request Header Fields Too Large")
        if len(self._headers) + self._trailers == self._max_headers:
            self._stop(431, f"Request Header Fields Too Large (more than {self._max_headers})")
        if self.phase is Phase.BODY:  # a chunked body's trailer: counted, not passed on
            self._trailers += 1
            return
        self._headers.append((name.decode("latin-1"), value.decode("latin-1").rstrip(" \t")))

    def on_headers_complete(self) -> None:
        version = self._parser.get_http_version()
        if version not in ("1.1", "1.0"):
            self._stop(505, "HTTP Version Not Supported")
        self.phase = Phase.BODY
        length = self._content_length()
        if length > self._max_body:
            self._stop(413, "content length exceeded", drain=length)
        if version == "1.1" and _value(self._headers, "expect").lower() == "100-continue":
            self._events.append(Continue())

    def _content_length(self) -> int:
        """The body's announced length (llhttp has refused repeats and non-digits); 0 if none.

        A Transfer-Encoding other than exactly `chunked` (`gzip, chunked`, which llhttp
        frames) is refused: the gateway cannot decode it.
        """
        coding = _value(self._headers, "transfer-encoding")
        if coding and coding.strip(" \t").lower() != "chunked":
            self._stop(400, f"Bad Request: unsupported Transfer-Encoding {coding!r}")
        return int(_value(self._headers, "content-length") or 0)

    def on_body(self, body: bytes) -> None:
        self._body_size += len(body)
        if self._body_size > self._max_body:
            self._stop(413, "content length exceeded")
        self._body.append(body)

    def on_message_complete(self) -> None:
        self._events.append(self._request())
        self.phase = Phase.IDLE
        self._reset()

    def _request(self) -> Request:
        method = self._parser.get_method().decode("ascii")
        target = urllib.parse.urlsplit(self._url.decode("latin-1"))
        request = HttpRequest(
            method=method,
            path=urllib.parse.unquote(target.path),
            query=tuple(urllib.parse.parse_qsl(target.query, keep_blank_values=True)),
            headers=tuple(self._headers),
            body=b"".join(self._body),
            source_ip=self._source_ip,
            target=self._url.decode("latin-1"),
        )
        return Request(request, self._parser.should_keep_alive())

    def _stop(self, status: int, detail: str, drain: int = 0) -> None:
        self._refuse(status, detail, drain)
        raise _Refused  # httptools wraps it in HttpParserCallbackError; `feed` expects that


class _Refused(Exception):
    """Raised inside a parser callback to stop parsing at once."""


def _value(headers: list[tuple[str, str]], name: str) -> str:
    """Return the first value of a header (name in lower case), or ""."""
    return next((v for k, v in headers if k.lower() == name), "")


def render(response: HttpResponse, *, head_only: bool = False, close: bool = False) -> bytes:
    """Return the reply's bytes: one write, head and body (one segment for a small reply).

    Framing headers are the server's, never the handler's. Header values go out UTF-8 encoded.
    """
    head = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, '')}",
            f"Date: {_http_date()}"]
    head += [f"{name}: {value}" for name, value in response.headers
             if name.lower() not in _FRAMING]
    head.append(f"Content-Length: {len(response.body)}")
    if close:
        head.append("Connection: close")
    data = ("\r\n".join(head) + "\r\n\r\n").encode("utf-8")
    return data if head_only else data + response.body


_date: tuple[int, str] = (0, "")


def _http_date() -> str:
    """Return the Date header's value, formatted once a second."""
    global _date  # noqa: PLW0603 - a one-entry cache; replacing the tuple is atomic
    now = int(time.time())
    if _date[0] != now:
        _date = (now, email.utils.formatdate(now, usegmt=True))
    return _date[1]
