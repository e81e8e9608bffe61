"""API Gateway resource matching precedence (emulator.routes)."""

from __future__ import annotations

import pytest

from emulator.config.cors import CorsConfig
from emulator.config.errors import ConfigError
from emulator.config.paths import RouteError, split_path
from emulator.config.service import Route
from emulator.gateway.routes import MatchKind, RouteTable

CORS = CorsConfig()
ROUTES = (
    Route("GET", "/", "root"),
    Route("GET", "/reviews", "list", CORS),
    Route("POST", "/reviews", "create", CORS),
    Route("GET", "/reviews/search", "search"),
    Route("GET", "/reviews/{id}", "get"),
    Route("PUT", "/reviews/{id}", "update"),
    Route("ANY", "/reviews/{id}", "fallback"),
    Route("GET", "/reviews/{id}/comments", "comments"),
    Route("GET", "/files/readme", "readme"),
    Route("ANY", "/files/{path+}", "files", CORS),
    Route("POST", "/a/{x}/c", "deep"),
    Route("GET", "/a/b", "ab"),
    Route("GET", "/{proxy+}", "catchall"),
)
TABLE = RouteTable(ROUTES)


@pytest.mark.parametrize(
    ("method", "path", "function", "resource", "params"),
    [
        ("GET", "/", "root", "/", None),
        ("GET", "/reviews", "list", "/reviews", None),
        ("POST", "/reviews", "create", "/reviews", None),
        ("GET", "/reviews/", "list", "/reviews", None),
        ("GET", "/reviews//", "list", "/reviews", None),
        ("GET", "/reviews/search", "search", "/reviews/search", None),
        ("GET", "/reviews/42", "get", "/reviews/{id}", {"id": "42"}),
        ("PUT", "/reviews/42", "update", "/reviews/{id}", {"id": "42"}),
        ("PATCH", "/reviews/42", "fallback", "/reviews/{id}", {"id": "42"}),
        ("delete", "/reviews/42", "fallback", "/reviews/{id}", {"id": "42"}),
        ("OPTIONS", "/reviews/42", "fallback", "/reviews/{id}", {"id": "42"}),
        ("GET", "/reviews/a b", "get", "/reviews/{id}", {"id": "a b"}),
        ("GET", "/reviews/42/comments", "comments", "/reviews/{id}/comments", {"id": "42"}),
        ("GET", "/files/readme", "readme", "/files/readme", None),
        ("GET", "/files/a/b/c.txt", "files", "/files/{path+}", {"path": "a/b/c.txt"}),
        ("PUT", "/files/x", "files", "/files/{path+}", {"path": "x"}),
        # Repeated slashes and dot segments are resolved before matching (issue 29 item 3).
        ("GET", "/files/a//b/", "files", "/files/{path+}", {"path": "a/b"}),
        ("GET", "/files/a/./b/../c", "files", "/files/{path+}", {"path": "a/c"}),
        ("GET", "/files", "catchall", "/{proxy+}", {"proxy": "files"}),
        ("GET", "/a/b", "ab", "/a/b", None),
        ("POST", "/a/b/c", "deep", "/a/{x}/c", {"x": "b"}),
        ("GET", "/Reviews", "catchall", "/{proxy+}", {"proxy": "Reviews"}),
        ("GET", "/unknown/deep/path", "catchall", "/{proxy+}", {"proxy": "unknown/deep/path"}),
    ],
)
def test_full_matches_follow_api_gateway_precedence(
        method: str, path: str, function: str, resource: str,
        params: dict[str, str] | None) -> None:
    match = TABLE.match(method, path)
    assert match.kind is MatchKind.FULL
    assert match.route is not None
    assert (match.route.function, match.resource, match.path_parameters) == (
        function, resource, params)


@pytest.mark.parametrize(
    ("method", "path", "resource", "methods"),
    [
        ("DELETE", "/reviews", "/reviews", ("GET", "POST")),
        ("POST", "/reviews/search", "/reviews/search", ("GET",)),
        ("POST", "/files/readme", "/files/readme", ("GET",)),
        ("DELETE", "/reviews/1/comments", "/reviews/{id}/comments", ("GET",)),
        ("POST", "/", "/", ("GET",)),
        ("POST", "/anything", "/{proxy+}", ("GET",)),
    ],
)
def test_a_known_resource_without_the_method_is_a_path_match(
        method: str, path: str, resource: str, methods: tuple[str, ...]) -> None:
    match = TABLE.match(method, path)
    assert (match.kind, match.route, match.resource, match.methods) == (
        MatchKind.PATH, None, resource, methods)


def test_no_resource_is_no_match() -> None:
    table = RouteTable([Route("GET", "/reviews/{id}", "get"), Route("ANY", "/x/{p+}", "x")])
    for path in ("/", "/reviews", "/other", "/reviews/1/2", "/x", "/x/"):
        assert table.match("GET", path).kind is MatchKind.NONE


def test_options_on_a_cors_resource_is_left_to_the_preflight_even_with_any() -> None:
    match = TABLE.match("OPTIONS", "/files/a/b")
    assert match.kind is MatchKind.PATH
    assert match.preflight is not None
    assert match.path_parameters == {"path": "a/b"}


def test_an_explicit_options_route_wins_over_the_preflight() -> None:
    table = RouteTable([Route("GET", "/a", "get", CORS), Route("OPTIONS", "/a", "opts")])
    match = table.match("OPTIONS", "/a")
    assert match.kind is MatchKind.FULL
    assert match.route == Route("OPTIONS", "/a", "opts")


def test_preflight_merges_the_cors_routes_of_a_resource_in_serverless_order() -> None:
    match = TABLE.match("OPTIONS", "/reviews")
    assert match.preflight is not None
    assert match.preflight.methods == ("OPTIONS", "POST", "GET")
    assert match.preflight.cors == CORS


def test_resources_without_cors_have_no_preflight() -> None:
    match = TABLE.match("OPTIONS", "/reviews/search")
    assert (match.kind, match.preflight) == (MatchKind.PATH, None)


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ([Route("GET", "/a/{id}", "f"), Route("GET", "/a/{name}/b", "g")], "only one is allowed"),
        ([Route("GET", "/a/{id}", "f"), Route("GET", "/a/{p+}", "g")], "only one is allowed"),
        ([Route("GET", "/a/{p+}", "f"), Route("GET", "/a/{id}", "g")], "only one is allowed"),
        ([Route("GET", "/a/{p+}/b", "f")], "last path part"),
        ([Route("GET", "/a/{id}.json", "f")], "invalid path part"),
        ([Route("GET", "/a b", "f")], "invalid path part"),
        ([Route("GET", "/a", "f"), Route("GET", "/a", "g")], "duplicate route"),
    ],
)
def test_routes_api_gateway_would_refuse_are_errors(routes: list[Route], message: str) -> None:
    with pytest.raises(RouteError, match=message) as raised:
        RouteTable(routes)
    assert isinstance(raised.value, ConfigError)
    assert raised.value.resource == routes[-1].resource


@pytest.mark.parametrize(
    ("path", "segments"),
    [("/", []), ("", []), ("/a", ["a"]), ("/a/b/", ["a", "b"]), ("//a//b", ["a", "", "b"])],
)
def test_split_path(path: str, segments: list[str]) -> None:
    assert split_path(path) == segments
