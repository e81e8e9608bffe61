"""The gateway's request header reader (emulator.server.read_headers)."""

from __future__ import annotations

import io

import pytest

from emulator.server import read_headers


def test_names_keep_their_casing_and_order_and_get_ignores_case() -> None:
    headers = read_headers(io.BytesIO(
        b"hOsT: example\r\nX-Multi: a\r\nx-multi: b\r\nEmpty:\r\nSpaced:   v  w \t\r\n\r\nBODY"))
    assert headers.items() == [("hOsT", "example"), ("X-Multi", "a"), ("x-multi", "b"),
                               ("Empty", ""), ("Spaced", "v  w")]
    assert headers.get("HOST") == "example"
    assert headers.get("X-MULTI") == "a"  # the first, as email.message.Message.get
    assert headers.get("Missing") == ""
    assert headers.get("Missing", "d") == "d"


def test_reading_stops_at_the_blank_line() -> None:
    stream = io.BytesIO(b"A: 1\n\nrest")
    assert read_headers(stream).items() == [("A", "1")]
    assert stream.read() == b"rest"


def test_a_value_may_hold_colons() -> None:
    assert read_headers(io.BytesIO(b"Host: 127.0.0.1:3000\r\n\r\n")).get("host") == \
        "127.0.0.1:3000"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"NoColon\r\n\r\n", "Malformed header line"),
        (b"Bad Name: 1\r\n\r\n", "Malformed header line"),
        (b"Name : 1\r\n\r\n", "Malformed header line"),
        (b"A: 1\r\n folded\r\n\r\n", "Malformed header line"),
        (b": no name\r\n\r\n", "Malformed header line"),
        (b"X: " + b"a" * 70_000 + b"\r\n\r\n", "Line too long"),
        (b"".join(b"X%d: 1\r\n" % i for i in range(101)) + b"\r\n", "Too many headers"),
    ],
)
def test_malformed_header_blocks_are_refused(raw: bytes, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        read_headers(io.BytesIO(raw))


def test_one_hundred_headers_are_accepted() -> None:
    raw = b"".join(b"X%d: 1\r\n" % i for i in range(100)) + b"\r\n"
    assert len(read_headers(io.BytesIO(raw)).items()) == 100
