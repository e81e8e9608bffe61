"""The HTTP side of the gateway: an asyncio HTTP/1.1 server, requests run on a thread pool.

One event-loop thread reads every connection and frames requests with emulator.http11 (llhttp,
through httptools); a whole request goes to `Gateway.handle` on a worker thread (it blocks while
a Lambda environment runs) and the reply is written from the loop (emulator.connection). Idle
connections cost no thread; workers exist only for requests running at once, at most one per
connection, so both are bounded by the connection cap.

Limits (ServerLimits, stated in the README): the request head within 10 s of its first byte,
else 408 (a connection that sends nothing is closed 10 s after the connect); no pause over 10 s
inside a body, else 408; a keep-alive connection idle for 30 s is closed; at most 512
connections open, more wait in the listen backlog until one closes. `bind` takes the port at
once, so a port in use is reported before anything else starts; `serve` starts answering
(moto's ThreadedMotoServer pattern); `stop` closes everything and joins the thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import socket
import threading
from concurrent.futures import Executor, ThreadPoolExecutor

from emulator.connection import Connection, Handler, ServerLimits

__all__ = ["Handler", "ServerLimits", "ServerThread"]

log = logging.getLogger(__name__)

_BACKLOG = 128


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
    """The event loop's side: accept up to the cap, sweep deadlines, own the connections."""

    def __init__(self, sock: socket.socket, handler: Handler, limits: ServerLimits) -> None:
        self.limits = limits
        self.handler = handler
        self.executor: Executor = ThreadPoolExecutor(limits.max_connections, "gateway-request")
        self._sock = sock
        self._connections: set[Connection] = set()
        self._loop = asyncio.new_event_loop()
        self._stopping: asyncio.Event | None = None
        self._stop_requested = False
        self._slots: asyncio.Semaphore | None = None

    def run(self) -> None:
        """Serve until `stop` (runs on the server thread)."""
        try:
            self._loop.run_until_complete(self._serve())
        finally:
            self._loop.close()

    def stop(self) -> None:
        """Ask the loop to stop (from any thread)."""
        self._stop_requested = True  # seen by _serve if it has not started yet
        with contextlib.suppress(RuntimeError):  # already stopped
            self._loop.call_soon_threadsafe(self._stop_now)

    def _stop_now(self) -> None:
        if self._stopping is not None:
            self._stopping.set()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        if self._stop_requested:
            self._stopping.set()
        self._slots = asyncio.Semaphore(self.limits.max_connections)
        accepting = asyncio.create_task(self._accept())
        sweeping = self._loop.call_later(self.limits.sweep_s, self._sweep)
        await self._stopping.wait()
        accepting.cancel()
        sweeping.cancel()
        for connection in list(self._connections):
            connection.abort()
        await asyncio.sleep(0)  # let the transports report connection_lost
        self.executor.shutdown(wait=False, cancel_futures=True)

    async def _accept(self) -> None:
        """Accept while under the cap; at the cap, wait for a close (clients wait in backlog)."""
        assert self._slots is not None
        while True:
            if self._slots.locked():
                log.warning("%d connections open: further ones wait until one closes",
                            self.limits.max_connections)
            await self._slots.acquire()
            try:
                client, _ = await self._loop.sock_accept(self._sock)
            except OSError as exc:  # e.g. out of file descriptors: try again shortly
                self._slots.release()
                log.warning("cannot accept a connection: %s", exc)
                await asyncio.sleep(0.5)
                continue
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no delayed-ACK stalls
            try:
                await self._loop.connect_accepted_socket(
                    functools.partial(Connection, self, self._loop, client), client)
            except OSError:
                client.close()
                self._slots.release()

    def opened(self, connection: Connection) -> None:
        self._connections.add(connection)

    def closed(self, connection: Connection) -> None:
        self._connections.discard(connection)
        assert self._slots is not None
        self._slots.release()

    def _sweep(self) -> None:
        now = self._loop.time()
        for connection in [c for c in self._connections if c.deadline <= now]:
            connection.expire()
        self._loop.call_later(self.limits.sweep_s, self._sweep)


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
