"""A Lambda authorizer's output and the IAM policy in it, evaluated as API Gateway does.

Output (AWS, "Output from an API Gateway Lambda authorizer"): `principalId`, `policyDocument`
with `Statement`s of `Effect`, `Action` and `Resource`, an optional `context` of string, number
and boolean values. The policy is evaluated against the method ARN
`arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}`: an explicit Deny wins,
else an Allow must match, else access is denied. `*` and `?` are IAM wildcards; `*` crosses `/`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from emulator.config import untrusted_json

_INVOKE_ACTIONS = frozenset({"execute-api:invoke", "execute-api:*", "*"})


class Decision(Enum):
    ALLOW = "allow"
    IMPLICIT_DENY = "deny"  # no Allow statement matches
    EXPLICIT_DENY = "explicit deny"  # a Deny statement matches


class MalformedOutput(ValueError):
    """The authorizer's result cannot be used (API Gateway answers 500)."""


@dataclass(frozen=True, slots=True)
class AuthorizerOutput:
    principal_id: str | None
    statements: tuple[tuple[bool, tuple[str, ...], tuple[str, ...]], ...]  # allow?, actions, res
    context: Mapping[str, str]  # values stringified, as the integration receives them


def method_arn(region: str, account: str, api_id: str, *, stage: str, method: str,
               path: str) -> str:
    """The ARN API Gateway gives the authorizer: ".../dev/GET/reviews/1" for GET /reviews/1.

    `path` is the canonical stage-less path the resource was matched on (config/paths.py's
    `canonical_path`), so the policy is evaluated against what will run: `/admin/` and
    `/x/../admin` are `.../GET/admin`. The root is ".../dev/GET/" (API Gateway dropped its
    old ".../GET//", as aws/chalice#1552 records). AWS documents the ARN as
    `{api-id}/{stage}/{HTTP-VERB}/{resource-path}` with the path's values filled in
    ("Resource format of permissions for executing API in API Gateway").
    """
    return f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{method}/{path[1:]}"


def parse_output(payload: bytes) -> AuthorizerOutput:
    """Read the authorizer's result; raise MalformedOutput saying what is wrong."""
    try:
        output = untrusted_json.loads(payload)
    except untrusted_json.TooDeep:
        raise MalformedOutput("the result is nested too deeply") from None
    except ValueError:
        raise MalformedOutput("the result is not JSON") from None
    if not isinstance(output, dict):
        raise MalformedOutput(f"the result is {type(output).__name__}, not an object")
    principal = output.get("principalId")
    if principal is not None and not isinstance(principal, str | int | float):
        raise MalformedOutput("principalId must be a string")
    return AuthorizerOutput(
        principal_id=None if principal is None else _stringify(principal),
        statements=_statements(output.get("policyDocument")),
        context=_context(output.get("context")))


def evaluate(output: AuthorizerOutput, arn: str) -> Decision:
    """Evaluate the policy for `arn`: an explicit Deny wins, then any Allow."""
    allowed = False
    for allow, actions, resources in output.statements:
        if not any(a.lower() in _INVOKE_ACTIONS for a in actions):
            continue
        if any(_pattern(r).fullmatch(arn) for r in resources):
            if not allow:
                return Decision.EXPLICIT_DENY
            allowed = True
    return Decision.ALLOW if allowed else Decision.IMPLICIT_DENY


def _statements(document: Any) -> tuple[tuple[bool, tuple[str, ...], tuple[str, ...]], ...]:
    if not isinstance(document, dict):
        raise MalformedOutput("policyDocument is missing or not an object")
    raw = document.get("Statement")
    raw = [raw] if isinstance(raw, dict) else raw
    if not isinstance(raw, list) or not raw:
        raise MalformedOutput("policyDocument.Statement must be a non-empty list")
    out = []
    for i, statement in enumerate(raw):
        if not isinstance(statement, dict):
            raise MalformedOutput(f"Statement[{i}] is not an object")
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise MalformedOutput(f"Statement[{i}].Effect must be Allow or Deny, got {effect!r}")
        out.append((effect == "Allow", _strings(statement, "Action", i),
                    _strings(statement, "Resource", i)))
    return tuple(out)


def _strings(statement: dict[str, Any], name: str, i: int) -> tuple[str, ...]:
    value = statement.get(name)
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise MalformedOutput(f"Statement[{i}].{name} must be a string or a list of strings")
    return tuple(values)


def _context(context: Any) -> Mapping[str, str]:
    if context is None:
        return {}
    if not isinstance(context, dict):
        raise MalformedOutput("context must be an object")
    out: dict[str, str] = {}
    for key, value in context.items():
        if isinstance(value, dict | list):
            # AWS: "You cannot set a JSON object or array as a valid value of any key in the
            # context map" (Output from an API Gateway Lambda authorizer).
            raise MalformedOutput(f"context.{key} is a JSON {type(value).__name__}: only "
                                  "strings, numbers and booleans are allowed")
        if value is not None:
            out[str(key)] = _stringify(value)
    return out


def _stringify(value: str | int | float | bool) -> str:
    """API Gateway hands context values on as strings: "123", "true" (JavaScript's forms)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@lru_cache(maxsize=1024)
def _pattern(resource: str) -> re.Pattern[str]:
    """An IAM resource pattern as a regex: `*` any run of characters, `?` exactly one."""
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in resource), re.DOTALL)
