"""The console's line for a request no route answers; the client still gets AWS's 403."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

import pytest

from emulator.config.offline import OfflineSettings
from emulator.config.service import FunctionConfig, Route, ServiceConfig
from emulator.gateway.hints import no_route_hint
from emulator.gateway.http import HttpRequest
from emulator.gateway.rest import Gateway
from emulator.gateway.routes import RouteTable
from emulator.runtime.invoker import InvokeResult, Outcome

ROUTES = (Route("GET", "/reviews", "list"), Route("POST", "/reviews", "create"),
          Route("GET", "/reviews/{id}", "get"), Route("DELETE", "/reviews/{id}", "delete"))


def hint(method: str, path: str, base: str = "/dev") -> str:
    return no_route_hint(method, path, base, ROUTES, RouteTable(ROUTES))


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/reviews", "no route for GET /reviews: routes start with the stage: "
                            "/dev/reviews"),
        ("GET", "/prod/reviews/1", "no route for GET /prod/reviews/1: routes start with the "
                                   "stage: /dev/reviews/1"),
        ("PUT", "/dev/reviews/1", "no route for PUT /dev/reviews/1: /dev/reviews/{id} has "
                                  "DELETE, GET only"),
        ("GET", "/dev/review", "no route for GET /dev/review: did you mean GET /dev/reviews"),
        ("GET", "/dev/zzzzzzzzzzzzzzzzzzzzzz", "no route for GET /dev/zzzzzzzzzzzzzzzzzzzzzz "
                                               "(4 routes under /dev)"),
    ],
)
def test_the_hint_names_the_stage_the_methods_or_the_nearest_routes(
        method: str, path: str, expected: str) -> None:
    assert hint(method, path).startswith(expected)


def test_without_the_stage_prefix_the_nearest_routes_have_none() -> None:
    assert hint("GET", "/review", base="").startswith(
        "no route for GET /review: did you mean GET /reviews")


class _Never:
    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
               ) -> InvokeResult:
        raise AssertionError("no function may run for an unknown route")

    def close(self) -> None:
        pass


def _service(offline: OfflineSettings) -> ServiceConfig:
    functions = {r.function: FunctionConfig(r.function, f"svc-dev-{r.function}", "h.main", {})
                 for r in ROUTES}
    return ServiceConfig("svc", "dev", "us-east-1", Path("/x"), Path("/x/serverless.yml"),
                         functions, ROUTES, offline=offline)


def test_the_gateway_answers_403_and_logs_the_hint_once(caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    gateway = Gateway(_service(OfflineSettings()), _Never())
    request = HttpRequest("GET", "/reviews", (), (), b"")
    with caplog.at_level(logging.INFO, logger="emulator.gateway.rest"):
        replies = [gateway.handle(request) for _ in range(2)]
    assert [r.status for r in replies] == [403, 403]
    assert replies[0].body == b'{"message":"Missing Authentication Token"}'
    hints = [r.getMessage() for r in caplog.records if r.getMessage().startswith("no route")]
    assert hints == ["no route for GET /reviews: routes start with the stage: /dev/reviews"]


@pytest.mark.parametrize(
    ("offline", "served", "refused"),
    [
        (OfflineSettings(no_prepend_stage=True), "/reviews", "/dev/reviews"),
        (OfflineSettings(prefix="api"), "/api/dev/reviews", "/dev/reviews"),
        (OfflineSettings(prefix="/api/", no_prepend_stage=True), "/api/reviews", "/reviews"),
    ],
)
def test_serverless_offline_paths_move_the_routes(offline: OfflineSettings, served: str,
                                                  refused: str) -> None:
    class Ok(_Never):
        def invoke(self, function: str, event: bytes, request_id: str, wait_s: float
                   ) -> InvokeResult:
            return InvokeResult(Outcome.OK, b'{"statusCode": 200, "body": "ok"}')

    gateway = Gateway(replace(_service(offline)), Ok())
    assert gateway.handle(HttpRequest("GET", served, (), (), b"")).status == 200
    assert gateway.handle(HttpRequest("GET", refused, (), (), b"")).status == 403
