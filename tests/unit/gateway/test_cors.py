"""The Serverless Framework's CORS preflight (emulator.cors) and the gateway's own replies."""

from __future__ import annotations

import pytest

from emulator.config.cors import CorsConfig
from emulator.config.cors import parse as parse_cors
from emulator.config.errors import ConfigError
from emulator.gateway import errors
from emulator.gateway.cors import allow_methods, merge, preflight
from emulator.gateway.http import HttpResponse

DEFAULT_HEADERS = ("Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token,"
                   "X-Amz-User-Agent,X-Amzn-Trace-Id")


def test_cors_true_preflight_has_the_serverless_defaults() -> None:
    assert preflight(CorsConfig(), ["GET", "POST"], "https://app.example") == HttpResponse(
        200,
        (("Content-Type", "application/json"),
         ("Access-Control-Allow-Origin", "*"),
         ("Access-Control-Allow-Headers", DEFAULT_HEADERS),
         ("Access-Control-Allow-Methods", "OPTIONS,GET,POST")),
        b"",
    )


def test_cors_object_adds_credentials_max_age_and_cache_control() -> None:
    cors = CorsConfig(origins=("https://app.example",), headers=("Content-Type", "X-Token"),
                      allow_credentials=True, max_age=600, cache_control="max-age=600")
    response = preflight(cors, ["OPTIONS", "PUT"], None)
    assert response.headers[1:] == (
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Headers", "Content-Type,X-Token"),
        ("Access-Control-Allow-Methods", "OPTIONS,PUT"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Max-Age", "600"),
        ("Cache-Control", "max-age=600"),
    )


@pytest.mark.parametrize(
    ("origins", "match_origin", "request_origin", "allowed"),
    [
        (("https://a.example", "https://b.example"), True, "https://b.example",
         "https://b.example"),
        (("https://a.example", "https://b.example"), True, "https://evil.example",
         "https://a.example"),
        (("https://*.shop.example",), True, "https://eu.shop.example", "https://eu.shop.example"),
        (("https://*.shop.example",), True, "https://shop.example", "https://*.shop.example"),
        (("https://a.example",), True, "https://aXexample", "https://a.example"),
        (("https://a.example", "https://b.example"), True, None, "https://a.example"),
        (("*",), True, "https://any.example", "https://any.example"),
        (("*",), False, "https://any.example", "*"),
        (("https://a.example",), False, "https://b.example", "https://a.example"),
    ],
)
def test_allow_origin_echoes_a_listed_origin_like_the_serverless_template(
        origins: tuple[str, ...], match_origin: bool, request_origin: str | None,
        allowed: str) -> None:
    cors = CorsConfig(origins=origins, match_origin=match_origin)
    headers = dict(preflight(cors, ["GET"], request_origin).headers)
    assert headers["Access-Control-Allow-Origin"] == allowed


@pytest.mark.parametrize(
    ("methods", "header"),
    [
        (["GET"], "OPTIONS,GET"),
        (["OPTIONS", "DELETE", "PUT", "GET"], "OPTIONS,DELETE,PUT,GET"),
        (["ANY"], "OPTIONS,DELETE,GET,HEAD,PATCH,POST,PUT"),
        (["get", "OPTIONS"], "GET,OPTIONS"),
    ],
)
def test_allow_methods(methods: list[str], header: str) -> None:
    assert allow_methods(methods) == header


def test_merge_follows_validate_js_union_order() -> None:
    a = CorsConfig(headers=("A",), max_age=10)
    b = CorsConfig(headers=("B", "A"), allow_credentials=True)
    c = CorsConfig(origins=("https://x.example",), headers=("C",), match_origin=True)
    merged = merge([("GET", a), ("PUT", b), ("DELETE", c)])
    assert merged is not None
    assert merged.methods == ("OPTIONS", "DELETE", "PUT", "GET")
    assert merged.cors == CorsConfig(origins=("https://x.example",), headers=("C", "B", "A"),
                                     allow_credentials=True, max_age=10, match_origin=True)
    assert merge([]) is None


def test_merge_keeps_user_listed_methods_first() -> None:
    merged = merge([("POST", CorsConfig(methods=("GET",)))])
    assert merged is not None and merged.methods == ("GET", "OPTIONS", "POST")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yes", "true or a mapping"),
        ({"origins": []}, "at least one origin"),
        ({"origin": 5}, "origin must be a string"),
        ({"headers": [1]}, "list of strings"),
        ({"maxAge": "1h"}, "maxAge must be an integer"),
    ],
)
def test_invalid_cors_values_are_config_errors(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_cors(value, key="functions.f.events[0].http.cors", file="serverless.yml")


@pytest.mark.parametrize(
    ("reply", "status", "content_type", "error_type", "body"),
    [
        (errors.missing_authentication_token, 403, "application/json",
         "MissingAuthenticationTokenException", b'{"message":"Missing Authentication Token"}'),
        (errors.bad_gateway, 502, "application/json", "InternalServerErrorException",
         b'{"message": "Internal server error"}'),
        (errors.internal_error, 500, "application/json", "InternalServerErrorException",
         b'{"message": "Internal server error"}'),
        (errors.endpoint_timeout, 504, "application/json", None,
         b'{"message": "Endpoint request timed out"}'),
        (errors.request_too_long, 413, "application/json", None,
         b'{"message": "Request Too Long"}'),
        (errors.content_length_exceeded, 413, "text/plain", None,
         b"HTTP content length exceeded 10485760 bytes."),
    ],
)
def test_gateway_replies(reply: object, status: int, content_type: str,
                         error_type: str | None, body: bytes) -> None:
    assert callable(reply)
    response = reply()
    assert isinstance(response, HttpResponse)
    expected_headers = [("Content-Type", content_type)]
    if error_type:
        expected_headers.append(("x-amzn-ErrorType", error_type))
    assert (response.status, response.headers, response.body) == (
        status, tuple(expected_headers), body)
    assert not any(k.lower().startswith("access-control-") for k, _ in response.headers)
