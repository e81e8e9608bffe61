"""REST API Lambda authorizers (TOKEN and REQUEST): identity, event, invocation, verdict.

Emulates AWS, "Input to an API Gateway Lambda authorizer" and "Use API Gateway Lambda
authorizers": the identity sources are read first (missing or empty, or a token not matching
identityValidationExpression: 401 without calling the function); the result is cached per
identity-source values for resultTtlInSeconds; the function runs through the same Invoker as
every other invocation; `raise Exception("Unauthorized")` is a 401, any other failure a 500.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from emulator.config.authorizers import AuthorizerConfig, AuthorizerKind, identity_source_parts
from emulator.gateway.auth.cache import AuthorizerCache
from emulator.gateway.auth.policy import (
    AuthorizerOutput,
    Decision,
    MalformedOutput,
    evaluate,
    parse_output,
)
from emulator.gateway.errors import Reply
from emulator.gateway.http import HttpRequest
from emulator.runtime.invoker import Invoker, Outcome

_REQUEST_EVENT_KEYS = ("resource", "path", "httpMethod", "headers", "multiValueHeaders",
                       "queryStringParameters", "multiValueQueryStringParameters",
                       "pathParameters", "stageVariables", "requestContext")


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the authorizer decided: a refusal (`reply`) or what the integration is told."""

    reply: Reply | None  # None: allowed
    note: str  # for the console: "allow", "cached allow", "deny: ...", "unauthorized: ..."
    authorizer: Mapping[str, Any] | None = None  # requestContext.authorizer when allowed


def identity_values(config: AuthorizerConfig, request: HttpRequest,
                    event: Mapping[str, Any]) -> tuple[str, ...] | None:
    """The identity-source values in order; None when one is missing or empty."""
    places = {"method.request.header": "header", "method.request.querystring": "querystring",
              "stageVariables": "stageVariables"}
    values = []
    for source in config.identity_sources:
        kind, name = identity_source_parts(source)
        value = identity_value(places.get(kind, "context"), name, request, event)
        if value is None:
            return None
        values.append(value)
    return tuple(values)


def identity_value(where: str, name: str, request: HttpRequest,
                   event: Mapping[str, Any]) -> str | None:
    """One identity source's value: a header, a query parameter, a stage variable or a
    `requestContext` path ("context": "a.b"); None when missing or empty (AWS: 401)."""
    value: Any
    if where == "header":
        value = request.header(name)
    elif where == "querystring":
        value = (event.get("queryStringParameters") or {}).get(name)
    elif where == "stageVariables":
        value = (event.get("stageVariables") or {}).get(name)
    else:
        value = event.get("requestContext")
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    return None if value is None or value == "" else str(value)


def authorizer_event(config: AuthorizerConfig, values: tuple[str, ...], arn: str,
                     proxy_event: Mapping[str, Any]) -> dict[str, Any]:
    """The TOKEN or REQUEST event, as AWS documents it."""
    if config.kind is AuthorizerKind.TOKEN:
        return {"type": "TOKEN", "authorizationToken": values[0], "methodArn": arn}
    event: dict[str, Any] = {"type": "REQUEST", "methodArn": arn}
    event.update((k, proxy_event.get(k)) for k in _REQUEST_EVENT_KEYS)
    return event


class LambdaAuthorizer:
    """Runs Lambda authorizers with a shared result cache."""

    def __init__(self, invoker: Invoker, cache: AuthorizerCache[AuthorizerOutput], *, wait_s: float,
                 new_id: Callable[[], str]) -> None:
        self.invoker, self.cache, self.wait_s, self.new_id = invoker, cache, wait_s, new_id

    def authorize(self, config: AuthorizerConfig, request: HttpRequest, arn: str,
                  proxy_event: Mapping[str, Any]) -> Verdict:
        """Decide one request; `config.function` must be set."""
        assert config.function is not None
        values = identity_values(config, request, proxy_event)
        if values is None:
            return Verdict(Reply.UNAUTHORIZED, "unauthorized: identity source missing ("
                           + ", ".join(config.identity_sources) + ")")
        if config.validation_expression and not re.fullmatch(config.validation_expression,
                                                             values[0]):
            return Verdict(Reply.UNAUTHORIZED, "unauthorized: token does not match "
                           f"identityValidationExpression {config.validation_expression}")
        key = (config, values)
        cached = self.cache.get(key)
        if cached is not None:
            return _decide(cached, arn, "cached ", 0)
        started = time.perf_counter()
        payload = json.dumps(authorizer_event(config, values, arn, proxy_event),
                             separators=(",", ":")).encode()
        result = self.invoker.invoke(config.function, payload, self.new_id(), self.wait_s)
        latency = int((time.perf_counter() - started) * 1000)
        if result.outcome is not Outcome.OK:
            error = result.error or {}
            if result.outcome is Outcome.ERROR and error.get("errorMessage") == "Unauthorized":
                return Verdict(Reply.UNAUTHORIZED, "unauthorized: the authorizer raised "
                                                   "Unauthorized")
            what = f"{error.get('errorType')}: {error.get('errorMessage')}" if error else \
                result.outcome.value
            return Verdict(Reply.AUTHORIZER_FAILURE, f"error: the authorizer failed ({what})")
        try:
            output = parse_output(result.payload)
        except MalformedOutput as exc:
            return Verdict(Reply.AUTHORIZER_FAILURE, f"error: malformed result: {exc}")
        self.cache.put(key, output, config.ttl_s)
        return _decide(output, arn, "", latency)


def _decide(output: AuthorizerOutput, arn: str, cached: str, latency_ms: int) -> Verdict:
    decision = evaluate(output, arn)
    who = f" ({output.principal_id})" if output.principal_id is not None else ""
    if decision is Decision.ALLOW:
        return Verdict(None, f"{cached}allow{who}", authorizer_context(output, latency_ms))
    reply = Reply.EXPLICIT_DENY if decision is Decision.EXPLICIT_DENY else Reply.ACCESS_DENIED
    why = "a Deny statement matches" if decision is Decision.EXPLICIT_DENY else \
        "no Allow statement matches"
    return Verdict(reply, f"{cached}deny{who}: {why} {arn}")


def authorizer_context(output: AuthorizerOutput, latency_ms: int) -> dict[str, Any]:
    """requestContext.authorizer of the proxy event: principalId, context, integrationLatency."""
    return {**output.context, "principalId": output.principal_id,
            "integrationLatency": latency_ms}
