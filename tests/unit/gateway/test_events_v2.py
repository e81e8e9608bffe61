"""The HTTP API (v2) event, payload 2.0 and 1.0 (emulator.gateway.events_v2), against golden events.

Both golden files are AWS's documented samples ("Working with AWS Lambda proxy integrations for
HTTP APIs") with what a request without mTLS, authorizer or stage variables does not carry taken
out: `requestContext.authentication` and `.authorizer`, `stageVariables` (absent, not null, in
2.0), and in 2.0 `pathParameters` (the sample's `$default` route has none). Header names are
lower case in 2.0 ("All header names are lowercased"); the 2.0 sample's `time` says 12 March
while its `timeEpoch` is 4 March: the golden `time` is the epoch's. The 1.0 sample's
`extendedRequestId` is the request id here.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from emulator.gateway.events_v2 import EventMeta, build_event_v1, build_event_v2, encode_body
from emulator.gateway.http import HttpRequest

EVENTS = Path(__file__).resolve().parents[2] / "fixtures" / "events"
META = EventMeta(request_id="id", epoch_ms=1583348638390, account_id="123456789012",
                 api_id="api-id", domain_name="id.execute-api.us-east-1.amazonaws.com")


def golden(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return loaded


def sample_request(method: str = "POST", body: bytes = b"Hello from Lambda") -> HttpRequest:
    return HttpRequest(
        method, "/my/path",
        (("parameter1", "value1"), ("parameter1", "value2"), ("parameter2", "value")),
        (("Header1", "value1"), ("Header2", "value1"), ("Header2", "value2"),
         ("Cookie", "cookie1; cookie2"), ("User-Agent", "agent")),
        body, "IP")


def test_payload_2_event_equals_aws_sample_key_by_key() -> None:
    expected = golden("apigateway-v2-post.json")
    event = build_event_v2(sample_request(), route_key="$default", path_parameters=None,
                           meta=META)
    event["headers"].pop("user-agent")  # the sample's headers leave it out
    assert sorted(event) == sorted(expected)
    for key in expected:
        assert event[key] == expected[key], key


def test_payload_1_event_equals_aws_sample_key_by_key() -> None:
    expected = golden("apigateway-v2-payload-1.0.json")
    request = HttpRequest(
        "GET", "/my/path",
        (("parameter1", "value1"), ("parameter1", "value2"), ("parameter2", "value")),
        (("Header1", "value1"), ("Header2", "value1"), ("Header2", "value2"),
         ("User-Agent", "user-agent")),
        b"Hello from Lambda!", "IP")
    meta = EventMeta(request_id="id=", epoch_ms=1583349317135, account_id="123456789012",
                     api_id="id", domain_name="id.execute-api.us-east-1.amazonaws.com")
    event = build_event_v1(request, resource="/my/path", path_parameters=None, meta=meta)
    for name in ("headers", "multiValueHeaders"):
        event[name].pop("User-Agent")
    assert sorted(event) == sorted(expected)
    for key in expected:
        assert event[key] == expected[key], key


def test_absent_parts_are_left_out_not_null() -> None:
    request = HttpRequest("GET", "/", (), (("Host", "localhost:3000"),), b"")
    event = build_event_v2(request, route_key="GET /", path_parameters=None, meta=META)
    for key in ("cookies", "queryStringParameters", "pathParameters", "body", "stageVariables"):
        assert key not in event
    assert event["isBase64Encoded"] is False
    assert event["rawQueryString"] == ""
    assert event["headers"] == {"host": "localhost:3000"}


def test_path_parameters_and_route_key_are_passed_on() -> None:
    request = HttpRequest("GET", "/pets/a/b", (), (), b"")
    event = build_event_v2(request, route_key="GET /pets/{proxy+}",
                           path_parameters={"proxy": "a/b"}, meta=META)
    assert event["pathParameters"] == {"proxy": "a/b"}
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "GET /pets/{proxy+}"
    assert event["requestContext"]["stage"] == "$default"


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        (None, b'{"a": 1}', True),
        ("application/json; charset=utf-8", b'{"a": 1}', True),
        ("text/plain", "h\u00e9".encode(), True),
        ("application/vnd.api+json", b"{}", True),
        ("application/x-www-form-urlencoded", b"a=1&b=2", False),
        ("image/png", b"\x89PNG", False),
        ("text/plain", b"\xff\xfe", False),  # not UTF-8: base64 whatever the type says
    ],
)
def test_binary_and_form_bodies_arrive_base64(content_type: str | None, body: bytes,
                                               text: bool) -> None:
    headers = (("Content-Type", content_type),) if content_type else ()
    encoded, is_base64 = encode_body(HttpRequest("POST", "/", (), headers, body))
    assert is_base64 is not text
    assert (encoded.encode() if text else base64.b64decode(encoded)) == body
