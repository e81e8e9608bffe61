"""API Gateway HTTP API (v2) with Lambda proxy integrations, socket-free.

The `httpApi` events of serverless.yml, served on their `$default` stage: no stage prefix in
the path (emulator/gateway/front.py decides which API a request belongs to). `HttpApi.handle`
runs the named steps: CORS preflight, route selection (routes_v2.py), the event (events_v2.py,
payload 2.0 or 1.0), the invocation, the result mapping (responses_v2.py), CORS headers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from emulator.config.paths import canonical_path
from emulator.config.service import HttpApiRoute, ServiceConfig
from emulator.gateway import cors_v2, errors_v2
from emulator.gateway.auth import http_api_auth
from emulator.gateway.auth.cache import AuthorizerCache
from emulator.gateway.auth.guard import AuthSettings
from emulator.gateway.events_v2 import EventMeta, build_event_v1, build_event_v2
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.gateway.responses_v1 import Mapped
from emulator.gateway.responses_v2 import map_result_v1, map_result_v2
from emulator.gateway.rest import LAMBDA_MAX_EVENT, Clock, api_id_for
from emulator.gateway.routes_v2 import HttpApiRoutes, RouteMatch
from emulator.runtime.invoker import Invoker, InvokeResult, Outcome

log = logging.getLogger(__name__)
access_log = logging.getLogger("emulator.access")
auth_log = logging.getLogger("emulator.auth")

INTEGRATION_TIMEOUT_S = 30.0  # HTTP API quotas: maximum integration timeout, not adjustable


@dataclass(frozen=True, slots=True)
class HttpApiDeployment:
    """What the $default stage serves; replaced as a whole on reload."""

    service: ServiceConfig
    routes: HttpApiRoutes
    api_id: str

    @classmethod
    def of(cls, service: ServiceConfig) -> HttpApiDeployment:
        # The HTTP API is another API than the REST one: another id.
        return cls(service, HttpApiRoutes(service.http_api_routes),
                   api_id_for(service.service, f"{service.stage}/httpApi"))


class HttpApi:
    """The service's HTTP API: routes to functions, with the gateway's own replies."""

    def __init__(self, service: ServiceConfig, invoker: Invoker, *,
                 integration_timeout_s: float = INTEGRATION_TIMEOUT_S,
                 clock: Clock | None = None, auth: AuthSettings | None = None) -> None:
        self.invoker = invoker
        self.integration_timeout_s = integration_timeout_s
        self.clock = clock or Clock()
        self.deployment = HttpApiDeployment.of(service)
        settings = auth or AuthSettings()
        self.guard = http_api_auth.HttpApiGuard(
            invoker, AuthorizerCache(), wait_s=integration_timeout_s, new_id=self.clock.new_id,
            pools=settings.user_pools, disabled=settings.disabled)

    @property
    def serves(self) -> bool:
        """Whether serverless.yml has any `httpApi` event."""
        return self.deployment.routes.count > 0

    def reload(self, service: ServiceConfig) -> None:
        """Serve `service`'s routes from the next request on."""
        self.deployment = HttpApiDeployment.of(service)
        self.guard.cache.clear()  # authorizers may have changed with the config

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one request as an HTTP API would."""
        started = time.perf_counter()
        request_id = self.clock.new_id()
        deployment = self.deployment
        cors = deployment.service.http_api_cors
        route: HttpApiRoute | None = None
        result: InvokeResult | None = None
        if cors is not None and cors_v2.is_preflight(request):
            response = cors_v2.preflight(cors, request)
        else:
            response, route, result = self._dispatch(deployment, request, request_id)
            if cors is not None:
                response = cors_v2.decorate(cors, request, response)
        response = HttpResponse(response.status,
                                (*response.headers, ("apigw-requestid", _short_id(request_id))),
                                response.body)
        _log_access(request, response, route, result, started)
        return response

    def _dispatch(self, deployment: HttpApiDeployment, request: HttpRequest, request_id: str
                  ) -> tuple[HttpResponse, HttpApiRoute | None, InvokeResult | None]:
        match = deployment.routes.match(request.method, request.path)
        if match is None:
            return errors_v2.not_found(), None, None
        event = self._event(deployment, request, request_id, match)
        if match.route.auth is not None:
            refusal = self._authorize(deployment, request, request_id, match, event)
            if refusal is not None:
                return refusal, match.route, None
        payload = json.dumps(event, separators=(",", ":")).encode()
        if len(payload) > LAMBDA_MAX_EVENT:
            return errors_v2.request_entity_too_large(), match.route, None
        result = self.invoker.invoke(match.route.function, payload, request_id,
                                     self.integration_timeout_s)
        return _respond(match.route, result), match.route, result

    def _authorize(self, deployment: HttpApiDeployment, request: HttpRequest,
                   request_id: str, match: RouteMatch, event: dict[str, Any]
                   ) -> HttpResponse | None:
        """Run the route's authorizer; a refusal, or None with the event's authorizer set."""
        route, service = match.route, deployment.service
        assert route.auth is not None
        # The routeArn names the route that will run: the canonical path, as it was matched.
        arn = (f"arn:aws:execute-api:{service.region}:{service.account_id}:"
               f"{deployment.api_id}/$default/{request.method}{canonical_path(request.path)}")
        config = route.auth.authorizer
        auth_event = event
        if config is not None and config.kind == "request" and config.payload_version != \
                route.payload:  # the authorizer's payload version, not the integration's
            auth_event = self._event(deployment, request, request_id, match,
                                     payload=config.payload_version)
        verdict = self.guard.check(route.auth, request, auth_event, arn)
        auth_log.info("%s %s: authorizer %s: %s", request.method, request.path,
                      route.authorizer, verdict.note)
        if verdict.reply is not None:
            return http_api_auth.reply(verdict.reply)
        if verdict.authorizer:  # 2.0: {"lambda": ...} / {"jwt": ...}; 1.0: the inner map
            event["requestContext"]["authorizer"] = dict(verdict.authorizer) \
                if route.payload == "2.0" else dict(next(iter(verdict.authorizer.values())))
        return None

    def _event(self, deployment: HttpApiDeployment, request: HttpRequest, request_id: str,
               match: RouteMatch, payload: str | None = None) -> dict[str, Any]:
        service = deployment.service
        meta = EventMeta(
            request_id=request_id, epoch_ms=int(self.clock.now() * 1000),
            account_id=service.account_id, api_id=deployment.api_id,
            domain_name=request.header("Host")
            or f"{deployment.api_id}.execute-api.{service.region}.amazonaws.com")
        params = dict(match.path_parameters) if match.path_parameters else None
        route = match.route
        if (payload or route.payload) == "1.0":
            return build_event_v1(request, resource=route.path or "$default",
                                  path_parameters=params, meta=meta)
        return build_event_v2(request, route_key=route.route_key, path_parameters=params,
                              meta=meta)


def _respond(route: HttpApiRoute, result: InvokeResult) -> HttpResponse:
    """The reply for how the invocation ended."""
    if result.outcome is Outcome.OK:
        mapped: Mapped = (map_result_v1 if route.payload == "1.0" else map_result_v2)(
            result.payload)
        if mapped.problem:
            log.warning("%s: %s", route.function, mapped.problem)
        return mapped.response
    if result.outcome is Outcome.INTEGRATION_TIMEOUT:
        return errors_v2.service_unavailable()
    if result.outcome is Outcome.ERROR and result.error is not None:
        log.error("%s failed: %s: %s", route.function, result.error.get("errorType"),
                  result.error.get("errorMessage"))
    return errors_v2.internal_server_error()


def _short_id(request_id: str) -> str:
    """The apigw-requestid header value: shaped like AWS's ("Ab1Cd2Ef3Gh4IJ=")."""
    return hashlib.sha1(request_id.encode()).hexdigest()[:14].upper() + "="


def _log_access(request: HttpRequest, response: HttpResponse, route: HttpApiRoute | None,
                result: InvokeResult | None, started: float) -> None:
    took = (time.perf_counter() - started) * 1000
    fn = f" {route.function}" if route else ""
    temp = (" cold" if result.cold else " warm") if result else ""
    access_log.info("%s %s %d %.1f ms%s%s", request.method, request.path, response.status,
                    took, fn, temp)
