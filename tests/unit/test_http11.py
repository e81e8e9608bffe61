"""HTTP/1.1 framing of the gateway's requests (emulator.http11), without sockets.

Each refusal here is one way a request could be smuggled past, or guessed at, by a lenient
reader (issue 16): the parser must refuse it and produce nothing after it.
"""

from __future__ import annotations

import pytest

from emulator.gateway.http import HttpResponse
from emulator.http11 import Continue, Phase, Refusal, Request, RequestParser, render

MAX_BODY = 10_485_760


def feed(*chunks: bytes, max_body: int = MAX_BODY) -> list[object]:
    parser = RequestParser(max_body, "10.1.2.3")
    events: list[object] = []
    for chunk in chunks:
        events += parser.feed(chunk)
    return events


def only_refusal(*chunks: bytes) -> Refusal:
    events = feed(*chunks)
    assert len(events) == 1 and isinstance(events[0], Refusal), events
    return events[0]


def test_a_request_fed_byte_by_byte_is_the_same_request() -> None:
    raw = (b"POST /p HTTP/1.1\r\nA: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
           b"3;ext=1\r\nabc\r\n0\r\nTrailer: t\r\n\r\n")
    [whole] = feed(raw)
    assert feed(*(raw[i:i + 1] for i in range(len(raw)))) == [whole]
    assert isinstance(whole, Request) and whole.http.body == b"abc"
    assert whole.http.headers == (("A", "1"), ("Transfer-Encoding", "chunked"))  # no trailer


def test_pipelined_requests_come_out_in_order() -> None:
    events = feed(b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n")
    assert [e.http.path for e in events if isinstance(e, Request)] == ["/a", "/b"]


@pytest.mark.parametrize(("raw", "keep_alive"), [
    (b"GET / HTTP/1.1\r\n\r\n", True),
    (b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", False),
    (b"GET / HTTP/1.0\r\n\r\n", False),
    (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", True),
])
def test_keep_alive_follows_the_version_and_connection_header(raw: bytes,
                                                              keep_alive: bool) -> None:
    [request] = feed(raw)
    assert isinstance(request, Request) and request.keep_alive is keep_alive


# Smuggling and guessing (issue 16, item 1): 400, nothing produced after it

SMUGGLED = b"DELETE /dev/reviews/1 HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.mark.parametrize("head", [
    b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
    b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
    b"Content-Length: 5\r\nContent-Length: 5\r\n",
    b"Content-Length: 5\r\nContent-Length: 6\r\n",
    "Content-Length: \u00b2\r\n".encode(),
    b"Content-Length: -1\r\n",
    b"Content-Length: +5\r\n",
    b"Content-Length: 0x5\r\n",
    b"Transfer-Encoding: xchunked\r\n",
    b"Transfer-Encoding: gzip, chunked\r\n",
    b"Transfer-Encoding: chunked, gzip\r\n",
    b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
])
def test_ambiguous_body_framing_is_400_and_nothing_after_it_runs(head: bytes) -> None:
    refusal = only_refusal(b"POST /dev/reviews HTTP/1.1\r\nHost: x\r\n" + head +
                           b"\r\n0\r\n\r\n" + SMUGGLED)
    assert refusal.status == 400


@pytest.mark.parametrize("size", [b"0x12", b"1_2", b"-1", b" 12", b"12 ", b"fffffffffffffffff1"])
def test_a_chunk_size_that_is_not_plain_hex_is_400(size: bytes) -> None:
    refusal = only_refusal(b"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + size +
                           b"\r\n" + b"a" * 18 + b"\r\n0\r\n\r\n" + SMUGGLED)
    assert refusal.status == 400


def test_later_bytes_are_ignored_after_a_refusal() -> None:
    parser = RequestParser(MAX_BODY)
    assert isinstance(parser.feed(b"GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n")[0], Refusal)
    assert parser.feed(SMUGGLED) == []


# Incomplete requests (item 2): never produced

@pytest.mark.parametrize(("raw", "phase"), [
    (b"DELETE /dev/reviews/1 HTTP/1.1\r\nHost: x\r\nX: y", Phase.HEAD),
    (b"DELETE /dev/reviews/1 HTTP/1.1\r\nHost: x\r\n", Phase.HEAD),
    (b"POST /dev/reviews HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345", Phase.BODY),
    (b"POST /dev/reviews HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\n",
     Phase.BODY),
])
def test_an_incomplete_request_produces_nothing(raw: bytes, phase: Phase) -> None:
    parser = RequestParser(MAX_BODY)
    assert parser.feed(raw) == []
    assert parser.phase is phase


# Limits and versions (item 4)

def test_a_request_line_over_64_kib_is_414_before_it_ends() -> None:
    parser = RequestParser(MAX_BODY)
    events: list[object] = []
    for _ in range(25):  # 100 KB of target, 4 KB at a time, never finished
        events += parser.feed(b"GET /" if not events and parser.phase is Phase.IDLE
                              else b"a" * 4096)
    assert events == [Refusal(414, "Request-URI Too Long")]


def test_a_long_request_line_does_not_count_against_the_next_header_line() -> None:
    parser = RequestParser(MAX_BODY)
    assert parser.feed(b"GET /" + b"a" * 60_000 + b" HTTP/1.1\r\nX: ") == []
    assert parser.feed(b"b" * 30_000) == []
    [request] = parser.feed(b"\r\n\r\n")
    assert isinstance(request, Request) and request.http.headers == (("X", "b" * 30_000),)


def test_a_request_line_of_64_kib_is_served() -> None:
    target = b"/" + b"a" * (65536 - 1)
    [request] = feed(b"GET " + target + b" HTTP/1.1\r\n\r\n")
    assert isinstance(request, Request) and len(request.http.path) == 65536


def test_a_header_line_that_never_ends_is_refused_without_waiting_for_it() -> None:
    parser = RequestParser(MAX_BODY)
    events = parser.feed(b"GET / HTTP/1.1\r\nX: ")
    for _ in range(20):
        events += parser.feed(b"a" * 8192)
    assert events == [Refusal(431, "Request Header Fields Too Large")]


def test_http_0_9_is_answered_at_once_not_waited_on() -> None:
    refusal = only_refusal(b"GET /dev/reviews\r\n")
    assert (refusal.status, refusal.detail) == (400, "Bad Request: HTTP/0.9 is not supported")


@pytest.mark.parametrize("version", [b"HTTP/2.0", b"HTTP/0.9"])
def test_versions_other_than_1_x_are_505(version: bytes) -> None:
    assert only_refusal(b"GET / " + version + b"\r\n\r\n").status == 505


def test_a_body_over_the_limit_is_413_and_the_announced_rest_is_drained() -> None:
    [refusal] = feed_limited(b"POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\nhello")
    assert isinstance(refusal, Refusal)
    assert (refusal.status, refusal.drain) == (413, 11)


def feed_limited(*chunks: bytes) -> list[object]:
    return feed(*chunks, max_body=10)


def test_a_chunked_body_over_the_limit_is_413() -> None:
    events = feed_limited(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                          b"6\r\nabcdef\r\n", b"6\r\nabcdef\r\n0\r\n\r\n")
    assert events == [Refusal(413, "content length exceeded")]


# Expect: 100-continue, Upgrade

def test_expect_100_continue_asks_for_the_body_first() -> None:
    parser = RequestParser(MAX_BODY)
    assert parser.feed(b"POST / HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 2\r\n\r\n") \
        == [Continue()]
    [request] = parser.feed(b"ok")
    assert isinstance(request, Request) and request.http.body == b"ok"


def test_expect_is_ignored_from_an_http_1_0_client() -> None:
    events = feed(b"POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n")
    assert [type(e) for e in events] == [Request]


def test_an_upgrade_request_is_answered_as_plain_http_then_the_connection_closes() -> None:
    parser = RequestParser(MAX_BODY)
    [request] = parser.feed(b"GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
                            + SMUGGLED)
    assert isinstance(request, Request) and not request.keep_alive
    assert parser.feed(SMUGGLED) == []


# Replies

def test_a_reply_carries_our_framing_not_the_handlers() -> None:
    response = HttpResponse(201, (("X-A", "é"), ("Content-Length", "99"),
                                  ("Transfer-Encoding", "chunked"), ("connection", "x")), b"body")
    data = render(response, close=True)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 201 Created" and lines[1].startswith("Date: ")
    assert lines[2:] == ["X-A: é", "Content-Length: 4", "Connection: close"]
    assert body == b"body"
    assert render(response, head_only=True).endswith(b"Content-Length: 4\r\n\r\n")
