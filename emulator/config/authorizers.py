"""The `authorizer:` option of `http` events, as the Serverless Framework v3 reads it.

Forms (Serverless v3 `api-gateway/lib/validate.js` getAuthorizer): a function name of this
service (`authorizer: auth`), an ARN (`authorizer: arn:aws:lambda:...:function:x`), `aws_iam`,
or an object with `name`, `arn`, `type` (token | request | COGNITO_USER_POOLS | aws_iam),
`identitySource`, `identityValidationExpression` and `resultTtlInSeconds` (default 300). A
Lambda ARN naming a function of this service runs that function; any other ARN is *external*:
it cannot run here and is denied unless the command line maps it (emulator/cli.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from emulator.config.cognito import get_att_logical_id
from emulator.config.document import Document
from emulator.config.yamlfile import KeyPath

DEFAULT_TTL_S = 300  # Serverless Framework v3 default resultTtlInSeconds
MAX_TTL_S = 3600  # API Gateway's maximum authorizerResultTtlInSeconds
DEFAULT_IDENTITY_SOURCE = "method.request.header.Authorization"  # Serverless v3 default
_LAMBDA_ARN = re.compile(r"arn:aws[-a-z]*:lambda:[^:]*:[^:]*:function:([^:/]+)(?::[^:]+)?")
_SOURCE = re.compile(r"(method\.request\.(?:header|querystring)|stageVariables|context)\.(.+)")


@dataclass(frozen=True, slots=True)
class Targets:
    """What an authorizer may name in this service."""

    functions: Mapping[str, str]  # deployed name -> key under `functions:`
    pools: frozenset[str] = frozenset()  # logical ids of AWS::Cognito::UserPool resources

    def function_of_logical_id(self, logical_id: str) -> str | None:
        """The Serverless Framework names a function's resource "{Name}LambdaFunction"."""
        for key in self.functions.values():
            normalized = key.replace("-", "Dash").replace("_", "Underscore")
            if f"{normalized[:1].upper()}{normalized[1:]}LambdaFunction" == logical_id:
                return key
        return None


class AuthorizerKind(Enum):
    TOKEN = "TOKEN"  # a Lambda authorizer given one header's value
    REQUEST = "REQUEST"  # a Lambda authorizer given the request's parameters
    COGNITO = "COGNITO_USER_POOLS"  # a pool of `resources:` (verified), else denied (401)
    AWS_IAM = "AWS_IAM"  # SigV4: not emulated, denied (403) unless mapped


@dataclass(frozen=True, slots=True)
class AuthorizerConfig:
    """One route's authorizer. `function` is None when it cannot run here (external)."""

    name: str  # what the console and --authorizer name it
    kind: AuthorizerKind
    function: str | None  # key under `functions:` of this service
    identity_sources: tuple[str, ...] = (DEFAULT_IDENTITY_SOURCE,)
    validation_expression: str | None = None  # TOKEN only, as in API Gateway
    ttl_s: int = DEFAULT_TTL_S
    arn: str | None = None
    pool: str | None = None  # COGNITO: logical id of a user pool of `resources:`
    scopes: tuple[str, ...] = ()  # COGNITO: an access token needs one of them


def parse_authorizer(doc: Document, raw: Any, key: KeyPath,
                     targets: Targets) -> AuthorizerConfig | None:
    """Read one `authorizer:` value."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = {"arn": raw} if raw.startswith("arn:") else (
            {"type": "aws_iam"} if raw.lower() == "aws_iam" else {"name": raw})
    if not isinstance(raw, dict):
        raise doc.error(key, "authorizer must be a function name, an ARN or a mapping")
    kind = _kind(doc, raw, key)
    if kind is AuthorizerKind.AWS_IAM:
        return AuthorizerConfig("aws_iam", kind, None, identity_sources=(), ttl_s=0)
    arn, name = raw.get("arn"), raw.get("name")
    target = get_att_logical_id(arn)
    if target in targets.pools:
        kind = AuthorizerKind.COGNITO
    function = None if kind is AuthorizerKind.COGNITO else _function(doc, arn, name, key,
                                                                        targets)
    label = str(name or function or target or arn or "authorizer")
    return AuthorizerConfig(
        name=label, kind=kind, function=function,
        identity_sources=_identity_sources(doc, raw, key, kind),
        validation_expression=_expression(doc, raw, key, kind),
        ttl_s=_ttl(doc, raw.get("resultTtlInSeconds"), (*key, "resultTtlInSeconds")),
        arn=arn if isinstance(arn, str) else None,
        pool=target if kind is AuthorizerKind.COGNITO and target in targets.pools else None,
        scopes=_scopes(doc, raw.get("scopes"), (*key, "scopes")))


def _kind(doc: Document, raw: dict[str, Any], key: KeyPath) -> AuthorizerKind:
    kind = str(raw.get("type") or "").upper()
    arn = str(raw.get("arn") or "")
    if kind in ("", "TOKEN"):
        return AuthorizerKind.COGNITO if ":cognito-idp:" in arn else AuthorizerKind.TOKEN
    if kind == "COGNITO_USER_POOLS":
        return AuthorizerKind.COGNITO
    if kind == "AWS_IAM":
        return AuthorizerKind.AWS_IAM
    if kind == "REQUEST":
        return AuthorizerKind.REQUEST
    raise doc.error((*key, "type"), f"unknown authorizer type {raw.get('type')!r}: use token, "
                                    "request, COGNITO_USER_POOLS or aws_iam")


def _function(doc: Document, arn: Any, name: Any, key: KeyPath,
              targets: Targets) -> str | None:
    """The local function that runs the authorizer; None for an ARN outside this service."""
    functions = targets.functions
    if arn is not None:
        if not isinstance(arn, str):  # !GetAtt AuthLambdaFunction.Arn, or another stack's
            logical_id = get_att_logical_id(arn)
            return targets.function_of_logical_id(logical_id) if logical_id else None
        match = _LAMBDA_ARN.fullmatch(arn)
        if not match:
            raise doc.error((*key, "arn"), f"{arn!r} is not a Lambda function ARN "
                                           "(arn:aws:lambda:REGION:ACCOUNT:function:NAME)")
        return functions.get(match.group(1))
    if not isinstance(name, str) or not name:
        raise doc.error(key, "authorizer needs `name` (a function of this service) or `arn`")
    if name in functions.values():
        return name
    raise doc.error(key, f"authorizer {name!r} is not a function of this service (functions: "
                    f"{', '.join(sorted(functions.values())) or 'none'}); use `arn:` for "
                    "another service's function")


def _identity_sources(doc: Document, raw: dict[str, Any], key: KeyPath,
                      kind: AuthorizerKind) -> tuple[str, ...]:
    value = raw.get("identitySource", DEFAULT_IDENTITY_SOURCE)
    where = (*key, "identitySource")
    if not isinstance(value, str) or not value.strip():
        raise doc.error(where, "must be a string such as method.request.header.Authorization")
    sources = tuple(s.strip() for s in value.split(",") if s.strip())
    for source in sources:
        if not _SOURCE.fullmatch(source):
            raise doc.error(where, f"{source!r}: expected method.request.header.NAME, "
                                   "method.request.querystring.NAME, stageVariables.NAME or "
                                   "context.NAME")
    if kind is AuthorizerKind.TOKEN and (len(sources) != 1 or not sources[0].startswith(
            "method.request.header.")):
        raise doc.error(where, "a token authorizer reads one header: "
                               "method.request.header.NAME")
    return sources


def _expression(doc: Document, raw: dict[str, Any], key: KeyPath,
                kind: AuthorizerKind) -> str | None:
    value = raw.get("identityValidationExpression")
    if value is None:
        return None
    where = (*key, "identityValidationExpression")
    if not isinstance(value, str):
        raise doc.error(where, "must be a regular expression")
    try:
        re.compile(value)
    except re.error as exc:
        raise doc.error(where, f"not a valid regular expression: {exc}") from None
    if kind is not AuthorizerKind.TOKEN:
        doc.note(where, "API Gateway applies it to token authorizers only")
        return None
    return value


def _scopes(doc: Document, value: Any, key: KeyPath) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise doc.error(key, "must be a list of OAuth scopes")
    return tuple(value)


def _ttl(doc: Document, value: Any, key: KeyPath) -> int:
    if value is None:
        return DEFAULT_TTL_S
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TTL_S:
        raise doc.error(key, f"must be a whole number of seconds from 0 to {MAX_TTL_S}")
    return value


def identity_source_parts(source: str) -> tuple[str, str]:
    """"method.request.header.Authorization" -> ("method.request.header", "Authorization")."""
    match = _SOURCE.fullmatch(source)
    if match is None:
        raise ValueError(source)
    return match.group(1), match.group(2)
