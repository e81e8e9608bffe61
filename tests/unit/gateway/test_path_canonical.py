"""Path tricks never sidestep an authorizer (issue 29 item 3), on both APIs, socket-free.

A request is matched, authorized (the methodArn / routeArn the policy is evaluated against)
and run on one canonical path: trailing and repeated slashes dropped, `.` and `..` resolved.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from emulator.config.loader import load_service
from emulator.config.paths import canonical_path
from emulator.config.service import ServiceConfig
from emulator.gateway.http import HttpRequest
from emulator.gateway.http_api import HttpApi
from emulator.gateway.rest import Gateway
from emulator.runtime.invoker import InvokeResult, Outcome

SERVICE = """\
service: svc
provider:
  name: aws
  runtime: python3.12
  stage: dev
  httpApi:
    authorizers:
      byPolicy:
        type: request
        functionName: auth
        payloadVersion: '1.0'
        identitySource: [$request.header.Authorization]
        resultTtlInSeconds: 0
functions:
  auth:
    handler: app.auth
  admin:
    handler: app.admin
    events:
      - http: {path: admin, method: get, authorizer: {name: auth, resultTtlInSeconds: 0}}
      - httpApi: {method: GET, path: /v2/admin, authorizer: byPolicy}
  secret:
    handler: app.secret
    events:
      - http: {path: files/secret, method: get, authorizer: {name: auth, resultTtlInSeconds: 0}}
      - httpApi: {method: GET, path: /v2/files/secret, authorizer: byPolicy}
  files:
    handler: app.files
    events:
      - http: {path: 'files/{proxy+}', method: any}
      - httpApi: {method: ANY, path: '/v2/files/{proxy+}'}
"""


class Invoker:
    """The authorizer allows the whole API but denies `…/*/admin` and, without a token,
    refuses; every other function answers 200 with its name."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        decoded = json.loads(event)
        self.calls.append((function, decoded))
        if function != "auth":
            return InvokeResult(Outcome.OK, json.dumps(
                {"statusCode": 200, "body": function}).encode())
        token = decoded.get("authorizationToken") or (decoded.get("headers") or {}).get(
            "Authorization")
        if token != "t":
            return InvokeResult(Outcome.ERROR, error={"errorType": "Exception",
                                                      "errorMessage": "Unauthorized"})
        api, stage = decoded["methodArn"].split("/")[:2]
        return InvokeResult(Outcome.OK, json.dumps({"principalId": "p", "policyDocument": {
            "Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": f"{api}/*"},
                {"Effect": "Deny", "Action": "execute-api:Invoke",
                 "Resource": f"{api}/{stage}/*/admin"}]}}).encode())

    def close(self) -> None:
        pass

    def ran(self) -> list[str]:
        return [f for f, _ in self.calls if f != "auth"]

    def arns(self) -> list[str]:
        return [e["methodArn"] for f, e in self.calls if f == "auth"]


@pytest.fixture
def service(tmp_path: Path) -> ServiceConfig:
    (tmp_path / "serverless.yml").write_text(textwrap.dedent(SERVICE), encoding="utf-8")
    return load_service(tmp_path / "serverless.yml", env={})


@pytest.mark.parametrize(("raw", "canonical"), [
    ("/", "/"), ("//", "/"), ("/a/b", "/a/b"), ("/a/b/", "/a/b"), ("/a//b//", "/a/b"),
    ("/a/./b", "/a/b"), ("/a/x/../b", "/a/b"), ("/../../a", "/a"), ("/a/b/..", "/a"),
    ("/a/.../b", "/a/.../b"), ("/a/..b", "/a/..b"),
])
def test_canonical_path_drops_empty_and_dot_segments(raw: str, canonical: str) -> None:
    assert canonical_path(raw) == canonical


DENIED_ADMIN = ["/admin", "/admin/", "/admin//", "//admin", "/./admin", "/x/../admin",
                "/admin/.", "/files/../admin"]


@pytest.mark.parametrize("path", DENIED_ADMIN)
def test_rest_explicit_deny_holds_for_every_spelling_of_the_path(
        service: ServiceConfig, path: str) -> None:
    invoker = Invoker()
    gw = Gateway(service, invoker)
    response = gw.handle(HttpRequest("GET", "/dev" + path, (), (("Authorization", "t"),), b""))
    assert response.status == 403, response.body
    assert invoker.ran() == []
    assert [arn.split("/", 1)[1] for arn in invoker.arns()] == ["dev/GET/admin"]


@pytest.mark.parametrize("path", DENIED_ADMIN)
def test_http_api_explicit_deny_holds_for_every_spelling_of_the_path(
        service: ServiceConfig, path: str) -> None:
    invoker = Invoker()
    api = HttpApi(service, invoker)
    response = api.handle(HttpRequest("GET", "/v2" + path, (), (("Authorization", "t"),),
                                      b""))
    assert response.status == 403, response.body
    assert invoker.ran() == []
    assert [arn.split("/", 1)[1] for arn in invoker.arns()] == ["$default/GET/v2/admin"]


SECRET = ["/files/secret", "/files/secret/", "/files//secret", "/files/./secret",
          "/files/x/../secret", "/files/x/y/../../secret", "//files/secret"]


@pytest.mark.parametrize("path", SECRET)
def test_rest_protected_resource_is_not_reached_through_the_open_proxy(
        service: ServiceConfig, path: str) -> None:
    invoker = Invoker()
    gw = Gateway(service, invoker)
    assert gw.handle(HttpRequest("GET", "/dev" + path, (), (), b"")).status == 401
    assert invoker.ran() == []
    allowed = gw.handle(HttpRequest("GET", "/dev" + path, (), (("Authorization", "t"),), b""))
    assert (allowed.status, allowed.body, invoker.ran()) == (200, b"secret", ["secret"])
    event = invoker.calls[-1][1]
    assert (event["resource"], event["pathParameters"]) == ("/files/secret", None)


@pytest.mark.parametrize("path", SECRET)
def test_http_api_protected_route_is_not_reached_through_the_open_proxy(
        service: ServiceConfig, path: str) -> None:
    invoker = Invoker()
    api = HttpApi(service, invoker)
    assert api.handle(HttpRequest("GET", "/v2" + path, (), (), b"")).status == 401
    assert invoker.ran() == []
    allowed = api.handle(HttpRequest("GET", "/v2" + path, (), (("Authorization", "t"),), b""))
    assert (allowed.status, invoker.ran()) == (200, ["secret"])


def test_the_open_proxy_still_serves_other_paths_with_canonical_parameters(
        service: ServiceConfig) -> None:
    invoker = Invoker()
    gw = Gateway(service, invoker)
    response = gw.handle(HttpRequest("GET", "/dev/files/a//b/./c/", (), (), b""))
    assert (response.status, invoker.ran()) == (200, ["files"])
    event = invoker.calls[-1][1]
    # The event keeps the path as the client sent it; the parameters are the matched values.
    assert (event["path"], event["pathParameters"]) == ("/files/a//b/./c/", {"proxy": "a/b/c"})
