"""HTTP API (v2) authorization: Lambda REQUEST authorizers and JWT authorizers, pure steps.

Emulates AWS, "Control access to HTTP APIs with AWS Lambda authorizers" and "... with JWT
authorizers": identity sources missing or empty → 401 without calling anything; payload 2.0
events carry `routeArn` and `identitySource` as a list, 1.0 events are REST's REQUEST event;
a simple response is `{"isAuthorized": bool, "context": {...}}`, otherwise an IAM policy is
evaluated against the route ARN; the context reaches the integration as
`requestContext.authorizer.lambda`. JWTs (`Bearer ` prefix allowed) must be RS256-signed by the
issuer, with `iss`, `exp`/`nbf`, `aud` or `client_id` in the audience, and one of the route's
scopes (else 403). Replies: 401 {"message":"Unauthorized"}, 403 {"message":"Forbidden"}, 500
{"message":"Internal Server Error"}.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from emulator.config import untrusted_json
from emulator.config.cognito import LivePool
from emulator.config.http_authorizers import (
    DEFAULT_JWT_SOURCE,
    HttpAuthorizerConfig,
    HttpRouteAuth,
)
from emulator.gateway.auth.cache import AuthorizerCache
from emulator.gateway.auth.lambda_authorizer import Verdict, identity_value
from emulator.gateway.auth.policy import Decision, MalformedOutput, evaluate, parse_output
from emulator.gateway.errors import Reply
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.runtime.invoker import Invoker, Outcome

_V1_KEYS = ("resource", "path", "httpMethod", "headers", "multiValueHeaders",
            "queryStringParameters", "multiValueQueryStringParameters", "requestContext",
            "pathParameters", "stageVariables")
_V2_KEYS = ("routeKey", "rawPath", "rawQueryString", "cookies", "headers",
            "queryStringParameters", "requestContext", "pathParameters", "stageVariables")
_BODIES = {Reply.UNAUTHORIZED: (401, b'{"message":"Unauthorized"}'),
           Reply.ACCESS_DENIED: (403, b'{"message":"Forbidden"}'),
           Reply.AUTHORIZER_FAILURE: (500, b'{"message":"Internal Server Error"}')}


def reply(kind: Reply) -> HttpResponse:
    """The HTTP API's own reply for a refusal."""
    status, body = _BODIES.get(kind, _BODIES[Reply.AUTHORIZER_FAILURE])
    return HttpResponse(status, (("Content-Type", "application/json"),), body)


def identity_values(config: HttpAuthorizerConfig, request: HttpRequest,
                    event: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The identity-source values in order; None when one is missing or empty."""
    values = []
    for source in config.identity_sources:  # $request.header.X, $request.querystring.X, ...
        kind, _, name = source[1:].partition(".")
        where = kind if kind == "stageVariables" else "context"
        if kind == "request":
            where, _, name = name.partition(".")
            where = "header" if where == "header" else "querystring"
        value = identity_value(where, name, request, event)
        if value is None:
            return None
        values.append(value)
    return tuple(values)


def lambda_event(config: HttpAuthorizerConfig, values: tuple[str, ...], route_arn: str,
                 event: Mapping[str, Any]) -> dict[str, Any]:
    """The authorizer's event; `event` is the integration event of the same payload version."""
    if config.payload_version == "2.0":
        out: dict[str, Any] = {"version": "2.0", "type": "REQUEST", "routeArn": route_arn,
                               "identitySource": list(values)}
        out.update((k, event[k]) for k in _V2_KEYS if k in event)
        return out
    out = {"version": "1.0", "type": "REQUEST", "methodArn": route_arn,
           "identitySource": ",".join(values),
           "authorizationToken": values[0] if values else None}
    out.update((k, event.get(k)) for k in _V1_KEYS)
    return out


def lambda_verdict(config: HttpAuthorizerConfig, payload: bytes, route_arn: str) -> Verdict:
    """Read the authorizer's result: simple response or IAM policy."""
    if config.simple_responses:
        try:
            output = untrusted_json.loads(payload)
        except ValueError:  # not JSON, or nested too deeply
            output = None
        if not isinstance(output, dict) or not isinstance(output.get("isAuthorized"), bool):
            return Verdict(Reply.AUTHORIZER_FAILURE, "error: a simple response needs "
                                                     '{"isAuthorized": true|false}')
        context = output.get("context") or {}
        if not isinstance(context, dict):
            return Verdict(Reply.AUTHORIZER_FAILURE, "error: context must be an object")
        if not output["isAuthorized"]:
            return Verdict(Reply.ACCESS_DENIED, "deny: isAuthorized is false")
        return Verdict(None, "allow", {"lambda": context})
    try:
        policy = parse_output(payload)
    except MalformedOutput as exc:
        return Verdict(Reply.AUTHORIZER_FAILURE, f"error: malformed result: {exc}")
    if evaluate(policy, route_arn) is not Decision.ALLOW:
        return Verdict(Reply.ACCESS_DENIED, f"deny: the policy does not allow {route_arn}")
    return Verdict(None, f"allow ({policy.principal_id})", {"lambda": dict(policy.context)})


def jwt_verdict(config: HttpAuthorizerConfig, pool: LivePool | None, token: str | None,
                scopes: tuple[str, ...]) -> Verdict:
    """Verify a JWT against the user pool its issuer names."""
    from joserfc import jwt
    from joserfc.errors import JoseError

    from emulator.gateway.auth.cognito import decode, string_claims

    if not token:
        return Verdict(Reply.UNAUTHORIZED, "unauthorized: no token")
    if pool is None:
        return Verdict(Reply.UNAUTHORIZED, f"unauthorized: issuer {config.issuer_url or '?'} "
                                           "is not a user pool of this service")
    token = token[7:] if token.startswith("Bearer ") else token
    try:
        decoded = decode(token, pool)
        jwt.JWTClaimsRegistry(iss={"essential": True, "value": pool.issuer},
                              exp={"essential": True}).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        return Verdict(Reply.UNAUTHORIZED, f"unauthorized: {str(exc).strip() or 'invalid'}")
    claims = dict(decoded.claims)
    audience = claims.get("aud") or claims.get("client_id")
    audiences = audience if isinstance(audience, list) else [audience]
    allowed = set(config.audience) | {pool.client_ids[r] for r in config.audience_refs
                                       if r in pool.client_ids}
    if (config.audience or config.audience_refs) and not set(map(str, audiences)) & allowed:
        return Verdict(Reply.UNAUTHORIZED, "unauthorized: aud/client_id not in the audience")
    granted = str(claims.get("scope") or claims.get("scp") or "").split()
    if scopes and not set(granted) & set(scopes):
        return Verdict(Reply.ACCESS_DENIED, f"forbidden: none of the scopes {', '.join(scopes)}")
    return Verdict(None, f"allow ({claims.get('sub')})",
                   {"jwt": {"claims": string_claims(claims), "scopes": granted or None}})


class HttpApiGuard:
    """Decides one HTTP API request: Lambda authorizers through the Invoker (cached), JWTs."""

    def __init__(self, invoker: Invoker, cache: AuthorizerCache[bytes], *, wait_s: float,
                 new_id: Callable[[], str], pools: Mapping[str, LivePool] | None = None,
                 disabled: bool = False) -> None:
        self.invoker, self.cache, self.wait_s, self.new_id = invoker, cache, wait_s, new_id
        self.pools = dict(pools or {})
        self.disabled = disabled

    def check(self, route: HttpRouteAuth, request: HttpRequest, event: Mapping[str, Any],
              route_arn: str) -> Verdict:
        """The verdict for one request (`event`: the authorizer's payload version's shape)."""
        if self.disabled:
            return Verdict(None, "allow (--no-auth)")
        config = route.authorizer
        if config is None:
            return Verdict(Reply.ACCESS_DENIED, f"forbidden: {route.kind} authorizer is not "
                                                "emulated")
        if config.kind == "jwt":
            source = (config.identity_sources or (DEFAULT_JWT_SOURCE,))[0].rsplit(".", 1)[1]
            return jwt_verdict(config, self.pools.get(config.pool or ""),
                               request.header(source), route.scopes)
        return self._lambda(config, request, event, route_arn)

    def _lambda(self, config: HttpAuthorizerConfig, request: HttpRequest,
                event: Mapping[str, Any], route_arn: str) -> Verdict:
        values = identity_values(config, request, event)
        if values is None:
            return Verdict(Reply.UNAUTHORIZED, "unauthorized: identity source missing")
        if config.function is None:
            return Verdict(Reply.UNAUTHORIZED, "unauthorized: functionArn of another stack "
                                               "cannot run locally")
        key = ("v2", config, values)
        cached = self.cache.get(key) if values else None
        if cached is not None:
            return lambda_verdict(config, cached, route_arn)
        payload = json.dumps(lambda_event(config, values, route_arn, event)).encode()
        result = self.invoker.invoke(config.function, payload, self.new_id(), self.wait_s)
        if result.outcome is not Outcome.OK:
            return Verdict(Reply.AUTHORIZER_FAILURE, f"error: the authorizer failed "
                                                     f"({result.outcome.value})")
        verdict = lambda_verdict(config, result.payload, route_arn)
        if verdict.reply is not Reply.AUTHORIZER_FAILURE and values:
            self.cache.put(key, result.payload, config.ttl_s)
        return verdict

