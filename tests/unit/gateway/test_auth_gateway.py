"""Gateway.handle with authorizers and API keys: AWS's replies, events, caching; socket-free."""

from __future__ import annotations

import dataclasses
import json
import logging
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig
from emulator.gateway.auth.guard import AuthSettings, Override, parse_override
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.gateway.rest import Gateway
from emulator.runtime.invoker import InvokeResult, Outcome

SERVICE = """\
service: svc
provider:
  name: aws
  runtime: python3.12
  stage: dev
  apiGateway:
    apiKeys:
      - name: fixed
        value: abcdefghijklmnopqrst
      - name: disabled
        value: zzzzzzzzzzzzzzzzzzzzzz
        enabled: false
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
      - http:
          path: items/{id}
          method: delete
          authorizer:
            name: auth
            identityValidationExpression: Bearer .+
            resultTtlInSeconds: 0
      - http:
          path: req
          method: get
          authorizer:
            name: auth
            type: request
            identitySource: method.request.header.X-Token, method.request.querystring.t
      - http:
          path: keyed
          method: get
          private: true
      - http:
          path: both
          method: get
          private: true
          authorizer: auth
      - http:
          path: iam
          method: get
          authorizer: aws_iam
      - http:
          path: external
          method: get
          authorizer:
            name: shared
            arn: arn:aws:lambda:us-east-1:999999999999:function:shared-auth
"""

Behaviour = Callable[[dict[str, Any]], InvokeResult]


def ok(value: Any) -> InvokeResult:
    return InvokeResult(Outcome.OK, json.dumps(value).encode())


def policy(effect: str, resource: str = "*", **extra: Any) -> dict[str, Any]:
    return {"principalId": "alice", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": effect, "Action": "execute-api:Invoke", "Resource": resource}]}, **extra}


class FakeInvoker:
    """Runs `behaviours[function]` on the decoded event; records every call."""

    def __init__(self, auth: Behaviour) -> None:
        self.behaviours: dict[str, Behaviour] = {
            "auth": auth,
            "app": lambda event: ok({"statusCode": 200, "body": "ok"}),
        }
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        decoded = json.loads(event)
        with self.lock:
            self.calls.append((function, decoded))
        return self.behaviours[function](decoded)

    def close(self) -> None:
        pass

    def events(self, function: str) -> list[dict[str, Any]]:
        return [e for f, e in self.calls if f == function]


@pytest.fixture
def service(tmp_path: Path) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text(textwrap.dedent(SERVICE), encoding="utf-8")
    return load_service(path, env={})


def gateway(service: ServiceConfig, auth: Behaviour, settings: AuthSettings | None = None
            ) -> tuple[Gateway, FakeInvoker]:
    invoker = FakeInvoker(auth)
    return Gateway(service, invoker, auth=settings), invoker


def get(gw: Gateway, path: str, *headers: tuple[str, str], method: str = "GET",
        query: tuple[tuple[str, str], ...] = ()) -> HttpResponse:
    return gw.handle(HttpRequest(method, "/dev" + path, query, tuple(headers), b""))


def body(response: HttpResponse) -> Any:
    return json.loads(response.body)


def error_type(response: HttpResponse) -> str | None:
    return dict(response.headers).get("x-amzn-ErrorType")


def test_token_authorizer_allows_and_the_handler_sees_principal_and_context(
        service: ServiceConfig) -> None:
    gw, invoker = gateway(service, lambda e: ok(policy("Allow", e["methodArn"], context={
        "tenant": "t1", "level": 3, "admin": True})))
    response = get(gw, "/items/7", ("Authorization", "Bearer abc"))
    assert response.status == 200
    (auth_event,) = invoker.events("auth")
    assert auth_event == {
        "type": "TOKEN", "authorizationToken": "Bearer abc",
        "methodArn": f"arn:aws:execute-api:us-east-1:123456789012:{gw.deployment.api_id}"
                     "/dev/GET/items/7"}
    (app_event,) = invoker.events("app")
    authorizer = app_event["requestContext"]["authorizer"]
    assert {k: v for k, v in authorizer.items() if k != "integrationLatency"} == {
        "principalId": "alice", "tenant": "t1", "level": "3", "admin": "true"}
    assert isinstance(authorizer["integrationLatency"], int)


def test_routes_without_auth_have_no_authorizer_key_and_never_call_one(
        service: ServiceConfig) -> None:
    gw, invoker = gateway(service, lambda e: pytest.fail("authorizer called"))
    assert get(gw, "/open").status == 200
    assert "authorizer" not in invoker.events("app")[0]["requestContext"]


UNAUTHORIZED = (401, {"message": "Unauthorized"}, "UnauthorizedException")
FAILURE = (500, {"message": None}, "AuthorizerConfigurationException")
EXPLICIT = (403, {"Message": "User is not authorized to access this resource with an explicit "
                             "deny"}, "AccessDeniedException")
IMPLICIT = (403, {"Message": "User is not authorized to access this resource"},
            "AccessDeniedException")


@pytest.mark.parametrize(("auth", "expected"), [
    (lambda e: ok(policy("Deny", e["methodArn"])), EXPLICIT),
    (lambda e: ok(policy("Allow", e["methodArn"].replace("GET", "POST"))), IMPLICIT),
    (lambda e: InvokeResult(Outcome.ERROR, error={"errorType": "Exception",
                                                  "errorMessage": "Unauthorized"}), UNAUTHORIZED),
    (lambda e: InvokeResult(Outcome.ERROR, error={"errorType": "KeyError",
                                                  "errorMessage": "'x'"}), FAILURE),
    (lambda e: InvokeResult(Outcome.TIMEOUT), FAILURE),
    (lambda e: InvokeResult(Outcome.INTEGRATION_TIMEOUT), FAILURE),
    (lambda e: InvokeResult(Outcome.CRASH), FAILURE),
    (lambda e: ok({"principalId": "a"}), FAILURE),  # no policyDocument
    (lambda e: ok(policy("Allow", context={"user": {"id": 1}})), FAILURE),  # object in context
])
def test_refusals_use_aws_replies_and_never_reach_the_handler(
        service: ServiceConfig, auth: Behaviour, expected: tuple[int, Any, str],
        caplog: pytest.LogCaptureFixture) -> None:
    gw, invoker = gateway(service, auth)
    with caplog.at_level(logging.INFO, logger="emulator.auth"):
        response = get(gw, "/items/7", ("Authorization", "t"))
    assert (response.status, body(response), error_type(response)) == expected
    assert invoker.events("app") == []
    assert "GET /dev/items/7: authorizer auth: " in caplog.text


@pytest.mark.parametrize("headers", [(), (("Authorization", ""),)])
def test_missing_identity_is_401_without_calling_the_authorizer(
        service: ServiceConfig, headers: tuple[tuple[str, str], ...]) -> None:
    gw, invoker = gateway(service, lambda e: pytest.fail("authorizer called"))
    response = get(gw, "/items/7", *headers)
    assert (response.status, body(response)) == (401, {"message": "Unauthorized"})
    assert invoker.calls == []


def test_token_not_matching_the_validation_expression_is_401_without_a_call(
        service: ServiceConfig) -> None:
    gw, invoker = gateway(service, lambda e: ok(policy("Allow")))
    assert get(gw, "/items/7", ("Authorization", "Basic x"), method="DELETE").status == 401
    assert invoker.calls == []
    assert get(gw, "/items/7", ("Authorization", "Bearer x"), method="DELETE").status == 200


def test_cached_policy_is_reused_per_token_and_evaluated_per_method_arn(
        service: ServiceConfig, caplog: pytest.LogCaptureFixture) -> None:
    gw, invoker = gateway(service, lambda e: ok(policy("Allow", e["methodArn"])))
    with caplog.at_level(logging.INFO, logger="emulator.auth"):
        assert get(gw, "/items/1", ("Authorization", "a")).status == 200
        assert get(gw, "/items/1", ("Authorization", "a")).status == 200
        # The cached policy allowed only /items/1: AWS denies /items/2 until the TTL passes.
        assert get(gw, "/items/2", ("Authorization", "a")).status == 403
        assert get(gw, "/items/2", ("Authorization", "b")).status == 200
    assert len(invoker.events("auth")) == 2
    assert "authorizer auth: cached allow (alice)" in caplog.text
    assert "authorizer auth: cached deny (alice): no Allow statement matches" in caplog.text


def test_ttl_zero_calls_the_authorizer_every_time(service: ServiceConfig) -> None:
    gw, invoker = gateway(service, lambda e: ok(policy("Allow")))
    for _ in range(3):
        assert get(gw, "/items/1", ("Authorization", "Bearer a"), method="DELETE").status == 200
    assert len(invoker.events("auth")) == 3


def test_request_authorizer_gets_the_request_and_needs_every_identity_source(
        service: ServiceConfig) -> None:
    gw, invoker = gateway(service, lambda e: ok(policy("Allow", context={"q": e["type"]})))
    assert get(gw, "/req", ("X-Token", "x")).status == 401  # querystring t missing
    assert invoker.calls == []
    response = get(gw, "/req", ("X-Token", "x"), query=(("t", "1"),))
    assert response.status == 200
    (event,) = invoker.events("auth")
    assert event["type"] == "REQUEST"
    assert event["methodArn"].endswith("/dev/GET/req")
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/req", "/req", "GET")
    assert event["headers"] == {"X-Token": "x"}
    assert event["queryStringParameters"] == {"t": "1"}
    assert "authorizer" not in event["requestContext"]
    assert "body" not in event
    assert invoker.events("app")[0]["requestContext"]["authorizer"]["q"] == "REQUEST"


def test_private_route_needs_a_known_enabled_api_key(service: ServiceConfig) -> None:
    gw, invoker = gateway(service, lambda e: ok(policy("Allow")))
    for headers in ((), (("x-api-key", "wrong-value-wrong-value"),),
                    (("x-api-key", "zzzzzzzzzzzzzzzzzzzzzz"),)):
        response = get(gw, "/keyed", *headers)
        assert (response.status, body(response)) == (403, {"message": "Forbidden"})
    assert invoker.calls == []
    assert get(gw, "/keyed", ("X-API-Key", "abcdefghijklmnopqrst")).status == 200
    identity = invoker.events("app")[0]["requestContext"]["identity"]
    key = service.api_keys[0]
    assert (identity["apiKey"], identity["apiKeyId"]) == (key.value, key.key_id)
    assert "authorizer" not in invoker.events("app")[0]["requestContext"]


def test_authorizer_runs_before_the_api_key_check(service: ServiceConfig) -> None:
    gw, _ = gateway(service, lambda e: ok(policy("Allow")))
    assert get(gw, "/both").status == 401  # no token: the authorizer answers first
    assert get(gw, "/both", ("Authorization", "t")).status == 403  # then the key is missing
    assert get(gw, "/both", ("Authorization", "t"),
               ("x-api-key", "abcdefghijklmnopqrst")).status == 200


def test_authorizers_that_cannot_run_here_are_denied_by_default(service: ServiceConfig) -> None:
    gw, invoker = gateway(service, lambda e: pytest.fail("authorizer called"))
    response = get(gw, "/external", ("Authorization", "t"))
    assert (response.status, body(response)) == (401, {"message": "Unauthorized"})
    response = get(gw, "/iam")
    assert (response.status, body(response)) == (403, {"message": "Missing Authentication Token"})
    assert invoker.calls == []


def test_external_authorizer_mapped_to_a_local_function_or_allowed(
        service: ServiceConfig) -> None:
    name, override = parse_override("shared=auth")
    gw, invoker = gateway(service, lambda e: ok(policy("Allow")),
                          AuthSettings(overrides={name: override}))
    assert get(gw, "/external", ("Authorization", "t")).status == 200
    assert [e["type"] for e in invoker.events("auth")] == ["TOKEN"]
    settings = AuthSettings(overrides=dict([
        parse_override('shared=allow:{"principalId": "bob", "tier": 2}'),
        parse_override("aws_iam=allow")]))
    gw, invoker = gateway(service, lambda e: pytest.fail("authorizer called"), settings)
    assert get(gw, "/external").status == 200
    assert invoker.events("app")[0]["requestContext"]["authorizer"] == {
        "principalId": "bob", "tier": "2", "integrationLatency": 0}
    assert get(gw, "/iam").status == 200


@pytest.mark.parametrize("text", ["shared", "=auth", "x=allow:[1]", "x=allow:{"])
def test_bad_override_flags_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_override(text)


def test_no_auth_lets_everything_through(service: ServiceConfig) -> None:
    gw, _ = gateway(service, lambda e: pytest.fail("authorizer called"),
                    AuthSettings(disabled=True))
    for path in ("/items/1", "/keyed", "/iam", "/external"):
        assert get(gw, path).status == 200
    assert Override() == Override(None, {})


def test_concurrent_requests_never_reach_the_handler_without_an_allow(
        service: ServiceConfig) -> None:
    def auth(event: dict[str, Any]) -> InvokeResult:
        token = event["authorizationToken"]
        return ok(policy("Allow" if token.startswith("good") else "Deny"))

    gw, invoker = gateway(service, auth)
    results: list[tuple[str, int]] = []

    def client(n: int) -> None:
        for i in range(40):
            token = f"{'good' if (n + i) % 2 else 'bad'}-{i % 5}"
            results.append((token, get(gw, f"/items/{i}", ("Authorization", token)).status))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(status == (200 if token.startswith("good") else 403)
               for token, status in results)
    assert len(invoker.events("app")) == sum(1 for t, _ in results if t.startswith("good"))


def test_reload_swaps_authorizers_and_flushes_the_cache(service: ServiceConfig) -> None:
    gw, invoker = gateway(service, lambda e: ok(policy("Allow")))
    assert get(gw, "/open").status == 200
    protected = tuple(dataclasses.replace(r, authorizer=service.routes[1].authorizer)
                      if r.resource == "/open" else r for r in service.routes)
    gw.reload(dataclasses.replace(service, routes=protected))
    assert get(gw, "/open").status == 401
    assert get(gw, "/items/1", ("Authorization", "t")).status == 200
    gw.reload(service)
    assert len(invoker.events("auth")) == 1
    assert get(gw, "/items/1", ("Authorization", "t")).status == 200
    assert len(invoker.events("auth")) == 2  # flushed by the reload
