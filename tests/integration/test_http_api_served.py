"""HTTP API (v2) routes served by the real emulator process, next to a REST route."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest

from tests.integration.emulator_harness import REPO, EmulatorProcess

HTTPAPI = REPO / "tests" / "fixtures" / "services" / "httpapi" / "serverless.yml"
ORIGIN = ("Origin", "https://app.example")


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    state = tmp_path_factory.mktemp("state")
    process = EmulatorProcess(HTTPAPI, "--no-reload", "--integration-timeout", "5",
                              "--state-dir", str(state)).start()
    process.base_url = process.base_url.rsplit("/", 1)[0]  # the port's root, not /dev
    try:
        yield process
    finally:
        process.stop()


def test_banner_lists_both_apis(emulator: EmulatorProcess) -> None:
    log = emulator.log
    assert "1 route + 10 httpApi routes" in log
    assert f"GET   {emulator.base_url}/dev/legacy  -> legacy" in log
    assert f"GET   {emulator.base_url}/echo/{{id}}  -> echo" in log
    assert "($default route: any other request)  -> fallback" in log
    assert "not emulated" not in log


def test_payload_2_event_reaches_the_handler(emulator: EmulatorProcess) -> None:
    reply = emulator.request("GET", "/echo/5?a=1&a=2&b=x",
                             headers=[("Cookie", "c1=1; c2=2"), ("X-Rep", "one"),
                                      ("x-rep", "two")])
    assert reply.status == 200
    assert reply.header("Content-Type") == "application/json"
    event = reply.json()
    assert (event["version"], event["routeKey"], event["rawPath"]) == (
        "2.0", "GET /echo/{id}", "/echo/5")
    assert event["pathParameters"] == {"id": "5"}
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x"}
    assert event["cookies"] == ["c1=1", "c2=2"]
    assert event["headers"]["x-rep"] == "one,two"
    assert "cookie" not in event["headers"]
    assert event["requestContext"]["stage"] == "$default"
    assert "stageVariables" not in event


def test_binary_post_body_arrives_base64(emulator: EmulatorProcess) -> None:
    event = emulator.request("POST", "/echo", body=b"\x00\x01\xff",
                             headers=[("Content-Type", "application/octet-stream")]).json()
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00\x01\xff"


def test_greedy_route_and_catch_all(emulator: EmulatorProcess) -> None:
    assert emulator.request("GET", "/files/a/b.txt").json()["pathParameters"] == {
        "proxy": "a/b.txt"}
    fallback = emulator.request("DELETE", "/files/a").json()  # GET-only greedy: $default
    assert fallback == {"routeKey": "$default", "rawPath": "/files/a"}


def test_rest_route_keeps_its_stage(emulator: EmulatorProcess) -> None:
    reply = emulator.request("GET", "/dev/legacy")
    assert (reply.status, reply.body) == (200, b"rest")
    assert reply.header("x-amzn-RequestId") is not None
    same_handler = emulator.request("GET", "/legacy")  # its httpApi route
    assert (same_handler.status, same_handler.body) == (200, b"rest")
    assert same_handler.header("apigw-requestid") is not None


def test_string_result_cookies_and_format_1(emulator: EmulatorProcess) -> None:
    hello = emulator.request("GET", "/hello")
    assert (hello.status, hello.body) == (200, b"Hello from Lambda!")
    made = emulator.request("POST", "/cookies")
    assert (made.status, made.body) == (201, b"made")
    assert [v for k, v in made.headers if k.lower() == "set-cookie"] == ["a=1; Path=/", "b=2"]
    assert emulator.request("PUT", "/v1/bob").json() == {"version": "1.0", "name": "bob"}


@pytest.mark.parametrize(
    ("path", "status", "body"),
    [
        ("/fail", 500, {"message": "Internal Server Error"}),
        ("/slow", 503, {"message": "Service Unavailable"}),  # --integration-timeout 5
    ],
)
def test_http_api_own_error_replies(emulator: EmulatorProcess, path: str, status: int,
                                    body: dict[str, str]) -> None:
    reply = emulator.request("GET", path)
    assert (reply.status, reply.json()) == (status, body)


def test_cors_preflight_and_headers_on_every_reply(emulator: EmulatorProcess) -> None:
    preflight = emulator.request("OPTIONS", "/echo/1", headers=[
        ORIGIN, ("Access-Control-Request-Method", "GET")])
    assert preflight.status == 204
    assert preflight.header("Access-Control-Allow-Origin") == "https://app.example"
    assert preflight.header("Access-Control-Max-Age") == "300"
    made = emulator.request("POST", "/cookies", headers=[ORIGIN])
    # the handler's own `access-control-allow-origin: *` is replaced by the configured one
    assert [v for k, v in made.headers if k.lower() == "access-control-allow-origin"] == [
        "https://app.example"]
    assert made.header("Access-Control-Expose-Headers") == "X-Total"
    failed = emulator.request("GET", "/fail", headers=[ORIGIN])
    assert failed.header("Access-Control-Allow-Origin") == "https://app.example"


def test_live_event_has_the_keys_of_aws_sample(emulator: EmulatorProcess) -> None:
    event = emulator.request("POST", "/echo", body="hi",
                             headers=[("Content-Type", "text/plain")]).json()
    golden = json.loads((REPO / "tests" / "fixtures" / "events" /
                         "apigateway-v2-post.json").read_text())
    assert set(event) == set(golden) - {"cookies", "queryStringParameters"}
    assert set(event["requestContext"]) == set(golden["requestContext"])
    assert (event["body"], event["isBase64Encoded"]) == ("hi", False)
