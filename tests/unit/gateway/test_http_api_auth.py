"""HTTP API (v2) authorizers: config as Serverless v3 reads it, events, verdicts, JWTs."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from emulator.config.authorizers import Targets
from emulator.config.cognito import LivePool
from emulator.config.document import Document
from emulator.config.errors import ConfigError
from emulator.config.http_authorizers import (
    HttpAuthorizerConfig,
    HttpRouteAuth,
    read_http_authorizers,
    route_auth,
)
from emulator.gateway.auth import http_api_auth as auth
from emulator.gateway.auth.cache import AuthorizerCache
from emulator.gateway.errors import Reply
from emulator.gateway.http import HttpRequest
from emulator.runtime.invoker import InvokeResult, Outcome

TARGETS = Targets({"svc-dev-auth": "auth"}, frozenset({"Users"}))
ARN = "arn:aws:execute-api:us-east-1:123456789012:abc/$default/GET/pets"
LAMBDA = HttpAuthorizerConfig("byLambda", "request", "auth", ("$request.header.X-Token",),
                              simple_responses=True)


def document(text: str) -> Document:
    import yaml

    return Document(yaml.safe_load(textwrap.dedent(text)), Path("serverless.yml"), {})


PROVIDER = """\
provider:
  httpApi:
    authorizers:
      byLambda:
        type: request
        functionName: auth
        enableSimpleResponses: true
        identitySource: [$request.header.X-Token]
      byPool:
        identitySource: $request.header.Authorization
        issuerUrl:
          Fn::Join: ['', ['https://cognito-idp.us-east-1.amazonaws.com/', {Ref: Users}]]
        audience: [client-1]
"""


def test_authorizers_and_route_references_are_read_as_serverless_v3_does() -> None:
    doc = document(PROVIDER)
    authorizers = read_http_authorizers(doc, TARGETS)
    assert authorizers["byLambda"] == LAMBDA
    assert authorizers["byPool"] == HttpAuthorizerConfig(
        "byPool", "jwt", identity_sources=("$request.header.Authorization",),
        audience=("client-1",), pool="Users")
    assert route_auth(doc, {"name": "byPool", "scopes": ["pets/read"]}, ("e",), authorizers) \
        == HttpRouteAuth(authorizers["byPool"], "jwt", ("pets/read",))
    assert route_auth(doc, {"type": "aws_iam"}, ("e",), authorizers) == HttpRouteAuth(
        None, "aws_iam")
    with pytest.raises(ConfigError, match="not configured authorizer 'nope'"):
        route_auth(doc, "nope", ("e",), authorizers)


@pytest.mark.parametrize(("spec", "message"), [
    ("type: request", 'either "functionArn" or "functionName"'),
    ("type: request\nfunctionName: missing", 'function "missing" for HTTP API authorizer'),
    ("type: request\nfunctionName: auth\nresultTtlInSeconds: 60",
     '"identitySource" has to be set'),
    ("type: request\nfunctionName: auth\npayloadVersion: '1.0'\nenableSimpleResponses: true",
     "simple responses need payloadVersion '2.0'"),
    ("identitySource: $request.header.Authorization", "a JWT authorizer needs issuerUrl"),
    ("type: request\nfunctionName: auth\nidentitySource: [headers.x]", "expected $request"),
])
def test_bad_http_api_authorizers_are_config_errors(spec: str, message: str) -> None:
    text = "provider:\n  httpApi:\n    authorizers:\n      a:\n" + textwrap.indent(spec, " " * 8)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("$", r"\$")):
        read_http_authorizers(document(text), TARGETS)


V2_EVENT = {"version": "2.0", "routeKey": "GET /pets", "rawPath": "/pets", "rawQueryString": "",
            "headers": {"x-token": "t1"}, "requestContext": {"http": {"method": "GET"}},
            "isBase64Encoded": False}


def request(*headers: tuple[str, str]) -> HttpRequest:
    return HttpRequest("GET", "/pets", (), headers, b"")


def test_payload_2_event_and_simple_responses() -> None:
    assert auth.identity_values(LAMBDA, request(), V2_EVENT) is None
    values = auth.identity_values(LAMBDA, request(("X-Token", "t1")), V2_EVENT)
    assert values == ("t1",)
    event = auth.lambda_event(LAMBDA, values, ARN, V2_EVENT)
    assert event == {"version": "2.0", "type": "REQUEST", "routeArn": ARN,
                     "identitySource": ["t1"], "routeKey": "GET /pets", "rawPath": "/pets",
                     "rawQueryString": "", "headers": {"x-token": "t1"},
                     "requestContext": {"http": {"method": "GET"}}}
    allow = auth.lambda_verdict(LAMBDA, b'{"isAuthorized": true, "context": {"n": 1}}', ARN)
    assert (allow.reply, allow.authorizer) == (None, {"lambda": {"n": 1}})
    assert auth.lambda_verdict(LAMBDA, b'{"isAuthorized": false}', ARN).reply is \
        Reply.ACCESS_DENIED
    assert auth.lambda_verdict(LAMBDA, b'{"isAuthorized": "yes"}', ARN).reply is \
        Reply.AUTHORIZER_FAILURE


def test_policy_responses_and_the_http_api_replies() -> None:
    config = HttpAuthorizerConfig("p", "request", "auth", ("$request.header.X-Token",))
    policy = {"principalId": "u", "policyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": ARN}]}}
    assert auth.lambda_verdict(config, json.dumps(policy).encode(), ARN).reply is None
    assert auth.lambda_verdict(config, json.dumps(policy).encode(),
                               ARN.replace("GET", "PUT")).reply is Reply.ACCESS_DENIED
    assert [(r.status, r.body) for r in map(auth.reply, (
        Reply.UNAUTHORIZED, Reply.ACCESS_DENIED, Reply.AUTHORIZER_FAILURE))] == [
        (401, b'{"message":"Unauthorized"}'), (403, b'{"message":"Forbidden"}'),
        (500, b'{"message":"Internal Server Error"}')]


KEY = RSAKey.generate_key(2048, parameters={"kid": "dummy"})
POOL = LivePool("Users", "us-east-1_users", "https://cognito-idp.us-east-1.amazonaws.com/"
                "us-east-1_users", {"keys": [KEY.as_dict(private=False)]}, {"Web": "client-1"})
JWT_CONFIG = HttpAuthorizerConfig("byPool", "jwt", audience=("client-1",), pool="Users")


def token(**claims: Any) -> str:
    body = {"iss": POOL.issuer, "sub": "s", "client_id": "client-1", "token_use": "access",
            "scope": "pets/read", "exp": int(time.time()) + 3600, **claims}
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, body, KEY)


@pytest.mark.parametrize(("value", "scopes", "expected"), [
    (f"Bearer {token()}", ("pets/read",), None),
    (token(), (), None),
    (token(), ("pets/write",), Reply.ACCESS_DENIED),
    (token(client_id="other"), (), Reply.UNAUTHORIZED),
    (token(exp=int(time.time()) - 5), (), Reply.UNAUTHORIZED),
    (token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"), (),
     Reply.UNAUTHORIZED),
    (None, (), Reply.UNAUTHORIZED),
])
def test_jwt_verdicts(value: str | None, scopes: tuple[str, ...], expected: Reply | None
                      ) -> None:
    verdict = auth.jwt_verdict(JWT_CONFIG, POOL, value, scopes)
    assert verdict.reply is expected
    if expected is None:
        assert verdict.authorizer is not None
        assert verdict.authorizer["jwt"]["claims"]["sub"] == "s"
        assert verdict.authorizer["jwt"]["scopes"] == ["pets/read"]


def test_jwt_of_an_issuer_that_is_not_a_local_pool_is_refused() -> None:
    assert auth.jwt_verdict(JWT_CONFIG, None, token(), ()).reply is Reply.UNAUTHORIZED


class CountingInvoker:
    def __init__(self, payload: bytes) -> None:
        self.payload = payload
        self.events: list[dict[str, Any]] = []

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        self.events.append(json.loads(event))
        return InvokeResult(Outcome.OK, self.payload)

    def close(self) -> None:
        pass


def guard(payload: bytes, **kwargs: Any) -> tuple[auth.HttpApiGuard, CountingInvoker]:
    invoker = CountingInvoker(payload)
    return auth.HttpApiGuard(invoker, AuthorizerCache(), wait_s=5, new_id=lambda: "id",
                             **kwargs), invoker


def test_guard_runs_lambda_authorizers_through_the_invoker_with_caching() -> None:
    cached = HttpAuthorizerConfig("c", "request", "auth", ("$request.header.X-Token",),
                                  simple_responses=True, ttl_s=300)
    check, invoker = guard(b'{"isAuthorized": true}')
    route = HttpRouteAuth(cached, "request")
    assert check.check(route, request(), V2_EVENT, ARN).reply is Reply.UNAUTHORIZED
    for _ in range(3):
        assert check.check(route, request(("X-Token", "t1")), V2_EVENT, ARN).reply is None
    assert len(invoker.events) == 1
    assert invoker.events[0]["identitySource"] == ["t1"]


def test_guard_jwt_iam_and_no_auth() -> None:
    check, invoker = guard(b"", pools={"Users": POOL})
    jwt_route = HttpRouteAuth(JWT_CONFIG, "jwt", ("pets/read",))
    assert check.check(jwt_route, request(("Authorization", f"Bearer {token()}")), V2_EVENT,
                       ARN).reply is None
    assert check.check(jwt_route, request(), V2_EVENT, ARN).reply is Reply.UNAUTHORIZED
    assert check.check(HttpRouteAuth(None, "aws_iam"), request(), V2_EVENT, ARN).reply is \
        Reply.ACCESS_DENIED
    off, _ = guard(b"", disabled=True)
    assert off.check(HttpRouteAuth(None, "aws_iam"), request(), V2_EVENT, ARN).reply is None
    assert invoker.events == []


HTTP_SERVICE = """\
service: svc
provider:
  name: aws
  runtime: python3.12
  httpApi:
    authorizers:
      byLambda:
        type: request
        functionName: auth
        payloadVersion: '1.0'
        identitySource: [$request.header.X-Token]
functions:
  auth:
    handler: app.auth
  app:
    handler: app.main
    events:
      - httpApi: {method: GET, path: /v2, authorizer: byLambda}
      - httpApi: GET /open
"""


class ScriptedInvoker:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        decoded = json.loads(event)
        self.calls.append((function, decoded))
        if function == "auth":
            allow = decoded["identitySource"] == "good"
            return InvokeResult(Outcome.OK, json.dumps({"principalId": "p", "context": {
                "who": "p"}, "policyDocument": {"Statement": [{
                    "Effect": "Allow" if allow else "Deny", "Action": "execute-api:Invoke",
                    "Resource": decoded["methodArn"]}]}}).encode())
        return InvokeResult(Outcome.OK, b'{"statusCode": 200, "body": "ok"}')

    def close(self) -> None:
        pass


def test_http_api_runs_a_payload_1_authorizer_before_a_2_0_integration(tmp_path: Path) -> None:
    from emulator.config.loader import load_service
    from emulator.gateway.http_api import HttpApi

    (tmp_path / "serverless.yml").write_text(HTTP_SERVICE, encoding="utf-8")
    invoker = ScriptedInvoker()
    api = HttpApi(load_service(tmp_path / "serverless.yml", env={}), invoker)

    def get(path: str, *headers: tuple[str, str]) -> int:
        return api.handle(HttpRequest("GET", path, (), headers, b"")).status

    assert (get("/v2"), get("/v2", ("X-Token", "bad")), get("/v2", ("X-Token", "good"))) == (
        401, 403, 200)
    auth_event = invoker.calls[0][1]
    assert (auth_event["version"], auth_event["type"], auth_event["httpMethod"]) == (
        "1.0", "REQUEST", "GET")
    assert auth_event["methodArn"].endswith("/$default/GET/v2")
    app_event = invoker.calls[-1][1]
    assert app_event["version"] == "2.0"
    assert app_event["requestContext"]["authorizer"] == {"lambda": {"who": "p"}}
    assert get("/open") == 200
    assert "authorizer" not in invoker.calls[-1][1]["requestContext"]
