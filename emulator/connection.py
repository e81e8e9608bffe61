"""One client connection of the gateway's HTTP/1.1 server (emulator.server), on its event loop.

Bytes are framed by emulator.http11; a whole request runs on the server's thread pool; replies
go out in request order. The connection enforces the server's timeouts (its `deadline`, checked
by the server's sweep) and answers a refused request, then closes: after the refusal it reads
and drops what the client still sends for a moment ("lingering close"), so the client sees the
reply rather than a reset.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import socket
import threading
from collections import deque
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Protocol, cast

from emulator.gateway import errors
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.gateway.rest import API_GATEWAY_MAX_BODY
from emulator.http11 import CONTINUE, Continue, Event, Phase, Refusal, Request, RequestParser
from emulator.http11 import render as render_reply

log = logging.getLogger(__name__)

_DRAIN_LIMIT = 64 << 20  # past this much, a refused body is cut off by closing the connection


class Handler(Protocol):
    """What the server serves: the Gateway, or a test's stand-in."""

    def handle(self, request: HttpRequest) -> HttpResponse: ...


@dataclass(frozen=True, slots=True)
class ServerLimits:
    header_timeout_s: float = 10.0  # request line + headers, from their first byte
    body_timeout_s: float = 10.0  # longest silence while a body arrives
    idle_timeout_s: float = 30.0  # a keep-alive connection with no request in progress
    linger_s: float = 2.0  # after a refusal, how long the client's leftover bytes are read
    max_connections: int = 512  # open at once; more wait in the kernel's listen backlog

    @property
    def sweep_s(self) -> float:
        """How often deadlines are checked (a timeout fires up to this much late)."""
        return min(1.0, self.header_timeout_s / 4, self.body_timeout_s / 4,
                   self.idle_timeout_s / 4, self.linger_s / 4)


def refusal_reply(refusal: Refusal) -> HttpResponse:
    """The reply to a request refused before the gateway saw it."""
    if refusal.status == 413:
        return errors.content_length_exceeded()  # API Gateway's own 413 text
    if refusal.status == 400:
        return errors.bad_request(refusal.detail)
    return HttpResponse(refusal.status, (("Content-Type", "text/plain"),),
                        refusal.detail.encode("utf-8"))


class Owner(Protocol):
    """What a connection needs from its server."""

    limits: ServerLimits
    handler: Handler
    executor: Executor

    def opened(self, connection: Connection) -> None: ...

    def closed(self, connection: Connection) -> None: ...


class Connection(asyncio.Protocol):
    """One client connection: parse, run requests one at a time, reply in order."""

    def __init__(self, owner: Owner, loop: asyncio.AbstractEventLoop,
                 sock: socket.socket) -> None:
        self.owner = owner
        self.limits = owner.limits
        self.loop = loop
        self._sock = sock  # the transport's socket: a worker sends a reply on it directly
        self._send_lock = threading.Lock()  # held while a worker sends; closed under it
        self._sock_open = True
        self._direct = False  # may the running request's worker send on the socket itself?
        self.deadline = math.inf  # loop.time() past which expire() is called
        self._transport: asyncio.Transport | None = None
        self._parser = RequestParser(API_GATEWAY_MAX_BODY)
        self._queue: deque[Event] = deque()
        self._phase = Phase.IDLE
        self._busy = False  # a request is on the thread pool
        self._eof = False  # the client will send nothing more
        self._write_paused = False
        self._lingering = False
        self._drain_left = 0

    # asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self._parser = RequestParser(API_GATEWAY_MAX_BODY, str(peer[0]) if peer else "")
        self.deadline = self.loop.time() + self.limits.header_timeout_s
        self.owner.opened(self)

    def connection_lost(self, exc: Exception | None) -> None:
        with self._send_lock:  # asyncio closes the socket after this returns
            self._sock_open = False
        self._queue.clear()
        self.owner.closed(self)

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            self._discard(len(data))
            return
        events = self._parser.feed(data)
        if events:
            self._queue.extend(events)
            self._pump()
        if not self._busy and not self._lingering:
            phase = self._parser.phase
            if phase is not self._phase or phase is Phase.BODY:  # a body: time since progress
                self._wait_for(phase)

    def eof_received(self) -> bool:
        """The client half-closed: answer the requests that are whole, never a partial one."""
        self._eof = True
        return not self._lingering and bool(self._busy or self._queue)  # False: asyncio closes

    def pause_writing(self) -> None:
        """The client is not reading its replies: read nothing more from it meanwhile."""
        self._write_paused = True
        self.deadline = min(self.deadline, self.loop.time() + self.limits.idle_timeout_s)
        self._transport_or_fail().pause_reading()

    def resume_writing(self) -> None:
        self._write_paused = False
        if self._busy:
            self.deadline = math.inf
        else:
            self._wait_for(self._parser.phase)
        self._pump()

    # the server's sweep

    def expire(self) -> None:
        """The deadline passed: 408 for a request in progress, else close.

        A connection whose client does not take its replies is cut (abort): closing would
        wait for the unsent bytes forever.
        """
        transport = self._transport_or_fail()
        if self._lingering or self._write_paused or transport.get_write_buffer_size():
            transport.abort()
        elif self._busy or self._parser.phase is Phase.IDLE:
            transport.close()
        else:
            log.debug("408: no whole request within the timeout")
            self._refuse(Refusal(408, "Request Timeout"))

    def abort(self) -> None:
        if self._transport is not None:
            self._transport.abort()

    # requests and replies

    def _pump(self) -> None:
        """Start the next queued request when none is running; answer refusals."""
        transport = self._transport_or_fail()
        while self._queue and not (self._busy or self._write_paused or transport.is_closing()):
            event = self._queue.popleft()
            if isinstance(event, Request):
                self._dispatch(event)
            elif isinstance(event, Continue):
                transport.write(CONTINUE)
            else:
                self._refuse(event)
                return
        if self._queue:
            transport.pause_reading()  # pipelined requests wait; so does what follows them
        elif not self._busy:
            if self._eof:
                transport.close()
            elif not self._write_paused:
                transport.resume_reading()

    def _dispatch(self, request: Request) -> None:
        self._busy = True
        self.deadline = math.inf  # the gateway's integration timeout bounds a request
        # Nothing is queued in the transport and the loop writes nothing until the reply is
        # in: the worker may send it on the socket itself, saving a wake-up of the loop.
        self._direct = not self._transport_or_fail().get_write_buffer_size()
        self.owner.executor.submit(self._run, request)

    def _run(self, request: Request) -> None:
        """On a worker thread: answer one request, send what the socket takes, tell the loop."""
        try:
            response = self.owner.handler.handle(request.http)
        except Exception:
            log.exception("the emulator failed on %s %s", request.http.method, request.http.path)
            response = errors.internal_error()
        close = not request.keep_alive
        data = render_reply(response, head_only=request.http.method == "HEAD", close=close)
        sent = self._send(data) if self._direct else 0
        with contextlib.suppress(RuntimeError):  # the loop is closed: the server stopped
            self.loop.call_soon_threadsafe(self._replied, data[sent:], close)

    def _send(self, data: bytes) -> int:
        """Send what the non-blocking socket takes now; the loop writes the rest."""
        with self._send_lock:
            if not self._sock_open:
                return len(data)
            try:
                return self._sock.send(data)
            except (BlockingIOError, InterruptedError):
                return 0
            except OSError:  # the client is gone; the transport will notice
                return len(data)

    def _replied(self, rest: bytes, close: bool) -> None:
        self._busy = False
        transport = self._transport_or_fail()
        if transport.is_closing():
            return
        if rest:
            transport.write(rest)
        if close:
            self._queue.clear()
            transport.close()
            return
        self._wait_for(self._parser.phase)
        self._pump()

    def _refuse(self, refusal: Refusal) -> None:
        """Answer, stop sending, read and drop what the client still sends, then close."""
        transport = self._transport_or_fail()
        transport.write(render_reply(refusal_reply(refusal), close=True))
        self._queue.clear()
        self._lingering = True
        self._drain_left = min(refusal.drain, _DRAIN_LIMIT) or _DRAIN_LIMIT
        linger = self.limits.body_timeout_s if refusal.drain else self.limits.linger_s
        self.deadline = self.loop.time() + linger
        if transport.can_write_eof():
            transport.write_eof()
        transport.resume_reading()

    def _discard(self, size: int) -> None:
        self._drain_left -= size
        if self._drain_left <= 0:
            self._transport_or_fail().close()

    def _wait_for(self, phase: Phase) -> None:
        """Set the deadline for what the connection now waits for."""
        self._phase = phase
        timeout = {Phase.IDLE: self.limits.idle_timeout_s, Phase.HEAD: self.limits.header_timeout_s,
                   Phase.BODY: self.limits.body_timeout_s}[phase]
        self.deadline = self.loop.time() + timeout

    def _transport_or_fail(self) -> asyncio.Transport:
        assert self._transport is not None, "used before connection_made"
        return self._transport
