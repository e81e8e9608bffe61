"""Customised gateway responses: precedence, status, headers, templates; pure and via Gateway."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from emulator.config.gateway_responses import GatewayResponseConfig, HeaderValue
from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig
from emulator.gateway.errors import Reply, gateway_reply
from emulator.gateway.gateway_responses import ReplyContext, customise, substitute
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.gateway.rest import Gateway
from emulator.reload import compare
from emulator.runtime.invoker import InvokeResult, Outcome

CORS = (("Access-Control-Allow-Origin", HeaderValue(static="*")),)
REQUEST = HttpRequest("GET", "/dev/items/7", (("q", "1"), ("q", "2")),
                      (("Origin", "https://app.example"), ("Accept", "application/json"),
                       ("X-Multi", "a"), ("x-multi", "b")), b"")
CONTEXT = ReplyContext(REQUEST, "req-1", "dev", "/dev/items/7", "/items/{id}", {"id": "7"},
                       "abcdefghij", "123456789012")


def config(kind: str, status: int | None = None, headers: Any = (),
           **templates: str) -> GatewayResponseConfig:
    return GatewayResponseConfig(kind, status, tuple(headers), MappingProxyType(
        {k.replace("_", "/"): v for k, v in templates.items()}))


def headers_of(response: HttpResponse) -> dict[str, str]:
    return dict(response.headers)


def test_without_customisation_the_reply_is_aws_default_byte_for_byte() -> None:
    for kind in Reply:
        assert customise(kind, (), CONTEXT) == gateway_reply(kind)
        if kind is not Reply.UNAUTHORIZED:  # another type's customisation changes nothing
            assert customise(kind, (config("UNAUTHORIZED", 418),), CONTEXT) == (
                gateway_reply(kind))


def test_default_4xx_adds_headers_and_keeps_aws_status_and_body() -> None:
    reply = customise(Reply.MISSING_AUTHENTICATION_TOKEN, (config("DEFAULT_4XX", None, CORS),),
                      CONTEXT)
    assert reply.status == 403
    assert reply.body == b'{"message":"Missing Authentication Token"}'
    assert headers_of(reply) == {"Content-Type": "application/json",
                                 "x-amzn-ErrorType": "MissingAuthenticationTokenException",
                                 "Access-Control-Allow-Origin": "*"}


def test_the_specific_type_wins_over_default_4xx_and_default_4xx_status_applies_to_others(
        ) -> None:
    responses = (config("DEFAULT_4XX", 400, CORS),
                 config("UNAUTHORIZED", 401, (("X-Why", HeaderValue(static="token")),),
                        application_json='{"error":$context.error.messageString}'))
    unauthorized = customise(Reply.UNAUTHORIZED, responses, CONTEXT)
    assert (unauthorized.status, unauthorized.body) == (401, b'{"error":"Unauthorized"}')
    assert "Access-Control-Allow-Origin" not in headers_of(unauthorized)
    assert headers_of(unauthorized)["X-Why"] == "token"
    denied = customise(Reply.ACCESS_DENIED, responses, CONTEXT)
    assert denied.status == 400  # AWS: DEFAULT_4XX's status code changes every other 4XX
    assert headers_of(denied)["Access-Control-Allow-Origin"] == "*"
    assert customise(Reply.BAD_GATEWAY, responses, CONTEXT) == gateway_reply(Reply.BAD_GATEWAY)


@pytest.mark.parametrize(("kind", "response_type"), [
    (Reply.MISSING_AUTHENTICATION_TOKEN, "MISSING_AUTHENTICATION_TOKEN"),
    (Reply.UNAUTHORIZED, "UNAUTHORIZED"),
    (Reply.ACCESS_DENIED, "ACCESS_DENIED"),
    (Reply.EXPLICIT_DENY, "ACCESS_DENIED"),
    (Reply.AUTHORIZER_FAILURE, "AUTHORIZER_CONFIGURATION_ERROR"),
    (Reply.FORBIDDEN, "INVALID_API_KEY"),
    (Reply.ENDPOINT_TIMEOUT, "INTEGRATION_TIMEOUT"),
    (Reply.REQUEST_TOO_LONG, "REQUEST_TOO_LARGE"),
    (Reply.BAD_GATEWAY, "DEFAULT_5XX"),
    (Reply.INTERNAL_ERROR, "DEFAULT_5XX"),
])
def test_each_reply_falls_under_its_aws_type(kind: Reply, response_type: str) -> None:
    fallbacks = {"DEFAULT_4XX": config("DEFAULT_4XX", 498), "DEFAULT_5XX": config(
        "DEFAULT_5XX", 598)}
    fallbacks[response_type] = config(response_type, 299,
                                      application_json="$context.error.responseType")
    responses = tuple(fallbacks.values())
    reply = customise(kind, responses, CONTEXT)
    assert (reply.status, reply.body) == (299, response_type.encode())


def test_the_10_mb_plain_text_refusal_is_never_customised() -> None:
    responses = (config("REQUEST_TOO_LARGE", 400, CORS), config("DEFAULT_4XX", 400, CORS))
    assert customise(Reply.CONTENT_LENGTH_EXCEEDED, responses, CONTEXT) == gateway_reply(
        Reply.CONTENT_LENGTH_EXCEEDED)


def test_template_variables_are_substituted() -> None:
    template = ('{"m":"$context.error.message","s":$context.error.messageString,'
                '"t":"$context.error.responseType","id":"${context.requestId}",'
                '"p":"$context.path","verb":"$context.httpMethod","stage":"$context.stage",'
                '"r":"$context.resourcePath","vtl":"$input.body $context.unknown"}')
    reply = customise(Reply.MISSING_AUTHENTICATION_TOKEN,
                      (config("DEFAULT_4XX", None, application_json=template),), CONTEXT)
    assert json.loads(reply.body) == {
        "m": "Missing Authentication Token", "s": "Missing Authentication Token",
        "t": "MISSING_AUTHENTICATION_TOKEN", "id": "req-1", "p": "/dev/items/7", "verb": "GET",
        "stage": "dev", "r": "/items/{id}", "vtl": "$input.body $context.unknown"}


def test_a_null_message_is_null_in_message_string_and_empty_in_message() -> None:
    reply = customise(Reply.AUTHORIZER_FAILURE, (config(
        "DEFAULT_5XX", None, application_json='[$context.error.messageString,'
                                              '"$context.error.message"]'),), CONTEXT)
    assert json.loads(reply.body) == [None, ""]


def test_substitution_keeps_a_trailing_dot_and_does_not_split_longer_names() -> None:
    values = {"path": "/dev/x", "error.message": "M", "error.messageString": '"M"'}
    assert substitute("at $context.path. $context.error.messageString $context.pathx",
                      values) == 'at /dev/x. "M" $context.pathx'


def test_the_template_follows_accept_else_json_else_the_first() -> None:
    responses = (config("DEFAULT_4XX", None, text_plain="plain $context.stage",
                        application_xml="<x/>"),)
    plain = customise(Reply.UNAUTHORIZED, responses, CONTEXT)  # Accept: application/json
    assert (plain.body, headers_of(plain)["Content-Type"]) == (b"plain dev", "text/plain")
    xml = HttpRequest("GET", "/dev/x", (), (("Accept", "application/xml;q=0.9"),), b"")
    reply = customise(Reply.UNAUTHORIZED, responses, ReplyContext(xml, "r", "dev", "/dev/x"))
    assert (reply.body, headers_of(reply)["Content-Type"]) == (b"<x/>", "application/xml")


def test_header_values_come_from_the_request_and_context_or_are_left_out() -> None:
    sources = {"Origin": "method.request.header.Origin", "Q": "method.request.querystring.q",
               "MQ": "method.request.multivaluequerystring.q",
               "MH": "method.request.multivalueheader.X-Multi", "P": "method.request.path.id",
               "Id": "context.requestId", "Type": "context.error.responseType",
               "Gone": "method.request.header.Absent", "Stage": "stageVariables.x"}
    reply = customise(Reply.ACCESS_DENIED, (config("DEFAULT_4XX", None, [
        (name, HeaderValue(source=source)) for name, source in sources.items()]),), CONTEXT)
    got = headers_of(reply)
    assert {k: got.get(k) for k in sources} == {
        "Origin": "https://app.example", "Q": "2", "MQ": "1,2", "MH": "a,b", "P": "7",
        "Id": "req-1", "Type": "ACCESS_DENIED", "Gone": None, "Stage": None}


def test_a_custom_header_replaces_one_of_the_same_name() -> None:
    reply = customise(Reply.FORBIDDEN, (config("INVALID_API_KEY", None, [
        ("content-type", HeaderValue(static="text/plain"))]),), CONTEXT)
    assert [v for k, v in reply.headers if k.lower() == "content-type"] == ["text/plain"]


# --- through Gateway.handle --------------------------------------------------------------

SERVICE = """\
service: svc
provider:
  name: aws
  runtime: python3.12
  stage: dev
functions:
  auth:
    handler: app.auth
  app:
    handler: app.main
    events:
      - http: GET open
      - http:
          path: items/{id}
          method: get
          authorizer: auth
resources:
  Resources:
    Default4xx:
      Type: AWS::ApiGateway::GatewayResponse
      Properties:
        ResponseType: DEFAULT_4XX
        RestApiId: {Ref: ApiGatewayRestApi}
        ResponseParameters:
          gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
    Default5xx:
      Type: AWS::ApiGateway::GatewayResponse
      Properties:
        ResponseType: DEFAULT_5XX
        RestApiId: {Ref: ApiGatewayRestApi}
        ResponseParameters:
          gatewayresponse.header.Access-Control-Allow-Origin: method.request.header.Origin
    Unauthorized:
      Type: AWS::ApiGateway::GatewayResponse
      Properties:
        ResponseType: UNAUTHORIZED
        RestApiId: {Ref: ApiGatewayRestApi}
        StatusCode: 419
        ResponseTemplates:
          application/json: '{"error":"$context.error.message","item":"$context.resourcePath"}'
"""


class FakeInvoker:
    def __init__(self, results: dict[str, InvokeResult]) -> None:
        self.results = results

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        return self.results[function]

    def close(self) -> None:
        pass


def load(tmp_path: Path, text: str = SERVICE) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_service(path, env={})


def get(gw: Gateway, path: str, *headers: tuple[str, str]) -> HttpResponse:
    return gw.handle(HttpRequest("GET", "/dev" + path, (), tuple(headers), b""))


def test_gateway_replies_follow_the_service_customisations(tmp_path: Path) -> None:
    raised = InvokeResult(Outcome.ERROR, b"{}", error={"errorType": "E", "errorMessage": "x"})
    gw = Gateway(load(tmp_path), FakeInvoker({"auth": InvokeResult(Outcome.ERROR, b"{}", error={
        "errorType": "Exception", "errorMessage": "Unauthorized"}), "app": raised}))
    missing = get(gw, "/nowhere")
    assert (missing.status, headers_of(missing)["Access-Control-Allow-Origin"]) == (403, "*")
    assert headers_of(missing)["x-amzn-RequestId"]  # the gateway's headers are still added
    unauthorized = get(gw, "/items/7", ("Authorization", "Bearer x"))
    assert (unauthorized.status, json.loads(unauthorized.body)) == (
        419, {"error": "Unauthorized", "item": "/items/{id}"})
    failed = get(gw, "/open", ("Origin", "https://app.example"))
    assert (failed.status, failed.body) == (502, b'{"message": "Internal server error"}')
    assert headers_of(failed)["Access-Control-Allow-Origin"] == "https://app.example"


def test_a_malformed_proxy_result_is_customised_as_default_5xx(tmp_path: Path) -> None:
    gw = Gateway(load(tmp_path), FakeInvoker({"app": InvokeResult(Outcome.OK, b'"text"')}))
    failed = get(gw, "/open", ("Origin", "https://a.example"))
    assert (failed.status, headers_of(failed)["Access-Control-Allow-Origin"]) == (
        502, "https://a.example")


def test_reload_swaps_the_customisations(tmp_path: Path) -> None:
    gw = Gateway(load(tmp_path), FakeInvoker({}))
    assert "Access-Control-Allow-Origin" in headers_of(get(gw, "/nowhere"))
    gw.reload(load(tmp_path, SERVICE.split("resources:", maxsplit=1)[0]))
    assert "Access-Control-Allow-Origin" not in headers_of(get(gw, "/nowhere"))


def test_a_config_reload_names_the_changed_gateway_responses(tmp_path: Path) -> None:
    old = load(tmp_path)
    without_5xx = SERVICE[:SERVICE.index("    Default5xx:")] + SERVICE[
        SERVICE.index("    Unauthorized:"):]
    new = load(tmp_path, without_5xx.replace("StatusCode: 419", "StatusCode: 401"))
    assert compare(old, new).parts == ("-1 gateway response (DEFAULT_5XX)",
                                       "1 gateway response (UNAUTHORIZED) changed")
