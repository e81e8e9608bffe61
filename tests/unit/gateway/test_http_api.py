"""HTTP API (v2): route precedence, result mapping, CORS, own replies, and sharing the port."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from emulator.config.service import (
    FunctionConfig,
    HttpApiCors,
    HttpApiRoute,
    Route,
    ServiceConfig,
)
from emulator.gateway.front import Front
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.gateway.http_api import HttpApi
from emulator.gateway.responses_v2 import map_result_v1, map_result_v2
from emulator.gateway.rest import Clock, Gateway
from emulator.gateway.routes_v2 import HttpApiRoutes
from emulator.runtime.invoker import InvokeResult, Outcome

# AWS's example in "Working with routes for HTTP APIs" (Routing API requests).
AWS_EXAMPLE = (
    HttpApiRoute("GET", "/pets/dog/1", "one"),
    HttpApiRoute("GET", "/pets/dog/{id}", "dog"),
    HttpApiRoute("GET", "/pets/{proxy+}", "pets_greedy"),
    HttpApiRoute("ANY", "/{proxy+}", "any_greedy"),
    HttpApiRoute("ANY", None, "default"),
)


@pytest.mark.parametrize(
    ("method", "path", "function", "params"),
    [
        ("GET", "/pets/dog/1", "one", None),
        ("GET", "/pets/dog/2", "dog", {"id": "2"}),
        ("GET", "/pets/cat/1", "pets_greedy", {"proxy": "cat/1"}),
        ("POST", "/test/5", "any_greedy", {"proxy": "test/5"}),
        ("POST", "/pets/dog/1", "any_greedy", {"proxy": "pets/dog/1"}),  # GET only: not a match
        ("GET", "/", "default", None),  # {proxy+} takes at least one segment
    ],
)
def test_most_specific_route_wins_as_aws_documents(method: str, path: str, function: str,
                                                   params: dict[str, str] | None) -> None:
    match = HttpApiRoutes(AWS_EXAMPLE).match(method, path)
    assert match is not None
    assert (match.route.function, match.path_parameters) == (function, params)


def test_explicit_method_beats_any_on_the_same_path_and_nothing_matches_without_default(
) -> None:
    routes = HttpApiRoutes([HttpApiRoute("ANY", "/items", "any"),
                            HttpApiRoute("POST", "/items", "post")])
    assert routes.match("POST", "/items").route.function == "post"  # type: ignore[union-attr]
    assert routes.match("DELETE", "/items").route.function == "any"  # type: ignore[union-attr]
    assert routes.match("GET", "/other") is None


def result_of(value: Any) -> bytes:
    return json.dumps(value).encode()


@pytest.mark.parametrize(
    ("result", "status", "body", "content_type"),
    [
        ("Hello from Lambda!", 200, b"Hello from Lambda!", "application/json"),
        ({"message": "hi"}, 200, b'{"message": "hi"}', "application/json"),
        ([1, 2], 200, b"[1, 2]", "application/json"),
        ({"statusCode": 201, "body": "made"}, 201, b"made", "text/plain; charset=utf-8"),
        ({"statusCode": "204"}, 204, b"", "text/plain; charset=utf-8"),
        ({"statusCode": 200, "headers": {"content-type": "image/png"}, "isBase64Encoded": True,
          "body": base64.b64encode(b"\x89PNG").decode()}, 200, b"\x89PNG", "image/png"),
    ],
)
def test_format_2_results_are_inferred_or_read(result: Any, status: int, body: bytes,
                                                content_type: str) -> None:
    response = map_result_v2(result_of(result)).response
    assert (response.status, response.body) == (status, body)
    assert {k.lower(): v for k, v in response.headers}["content-type"] == content_type


def test_cookies_become_set_cookie_headers_and_header_values_are_kept() -> None:
    response = map_result_v2(result_of({
        "statusCode": 200, "cookies": ["a=1; Path=/", "b=2"],
        "headers": {"X-Multi": "one,two", "X-Flag": True}})).response
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1; Path=/", "b=2"]
    assert ("X-Multi", "one,two") in response.headers
    assert ("X-Flag", "true") in response.headers


@pytest.mark.parametrize("payload", [
    b"not json",
    result_of({"statusCode": "abc"}),
    result_of({"statusCode": 200, "body": {"not": "a string"}}),
    result_of({"statusCode": 200, "cookies": "a=1"}),
    result_of({"statusCode": 200, "isBase64Encoded": True, "body": "%%%"}),
])
def test_malformed_results_are_http_api_500(payload: bytes) -> None:
    mapped = map_result_v2(payload)
    assert mapped.response.status == 500
    assert mapped.response.body == b'{"message":"Internal Server Error"}'
    assert mapped.problem


def test_format_1_failures_are_500_not_rest_502() -> None:
    assert map_result_v1(result_of({"statusCode": 200, "body": 5})).response.status == 500
    assert map_result_v1(result_of({"statusCode": 202, "body": "ok"})).response.status == 202


class FakeInvoker:
    """Answers from a table; records the events it was given."""

    def __init__(self, answers: Mapping[str, InvokeResult] | None = None) -> None:
        self.answers = dict(answers or {})
        self.events: list[tuple[str, dict[str, Any]]] = []

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        self.events.append((function, json.loads(event)))
        return self.answers.get(function, InvokeResult(Outcome.OK, b'{"ok": true}'))

    def close(self) -> None:
        pass


def service_of(api_routes: tuple[HttpApiRoute, ...], routes: tuple[Route, ...] = (),
               cors: HttpApiCors | None = None) -> ServiceConfig:
    names = {r.function for r in api_routes} | {r.function for r in routes}
    functions = {n: FunctionConfig(n, f"svc-dev-{n}", "h.main", MappingProxyType({}))
                 for n in names}
    return ServiceConfig("svc", "dev", "us-east-1", Path("."), Path("serverless.yml"),
                         MappingProxyType(functions), routes, http_api_routes=api_routes,
                         http_api_cors=cors)


def request(method: str, path: str, *headers: tuple[str, str]) -> HttpRequest:
    return HttpRequest(method, path, (), headers, b"")


CLOCK = Clock(now=lambda: 1583348638.390, new_id=lambda: "req-1")


@pytest.mark.parametrize(
    ("outcome", "status", "body"),
    [
        (Outcome.ERROR, 500, b'{"message":"Internal Server Error"}'),
        (Outcome.CRASH, 500, b'{"message":"Internal Server Error"}'),
        (Outcome.TIMEOUT, 500, b'{"message":"Internal Server Error"}'),
        (Outcome.THROTTLED, 500, b'{"message":"Internal Server Error"}'),
        (Outcome.INTEGRATION_TIMEOUT, 503, b'{"message":"Service Unavailable"}'),
    ],
)
def test_failed_invocations_get_http_api_bodies(outcome: Outcome, status: int,
                                                body: bytes) -> None:
    api = HttpApi(service_of((HttpApiRoute("GET", "/x", "f"),)),
                  FakeInvoker({"f": InvokeResult(outcome)}), clock=CLOCK)
    response = api.handle(request("GET", "/x"))
    assert (response.status, response.body) == (status, body)
    assert any(k == "apigw-requestid" for k, _ in response.headers)


def test_no_route_is_404_not_found() -> None:
    api = HttpApi(service_of((HttpApiRoute("GET", "/x", "f"),)), FakeInvoker(), clock=CLOCK)
    response = api.handle(request("GET", "/y"))
    assert (response.status, response.body) == (404, b'{"message":"Not Found"}')


def test_event_too_large_is_413() -> None:
    invoker = FakeInvoker()
    api = HttpApi(service_of((HttpApiRoute("POST", "/x", "f"),)), invoker, clock=CLOCK)
    big = HttpRequest("POST", "/x", (), (("Content-Type", "text/plain"),), b"a" * 6_300_000)
    response = api.handle(big)
    assert (response.status, response.body) == (413,
                                                b'{"message":"Request Entity Too Large"}')
    assert invoker.events == []


def test_payload_1_route_gets_a_version_1_event() -> None:
    invoker = FakeInvoker()
    api = HttpApi(service_of((HttpApiRoute("GET", "/items/{id}", "f", "1.0"),)), invoker,
                  clock=CLOCK)
    api.handle(request("GET", "/items/7"))
    event = invoker.events[0][1]
    assert (event["version"], event["resource"], event["pathParameters"]) == (
        "1.0", "/items/{id}", {"id": "7"})
    assert event["requestContext"]["stage"] == "$default"


CORS = HttpApiCors(("https://app.example",), ("Content-Type",), ("OPTIONS", "GET"),
                   allow_credentials=True, expose_headers=("X-Total",), max_age=300)


def cors_header_map(response: HttpResponse) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers if k.lower().startswith("access-control")}


def test_preflight_is_answered_by_the_gateway_without_an_options_route() -> None:
    invoker = FakeInvoker()
    api = HttpApi(service_of((HttpApiRoute("GET", "/x", "f"),), cors=CORS), invoker,
                  clock=CLOCK)
    response = api.handle(request("OPTIONS", "/x", ("Origin", "https://app.example"),
                                  ("Access-Control-Request-Method", "GET")))
    assert response.status == 204
    assert cors_header_map(response) == {
        "access-control-allow-origin": "https://app.example",
        "access-control-allow-methods": "OPTIONS,GET",
        "access-control-allow-headers": "Content-Type",
        "access-control-allow-credentials": "true",
        "access-control-max-age": "300"}
    assert invoker.events == []


def test_cors_headers_are_added_to_every_reply_and_the_handlers_are_dropped() -> None:
    answer = InvokeResult(Outcome.OK, result_of({
        "statusCode": 200, "headers": {"Access-Control-Allow-Origin": "https://evil"}}))
    api = HttpApi(service_of((HttpApiRoute("GET", "/x", "f"),), cors=CORS),
                  FakeInvoker({"f": answer}), clock=CLOCK)
    origin = ("Origin", "https://app.example")
    for path in ("/x", "/missing"):  # a proxied reply and the gateway's own 404
        assert cors_header_map(api.handle(request("GET", path, origin))) == {
            "access-control-allow-origin": "https://app.example",
            "access-control-allow-credentials": "true",
            "access-control-expose-headers": "X-Total"}
    other = api.handle(request("GET", "/x", ("Origin", "https://other.example")))
    assert cors_header_map(other) == {}


def test_rest_keeps_its_stage_and_the_http_api_serves_the_rest_of_the_port() -> None:
    invoker = FakeInvoker()
    service = service_of((HttpApiRoute("ANY", None, "catch_all"),),
                         routes=(Route("GET", "/items", "rest_items"),))
    front = Front(Gateway(service, invoker, clock=CLOCK), HttpApi(service, invoker,
                                                                  clock=CLOCK))
    front.handle(request("GET", "/dev/items"))
    front.handle(request("GET", "/dev/other"))
    front.handle(request("GET", "/items"))
    assert [f for f, _ in invoker.events] == ["rest_items", "catch_all", "catch_all"]
    assert "version" not in invoker.events[0][1]
    assert invoker.events[1][1]["rawPath"] == "/dev/other"


def test_without_http_api_routes_unknown_paths_stay_rests_403() -> None:
    service = service_of((), routes=(Route("GET", "/items", "rest_items"),))
    front = Front(Gateway(service, FakeInvoker(), clock=CLOCK),
                  HttpApi(service, FakeInvoker(), clock=CLOCK))
    assert front.handle(request("GET", "/nothing")).status == 403


def test_reload_swaps_the_http_api_routes_and_compare_names_them() -> None:
    from emulator.reload import compare

    invoker = FakeInvoker()
    old = service_of((HttpApiRoute("GET", "/a", "f"),))
    new = service_of((HttpApiRoute("GET", "/b", "f"),))
    front = Front(Gateway(old, invoker, clock=CLOCK), HttpApi(old, invoker, clock=CLOCK))
    assert front.handle(request("GET", "/a")).status == 200
    front.reload(new)
    assert front.handle(request("GET", "/a")).status == 404
    assert front.handle(request("GET", "/b")).status == 200
    assert compare(old, new).parts == ("+1 httpApi route (GET /b)", "-1 httpApi route (GET /a)")


def test_route_table_names_both_apis_and_ready_points_at_the_root_without_rest() -> None:
    from emulator.gateway.front import route_table

    only_api = route_table(service_of((HttpApiRoute("ANY", None, "f"),)), "http://h:1")
    assert only_api.ready == "http://h:1"
    assert only_api.lines[-1] == "  ANY  http://h:1/*  ($default route: any other request)  -> f"
    both = route_table(service_of((HttpApiRoute("GET", "/a", "f", "1.0"),),
                                  routes=(Route("GET", "/r", "g"),)), "http://h:1")
    assert both.ready == "http://h:1/dev"
    assert both.lines[1:] == ("  REST API (http events), stage dev:",
                              "  GET  http://h:1/dev/r  -> g",
                              "  HTTP API (httpApi events), $default stage, no prefix:",
                              "  GET  http://h:1/a  -> f  (payload 1.0)")
