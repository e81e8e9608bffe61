"""Hostile HTTP against the real emulator (issue 16, items 1-4), over raw sockets.

Each attack asserts the reply (status, connection closed) AND that the gateway never handled
what was smuggled or left incomplete: every request the gateway handles writes one access-log
line, so after each attack a sentinel request is sent and, once its line is in, no line may
name the attack's paths. Paths go to fidelity's `echo` (files/{proxy+}, any method).
"""

from __future__ import annotations

import re
import socket
import urllib.parse
import uuid
from collections.abc import Iterator

import pytest
from emulator_harness import FIDELITY, EmulatorProcess

pytestmark = pytest.mark.integration

READ_TIMEOUT_S = 8.0  # below the server's 10 s header timeout: an answer, never a hang


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(FIDELITY, "--in-memory", "--no-reload").start()
    yield process
    process.stop()


def connect(emu: EmulatorProcess) -> socket.socket:
    url = urllib.parse.urlsplit(emu.base_url)
    assert url.hostname and url.port
    return socket.create_connection((url.hostname, url.port), timeout=READ_TIMEOUT_S)


def read_to_close(sock: socket.socket) -> bytes:
    """Read until the server closes the connection (a timeout fails the test)."""
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
    return reply


def exchange(emu: EmulatorProcess, data: bytes, *, half_close: bool = False) -> bytes:
    with connect(emu) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        return read_to_close(sock)


def assert_never_handled(emu: EmulatorProcess, start: int, *markers: str) -> None:
    """Wait for a sentinel's access line; no line since `start` may name a marker."""
    sentinel = f"/sentinel-{uuid.uuid4().hex}"
    assert emu.request("GET", sentinel).status == 403
    emu.wait_for(sentinel, start=start)
    handled = [line for line in emu.output[start:] if any(m in line for m in markers)]
    assert handled == [], handled


def status_lines(reply: bytes) -> list[bytes]:
    """The status lines in a stream of replies (fidelity's bodies hold no status line)."""
    return re.findall(rb"HTTP/1\.1 \d{3} [^\r]*", reply)


def marker() -> str:
    return f"files/m-{uuid.uuid4().hex}"


# 1. Request smuggling

def test_content_length_with_chunked_is_400_and_the_smuggled_request_never_runs(
        emu: EmulatorProcess) -> None:
    first, smuggled, start = marker(), marker(), len(emu.output)
    inner = f"DELETE /test/{smuggled} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
    body = b"0\r\n\r\n" + inner
    reply = exchange(emu, f"POST /test/{first} HTTP/1.1\r\nHost: x\r\nContent-Length: "
                          f"{len(body)}\r\nTransfer-Encoding: chunked\r\n\r\n".encode() + body)
    assert status_lines(reply) == [b"HTTP/1.1 400 Bad Request"]
    assert b"\r\nConnection: close\r\n" in reply
    assert_never_handled(emu, start, first, smuggled)


@pytest.mark.parametrize("framing", [
    b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
    b"Content-Length: 5\r\nContent-Length: 50\r\n\r\nhello",
    "Content-Length: \u00b2\r\n\r\nhello".encode(),
    b"Content-Length: -1\r\n\r\n",
    b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
    b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
    b"Transfer-Encoding: chunked\r\n\r\n0x12\r\n" + b"a" * 18 + b"\r\n0\r\n\r\n",
    b"Transfer-Encoding: chunked\r\n\r\n1_2\r\n" + b"a" * 18 + b"\r\n0\r\n\r\n",
    b"Transfer-Encoding: chunked\r\n\r\n-1\r\na\r\n0\r\n\r\n",
], ids=["same-cl-twice", "two-cls", "superscript-cl", "negative-cl", "xchunked",
        "gzip-chunked", "chunk-0x12", "chunk-1_2", "chunk-minus-1"])
def test_ambiguous_framing_is_400_closed_and_not_run(emu: EmulatorProcess,
                                                     framing: bytes) -> None:
    first, smuggled, start = marker(), marker(), len(emu.output)
    reply = exchange(emu, f"POST /test/{first} HTTP/1.1\r\nHost: x\r\n".encode() + framing +
                     f"DELETE /test/{smuggled} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    assert status_lines(reply) == [b"HTTP/1.1 400 Bad Request"]
    assert b"\r\nConnection: close\r\n" in reply
    assert_never_handled(emu, start, first, smuggled)


# 2. Incomplete requests

@pytest.mark.parametrize("partial", [
    b"DELETE /test/{m} HTTP/1.1\r\nHost: x\r\nX: y",
    b"DELETE /test/{m} HTTP/1.1\r\nHost: x\r\n",
    b"POST /test/{m} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"short\": 1}",
    b"POST /test/{m} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n",
], ids=["no-blank-line", "no-final-crlf", "short-body", "unfinished-chunks"])
def test_an_incomplete_request_then_half_close_runs_nothing(emu: EmulatorProcess,
                                                            partial: bytes) -> None:
    path, start = marker(), len(emu.output)
    reply = exchange(emu, partial.replace(b"{m}", path.encode()), half_close=True)
    assert reply == b""  # closed, unanswered: there was no request
    assert_never_handled(emu, start, path)


def test_a_whole_request_then_half_close_is_still_answered(emu: EmulatorProcess) -> None:
    path = marker()
    reply = exchange(emu, f"GET /test/{path} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
                     half_close=True)
    assert status_lines(reply) == [b"HTTP/1.1 200 OK"]
    assert path.encode() in reply


# 4. Parser gaps

def test_a_100_kb_request_line_is_414(emu: EmulatorProcess) -> None:
    path, start = marker(), len(emu.output)
    reply = exchange(emu, f"GET /test/{path}/".encode() + b"a" * 100_000 + b" HTTP/1.1\r\n\r\n")
    assert status_lines(reply) == [b"HTTP/1.1 414 Request-URI Too Long"]
    assert_never_handled(emu, start, path)


def test_a_70_kb_header_line_is_431(emu: EmulatorProcess) -> None:
    path, start = marker(), len(emu.output)
    reply = exchange(emu, f"GET /test/{path} HTTP/1.1\r\nX-Big: ".encode() + b"a" * 70_000 +
                     b"\r\n\r\n")
    assert status_lines(reply) == [b"HTTP/1.1 431 Request Header Fields Too Large"]
    assert_never_handled(emu, start, path)


def test_superscript_content_length_is_a_400_not_a_dropped_connection(
        emu: EmulatorProcess) -> None:
    reply = exchange(emu, "POST /test/result HTTP/1.1\r\nContent-Length: \u00b2\r\n\r\nab"
                     .encode())
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert reply.endswith(b"Invalid character in Content-Length")


def test_http_0_9_is_answered_and_closed_not_left_hanging(emu: EmulatorProcess) -> None:
    path, start = marker(), len(emu.output)
    reply = exchange(emu, f"GET /test/{path}\r\n".encode())  # no half-close: must not hang
    assert status_lines(reply) == [b"HTTP/1.1 400 Bad Request"]
    assert_never_handled(emu, start, path)


def test_http_2_request_line_is_505(emu: EmulatorProcess) -> None:
    reply = exchange(emu, b"GET /test/counter HTTP/2.0\r\n\r\n")
    assert status_lines(reply) == [b"HTTP/1.1 505 HTTP Version Not Supported"]


def test_pipelined_requests_are_answered_in_order_on_one_connection(
        emu: EmulatorProcess) -> None:
    first, second = marker(), marker()
    reply = exchange(emu, f"GET /test/{first} HTTP/1.1\r\nHost: x\r\n\r\n"
                          f"GET /test/{second} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                          .encode())
    assert status_lines(reply) == [b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK"]
    assert 0 < reply.index(first.encode()) < reply.index(second.encode())


def test_header_casing_and_repeats_reach_the_function(emu: EmulatorProcess) -> None:
    reply = exchange(emu, b"GET /test/things/1 HTTP/1.1\r\nhOsT: x\r\nX-Rep: a\r\n"
                          b"x-rep: b\r\nConnection: close\r\n\r\n")
    event = reply.partition(b"\r\n\r\n")[2]
    assert b'"hOsT":"x"' in event.replace(b" ", b"")
    assert b'"multiValueHeaders":{"hOsT":["x"],"X-Rep":["a"],"x-rep":["b"]' in \
        event.replace(b" ", b"")


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_host_ipv6_loopback_serves() -> None:
    process = EmulatorProcess(FIDELITY, "--host", "::1", "--in-memory", "--no-reload").start()
    try:
        assert process.base_url.startswith("http://[::1]:")
        assert process.request("GET", "/counter").status == 200
    finally:
        process.stop()
