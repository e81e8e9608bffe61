"""Authorizer outputs and their policies, evaluated against method ARNs as API Gateway does."""

from __future__ import annotations

import json
from typing import Any

import pytest

from emulator.gateway.auth.cache import AuthorizerCache
from emulator.gateway.auth.policy import (
    AuthorizerOutput,
    Decision,
    MalformedOutput,
    evaluate,
    method_arn,
    parse_output,
)

ARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/items/42"


def output(*statements: dict[str, Any], context: Any = None) -> AuthorizerOutput:
    doc: dict[str, Any] = {"principalId": "alice",
                           "policyDocument": {"Version": "2012-10-17",
                                              "Statement": list(statements)}}
    if context is not None:
        doc["context"] = context
    return parse_output(json.dumps(doc).encode())


def stmt(effect: str, resource: str | list[str], action: str = "execute-api:Invoke"
         ) -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource}


def test_method_arn_has_stage_method_and_path_without_leading_slash() -> None:
    assert method_arn("us-east-1", "123456789012", "abcdef1234", stage="dev", method="GET",
                      path="/items/42") == ARN
    assert method_arn("eu-west-1", "1", "a", stage="prod", method="POST", path="/").endswith(
        "a/prod/POST/")


@pytest.mark.parametrize(("statements", "decision"), [
    ([stmt("Allow", ARN)], Decision.ALLOW),
    ([stmt("Allow", "*")], Decision.ALLOW),
    ([stmt("Allow", "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/*")],
     Decision.ALLOW),  # `*` crosses slashes
    ([stmt("Allow", "arn:aws:execute-api:*:*:*/dev/GET/items/*")], Decision.ALLOW),
    ([stmt("Allow", "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/dev/GET/items/4?")],
     Decision.ALLOW),
    ([stmt("Allow", ARN, action="execute-api:*")], Decision.ALLOW),
    ([stmt("Allow", ARN, action="*")], Decision.ALLOW),
    ([stmt("Allow", ARN, action="EXECUTE-API:invoke")], Decision.ALLOW),  # actions ignore case
    ([stmt("Allow", [ARN.replace("GET", "POST"), ARN])], Decision.ALLOW),
    ([stmt("Allow", ARN.replace("GET", "POST"))], Decision.IMPLICIT_DENY),
    ([stmt("Allow", ARN.replace("/dev/", "/prod/"))], Decision.IMPLICIT_DENY),
    ([stmt("Allow", ARN, action="execute-api:ManageConnections")], Decision.IMPLICIT_DENY),
    ([stmt("Allow", "*"), stmt("Deny", ARN)], Decision.EXPLICIT_DENY),  # Deny wins
    ([stmt("Deny", ARN), stmt("Allow", ARN)], Decision.EXPLICIT_DENY),
    ([stmt("Deny", "*/POST/*"), stmt("Allow", "*")], Decision.ALLOW),
])
def test_policy_evaluation(statements: list[dict[str, Any]], decision: Decision) -> None:
    assert evaluate(output(*statements), ARN) is decision


@pytest.mark.parametrize(("payload", "message"), [
    (b"not json", "not JSON"),
    (b"null", "NoneType, not an object"),
    (b'{"principalId": "a"}', "policyDocument is missing"),
    (b'{"policyDocument": {"Statement": []}}', "non-empty list"),
    (b'{"policyDocument": {"Statement": [{"Effect": "allow", "Action": "*", "Resource": "*"}]}}',
     "Effect must be Allow or Deny"),
    (b'{"policyDocument": {"Statement": [{"Effect": "Allow", "Resource": "*"}]}}',
     "Action must be a string or a list of strings"),
    (b'{"policyDocument": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": 1}]}}',
     "Resource must be a string or a list of strings"),
    (b'{"principalId": {"id": 1}, "policyDocument": {}}', "principalId must be a string"),
])
def test_malformed_outputs_say_what_is_wrong(payload: bytes, message: str) -> None:
    with pytest.raises(MalformedOutput, match=message):
        parse_output(payload)


def test_context_values_are_stringified_like_api_gateway() -> None:
    out = output(stmt("Allow", "*"), context={"s": "x", "n": 1, "f": 1.5, "whole": 2.0,
                                              "yes": True, "no": False, "gone": None})
    assert out.context == {"s": "x", "n": "1", "f": "1.5", "whole": "2", "yes": "true",
                           "no": "false"}
    assert out.principal_id == "alice"


@pytest.mark.parametrize("value", [{"nested": 1}, [1, 2]])
def test_context_objects_and_arrays_are_malformed(value: Any) -> None:
    with pytest.raises(MalformedOutput, match="only strings, numbers and booleans"):
        output(stmt("Allow", "*"), context={"bad": value})


def test_cache_keeps_an_output_for_its_ttl_only() -> None:
    now = [100.0]
    cache = AuthorizerCache(now=lambda: now[0], max_entries=2)
    out = output(stmt("Allow", "*"))
    cache.put("a", out, 300)
    cache.put("zero", out, 0)
    assert cache.get("a") is out
    assert cache.get("zero") is None  # TTL 0: never cached
    now[0] += 300
    assert cache.get("a") is None
    for key in ("x", "y", "z"):
        cache.put(key, out, 10)
    assert cache.get("x") is None and cache.get("z") is out  # bounded: oldest goes first
