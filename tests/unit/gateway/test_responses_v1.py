"""Lambda proxy result -> HTTP reply (emulator.responses): API Gateway's rules."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from emulator.gateway.http import HttpResponse
from emulator.gateway.responses_v1 import MAX_RESULT_BYTES, map_proxy_result

BAD_GATEWAY = HttpResponse(
    502,
    (("Content-Type", "application/json"), ("x-amzn-ErrorType", "InternalServerErrorException")),
    b'{"message": "Internal server error"}',
)
JSON_TYPE = ("Content-Type", "application/json")


def mapped(result: Any, *, accept: str | None = None,
           binary: tuple[str, ...] = ()) -> tuple[HttpResponse, str | None]:
    payload = result if isinstance(result, bytes) else json.dumps(result).encode()
    out = map_proxy_result(payload, accept=accept, binary_media_types=binary)
    return out.response, out.problem


@pytest.mark.parametrize(
    ("result", "problem"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        ("justAString", "must be a JSON object, not string"),
        ([{"statusCode": 200}], "array"),
        (None, "null"),
        ({"statusCode": 200, "wrongValue": "x"}, "unexpected key(s) wrongValue"),
        ({"statusCode": 200, "base64Encoded": False}, "base64Encoded"),
        ({"statusCode": 200, "body": {"a": 1}}, "body must be a string, not object"),
        ({"statusCode": 200, "body": 5}, "body must be a string, not number"),
        ({"statusCode": "test"}, "statusCode must be an integer"),
        ({"statusCode": 200.5}, "statusCode must be an integer"),
        ({"statusCode": True}, "statusCode must be an integer"),
        ({"statusCode": 99}, "not an HTTP status code"),
        ({"statusCode": 600}, "not an HTTP status code"),
        ({"statusCode": 200, "headers": ["a"]}, "headers must be an object"),
        ({"statusCode": 200, "headers": {"X": {"a": 1}}}, "header 'X'"),
        ({"statusCode": 200, "multiValueHeaders": {"X": "v"}}, "must be a list"),
        ({"statusCode": 200, "multiValueHeaders": {"X": [["v"]]}}, "header 'X'"),
        ({"statusCode": 200, "headers": {"X": "a\r\nSet-Cookie: s=1"}}, "line break"),
        ({"statusCode": 200, "multiValueHeaders": {"X": ["a\nb"]}}, "line break"),
        ({"statusCode": 200, "headers": {"X\r\nY": "1"}}, "line break"),
        ({"statusCode": 200, "isBase64Encoded": "true"}, "isBase64Encoded must be a boolean"),
        ({"statusCode": 200, "body": "!!", "isBase64Encoded": True}, "not valid base64"),
    ],
)
def test_malformed_results_are_a_502(result: Any, problem: str) -> None:
    response, why = mapped(result, accept="image/png", binary=("image/png",))
    assert response == BAD_GATEWAY
    assert why is not None
    assert why.startswith("Malformed Lambda proxy response: ")
    assert problem in why


def test_a_result_over_lambdas_response_limit_is_a_502() -> None:
    body = "x" * MAX_RESULT_BYTES
    response, why = mapped({"statusCode": 200, "body": body})
    assert response == BAD_GATEWAY
    assert why is not None and "6 MB" in why


def test_a_result_at_the_limit_passes() -> None:
    overhead = len(json.dumps({"statusCode": 200, "body": ""}))
    response, _ = mapped({"statusCode": 200, "body": "x" * (MAX_RESULT_BYTES - overhead)})
    assert response.status == 200


@pytest.mark.parametrize(
    ("result", "status", "headers", "body"),
    [
        ({}, 200, (JSON_TYPE,), b""),
        ({"statusCode": 204}, 204, (JSON_TYPE,), b""),
        ({"statusCode": "201", "body": None}, 201, (JSON_TYPE,), b""),
        ({"headers": {"test-header": "value"}}, 200, (("test-header", "value"), JSON_TYPE), b""),
        ({"statusCode": 200, "headers": None, "multiValueHeaders": None, "body": "é"}, 200,
         (JSON_TYPE,), "é".encode()),
        ({"statusCode": 404, "headers": {"Content-Type": "text/plain"}, "body": "no"}, 404,
         (("Content-Type", "text/plain"),), b"no"),
        ({"headers": {"content-type": None}}, 200, (), b""),
        ({"headers": {"b": True, "f": False, "n": 3, "x": 1.5}}, 200,
         (("b", "true"), ("f", "false"), ("n", "3"), ("x", "1.5"), JSON_TYPE), b""),
    ],
)
def test_well_formed_results(result: dict[str, Any], status: int,
                             headers: tuple[tuple[str, str], ...], body: bytes) -> None:
    assert mapped(result) == (HttpResponse(status, headers, body), None)


@pytest.mark.parametrize(
    ("single", "multi", "expected"),
    [
        ({"A": "1"}, {"B": ["2", "3"]}, (("A", "1"), ("B", "2"), ("B", "3"))),
        ({"test-multi": "solo"}, {"test-multi": ["multi"]}, (("test-multi", "multi"),)),
        ({"test-multi": "solo"}, {"tesT-Multi": ["m1", "m2"]},
         (("tesT-Multi", "m1"), ("tesT-Multi", "m2"))),
        ({"Set-Cookie": "a=1"}, {"Set-Cookie": ["b=2", "c=3"]},
         (("Set-Cookie", "b=2"), ("Set-Cookie", "c=3"))),
        ({}, {"X": []}, ()),
    ],
)
def test_multi_value_headers_win_over_headers_of_the_same_name(
        single: dict[str, str], multi: dict[str, list[str]],
        expected: tuple[tuple[str, str], ...]) -> None:
    response, _ = mapped({"statusCode": 200, "headers": single, "multiValueHeaders": multi})
    assert response.headers == (*expected, JSON_TYPE)


PNG = b"\x89PNG\r\n\x1a\n\x00\xff"
PNG_B64 = base64.b64encode(PNG).decode()


@pytest.mark.parametrize(
    ("accept", "content_type", "binary", "decoded"),
    [
        ("image/png", "image/png", ("image/png",), True),
        ("image/png, */*", "application/octet-stream", ("image/*",), True),
        ("text/html, image/png", "image/png", ("image/png",), True),
        ("text/html, image/png", "text/plain", ("image/png",), False),
        (None, "image/png", ("image/*",), True),
        ("*/*", "application/json", ("*/*",), True),
        ("*/*", "image/png", (), False),
        ("*/*", "image/png", ("application/pdf",), False),
    ],
)
def test_base64_bodies_are_decoded_only_when_binary_media_types_match(
        accept: str | None, content_type: str, binary: tuple[str, ...], decoded: bool) -> None:
    response, problem = mapped(
        {"statusCode": 200, "headers": {"Content-Type": content_type}, "body": PNG_B64,
         "isBase64Encoded": True}, accept=accept, binary=binary)
    assert response.status == 200
    assert response.body == (PNG if decoded else PNG_B64.encode())
    assert (problem is None) is decoded
    if not decoded:
        assert problem is not None and "binaryMediaTypes" in problem


def test_base64_false_sends_the_text_as_is() -> None:
    response, problem = mapped({"statusCode": 200, "body": PNG_B64},
                               accept="image/png", binary=("image/png",))
    assert (response.body, problem) == (PNG_B64.encode(), None)


def test_nothing_cors_related_is_added() -> None:
    response, _ = mapped({"statusCode": 200, "headers": {"X": "1"}, "body": "{}"})
    assert not any(name.lower().startswith("access-control-") for name, _ in response.headers)
