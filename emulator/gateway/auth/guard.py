"""Authorization of one REST request, in API Gateway's order: authorizer, then API key.

A route without `authorizer` and `private` never gets here (Gateway checks one attribute).
Cognito authorizers of a user pool in `resources:` verify its tokens (auth/cognito.py).
Authorizers that cannot run locally (another stack's Lambda or pool, aws_iam) are refused
unless the command line maps them (`--authorizer NAME=FUNCTION` or `NAME=allow[:JSON]`);
`--no-auth` lets every request through. Each decision is one console line.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.config.api_keys import ApiKeyConfig
from emulator.config.authorizers import AuthorizerConfig, AuthorizerKind
from emulator.config.cognito import LivePool
from emulator.config.service import Route
from emulator.gateway.auth import cognito
from emulator.gateway.auth.cache import AuthorizerCache
from emulator.gateway.auth.lambda_authorizer import LambdaAuthorizer, Verdict
from emulator.gateway.auth.policy import AuthorizerOutput
from emulator.gateway.errors import Reply
from emulator.gateway.http import HttpRequest
from emulator.runtime.invoker import Invoker

log = logging.getLogger("emulator.auth")


@dataclass(frozen=True, slots=True)
class Override:
    """What --authorizer maps one authorizer to: a local function, or allow with a context."""

    function: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)  # for allow


@dataclass(frozen=True, slots=True)
class AuthSettings:
    disabled: bool = False  # --no-auth
    overrides: Mapping[str, Override] = field(default_factory=dict)  # by name or ARN
    user_pools: Mapping[str, LivePool] = field(default_factory=dict)  # by logical id


def parse_override(text: str) -> tuple[str, Override]:
    """"NAME=FUNCTION", "NAME=allow" or 'NAME=allow:{"principalId": "alice"}'; ValueError."""
    name, sep, target = text.partition("=")
    if not sep or not name or not target:
        raise ValueError("use NAME=FUNCTION, NAME=allow or NAME=allow:{json context}")
    if target == "allow" or target.startswith("allow:"):
        raw = target[len("allow:"):] if target.startswith("allow:") else "{}"
        try:
            context = json.loads(raw)
        except ValueError:
            context = None
        if not isinstance(context, dict):
            raise ValueError(f"{raw!r} is not a JSON object")
        return name, Override(context=context)
    return name, Override(function=target)


@dataclass(frozen=True, slots=True)
class Decision:
    reply: Reply | None  # None: go on to the integration
    authorizer: Mapping[str, Any] | None = None  # requestContext.authorizer
    identity: Mapping[str, Any] | None = None  # added to requestContext.identity


class Guard:
    """Decides whether a request reaches a protected route's function."""

    def __init__(self, invoker: Invoker, *, wait_s: float, new_id: Callable[[], str],
                 settings: AuthSettings | None = None,
                 cache: AuthorizerCache[AuthorizerOutput] | None = None) -> None:
        self.settings = settings or AuthSettings()
        self.cache: AuthorizerCache[AuthorizerOutput] = cache or AuthorizerCache()
        self.lambdas = LambdaAuthorizer(invoker, self.cache, wait_s=wait_s, new_id=new_id)
        self.verified: AuthorizerCache[cognito.Claims] = AuthorizerCache()  # user pool tokens

    def check(self, route: Route, request: HttpRequest, proxy_event: Mapping[str, Any],
              arn: str, api_keys: tuple[ApiKeyConfig, ...]) -> Decision:
        """Run the route's authorizer, then its API key check; log one line."""
        where = f"{request.method} {request.path}"
        if self.settings.disabled:
            return Decision(None)
        authorizer: Mapping[str, Any] | None = None
        if route.authorizer is not None:
            verdict = self._authorize(route.authorizer, request, arn, proxy_event)
            log.info("%s: authorizer %s: %s", where, route.authorizer.name, verdict.note)
            if verdict.reply is not None:
                return Decision(verdict.reply)
            authorizer = verdict.authorizer
        if not route.private:
            return Decision(None, authorizer)
        key = _api_key(request.header("x-api-key"), api_keys)
        if key is None:
            why = "missing" if request.header("x-api-key") is None else "unknown or disabled"
            log.info("%s: API key %s: forbidden", where, why)
            return Decision(Reply.FORBIDDEN)
        return Decision(None, authorizer, {"apiKey": key.value, "apiKeyId": key.key_id})

    def _authorize(self, config: AuthorizerConfig, request: HttpRequest, arn: str,
                   proxy_event: Mapping[str, Any]) -> Verdict:
        override = self.settings.overrides.get(config.name) or (
            self.settings.overrides.get(config.arn) if config.arn else None)
        if override is not None and override.function is None:
            context = {k: str(v) for k, v in override.context.items() if k != "principalId"}
            principal = str(override.context.get("principalId", "local"))
            return Verdict(None, f"allow ({principal}; --authorizer)",
                           {**context, "principalId": principal, "integrationLatency": 0})
        if override is not None:
            kind = config.kind if config.kind in (AuthorizerKind.TOKEN, AuthorizerKind.REQUEST) \
                else AuthorizerKind.TOKEN
            config = dataclasses.replace(config, function=override.function, kind=kind)
        if config.function is not None:
            return self.lambdas.authorize(config, request, arn, proxy_event)
        pool = self.settings.user_pools.get(config.pool) if config.pool else None
        if pool is not None:
            return cognito.authorize(config, pool, request, self.verified)
        if config.kind is AuthorizerKind.AWS_IAM:
            # An unsigned request to an AWS_IAM method gets API Gateway's 403.
            return Verdict(Reply.MISSING_AUTHENTICATION_TOKEN, "denied: aws_iam is not "
                           "emulated (use --authorizer aws_iam=allow, or --no-auth)")
        return Verdict(Reply.UNAUTHORIZED, f"unauthorized: {config.kind.value} authorizer "
                       "cannot run locally (map it with --authorizer NAME=FUNCTION|allow)")


def _api_key(value: str | None, keys: tuple[ApiKeyConfig, ...]) -> ApiKeyConfig | None:
    if not value:
        return None
    for key in keys:
        if key.enabled and key.value == value:
            return key
    return None


def apply(event: dict[str, Any], decision: Decision) -> None:
    """Write what the authorizer and the API key check found into the proxy event."""
    context = event["requestContext"]
    if decision.authorizer is not None:
        context["authorizer"] = dict(decision.authorizer)
    if decision.identity:
        context["identity"].update(decision.identity)
