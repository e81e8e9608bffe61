"""The Lambda Invoke API (emulator.gateway.invoke_api) with a fake Invoker: Lambda's replies."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType

import pytest

from emulator.aws.authn import DEVELOPER_KEY, Credentials, KeyRing
from emulator.aws.iam import IamSettings
from emulator.aws.iam_invoke import InvokePermission
from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.gateway.http import HttpRequest
from emulator.gateway.invoke_api import InvokeApi
from emulator.runtime.invoker import InvokeResult, Outcome
from tests.unit.gateway.test_http_api import CLOCK, FakeInvoker

SERVICE = ServiceConfig(
    "svc", "dev", "us-east-1", Path("."), Path("serverless.yml"),
    MappingProxyType({n: FunctionConfig(n, f"svc-dev-{n}", "h.main", MappingProxyType({}))
                      for n in ("a", "b")}), ())
ARN = "arn:aws:lambda:us-east-1:123456789012:function:svc-dev-{}"


def call(api: InvokeApi, name: str, body: bytes = b"{}", *headers: tuple[str, str],
         method: str = "POST") -> tuple[int, dict[str, str], bytes]:
    response = api.handle(HttpRequest(method, f"/2015-03-31/functions/{name}/invocations", (),
                                      headers, body))
    return response.status, dict(response.headers), response.body


def test_result_error_throttle_and_invocation_types() -> None:
    invoker = FakeInvoker({"b": InvokeResult(Outcome.ERROR, error={"errorType": "E",
                                                                   "errorMessage": "m"})})
    api = InvokeApi(SERVICE, invoker, clock=CLOCK)
    assert call(api, "svc-dev-a")[0::2] == (200, b'{"ok": true}')
    status, headers, body = call(api, "svc-dev-b")
    assert (status, headers["X-Amz-Function-Error"]) == (200, "Unhandled")
    assert json.loads(body) == {"errorType": "E", "errorMessage": "m"}
    assert call(api, "svc-dev-a", b"", ("X-Amz-Invocation-Type", "DryRun"))[0] == 204
    invoker.answers["a"] = InvokeResult(Outcome.THROTTLED)
    status, headers, _ = call(api, "svc-dev-a")
    assert (status, headers["x-amzn-ErrorType"]) == (429, "TooManyRequestsException")


@pytest.mark.parametrize(("name", "method", "status", "error"), [
    ("svc-dev-c", "POST", 404, "ResourceNotFoundException"),
    (ARN.format("a") + ":7", "POST", 404, "ResourceNotFoundException"),
    ("arn:aws:lambda:eu-west-1:123456789012:function:svc-dev-a", "POST", 404,
     "ResourceNotFoundException"),
    ("svc-dev-a", "GET", 404, "UnknownOperationException"),
])
def test_what_lambda_does_not_find(name: str, method: str, status: int, error: str) -> None:
    got_status, headers, body = call(InvokeApi(SERVICE, FakeInvoker(), clock=CLOCK), name,
                                     method=method)
    assert (got_status, headers["x-amzn-ErrorType"]) == (status, error)
    assert json.loads(body)["Type"] == "User"


def test_empty_payload_is_an_empty_object_and_bad_json_is_refused() -> None:
    invoker = FakeInvoker()
    api = InvokeApi(SERVICE, invoker, clock=CLOCK)
    call(api, "svc-dev-a", b"")
    assert invoker.events == [("a", {})]
    status, headers, _ = call(api, "svc-dev-a", b"{nope")
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestContentException")


KEYS = KeyRing.new(Credentials(DEVELOPER_KEY, "developer-secret"))
ROLE = IamSettings("123456789012", "us-east-1", "svc-dev-us-east-1-lambdaRole",
                   ({"Effect": "Allow", "Action": "lambda:invoke*", "Resource": ARN.format("a")},),
                   {"KEYA": "svc-dev-a", "KEYB": "svc-dev-b"})


def signed(name: str, key: str, secret: str, body: bytes = b"{}") -> tuple[tuple[str, str], ...]:
    """The headers boto3's lambda client sends for Invoke (botocore's own signer)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    request = AWSRequest("POST", f"http://127.0.0.1:3000/2015-03-31/functions/{name}/"
                         "invocations", data=body)
    SigV4Auth(BotoCredentials(key, secret), "lambda", "us-east-1").add_auth(request)
    return (("Host", "127.0.0.1:3000"), *((k, str(v)) for k, v in request.headers.items()))


def checked_api() -> InvokeApi:
    return InvokeApi(SERVICE, FakeInvoker(), clock=CLOCK,
                     authorize_for=lambda _: InvokePermission(ROLE, KEYS))


def test_a_function_key_is_checked_against_the_role() -> None:
    api = checked_api()
    key_b = ("KEYB", KEYS.function_secret("KEYB"))
    assert call(api, "svc-dev-a", b"{}", *signed("svc-dev-a", *key_b))[0] == 200
    status, headers, body = call(api, "svc-dev-b", b"{}", *signed("svc-dev-b", *key_b))
    assert (status, headers["x-amzn-ErrorType"]) == (403, "AccessDeniedException")
    assert json.loads(body)["Message"] == (
        "User: arn:aws:sts::123456789012:assumed-role/svc-dev-us-east-1-lambdaRole/svc-dev-b "
        f"is not authorized to perform: lambda:InvokeFunction on resource: {ARN.format('b')} "
        "because no identity-based policy allows the lambda:InvokeFunction action")
    developer = signed("svc-dev-b", DEVELOPER_KEY, "developer-secret")
    assert call(api, "svc-dev-b", b"{}", *developer)[0] == 200


FORGED = json.dumps({"requestContext": {"authorizer": {"principalId": "admin"}}}).encode()


@pytest.mark.parametrize(("headers", "error"), [
    ((), "MissingAuthenticationTokenException"),
    (signed("svc-dev-a", "AKIAOTHERKEY", "x", FORGED), "UnrecognizedClientException"),
    (signed("svc-dev-a", DEVELOPER_KEY, "guessed", FORGED), "InvalidSignatureException"),
    (signed("svc-dev-a", "KEYA", KEYS.function_secret("KEYB"), FORGED),
     "InvalidSignatureException"),
], ids=["unsigned", "unknown key", "developer key, wrong secret", "another function's secret"])
def test_invoke_needs_a_signature_of_an_issued_key(headers: tuple[tuple[str, str], ...],
                                                   error: str) -> None:
    invoker = FakeInvoker()
    api = InvokeApi(SERVICE, invoker, clock=CLOCK,
                    authorize_for=lambda _: InvokePermission(ROLE, KEYS))
    status, reply_headers, _ = call(api, "svc-dev-a", FORGED, *headers)
    assert (status, reply_headers["x-amzn-ErrorType"]) == (403, error)
    assert invoker.events == []
