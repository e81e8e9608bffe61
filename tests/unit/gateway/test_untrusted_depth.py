"""Crafted depth never crashes a check (issue 29 item 6): every parser of untrusted JSON
answers as AWS does (401, 400, 500/502), never a RecursionError."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from emulator.config import untrusted_json
from emulator.gateway.auth import http_api_auth
from emulator.gateway.auth.policy import MalformedOutput, parse_output
from emulator.gateway.errors import Reply
from emulator.gateway.invoke_api import InvokeApi
from emulator.gateway.responses_v1 import map_proxy_result
from emulator.gateway.responses_v2 import map_result_v2
from emulator.runtime.invocations import parse_error
from emulator.sources.sqs_event import failed_message_ids
from tests.unit.gateway.test_cognito_tokens import ISSUER, KEY, check
from tests.unit.gateway.test_http_api import CLOCK, FakeInvoker
from tests.unit.gateway.test_http_api_auth import JWT_CONFIG, POOL
from tests.unit.gateway.test_http_api_auth import KEY as HTTP_KEY
from tests.unit.gateway.test_invoke_api import SERVICE, call


def nested(depth: int, leaf: str = "1") -> str:
    return '{"a":' * depth + leaf + "}" * depth


def signed(key: Any, claims_json: str) -> str:
    """An RS256 token over claims given as JSON text (json.dumps cannot write them)."""
    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    head = part(json.dumps({"alg": "RS256", "kid": "dummy"}).encode())
    body = part(claims_json.encode())
    signature = key.private_key.sign(f"{head}.{body}".encode(), padding.PKCS1v15(),
                                     hashes.SHA256())
    return f"{head}.{body}.{part(signature)}"


def deep_claims(issuer: str, extra: str, depth: int) -> str:
    now = int(time.time())
    return (f'{{"iss": "{issuer}", "sub": "s", "token_use": "id", {extra} "iat": {now}, '
            f'"exp": {now + 3600}, "deep": {nested(depth)}}}')


@pytest.mark.parametrize("depth", [600, 5000])
def test_a_validly_signed_token_with_deep_claims_is_401_on_rest(depth: int) -> None:
    token = signed(KEY, deep_claims(ISSUER, '"aud": "client-id",', depth))
    assert check(token).reply is Reply.UNAUTHORIZED


@pytest.mark.parametrize("depth", [600, 5000])
def test_a_validly_signed_token_with_deep_claims_is_401_on_http_api(depth: int) -> None:
    token = signed(HTTP_KEY, deep_claims(POOL.issuer, '"client_id": "client-1",', depth))
    verdict = http_api_auth.jwt_verdict(JWT_CONFIG, POOL, token, ())
    assert verdict.reply is Reply.UNAUTHORIZED


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_a_deep_invoke_payload_is_400_invalid_request_content(depth: int) -> None:
    api = InvokeApi(SERVICE, FakeInvoker(), clock=CLOCK)
    status, headers, _ = call(api, "svc-dev-a", nested(depth).encode())
    assert (status, headers["x-amzn-ErrorType"]) == (400, "InvalidRequestContentException")


def test_deep_authorizer_output_is_malformed() -> None:
    with pytest.raises(MalformedOutput, match="nested too deeply"):
        parse_output(nested(5000).encode())


@pytest.mark.parametrize("depth", [5000, 100_000])
def test_deep_handler_results_are_malformed_not_a_crash(depth: int) -> None:
    # Results are never walked again: only what json.loads cannot read is refused.
    payload = nested(depth).encode()
    assert map_proxy_result(payload, accept=None).response.status == 502
    assert map_result_v2(payload).response.status == 500


@pytest.mark.parametrize("depth", [600, 5000])
def test_deep_runtime_api_error_posts_and_sqs_replies_are_read_safely(depth: int) -> None:
    error = parse_error(nested(depth).encode(), "Handled")
    assert error["errorType"] == "Handled"
    json.dumps(error)  # what the Invoke API sends back can be written
    assert failed_message_ids(nested(depth).encode(), ["m1"]) == {"m1"}


def test_check_depth_counts_lists_and_objects_without_recursing() -> None:
    untrusted_json.check_depth(json.loads(nested(512)))
    with pytest.raises(untrusted_json.TooDeep):
        untrusted_json.check_depth([[[]]], max_depth=2)
    untrusted_json.check_depth("scalar", max_depth=0)
