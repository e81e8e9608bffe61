"""The HTTP side of the gateway: an HTTP/1.1 server whose idle connections hold no thread.

Framing is emulator.http11 (llhttp, through httptools). A connection with bytes arriving is
served by a worker thread (emulator.connection): it reads, runs each whole request through
`Gateway.handle` (which blocks while a Lambda environment runs) and writes the reply, so a busy
keep-alive connection costs what one thread per connection costs — one wake-up a request.
A connection quiet for half a second is parked: one selector thread watches every parked
socket, hands it back to a worker when bytes arrive, accepts new connections and closes
parked ones past their deadline. Threads are bounded by the connection cap.

Limits (ServerLimits, stated in the README): the request head within 10 s of its first byte,
else 408 (a connection that sends nothing is closed 10 s after the connect); no pause over 10 s
inside a body, else 408; a keep-alive connection idle for 30 s is closed; at most 512
connections open: at the cap a new client takes the place of the longest-idle connection
between requests, and waits in the listen backlog only while every open one is mid-request.
`bind` takes the port at once, so a port in use is reported before anything else starts;
`serve` starts answering (moto's ThreadedMotoServer pattern); `stop` closes everything and
joins the thread.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import selectors
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from emulator.connection import Connection, Handler, Outcome, ServerLimits

__all__ = ["Handler", "ServerLimits", "ServerThread"]

log = logging.getLogger(__name__)

_BACKLOG = 128
_LISTENER = "listener"
_WAKE = "wake"


def listen(host: str, port: int) -> socket.socket:
    """Return a listening socket on host:port: IPv4 or IPv6, whichever the host names."""
    error: OSError | None = None
    for family, _, _, _, address in socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE):
        try:
            sock = socket.create_server(address[:2], family=family, backlog=_BACKLOG)
        except OSError as exc:
            error = error or exc
            continue
        sock.setblocking(False)
        return sock
    raise error or OSError(f"no address for {host!r}")


class _Server:
    """The selector thread: accept up to the cap, park quiet connections, expire them."""

    def __init__(self, listener: socket.socket, handler: Handler, limits: ServerLimits) -> None:
        self.limits = limits
        self.handler = handler
        self._listener = listener
        self._pool = ThreadPoolExecutor(limits.max_connections, "gateway-request")
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._notices: queue.SimpleQueue[tuple[Outcome, Connection]] = queue.SimpleQueue()
        self._open: set[Connection] = set()
        self._parked: set[Connection] = set()
        self._accepting = False
        self._stopping = False

    def run(self) -> None:
        """Serve until `stop` (runs on the server thread)."""
        self._selector.register(self._wake_r, selectors.EVENT_READ, _WAKE)
        self._accept_again()
        try:
            while not self._stopping:
                for key, _ in self._selector.select(self.limits.sweep_s):
                    self._ready(key.data)
                self._expire_parked()
        finally:
            self._shut_down()

    def stop(self) -> None:
        """Ask the selector thread to stop (from any thread)."""
        self._stopping = True
        self._wake()

    def _ready(self, what: object) -> None:
        if what == _LISTENER:
            self._accept()
        elif what == _WAKE:
            with contextlib.suppress(BlockingIOError):
                self._wake_r.recv(4096)
            self._take_notices()
        elif isinstance(what, Connection):
            self._unpark(what)
            self._pool.submit(self._work, what, what.serve)

    def _accept(self) -> None:
        while len(self._open) < self.limits.max_connections or any(
                c.between_requests for c in self._parked):
            try:
                client, address = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:  # e.g. out of file descriptors: the next select retries
                log.warning("cannot accept a connection: %s", exc)
                return
            if len(self._open) >= self.limits.max_connections:
                self._evict_idle()  # a client is waiting: it takes an idle one's place
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no delayed ACKs
            connection = Connection(client, str(address[0]), self.limits, self.handler)
            self._open.add(connection)
            self._park(connection)  # most clients send at once; the selector sees it
        self._selector.unregister(self._listener)
        self._accepting = False
        log.warning("%d connections open, none idle: further ones wait until one closes or "
                    "goes idle", self.limits.max_connections)

    def _evict_idle(self) -> bool:
        """At the cap, close the longest-idle parked connection between requests, if any.

        As nginx reuses idle keep-alive connections when it runs out of connections
        (ngx_drain_connections): a client may close an idle keep-alive connection at any time
        and clients retry on a fresh one (RFC 9112, 9.3.1 and 9.6), so idle connections never
        keep a new client waiting. A connection mid-request is never closed for this."""
        idle = [c for c in self._parked if c.between_requests]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.parked_at)
        self._unpark(oldest)
        self._open.discard(oldest)
        oldest.close()
        return True

    def _accept_again(self) -> None:
        if not self._accepting and (len(self._open) < self.limits.max_connections
                                    or any(c.between_requests for c in self._parked)):
            self._selector.register(self._listener, selectors.EVENT_READ, _LISTENER)
            self._accepting = True

    def _work(self, connection: Connection, step: Callable[[], Outcome]) -> None:
        """On a worker: serve (or expire) the connection, then tell the selector thread."""
        self._notices.put((step(), connection))
        self._wake()

    def _wake(self) -> None:
        with contextlib.suppress(OSError):  # a full buffer already holds a wake-up
            self._wake_w.send(b"x")

    def _take_notices(self) -> None:
        while True:
            try:
                outcome, connection = self._notices.get_nowait()
            except queue.Empty:
                break
            if outcome is Outcome.PARK and not self._stopping:
                self._park(connection)
            else:
                self._open.discard(connection)
        self._accept_again()

    def _park(self, connection: Connection) -> None:
        try:
            self._selector.register(connection.sock, selectors.EVENT_READ, connection)
        except (ValueError, OSError):  # closed meanwhile
            self._open.discard(connection)
            return
        connection.parked_at = time.monotonic()
        self._parked.add(connection)
        if not self._accepting and connection.between_requests:
            self._accept_again()  # at the cap: a waiting client may now take its place

    def _unpark(self, connection: Connection) -> None:
        self._selector.unregister(connection.sock)
        self._parked.discard(connection)

    def _expire_parked(self) -> None:
        now = time.monotonic()
        for connection in [c for c in self._parked if c.deadline <= now]:
            self._unpark(connection)
            self._pool.submit(self._work, connection, connection.expire)

    def _shut_down(self) -> None:
        for connection in list(self._open):
            with contextlib.suppress(OSError):  # a worker's recv or send returns at once
                connection.sock.shutdown(socket.SHUT_RDWR)
            connection.close()  # a worker still using it gets EBADF and lets go
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()


class ServerThread:
    """The gateway served from a background thread."""

    def __init__(self, sock: socket.socket, limits: ServerLimits) -> None:
        self._sock = sock
        self._limits = limits
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def bind(cls, host: str = "127.0.0.1", port: int = 0,
             limits: ServerLimits | None = None) -> ServerThread:
        """Listen on host:port (0 = a free port); raise OSError when it is taken."""
        return cls(listen(host, port), limits or ServerLimits())

    @property
    def host_and_port(self) -> tuple[str, int]:
        host, port = self._sock.getsockname()[:2]
        return str(host), int(port)

    @property
    def url(self) -> str:
        """The server's root URL: http://127.0.0.1:3000, http://[::1]:3000."""
        host, port = self.host_and_port
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def serve(self, handler: Handler) -> None:
        """Start answering requests with this handler (the Gateway)."""
        self._server = _Server(self._sock, handler, self._limits)
        self._thread = threading.Thread(target=self._server.run, name="gateway-server",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop answering, close every connection and the socket, join the thread."""
        if self._server is not None and self._thread is not None:
            self._server.stop()
            self._thread.join()
        self._sock.close()
