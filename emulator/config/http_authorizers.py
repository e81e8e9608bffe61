"""`provider.httpApi.authorizers` and the `authorizer:` of `httpApi` events (HTTP API, v2).

Read as the Serverless Framework v3 compiles them (lib/plugins/aws/package/compile/events/
http-api.js): `type: request` authorizers name `functionName` (this service) or `functionArn`
(not both), `payloadVersion` defaults to '2.0', `enableSimpleResponses` (2.0 only),
`resultTtlInSeconds` (caching needs `identitySource`); any other type is a JWT authorizer with
`issuerUrl` and `audience`. A JWT issuer that is a user pool of `resources:` (`!Ref Pool` in a
Join or Sub) is verified against that pool; other issuers cannot be reached from here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.config.authorizers import MAX_TTL_S, Targets
from emulator.config.document import Document
from emulator.config.yamlfile import KeyPath

_SOURCE = re.compile(r"\$(request\.header|request\.querystring|context|stageVariables)\.(.+)")
DEFAULT_JWT_SOURCE = "$request.header.Authorization"  # API Gateway's default for JWT


@dataclass(frozen=True, slots=True)
class HttpAuthorizerConfig:
    name: str
    kind: str  # "request" (Lambda) or "jwt"
    function: str | None = None  # request: key under `functions:`; None: another stack's
    identity_sources: tuple[str, ...] = ()
    payload_version: str = "2.0"
    simple_responses: bool = False
    ttl_s: int = 0  # AWS::ApiGatewayV2::Authorizer without AuthorizerResultTtlInSeconds
    issuer_url: str | None = None  # jwt, when a literal
    audience: tuple[str, ...] = ()
    pool: str | None = None  # jwt: logical id of the user pool of `resources:` it names
    audience_refs: tuple[str, ...] = ()  # jwt: `!Ref Client` entries (ids known at start)


@dataclass(frozen=True, slots=True)
class HttpRouteAuth:
    """What one `httpApi` event's `authorizer:` asks for."""

    authorizer: HttpAuthorizerConfig | None  # None: aws_iam, or an external `id`
    kind: str  # "request", "jwt", "aws_iam" or "external"
    scopes: tuple[str, ...] = ()


def read_http_authorizers(doc: Document, targets: Targets) -> dict[str, HttpAuthorizerConfig]:
    """Every authorizer of provider.httpApi.authorizers, by name."""
    key: KeyPath = ("provider", "httpApi", "authorizers")
    http_api = doc.mapping(doc.provider.get("httpApi"), key[:2])
    raw = doc.mapping(http_api.get("authorizers"), key)
    return {str(name): _authorizer(doc, str(name), doc.mapping(spec, (*key, str(name))),
                                   (*key, str(name)), targets)
            for name, spec in raw.items()}


def _authorizer(doc: Document, name: str, spec: dict[str, Any], key: KeyPath,
                targets: Targets) -> HttpAuthorizerConfig:
    sources = _sources(doc, spec.get("identitySource"), (*key, "identitySource"))
    label = str(spec.get("name") or name)
    if spec.get("type") == "request":
        return _lambda(doc, label, spec, key, targets=targets, sources=sources)
    issuer = spec.get("issuerUrl")
    if issuer is None:
        raise doc.error((*key, "issuerUrl"), "a JWT authorizer needs issuerUrl (or use "
                                             "type: request for a Lambda authorizer)")
    audience = spec.get("audience")
    audience = audience if isinstance(audience, list) else [] if audience is None else [audience]
    refs = tuple(str(a["Ref"]) for a in audience if isinstance(a, dict) and "Ref" in a)
    literal = tuple(a for a in audience if isinstance(a, str))
    if len(refs) + len(literal) != len(audience):
        raise doc.error((*key, "audience"), "must be client ids (or !Ref of a user pool client)")
    return HttpAuthorizerConfig(
        label, "jwt", identity_sources=sources or (DEFAULT_JWT_SOURCE,),
        issuer_url=issuer if isinstance(issuer, str) else None, audience=literal,
        pool=_pool_of(issuer, targets.pools), audience_refs=refs)


def _lambda(doc: Document, name: str, spec: dict[str, Any], key: KeyPath, *, targets: Targets,
            sources: tuple[str, ...]) -> HttpAuthorizerConfig:
    function_name, function_arn = spec.get("functionName"), spec.get("functionArn")
    if bool(function_name) == bool(function_arn):
        raise doc.error(key, f'either "functionArn" or "functionName" (not both) needs to be '
                             f'set on authorizer "{name}"')
    if function_name and str(function_name) not in targets.functions.values():
        raise doc.error((*key, "functionName"), f'function "{function_name}" for HTTP API '
                                                f'authorizer "{name}" not found in service')
    version = str(spec.get("payloadVersion") or "2.0")
    if version not in ("1.0", "2.0"):
        raise doc.error((*key, "payloadVersion"), "must be '1.0' or '2.0'")
    ttl = spec.get("resultTtlInSeconds") or 0
    if isinstance(ttl, bool) or not isinstance(ttl, int) or not 0 <= ttl <= MAX_TTL_S:
        raise doc.error((*key, "resultTtlInSeconds"), f"must be 0 to {MAX_TTL_S} seconds")
    if ttl and not sources:
        raise doc.error((*key, "identitySource"), '"identitySource" has to be set when '
                                                  '"resultTtlInSeconds" is not zero')
    simple = spec.get("enableSimpleResponses", False)
    if not isinstance(simple, bool):
        raise doc.error((*key, "enableSimpleResponses"), "must be true or false")
    if simple and version != "2.0":
        raise doc.error((*key, "enableSimpleResponses"), "simple responses need "
                                                         "payloadVersion '2.0'")
    return HttpAuthorizerConfig(name, "request", str(function_name) if function_name else None,
                                sources, version, simple, ttl)


def _sources(doc: Document, value: Any, key: KeyPath) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise doc.error(key, "must be a list such as [$request.header.Authorization]")
    for source in values:
        if not _SOURCE.fullmatch(source):
            raise doc.error(key, f"{source!r}: expected $request.header.NAME, "
                                 "$request.querystring.NAME, $context.NAME or "
                                 "$stageVariables.NAME")
    return tuple(values)


def _pool_of(issuer: Any, pools: frozenset[str]) -> str | None:
    """The user pool an issuerUrl names through `Ref` (in a Join) or `${Pool}` (in a Sub)."""
    if isinstance(issuer, dict):
        if isinstance(issuer.get("Ref"), str) and issuer["Ref"] in pools:
            return str(issuer["Ref"])
        sub = issuer.get("Fn::Sub")
        if isinstance(sub, str):
            return next((p for p in pools if "${" + p + "}" in sub), None)
        return next((p for v in issuer.values() if (p := _pool_of(v, pools))), None)
    if isinstance(issuer, list):
        return next((p for v in issuer if (p := _pool_of(v, pools))), None)
    return None


def route_auth(doc: Document, value: Any, key: KeyPath,
               authorizers: Mapping[str, HttpAuthorizerConfig]) -> HttpRouteAuth | None:
    """One event's `authorizer:` (a name, or {name, scopes} / {type: aws_iam} / {id})."""
    if value is None:
        return None
    spec = value if isinstance(value, dict) else {"name": value}
    scopes = spec.get("scopes") or []
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise doc.error((*key, "scopes"), "must be a list of scopes")
    if spec.get("type") == "aws_iam":
        return HttpRouteAuth(None, "aws_iam")
    if spec.get("id"):
        return HttpRouteAuth(None, "external", tuple(scopes))
    name = spec.get("name")
    if not isinstance(name, str) or name not in authorizers:
        raise doc.error(key, f"event references not configured authorizer {name!r} "
                             f"(provider.httpApi.authorizers: "
                             f"{', '.join(authorizers) or 'none'})")
    config = authorizers[name]
    return HttpRouteAuth(config, config.kind, tuple(scopes))
