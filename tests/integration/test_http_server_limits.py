"""The gateway's HTTP/1.1 server under slow, silent and numerous clients (issue 16, item 3).

The real server (emulator.server.ServerThread) on real sockets, in this process, with short
timeouts and a recording handler standing in for the Gateway, so each limit is seen quickly
and "the handler never ran" is a plain list.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.server import ServerLimits, ServerThread

pytestmark = pytest.mark.integration

SHORT = ServerLimits(header_timeout_s=0.4, body_timeout_s=0.4, idle_timeout_s=0.4,
                     linger_s=0.4, max_connections=512)
WAIT_S = 5.0  # a socket read bound far above every timeout in SHORT


class Recorder:
    """Answers 200 with the path; records every request; /slow waits for `release`."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.release = threading.Event()

    def handle(self, request: HttpRequest) -> HttpResponse:
        self.paths.append(request.path)
        if request.path == "/slow":
            self.release.wait(WAIT_S)
        return HttpResponse(200, (("Content-Type", "text/plain"),), request.path.encode())


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


def serving(recorder: Recorder, limits: ServerLimits) -> Iterator[tuple[str, int]]:
    server = ServerThread.bind("127.0.0.1", 0, limits)
    server.serve(recorder)
    try:
        yield server.host_and_port
    finally:
        recorder.release.set()
        server.stop()


@pytest.fixture
def short(recorder: Recorder) -> Iterator[tuple[str, int]]:
    yield from serving(recorder, SHORT)


def read_to_close(sock: socket.socket) -> bytes:
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
    return reply


def get(address: tuple[str, int], path: str) -> bytes:
    with socket.create_connection(address, timeout=WAIT_S) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nConnection: close\r\n\r\n".encode())
        return read_to_close(sock)


@pytest.mark.parametrize("hold_s", [0.5, 0.05], ids=["expires-in-worker", "expires-parked"])
@pytest.mark.parametrize("partial", [
    b"GET /stalled HTTP/1.1\r\nHost: x\r\n",  # stops mid-headers
    b"POST /stalled HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",  # stops mid-body
])
def test_a_stalled_request_is_408_and_closed_without_running(
        recorder: Recorder, partial: bytes, hold_s: float) -> None:
    for address in serving(recorder, dataclasses.replace(SHORT, hold_s=hold_s)):
        with socket.create_connection(address, timeout=WAIT_S) as sock:
            sock.sendall(partial)
            reply = read_to_close(sock)
        assert reply.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
        assert recorder.paths == []


def test_a_body_arriving_slowly_but_steadily_is_not_cut(short: tuple[str, int],
                                                        recorder: Recorder) -> None:
    with socket.create_connection(short, timeout=WAIT_S) as sock:
        sock.sendall(b"POST /steady HTTP/1.1\r\nContent-Length: 6\r\nConnection: close\r\n\r\n")
        for part in (b"ab", b"cd", b"ef"):  # each pause under the 0.4 s body timeout
            time.sleep(0.25)
            sock.sendall(part)
        reply = read_to_close(sock)
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n")
    assert recorder.paths == ["/steady"]


def test_a_request_split_by_a_pause_longer_than_the_hold_is_served_whole(
        recorder: Recorder) -> None:
    for address in serving(recorder, dataclasses.replace(SHORT, hold_s=0.05)):
        with socket.create_connection(address, timeout=WAIT_S) as sock:
            sock.sendall(b"POST /split HTTP/1.1\r\nContent-Length: 4\r\n")
            time.sleep(0.2)  # the connection is parked meanwhile, its parser state kept
            sock.sendall(b"Connection: close\r\n\r\nab")
            time.sleep(0.2)
            sock.sendall(b"cd")
            reply = read_to_close(sock)
        assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and reply.endswith(b"/split")
        assert recorder.paths == ["/split"]


def test_a_silent_connection_and_an_idle_keep_alive_one_are_closed(
        short: tuple[str, int], recorder: Recorder) -> None:
    with socket.create_connection(short, timeout=WAIT_S) as silent:
        assert read_to_close(silent) == b""  # nothing sent: closed after the header timeout
    with socket.create_connection(short, timeout=WAIT_S) as idle:
        idle.sendall(b"GET /once HTTP/1.1\r\n\r\n")
        reply = read_to_close(idle)  # answered, kept alive, then closed when idle
    assert reply.startswith(b"HTTP/1.1 200 OK\r\n") and reply.endswith(b"/once")
    assert b"Connection: close" not in reply


def test_a_running_request_does_not_hold_up_other_connections(
        short: tuple[str, int], recorder: Recorder) -> None:
    with socket.create_connection(short, timeout=WAIT_S) as slow:
        slow.sendall(b"GET /slow HTTP/1.1\r\nConnection: close\r\n\r\n")
        assert get(short, "/fast").endswith(b"/fast")
        recorder.release.set()
        assert read_to_close(slow).endswith(b"/slow")


def test_idle_connections_take_no_thread_and_closing_them_stalls_nothing(
        recorder: Recorder) -> None:
    limits = ServerLimits(max_connections=512)
    for address in serving(recorder, limits):
        get(address, "/warm")
        threads = threading.active_count()
        idle = [socket.create_connection(address, timeout=WAIT_S) for _ in range(300)]
        try:
            assert get(address, "/among-idle").endswith(b"/among-idle")
            assert threading.active_count() <= threads + 1
        finally:
            for sock in idle:
                sock.close()
        started = time.monotonic()
        assert get(address, "/after-close").endswith(b"/after-close")
        assert time.monotonic() - started < 2.0


def test_past_the_cap_a_client_waits_only_while_every_connection_is_mid_request(
        recorder: Recorder) -> None:
    limits = ServerLimits(max_connections=2, hold_s=0.05)
    for address in serving(recorder, limits):
        first = socket.create_connection(address, timeout=WAIT_S)
        second = socket.create_connection(address, timeout=WAIT_S)
        first.sendall(b"GET /slow HTTP/1.1\r\n\r\n")  # running
        second.sendall(b"GET /half HTTP/1.1\r\n")  # mid-head
        deadline = time.monotonic() + WAIT_S
        while "/slow" not in recorder.paths and time.monotonic() < deadline:
            time.sleep(0.01)  # the first is running: its handler was called
        time.sleep(0.3)  # the server has read the second's bytes: no signal says so, and a
        # connection that has sent nothing yet is idle (and may be closed for a newcomer)
        with socket.create_connection(address, timeout=0.5) as third:  # in the backlog
            third.sendall(b"GET /third HTTP/1.1\r\nConnection: close\r\n\r\n")
            with pytest.raises(TimeoutError):
                third.recv(65536)
            assert recorder.paths == ["/slow"]
            recorder.release.set()  # /slow answers; `first` is then idle: third takes its place
            assert first.recv(65536).endswith(b"/slow")
            third.settimeout(WAIT_S)
            assert read_to_close(third).endswith(b"/third")
        assert first.recv(65536) == b""  # the idle keep-alive connection was closed for it
        first.close()
        second.close()


def test_at_the_cap_idle_keep_alive_connections_make_room_for_a_new_client(
        recorder: Recorder) -> None:
    """Issue 29 item 7: 530 idle keep-alive connections made a new client wait 68 s."""
    limits = ServerLimits(max_connections=16)
    for address in serving(recorder, limits):
        idle = []
        for i in range(16):  # every slot holds a keep-alive connection between requests
            sock = socket.create_connection(address, timeout=WAIT_S)
            sock.sendall(f"GET /idle-{i} HTTP/1.1\r\n\r\n".encode())
            assert sock.recv(65536).endswith(f"/idle-{i}".encode())
            idle.append(sock)
        try:
            for n in range(3):  # each newcomer is served at once, not after the idle timeout
                started = time.monotonic()
                assert get(address, f"/new-{n}").endswith(f"/new-{n}".encode())
                assert time.monotonic() - started < 2.0
            closed = 0
            for sock in idle:  # the oldest idle ones were closed to make room
                sock.settimeout(0.2)
                with contextlib.suppress(TimeoutError):
                    closed += sock.recv(65536) == b""
            assert closed >= 1
        finally:
            for sock in idle:
                sock.close()


def test_an_oversized_body_is_refused_before_the_100_continue(short: tuple[str, int],
                                                              recorder: Recorder) -> None:
    with socket.create_connection(short, timeout=WAIT_S) as sock:
        sock.sendall(b"POST /big HTTP/1.1\r\nExpect: 100-continue\r\n"
                     b"Content-Length: 10485761\r\n\r\n")
        reply = read_to_close(sock)
    assert reply.startswith(b"HTTP/1.1 413 ")
    assert reply.endswith(b"HTTP content length exceeded 10485760 bytes.")
    assert recorder.paths == []
