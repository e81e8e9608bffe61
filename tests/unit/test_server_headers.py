"""The gateway's request headers (emulator.http11, llhttp underneath), without sockets.

API Gateway REST hands the function the client's header names as cased, repeats included.
"""

from __future__ import annotations

import pytest

from emulator.http11 import Refusal, Request, RequestParser


def feed(raw: bytes) -> list[object]:
    return RequestParser(10_485_760, "10.1.2.3").feed(raw)


def only_refusal(raw: bytes) -> Refusal:
    events = feed(raw)
    assert len(events) == 1 and isinstance(events[0], Refusal), events
    return events[0]


def test_a_request_keeps_method_target_header_casing_repeats_and_body() -> None:
    [request] = feed(b"POST /dev/a%20b?x=1&x=2&e= HTTP/1.1\r\nhOsT: h\r\nX-Multi: a\r\n"
                     b"x-multi: b\r\nContent-Length: 5\r\n\r\nhello")
    assert isinstance(request, Request) and request.keep_alive
    http = request.http
    assert (http.method, http.path, http.query) == ("POST", "/dev/a b",
                                                    (("x", "1"), ("x", "2"), ("e", "")))
    assert http.headers == (("hOsT", "h"), ("X-Multi", "a"), ("x-multi", "b"),
                            ("Content-Length", "5"))
    assert (http.body, http.source_ip) == (b"hello", "10.1.2.3")


def test_values_lose_surrounding_whitespace_and_may_hold_colons() -> None:
    [request] = feed(b"GET / HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nSpaced:   v  w \t\r\n"
                     b"Empty:\r\n\r\n")
    assert isinstance(request, Request)
    assert request.http.headers == (("Host", "127.0.0.1:3000"), ("Spaced", "v  w"), ("Empty", ""))


@pytest.mark.parametrize("raw", [
    b"".join(b"X-%d: 1\r\n" % i for i in range(101)) + b"\r\n",
    b"X: " + b"a" * 70_000 + b"\r\n\r\n",
])
def test_too_many_or_too_large_headers_are_431(raw: bytes) -> None:
    assert only_refusal(b"GET / HTTP/1.1\r\n" + raw).status == 431


def test_one_hundred_headers_are_accepted() -> None:
    [request] = feed(b"GET / HTTP/1.1\r\n" + b"".join(b"X%d: 1\r\n" % i for i in range(100)) +
                     b"\r\n")
    assert isinstance(request, Request) and len(request.http.headers) == 100


@pytest.mark.parametrize("raw", [
    b"GET / HTTP/1.1\r\nNoColon\r\n\r\n",
    b"GET / HTTP/1.1\r\nBad Name: 1\r\n\r\n",
    b"GET / HTTP/1.1\r\nName : 1\r\n\r\n",
    b"GET / HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n",
    b"GET / HTTP/1.1\r\n: no name\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n",
    b"GET /a b HTTP/1.1\r\n\r\n",
    b"BREW / HTTP/1.1\r\n\r\n",
    b"GET / HTTP/1.1\nA: 1\n\n",  # bare LF line ends: refused, not guessed at
])
def test_malformed_request_heads_are_400(raw: bytes) -> None:
    assert only_refusal(raw).status == 400
