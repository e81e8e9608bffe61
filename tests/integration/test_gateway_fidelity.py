"""The real emulator process, over real HTTP, against a small second service (not review-api).

Each test states one API Gateway / Lambda behaviour the emulator must reproduce.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from emulator_harness import FIDELITY, EmulatorProcess

pytestmark = pytest.mark.integration

MISSING_TOKEN = {"message": "Missing Authentication Token"}
INTERNAL = {"message": "Internal server error"}


@pytest.fixture(scope="module")
def emu() -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(FIDELITY, env={"LEAKY_SHELL_SECRET": "must-not-leak"}).start()
    yield process
    process.stop()


def echo(emu: EmulatorProcess, method: str, path: str, *, body: bytes | str | None = None,
         headers: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
    """Call the echo function; return what it saw (event and context)."""
    reply = emu.request(method, path, body=body, headers=headers)
    assert reply.status == 200, (reply.status, reply.body, emu.log[-3000:])
    got: dict[str, Any] = reply.json()
    return got


def test_start_prints_each_route_then_ready(emu: EmulatorProcess) -> None:
    assert re.search(r"GET\s+http://127\.0\.0\.1:\d+/test/things/\{thingId\}\s+-> echo", emu.log)
    assert emu.base_url.endswith("/test")


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/nothing-here"),  # unknown path
    ("DELETE", "/env"),  # a method the resource lacks
    ("GET", "/things"),  # a parent of a resource, not a resource itself
    ("OPTIONS", "/env"),  # preflight on a path without cors
])
def test_unknown_route_is_403_missing_authentication_token(
        emu: EmulatorProcess, method: str, path: str) -> None:
    reply = emu.request(method, path)
    assert reply.status == 403
    assert reply.json() == MISSING_TOKEN
    assert reply.header("Access-Control-Allow-Origin") is None


def test_wrong_stage_is_403(emu: EmulatorProcess) -> None:
    base = emu.base_url
    emu.base_url = base.rsplit("/", 1)[0] + "/prod"
    try:
        reply = emu.request("GET", "/env")
    finally:
        emu.base_url = base
    assert (reply.status, reply.json()) == (403, MISSING_TOKEN)


def test_event_is_the_documented_rest_proxy_event(emu: EmulatorProcess) -> None:
    got = echo(emu, "GET", "/things/t-1?tag=a&tag=b&single=x",
               headers=[("X-Custom-Header", "one"), ("x-custom-header", "two"),
                        ("User-Agent", "fidelity-test/1.0")])
    event = got["event"]
    assert event["resource"] == "/things/{thingId}"
    assert event["path"] == "/things/t-1"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"thingId": "t-1"}
    assert event["queryStringParameters"] == {"tag": "b", "single": "x"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["a", "b"], "single": ["x"]}
    assert event["multiValueHeaders"]["X-Custom-Header"] == ["one"]
    assert event["multiValueHeaders"]["x-custom-header"] == ["two"]
    assert event["headers"]["User-Agent"] == "fidelity-test/1.0"
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    assert event["stageVariables"] is None
    ctx = event["requestContext"]
    assert ctx["path"] == "/test/things/t-1"
    assert ctx["stage"] == "test"
    assert ctx["resourcePath"] == "/things/{thingId}"
    assert ctx["httpMethod"] == "GET"
    assert ctx["accountId"] == "123456789012"
    assert ctx["protocol"] == "HTTP/1.1"
    assert ctx["identity"]["sourceIp"] == "127.0.0.1"
    assert ctx["identity"]["userAgent"] == "fidelity-test/1.0"
    assert isinstance(ctx["requestTimeEpoch"], int)


def test_absent_query_and_params_are_null(emu: EmulatorProcess) -> None:
    event = echo(emu, "GET", "/things/special")["event"]
    assert event["resource"] == "/things/special"  # a literal segment wins over {thingId}
    assert event["pathParameters"] is None
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None


def test_context_object_is_real(emu: EmulatorProcess) -> None:
    first = emu.request("GET", "/things/a")
    second = emu.request("GET", "/things/a")
    ctx1, ctx2 = first.json()["context"], second.json()["context"]
    assert ctx1["aws_request_id"] != ctx2["aws_request_id"]
    assert ctx1["aws_request_id"] == first.json()["event"]["requestContext"]["requestId"]
    assert ctx1["function_name"] == "fidelity-svc-test-echo"
    assert ctx1["function_version"] == "$LATEST"
    assert ctx1["memory_limit_in_mb"] == "1024"
    assert ctx1["invoked_function_arn"] == (
        "arn:aws:lambda:eu-west-1:123456789012:function:fidelity-svc-test-echo")
    assert ctx1["log_group_name"] == "/aws/lambda/fidelity-svc-test-echo"
    assert 0 < ctx1["remaining_ms"] <= 6000


def test_greedy_path_and_any_method(emu: EmulatorProcess) -> None:
    event = echo(emu, "DELETE", "/files/a/b/c.txt")["event"]
    assert event["resource"] == "/files/{proxy+}"
    assert event["pathParameters"] == {"proxy": "a/b/c.txt"}
    assert event["httpMethod"] == "DELETE"


def test_binary_request_body_is_base64_encoded(emu: EmulatorProcess) -> None:
    data = bytes(range(256))
    event = echo(emu, "POST", "/things/t/parts", body=data,
                 headers=[("Content-Type", "application/octet-stream")])["event"]
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == data


def test_text_request_body_is_passed_as_text(emu: EmulatorProcess) -> None:
    event = echo(emu, "POST", "/things/t/parts", body='{"a": "é"}',
                 headers=[("Content-Type", "application/json")])["event"]
    assert event["isBase64Encoded"] is False
    assert event["body"] == '{"a": "é"}'


def test_environment_is_per_function_and_isolated(emu: EmulatorProcess) -> None:
    env = emu.request("GET", "/env").json()
    assert env["SHARED_SETTING"] == "from-provider"
    assert env["OVERRIDDEN"] == "provider"
    assert "ECHO_ONLY" not in env  # another function's variable
    assert "LEAKY_SHELL_SECRET" not in env  # the developer's shell
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "fidelity-svc-test-env"
    assert env["AWS_REGION"] == "eu-west-1"
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert env["AWS_ACCESS_KEY_ID"] not in ("", None)


@pytest.mark.parametrize("kind", ["string", "body", "status", "unserializable", "huge"])
def test_malformed_result_is_502(emu: EmulatorProcess, kind: str) -> None:
    reply = emu.request("GET", f"/garbage?kind={kind}")
    assert (reply.status, reply.json()) == (502, INTERNAL)
    assert reply.header("Access-Control-Allow-Origin") is None


def test_exception_is_502_and_does_not_poison_the_environment(emu: EmulatorProcess) -> None:
    start = len(emu.output)
    failed = emu.request("POST", "/result", body="this is not json")
    assert (failed.status, failed.json()) == (502, INTERNAL)
    assert "JSONDecodeError" not in failed.body.decode()
    emu.wait_for("JSONDecodeError", start=start)  # the developer's console has it
    ok = emu.request("POST", "/result", body={"statusCode": 201, "body": "fine"})
    assert (ok.status, ok.body) == (201, b"fine")


def test_raising_handler_is_502_with_the_error_in_the_log(emu: EmulatorProcess) -> None:
    start = len(emu.output)
    reply = emu.request("GET", "/raises")
    assert (reply.status, reply.json()) == (502, INTERNAL)
    emu.wait_for("this handler always fails", start=start)


def test_crash_is_502_and_the_next_request_gets_a_new_environment(emu: EmulatorProcess) -> None:
    before = emu.request("GET", "/crash").json()["pid"]
    assert emu.request("GET", "/crash?exit=1").status == 502
    after = emu.request("GET", "/crash")
    assert after.status == 200
    assert after.json()["pid"] != before


def test_timeout_is_502_and_the_environment_is_replaced(emu: EmulatorProcess) -> None:
    start = len(emu.output)
    reply = emu.request("GET", "/slow?seconds=5")
    assert (reply.status, reply.json()) == (502, INTERNAL)
    emu.wait_for(r"[Tt]imed out", start=start)
    assert emu.request("GET", "/slow?seconds=0").status == 200


def test_warm_environment_keeps_module_state(emu: EmulatorProcess) -> None:
    first = emu.request("GET", "/counter").json()
    second = emu.request("GET", "/counter").json()
    assert second["pid"] == first["pid"]
    assert second["count"] == first["count"] + 1


def test_handler_output_and_report_lines_are_logged_per_request(emu: EmulatorProcess) -> None:
    reply = emu.request("GET", "/things/logged")
    request_id = reply.json()["context"]["aws_request_id"]
    emu.wait_for(re.escape(request_id) + r".*echo handling GET /things/logged")
    emu.wait_for(r"REPORT RequestId: " + re.escape(request_id) + r".*Duration: [\d.]+ ms")
    emu.wait_for(r"GET /test/things/logged 200 .*echo")


def test_multi_value_headers_win_and_repeat(emu: EmulatorProcess) -> None:
    result = {"statusCode": 418, "body": "teapot",
              "headers": {"X-Both": "single", "X-One": "1"},
              "multiValueHeaders": {"X-Both": ["multi-a", "multi-b"], "Set-Cookie": ["a=1", "b=2"]}}
    reply = emu.request("POST", "/result", body=result)
    assert reply.status == 418
    assert [v for k, v in reply.headers if k == "X-Both"] == ["multi-a", "multi-b"]
    assert [v for k, v in reply.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert reply.header("X-One") == "1"
    assert reply.body == b"teapot"


def test_non_latin1_header_values_reach_the_client_as_utf8(emu: EmulatorProcess) -> None:
    result = {"statusCode": 200, "body": "ok", "headers": {"X-Name": "café ☃"}}
    reply = emu.request("POST", "/result", body=result)
    assert (reply.status, reply.body) == (200, b"ok")
    value = reply.header("X-Name")
    assert value is not None
    assert value.encode("latin-1").decode("utf-8") == "café ☃"  # http.client reads Latin-1


def test_a_header_with_a_line_break_is_a_malformed_result(emu: EmulatorProcess) -> None:
    result = {"statusCode": 200, "body": "ok", "headers": {"X-Split": "a\r\nSet-Cookie: s=1"}}
    reply = emu.request("POST", "/result", body=result)
    assert (reply.status, reply.json()) == (502, INTERNAL)
    assert reply.header("Set-Cookie") is None


def test_base64_result_is_decoded_only_for_binary_media_types(emu: EmulatorProcess) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(50))
    result = {"statusCode": 200, "isBase64Encoded": True, "body": base64.b64encode(png).decode(),
              "headers": {"Content-Type": "image/png"}}
    binary = emu.request("POST", "/result", body=result, headers=[("Accept", "image/png")])
    assert binary.body == png
    result["headers"] = {"Content-Type": "text/plain"}
    text = emu.request("POST", "/result", body=result, headers=[("Accept", "text/plain")])
    assert text.body == base64.b64encode(png)  # passed on as the base64 text, as AWS does


def test_preflight_with_serverless_defaults(emu: EmulatorProcess) -> None:
    reply = emu.request("OPTIONS", "/things/t-9")
    assert reply.status == 200
    assert reply.body == b""
    assert reply.header("Access-Control-Allow-Origin") == "*"
    assert reply.header("Access-Control-Allow-Methods") == "OPTIONS,GET"
    assert reply.header("Access-Control-Allow-Headers") == (
        "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,"
        "X-Amz-User-Agent,X-Amzn-Trace-Id")
    assert reply.header("Access-Control-Allow-Credentials") is None


def test_preflight_with_a_cors_object(emu: EmulatorProcess) -> None:
    reply = emu.request("OPTIONS", "/result", headers=[("Origin", "https://admin.example.com")])
    assert reply.status == 200
    assert reply.header("Access-Control-Allow-Origin") == "https://admin.example.com"
    assert reply.header("Access-Control-Allow-Headers") == "Content-Type,X-Custom"
    assert reply.header("Access-Control-Allow-Credentials") == "true"
    assert reply.header("Access-Control-Max-Age") == "600"


def test_no_cors_header_is_added_to_a_handler_reply(emu: EmulatorProcess) -> None:
    start = len(emu.output)
    reply = emu.request("GET", "/nocors")
    assert reply.status == 200
    assert reply.header("Access-Control-Allow-Origin") is None
    emu.wait_for(r"warning: .*nocors.*Access-Control-Allow-Origin", start=start)


def test_reserved_concurrency_zero_is_throttled_as_500(emu: EmulatorProcess) -> None:
    reply = emu.request("GET", "/throttled")
    assert (reply.status, reply.json()) == (500, INTERNAL)


def test_missing_handler_is_warned_at_start_and_502(emu: EmulatorProcess) -> None:
    assert re.search(r"warning: function missing: handler src/nowhere\.handler", emu.log)
    start = len(emu.output)
    reply = emu.request("GET", "/missing")
    assert (reply.status, reply.json()) == (502, INTERNAL)
    emu.wait_for("Runtime.ImportModuleError", start=start)


def test_body_over_10_mb_is_413_plain_text(emu: EmulatorProcess) -> None:
    reply = emu.request("POST", "/result", body=b"x" * (10_485_760 + 1))
    assert reply.status == 413
    assert reply.body == b"HTTP content length exceeded 10485760 bytes."


def test_event_over_6_mb_is_413_request_too_long(emu: EmulatorProcess) -> None:
    reply = emu.request("POST", "/result", body=b"x" * 6_500_000)
    assert (reply.status, reply.json()) == (413, {"message": "Request Too Long"})


def test_keep_alive_connection_serves_several_requests(emu: EmulatorProcess) -> None:
    import http.client
    import urllib.parse

    url = urllib.parse.urlsplit(emu.base_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        for path in ("/nothing", "/counter", "/nothing"):
            conn.request("GET", url.path + path)
            resp = conn.getresponse()
            resp.read()
            assert resp.status in (200, 403)
    finally:
        conn.close()


def _raw_exchange(emu: EmulatorProcess, request: bytes) -> bytes:
    """Send raw bytes, read until the server closes (or 10 s)."""
    import socket
    import urllib.parse

    url = urllib.parse.urlsplit(emu.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(request)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


def test_malformed_header_lines_are_400_and_close_the_connection(emu: EmulatorProcess) -> None:
    reply = _raw_exchange(emu, b"GET /test/counter HTTP/1.1\r\nHost: a\r\nBad Name: 1\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b"Connection: close" in reply


def test_too_many_headers_is_431(emu: EmulatorProcess) -> None:
    many = b"".join(b"X-%d: 1\r\n" % i for i in range(101))
    reply = _raw_exchange(emu, b"GET /test/counter HTTP/1.1\r\n" + many + b"\r\n")
    assert reply.startswith(b"HTTP/1.1 431 ")


def test_expect_100_continue_is_answered_before_the_body(emu: EmulatorProcess) -> None:
    body = b'{"statusCode": 201, "body": "after continue"}'
    head = (b"POST /test/result HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body))
    reply = _raw_exchange(emu, head + body)
    assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\n")
    assert reply.endswith(b"after continue")
