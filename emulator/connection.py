"""One client connection of the gateway's HTTP/1.1 server (emulator.server), served by a worker.

A worker thread owns the connection while bytes keep coming: it reads, frames requests with
emulator.http11, runs each whole request through the handler and sends the reply, in order.
When the client has been silent for `hold_s`, `serve` returns PARK and the server watches the
socket without a thread until the client sends again; the parser's state goes with the
connection. So a busy keep-alive connection is woken by the kernel straight into its thread
(as with one thread per connection), and an idle one costs no thread.

The connection enforces the timeouts (its `deadline`) and answers a refused request, then
closes: after the refusal it reads and drops what the client still sends for a moment
("lingering close"), so the client sees the reply rather than a reset.
"""

from __future__ import annotations

import enum
import logging
import socket
import time
from dataclasses import dataclass
from typing import Protocol

from emulator.gateway import errors
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.gateway.rest import API_GATEWAY_MAX_BODY
from emulator.http11 import CONTINUE, Continue, Phase, Refusal, Request, RequestParser
from emulator.http11 import render as render_reply

log = logging.getLogger(__name__)

_DRAIN_LIMIT = 64 << 20  # past this much, a refused body is cut off by closing the connection
_READ_SIZE = 65536


class Handler(Protocol):
    """What the server serves: the Gateway, or a test's stand-in."""

    def handle(self, request: HttpRequest) -> HttpResponse: ...


@dataclass(frozen=True, slots=True)
class ServerLimits:
    header_timeout_s: float = 10.0  # request line + headers, from their first byte
    body_timeout_s: float = 10.0  # longest silence while a body arrives
    idle_timeout_s: float = 30.0  # a keep-alive connection with no request in progress
    linger_s: float = 2.0  # after a refusal, how long the client's leftover bytes are read
    send_timeout_s: float = 30.0  # longest wait for a client to take a reply's bytes
    hold_s: float = 0.5  # a worker's wait for more bytes before the connection is parked
    max_connections: int = 512  # open at once; more wait in the kernel's listen backlog

    @property
    def sweep_s(self) -> float:
        """How often a parked connection's deadline is checked (a timeout fires this late)."""
        return min(1.0, self.header_timeout_s / 4, self.body_timeout_s / 4,
                   self.idle_timeout_s / 4)


class Outcome(enum.Enum):
    PARK = "park"  # the client went quiet: watch the socket without a thread
    CLOSED = "closed"


def refusal_reply(refusal: Refusal) -> HttpResponse:
    """The reply to a request refused before the gateway saw it."""
    if refusal.status == 413:
        return errors.content_length_exceeded()  # API Gateway's own 413 text
    if refusal.status == 400:
        return errors.bad_request(refusal.detail)
    return HttpResponse(refusal.status, (("Content-Type", "text/plain"),),
                        refusal.detail.encode("utf-8"))


class Connection:
    """One client connection: its socket, its parser's state, its deadline."""

    def __init__(self, sock: socket.socket, peer: str, limits: ServerLimits,
                 handler: Handler) -> None:
        self.sock = sock
        self.limits = limits
        self.handler = handler
        self.parser = RequestParser(API_GATEWAY_MAX_BODY, peer)
        self.deadline = time.monotonic() + limits.header_timeout_s  # first request's head
        self.parked_at = 0.0  # monotonic time it was last parked (the server sets it)
        self._phase = Phase.IDLE

    @property
    def between_requests(self) -> bool:
        """No request in progress: closing it loses nothing (the server's cap may)."""
        return self.parser.phase is Phase.IDLE

    def serve(self) -> Outcome:
        """On a worker: serve while bytes keep coming; PARK when the client goes quiet."""
        try:
            return self._serve()
        except OSError:  # reset, broken pipe, send timeout: the client is gone
            return self.close()
        except Exception:
            log.exception("the HTTP server failed on a connection; closing it")
            return self.close()

    def expire(self) -> Outcome:
        """The deadline passed while parked: 408 for a request in progress, else close."""
        try:
            if self.parser.phase is Phase.IDLE:
                return self.close()
            return self._refuse(Refusal(408, "Request Timeout"))
        except OSError:
            return self.close()

    def close(self) -> Outcome:
        self.sock.close()
        return Outcome.CLOSED

    def _serve(self) -> Outcome:
        while True:
            now = time.monotonic()
            if now >= self.deadline:
                return self.expire()
            self.sock.settimeout(min(self.limits.hold_s, self.deadline - now))
            try:
                data = self.sock.recv(_READ_SIZE)
            except TimeoutError:
                if time.monotonic() >= self.deadline:
                    return self.expire()
                return Outcome.PARK
            if not data:  # the client closed or half-closed: a partial request is dropped
                return self.close()
            if self._received(data) is Outcome.CLOSED:
                return Outcome.CLOSED

    def _received(self, data: bytes) -> Outcome | None:
        """Answer what the bytes complete, in order; None while the connection stays open."""
        answered = False
        for event in self.parser.feed(data):
            if isinstance(event, Request):
                if self._answer(event) is Outcome.CLOSED:
                    return Outcome.CLOSED
                answered = True
            elif isinstance(event, Continue):
                self._send(CONTINUE)
            else:
                return self._refuse(event)
        phase = self.parser.phase
        if answered or phase is not self._phase or phase is Phase.BODY:  # body: since progress
            self._phase = phase
            self.deadline = time.monotonic() + {
                Phase.IDLE: self.limits.idle_timeout_s, Phase.HEAD: self.limits.header_timeout_s,
                Phase.BODY: self.limits.body_timeout_s}[phase]
        return None

    def _answer(self, request: Request) -> Outcome | None:
        try:
            response = self.handler.handle(request.http)
        except Exception:
            log.exception("the emulator failed on %s %s", request.http.method, request.http.path)
            response = errors.internal_error()
        close = not request.keep_alive
        self._send(render_reply(response, head_only=request.http.method == "HEAD", close=close))
        return self.close() if close else None

    def _send(self, data: bytes) -> None:
        self.sock.settimeout(self.limits.send_timeout_s)
        self.sock.sendall(data)

    def _refuse(self, refusal: Refusal) -> Outcome:
        """Answer, stop sending, read and drop what the client still sends, then close."""
        self._send(render_reply(refusal_reply(refusal), close=True))
        self.sock.shutdown(socket.SHUT_WR)
        left = min(refusal.drain, _DRAIN_LIMIT) or _DRAIN_LIMIT
        until = time.monotonic() + (self.limits.body_timeout_s if refusal.drain
                                    else self.limits.linger_s)
        while left > 0 and (wait := until - time.monotonic()) > 0:
            self.sock.settimeout(wait)
            try:
                data = self.sock.recv(_READ_SIZE)
            except (TimeoutError, OSError):
                break
            if not data:
                break
            left -= len(data)
        return self.close()
