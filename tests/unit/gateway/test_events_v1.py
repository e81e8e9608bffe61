"""The REST v1 Lambda proxy event (emulator.gateway.events_v1) against golden events.

apigateway-v1-get-root.json is the Lambda developer guide's sample REST API event
(sample-apps/java-events/events/apigateway-v1.json), with two typos of the sample fixed so that
`headers` and `multiValueHeaders` agree (the sample's multi-value Host names another region and
its cookie differs). apigateway-v1-post-proxy.json follows the shape of a POST on a `{proxy+}`
resource as AWS recorded it (LocalStack's aws-validated snapshot), without the CloudFront and
X-Forwarded-* headers, which the gateway adds in front of AWS and the emulator does not.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from emulator.gateway.events_v1 import RequestMeta, build_proxy_event, request_time
from emulator.gateway.http import HttpRequest, media_type_matches

EVENTS = Path(__file__).resolve().parents[2] / "fixtures" / "events"


def golden(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EVENTS / name).read_text(encoding="utf-8"))
    return loaded


def meta_of(event: dict[str, Any]) -> RequestMeta:
    context = event["requestContext"]
    return RequestMeta(
        request_id=context["requestId"], extended_request_id=context["extendedRequestId"],
        epoch_ms=context["requestTimeEpoch"], account_id=context["accountId"],
        api_id=context["apiId"], resource_id=context["resourceId"], stage=context["stage"],
        domain_name=context["domainName"])


def request_of(event: dict[str, Any], body: bytes, source_ip: str) -> HttpRequest:
    headers = tuple((k, v) for k, values in event["multiValueHeaders"].items() for v in values)
    query = tuple((k, v) for k, values in
                  (event["multiValueQueryStringParameters"] or {}).items() for v in values)
    return HttpRequest(event["httpMethod"], event["requestContext"]["path"], query, headers,
                       body, source_ip)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("apigateway-v1-get-root.json", b""),
        ("apigateway-v1-post-proxy.json", b'{"message": "hello world"}'),
    ],
)
def test_event_equals_the_golden_event(name: str, body: bytes) -> None:
    expected = golden(name)
    request = request_of(expected, body, expected["requestContext"]["identity"]["sourceIp"])
    event = build_proxy_event(
        request, resource=expected["resource"], path=expected["path"],
        path_parameters=expected["pathParameters"], meta=meta_of(expected))
    assert event == expected


def test_single_value_maps_keep_the_last_value_and_the_client_casing() -> None:
    expected = golden("apigateway-v1-post-proxy.json")
    request = HttpRequest(
        "GET", "/test/x", (("a", "1"), ("b", "2"), ("a", "3")),
        (("X-Custom", "one"), ("x-custom", "lower"), ("X-Custom", "two")), b"")
    event = build_proxy_event(request, resource="/x", path="/x", path_parameters=None,
                              meta=meta_of(expected))
    assert event["queryStringParameters"] == {"a": "3", "b": "2"}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "3"], "b": ["2"]}
    assert event["headers"] == {"X-Custom": "two", "x-custom": "lower"}
    assert event["multiValueHeaders"] == {"X-Custom": ["one", "two"], "x-custom": ["lower"]}
    assert event["requestContext"]["identity"]["userAgent"] is None


def test_absent_parts_are_null_not_empty() -> None:
    expected = golden("apigateway-v1-post-proxy.json")
    request = HttpRequest("GET", "/test/x", (), (), b"")
    event = build_proxy_event(request, resource="/x", path="/x", path_parameters={},
                              meta=meta_of(expected), stage_variables={})
    nulls = ("headers", "multiValueHeaders", "queryStringParameters",
             "multiValueQueryStringParameters", "pathParameters", "stageVariables", "body")
    assert {key: event[key] for key in nulls} == dict.fromkeys(nulls)
    assert event["isBase64Encoded"] is False


def test_content_length_and_connection_are_not_passed_on() -> None:
    expected = golden("apigateway-v1-post-proxy.json")
    request = HttpRequest("POST", "/test/x", (), (
        ("Host", "h"), ("Content-Length", "2"), ("Connection", "keep-alive")), b"{}")
    event = build_proxy_event(request, resource="/x", path="/x", path_parameters=None,
                              meta=meta_of(expected))
    assert event["headers"] == {"Host": "h"}


@pytest.mark.parametrize(
    ("content_type", "binary_types", "is_base64"),
    [
        ("image/png", ["image/png"], True),
        ("image/png", ["image/*"], True),
        ("IMAGE/PNG; q=1", ["image/*"], True),
        ("application/octet-stream", ["*/*"], True),
        ("application/json", ["image/*"], False),
        ("application/json", [], False),
        (None, ["image/*"], False),
    ],
)
def test_body_is_base64_when_content_type_matches_binary_media_types(
        content_type: str | None, binary_types: list[str], is_base64: bool) -> None:
    body = b"\x89PNG\r\n\x1a\n"
    headers = (("Content-Type", content_type),) if content_type else ()
    event = build_proxy_event(
        HttpRequest("POST", "/dev/up", (), headers, body), resource="/up", path="/up",
        path_parameters=None, meta=meta_of(golden("apigateway-v1-post-proxy.json")),
        binary_media_types=binary_types)
    assert event["isBase64Encoded"] is is_base64
    expected = (base64.b64encode(body).decode() if is_base64
                else body.decode("utf-8", errors="replace"))
    assert event["body"] == expected


@pytest.mark.parametrize(
    ("content_type", "patterns", "matches"),
    [
        ("image/png", ("image/png",), True),
        ("image/png", ("image/*",), True),
        ("image/png", ("*/*",), True),
        ("text/plain", ("image/*",), False),
        ("*/*", ("image/png",), False),
        ("application/pdf;charset=x", ("application/PDF",), True),
        ("", ("*/*",), False),
    ],
)
def test_media_type_matching(content_type: str, patterns: tuple[str, ...], matches: bool) -> None:
    assert media_type_matches(content_type, patterns) is matches


@pytest.mark.parametrize(
    ("epoch_ms", "text"),
    [
        (1583798639428, "10/Mar/2020:00:03:59 +0000"),
        (1795811732000, "27/Nov/2026:20:35:32 +0000"),
        (0, "01/Jan/1970:00:00:00 +0000"),
    ],
)
def test_request_time_format(epoch_ms: int, text: str) -> None:
    assert request_time(epoch_ms) == text


def test_header_lookup_is_case_insensitive_and_takes_the_last_value() -> None:
    request = HttpRequest("GET", "/", (), (("Accept", "a"), ("ACCEPT", "b")), b"")
    assert (request.header("accept"), request.header("Origin")) == ("b", None)
