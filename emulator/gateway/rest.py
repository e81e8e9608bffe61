"""API Gateway REST (v1) with Lambda proxy integration, socket-free.

`Gateway.handle` takes an HttpRequest and returns the HttpResponse the real gateway would send:
it delegates to the pure steps (route matching, event building, result mapping) and to the
Invoker that runs the function. Deterministic given an injected clock and id source.
"""

from __future__ import annotations

import hashlib
import json
import logging
import string
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.config.paths import canonical_path
from emulator.config.service import Route, ServiceConfig
from emulator.gateway import cors, errors, validation
from emulator.gateway.auth import guard
from emulator.gateway.auth.policy import method_arn
from emulator.gateway.events_v1 import RequestMeta, build_proxy_event
from emulator.gateway.gateway_responses import ReplyContext, customise
from emulator.gateway.hints import no_route_hint
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.gateway.responses_v1 import map_proxy_result
from emulator.gateway.routes import MatchKind, RouteTable
from emulator.gateway.usage import UsageMeter
from emulator.runtime.invoker import Invoker, InvokeResult, Outcome

log = logging.getLogger(__name__)
access_log = logging.getLogger("emulator.access")

API_GATEWAY_MAX_BODY = 10_485_760  # API Gateway's payload limit (raw request body, bytes)
LAMBDA_MAX_EVENT = 6_291_456  # Lambda's synchronous invocation payload limit (bytes)
DEFAULT_INTEGRATION_TIMEOUT_S = 29.0  # API Gateway's integration timeout


def api_id_for(service: str, stage: str) -> str:
    """Return a stable 10-character API id, shaped like API Gateway's."""
    digest = hashlib.sha256(f"{service}/{stage}".encode()).digest()
    alphabet = string.ascii_lowercase + string.digits
    return "".join(alphabet[b % len(alphabet)] for b in digest[:10])


@dataclass(frozen=True, slots=True)
class Clock:
    """Where the gateway gets time and ids from; injected in tests."""

    now: Callable[[], float] = time.time
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class Deployment:
    """What one deployment of the stage serves; replaced as a whole by `Gateway.reload`."""

    service: ServiceConfig
    routes: RouteTable
    prefix: str  # "/{stage}" (or as custom.serverless-offline's noPrependStageInUrl/prefix say)
    api_id: str

    @classmethod
    def of(cls, service: ServiceConfig) -> Deployment:
        return cls(service, RouteTable(service.routes), service.base_path,
                   api_id_for(service.service, service.stage))


class Gateway:
    """One REST API stage: routes to functions, with the gateway's own error replies."""

    def __init__(self, service: ServiceConfig, invoker: Invoker, *,
                 integration_timeout_s: float = DEFAULT_INTEGRATION_TIMEOUT_S,
                 clock: Clock | None = None, auth: guard.AuthSettings | None = None,
                 meter: UsageMeter | None = None) -> None:
        """`meter`: the usage plans' throttles and quotas (None: not enforced, --no-throttle)."""
        self.invoker = invoker
        self.meter = meter
        self.integration_timeout_s = integration_timeout_s
        self.clock = clock or Clock()
        self.guard = guard.Guard(invoker, wait_s=integration_timeout_s,
                                 new_id=self.clock.new_id, settings=auth)
        self.deployment = Deployment.of(service)
        self._cors_warned: set[Route] = set()
        self._hinted: set[tuple[str, str]] = set()

    @property
    def service(self) -> ServiceConfig:
        return self.deployment.service

    def reload(self, service: ServiceConfig) -> None:
        """Serve `service` from the next request on (like a redeploy of the stage).

        The routes are built before the swap, and each request reads the deployment once, so
        a request is answered wholly by the old config or wholly by the new one.
        """
        self.deployment = Deployment.of(service)
        self.guard.cache.clear()  # authorizers may have changed with the config

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request as API Gateway would."""
        started = time.perf_counter()
        request_id = self.clock.new_id()
        deployment = self.deployment
        answer, route, result = self._dispatch(deployment, request, request_id)
        response = answer if isinstance(answer, HttpResponse) else _reply(
            deployment, answer, request, request_id, route)
        response = _with_gateway_headers(response, request_id, deployment.api_id)
        self._log_access(request, response, route, result, started)
        return response

    def _dispatch(self, deployment: Deployment, request: HttpRequest, request_id: str
                  ) -> tuple[HttpResponse | errors.Reply, Route | None, InvokeResult | None]:
        """The reply, or the kind of the gateway's own reply (rendered by `_reply`)."""
        # One canonical path decides the resource, its methodArn and so the policy verdict:
        # `/admin/`, `//admin` and `/x/../admin` are `/admin` (config/paths.py).
        path = _strip_stage(deployment.prefix, canonical_path(request.path))
        if path is None:
            return self._no_route(deployment, request), None, None
        if len(request.body) > API_GATEWAY_MAX_BODY:
            return errors.Reply.CONTENT_LENGTH_EXCEEDED, None, None
        match = deployment.routes.match(request.method, path)
        if match.kind is MatchKind.PATH and request.method == "OPTIONS" and match.preflight:
            preflight = match.preflight
            origin = request.header("Origin")
            return cors.preflight(preflight.cors, preflight.methods, origin), None, None
        if match.kind is not MatchKind.FULL or match.route is None:
            return self._no_route(deployment, request), None, None
        route = match.route
        event = build_proxy_event(
            request, resource=route.resource,
            path=_strip_stage(deployment.prefix, request.path) or path,
            path_parameters=match.path_parameters,
            meta=self._meta(deployment, request, request_id, route.resource),
            binary_media_types=deployment.service.binary_media_types,
        )
        if route.authorizer is not None or route.private:
            reply = self._authorize(deployment, request, route, path, event)
            if reply is not None:
                return reply, route, None
        if route.validation is not None:  # after authorization, before the integration
            refusal = validation.check(request, match.path_parameters or {}, route.validation)
            if refusal is not None:
                return errors.bad_request_json(refusal.message), route, None
        payload = json.dumps(event, separators=(",", ":")).encode()
        if len(payload) > LAMBDA_MAX_EVENT:
            return errors.Reply.REQUEST_TOO_LONG, route, None
        result = self.invoker.invoke(route.function, payload, request_id,
                                     self.integration_timeout_s)
        binary = deployment.service.binary_media_types
        return self._respond(request, route, result, binary), route, result

    def _no_route(self, deployment: Deployment, request: HttpRequest) -> errors.Reply:
        """API Gateway's reply; the console says once per method and path what is near."""
        key = (request.method, request.path)
        if key not in self._hinted and len(self._hinted) < 1000:
            self._hinted.add(key)
            log.info("%s", no_route_hint(request.method, request.path, deployment.prefix,
                                         deployment.service.routes, deployment.routes))
        return errors.Reply.MISSING_AUTHENTICATION_TOKEN

    def _authorize(self, deployment: Deployment, request: HttpRequest, route: Route, path: str,
                   event: dict[str, Any]) -> errors.Reply | None:
        """Run the route's authorizer and API key check; a refusal, or None (event updated)."""
        service = deployment.service
        arn = method_arn(service.region, service.account_id, deployment.api_id,
                         stage=service.stage, method=request.method, path=path)
        decision = self.guard.check(route, request, event, arn, service.api_keys)
        if decision.reply is not None:
            return decision.reply
        guard.apply(event, decision)
        plan = service.usage_plan(decision.key.usage_plan) if decision.key else None
        if self.meter is not None and decision.key is not None and plan is not None:
            return self.meter.admit(decision.key, plan)
        return None

    def _meta(self, deployment: Deployment, request: HttpRequest, request_id: str,
              resource: str) -> RequestMeta:
        service = deployment.service
        host = request.header("Host") or (
            f"{deployment.api_id}.execute-api.{service.region}.amazonaws.com")
        return RequestMeta(
            request_id=request_id,
            extended_request_id=_extended_id(request_id),
            epoch_ms=int(self.clock.now() * 1000),
            account_id=service.account_id,
            api_id=deployment.api_id,
            resource_id=_resource_id(resource),
            stage=service.stage,
            domain_name=host,
        )

    def _respond(self, request: HttpRequest, route: Route, result: InvokeResult,
                 binary_media_types: tuple[str, ...]) -> HttpResponse | errors.Reply:
        outcome = result.outcome
        if outcome is Outcome.OK:
            mapped = map_proxy_result(result.payload, accept=request.header("Accept"),
                                      binary_media_types=binary_media_types)
            if mapped.problem:
                log.warning("%s: %s", route.function, mapped.problem)
            if mapped.malformed:
                return errors.Reply.BAD_GATEWAY
            self._warn_missing_cors(route, mapped.response)
            return mapped.response
        if outcome is Outcome.ERROR and result.error is not None:
            error = result.error
            log.error("%s failed: %s: %s", route.function, error.get("errorType"),
                      error.get("errorMessage"))
        if outcome is Outcome.THROTTLED:
            # API Gateway answers a Lambda throttle (429 from Invoke) with a 500.
            return errors.Reply.INTERNAL_ERROR
        if outcome is Outcome.INTEGRATION_TIMEOUT:
            return errors.Reply.ENDPOINT_TIMEOUT
        return errors.Reply.BAD_GATEWAY

    def _warn_missing_cors(self, route: Route, response: HttpResponse) -> None:
        if route.cors is None or route in self._cors_warned:
            return
        if any(name.lower() == "access-control-allow-origin" for name, _ in response.headers):
            return
        self._cors_warned.add(route)
        log.warning(
            "%s %s (%s) has `cors: true` but answered without Access-Control-Allow-Origin: "
            "a browser will block this reply after deploy too (the gateway adds CORS headers "
            "only to the OPTIONS preflight)", route.method, route.resource, route.function)

    def _log_access(self, request: HttpRequest, response: HttpResponse, route: Route | None,
                    result: InvokeResult | None, started: float) -> None:
        took = (time.perf_counter() - started) * 1000
        fn = f" {route.function}" if route else ""
        temp = (" cold" if result.cold else " warm") if result else ""
        access_log.info("%s %s %d %.1f ms%s%s", request.method, request.path, response.status,
                        took, fn, temp)


def _reply(deployment: Deployment, kind: errors.Reply, request: HttpRequest, request_id: str,
           route: Route | None) -> HttpResponse:
    """The gateway's own reply, as the service's gateway responses customise it."""
    service = deployment.service
    if not service.gateway_responses:
        return errors.gateway_reply(kind)
    path = _strip_stage(deployment.prefix, canonical_path(request.path))
    match = deployment.routes.match(request.method, path) if route and path else None
    return customise(kind, service.gateway_responses, ReplyContext(
        request, request_id, service.stage, request.path,
        resource_path=route.resource if route else "",
        path_parameters=(match.path_parameters if match else None) or {},
        api_id=deployment.api_id, account_id=service.account_id))


def _strip_stage(prefix: str, raw_path: str) -> str | None:
    """Return the path without the "/{stage}" prefix; None when it has another stage."""
    if raw_path == prefix:
        return "/"
    if raw_path.startswith(prefix + "/"):
        return raw_path[len(prefix):]
    return None


def _with_gateway_headers(response: HttpResponse, request_id: str, api_id: str) -> HttpResponse:
    """Add the headers API Gateway puts on every reply (never CORS ones)."""
    extra = (("x-amzn-RequestId", request_id), ("x-amz-apigw-id", _extended_id(request_id)))
    return HttpResponse(response.status, response.headers + extra, response.body)


def _extended_id(request_id: str) -> str:
    return hashlib.sha1(request_id.encode()).hexdigest()[:16].upper() + "="


def _resource_id(resource: str) -> str:
    return hashlib.sha1(resource.encode()).hexdigest()[:6]
