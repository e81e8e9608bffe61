"""SigV4 checked on the receiving side, against what botocore (every handler's client) sends."""

from __future__ import annotations

import configparser
import contextlib
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

from emulator.aws import sigv4
from emulator.aws.authn import (
    DEVELOPER_KEY,
    AuthError,
    Credentials,
    KeyRing,
    Kind,
    authenticate,
    developer_credentials,
)

SECRET = "s3cr3t"
ARN = "arn:aws:lambda:eu-central-1:123456789012:function:svc-dev-fn"


def sent(service: str, call: Callable[[Any], Any], *, key: str = "AKIAFUNCTION",
         secret: str = SECRET, **config: Any) -> AWSPreparedRequest:
    """The request botocore puts on the wire for `call` (captured, never sent)."""
    client = boto3.client(service, endpoint_url="http://127.0.0.1:4566",
                          region_name="eu-central-1", aws_access_key_id=key,
                          aws_secret_access_key=secret, aws_session_token="token", **config)
    captured: list[AWSPreparedRequest] = []

    def grab(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        captured.append(request)
        return AWSResponse(request.url, 200, {}, None)  # type: ignore[arg-type]

    client.meta.events.register("before-send", grab)
    with contextlib.suppress(Exception):  # an empty reply does not parse: the request counts
        call(client)
    return captured[0]


def parts(request: AWSPreparedRequest) -> tuple[str, dict[str, list[str]], bytes]:
    url = urllib.parse.urlsplit(request.url)
    headers: dict[str, list[str]] = {"host": [url.netloc]}
    for name, value in request.headers.items():
        headers[name.lower()] = [value.decode() if isinstance(value, bytes) else value]
    body = request.body or b""
    body = body.read() if hasattr(body, "read") else body
    return url.path + (f"?{url.query}" if url.query else ""), headers, \
        body.encode() if isinstance(body, str) else body


def verified(request: AWSPreparedRequest, secret: str = SECRET, body: bytes | None = None
             ) -> bool:
    target, headers, sent_body = parts(request)
    signed = sigv4.read_signature(headers, target.partition("?")[2])
    assert signed is not None
    return sigv4.verify(signed, secret, method=request.method, target=target, headers=headers,
                        body=sent_body if body is None else body)


CALLS = [
    ("dynamodb", lambda c: c.get_item(TableName="t", Key={"id": {"S": "a"}})),
    ("lambda", lambda c: c.invoke(FunctionName=ARN, Payload=b"{}")),
    ("sqs", lambda c: c.send_message(QueueUrl="http://127.0.0.1:4566/1/q", MessageBody="a b")),
    ("s3", lambda c: c.put_object(Bucket="b", Key="a b/c+d", Body=b"hello")),
    ("s3", lambda c: c.list_objects_v2(Bucket="b", Prefix="a b/")),
    ("cognito-idp", lambda c: c.admin_get_user(UserPoolId="p", Username="u")),
]


@pytest.mark.parametrize(("service", "call"), CALLS,
                         ids=["dynamodb", "lambda ARN", "sqs", "s3 put", "s3 list", "cognito"])
def test_botocore_signature_verifies_with_its_secret_only(
        service: str, call: Callable[[Any], Any]) -> None:
    request = sent(service, call)
    assert verified(request)
    assert not verified(request, secret="another")


def test_a_changed_body_breaks_the_signature() -> None:
    request = sent(*CALLS[0])
    assert not verified(request, body=b'{"TableName": "secret"}')


def test_presigned_url_verifies() -> None:
    client = boto3.client("s3", endpoint_url="http://127.0.0.1:4566", region_name="eu-central-1",
                          aws_access_key_id="AKIAFUNCTION", aws_secret_access_key=SECRET)
    url = urllib.parse.urlsplit(client.generate_presigned_url(
        "get_object", Params={"Bucket": "b", "Key": "a b"}))
    headers = {"host": [url.netloc]}
    signed = sigv4.read_signature(headers, url.query)
    assert signed is not None and signed.presigned
    target = f"{url.path}?{url.query}"
    assert sigv4.verify(signed, SECRET, method="GET", target=target, headers=headers, body=b"")
    assert not sigv4.verify(signed, "x", method="GET", target=target, headers=headers, body=b"")


# --- who is calling --------------------------------------------------------------------------

KEYS = KeyRing.new(Credentials(DEVELOPER_KEY, "developer-secret"))
FUNCTIONS = {"AKIAFUNCTION": "svc-dev-fn"}


def who(request: AWSPreparedRequest) -> Kind:
    target, headers, body = parts(request)
    caller, _ = authenticate(KEYS, FUNCTIONS, method=request.method, target=target,
                             headers=headers, body=body)
    return caller.kind


def refusal(request: AWSPreparedRequest) -> str:
    with pytest.raises(AuthError) as refused:
        who(request)
    return refused.value.json_type


def test_issued_keys_are_known_by_their_own_secrets() -> None:
    service, call = CALLS[0]
    assert who(sent(service, call, secret=KEYS.function_secret("AKIAFUNCTION"))) \
        is Kind.FUNCTION
    assert who(sent(service, call, key=DEVELOPER_KEY, secret="developer-secret")) \
        is Kind.DEVELOPER
    assert who(sent(service, call, key=KEYS.internal.access_key,
                    secret=KEYS.internal.secret)) is Kind.EMULATOR


def test_unknown_key_unsigned_and_wrong_secret_are_refused_as_aws_does() -> None:
    from botocore import UNSIGNED
    from botocore.config import Config

    service, call = CALLS[0]
    assert refusal(sent(service, call, key="AKIAOTHERKEY")) == "UnrecognizedClientException"
    assert refusal(sent(service, call, config=Config(signature_version=UNSIGNED))) \
        == "MissingAuthenticationTokenException"
    assert refusal(sent(service, call, key="AKIAFUNCTION", secret="guessed")) \
        == "InvalidSignatureException"
    assert refusal(sent(service, call, key=DEVELOPER_KEY, secret="guessed")) \
        == "InvalidSignatureException"


def test_cognito_sign_in_is_served_unsigned_as_aws_serves_it() -> None:
    from botocore import UNSIGNED
    from botocore.config import Config

    request = sent("cognito-idp", lambda c: c.initiate_auth(
        ClientId="c", AuthFlow="USER_PASSWORD_AUTH", AuthParameters={}),
        config=Config(signature_version=UNSIGNED))
    assert "Authorization" not in request.headers
    assert who(request) is Kind.ANONYMOUS


def test_developer_key_is_made_once_and_private(tmp_path: Path) -> None:
    first = developer_credentials(tmp_path)
    assert first == developer_credentials(tmp_path)
    assert (tmp_path / "credentials").stat().st_mode & 0o077 == 0
    parser = configparser.ConfigParser()
    parser.read(tmp_path / "credentials")
    assert parser["default"]["aws_access_key_id"] == first.access_key == DEVELOPER_KEY


def test_a_user_pools_public_keys_are_served_unsigned() -> None:
    caller, _ = authenticate(KEYS, FUNCTIONS, method="GET", headers={},
                             target="/us-east-1_AbC123/.well-known/jwks.json", body=b"")
    assert caller.kind is Kind.ANONYMOUS
    with pytest.raises(AuthError):
        authenticate(KEYS, FUNCTIONS, method="GET", headers={}, target="/moto-api/data.json",
                     body=b"")
