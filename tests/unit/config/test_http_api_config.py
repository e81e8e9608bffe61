"""`httpApi` events and `provider.httpApi` read as the Serverless Framework v3 compiles them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.config.errors import ConfigError
from emulator.config.http_api_events import DEFAULT_CORS_HEADERS
from emulator.config.loader import load_service
from emulator.config.service import HttpApiCors, HttpApiRoute, ServiceConfig


def load(tmp_path: Path, text: str) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_service(path, env={})


SERVICE = """\
service: svc
provider:
  name: aws
  runtime: python3.12
{provider}
functions:
  f:
    handler: app.main
    events:
{events}
"""


def service(tmp_path: Path, events: str, provider: str = "") -> ServiceConfig:
    indented = textwrap.indent(textwrap.dedent(events), "      ")
    return load(tmp_path, SERVICE.format(events=indented,
                                         provider=textwrap.indent(provider, "  ")))


def test_string_object_any_and_catch_all_forms(tmp_path: Path) -> None:
    config = service(tmp_path, """\
        - httpApi: 'GET /pets/{id}'
        - httpApi:
            method: '*'
            path: /pets/{proxy+}
        - httpApi:
            method: post
            path: /pets
        - httpApi: '*'
        - http: GET legacy
        """)
    assert config.http_api_routes == (
        HttpApiRoute("GET", "/pets/{id}", "f"),
        HttpApiRoute("ANY", "/pets/{proxy+}", "f"),
        HttpApiRoute("POST", "/pets", "f"),
        HttpApiRoute("ANY", None, "f"),
    )
    assert [r.route_key for r in config.http_api_routes][-1] == "$default"
    assert len(config.routes) == 1  # the http event stays a REST route
    assert not any("httpApi" in u for u in config.unsupported)


def test_payload_version_from_provider_and_function(tmp_path: Path) -> None:
    text = """\
    service: svc
    provider:
      name: aws
      runtime: python3.12
      httpApi:
        payload: '1.0'
    functions:
      old:
        handler: app.old
        events: [{httpApi: 'GET /old'}]
      new:
        handler: app.new
        httpApi:
          payload: '2.0'
        events: [{httpApi: 'GET /new'}]
    """
    routes = load(tmp_path, text).http_api_routes
    assert [(r.path, r.payload) for r in routes] == [("/old", "1.0"), ("/new", "2.0")]


@pytest.mark.parametrize(
    ("events", "provider", "key", "message"),
    [
        ("- httpApi: 'GET /a'\n- httpApi: 'get /a'\n", "", "functions.f.events[1].httpApi",
         "duplicate httpApi route 'GET /a' (also at functions.f.events[0].httpApi)"),
        ("- httpApi: 'FETCH /a'\n", "", "functions.f.events[0].httpApi",
         "unknown HTTP method 'FETCH'"),
        ("- httpApi: 'GET a'\n", "", "functions.f.events[0].httpApi", "use 'METHOD /path'"),
        ("- httpApi: {method: get, path: '*'}\n", "", "functions.f.events[0].httpApi",
         "path '*' (the catch-all $default route) takes method '*'"),
        ("- httpApi: {path: /a}\n", "", "functions.f.events[0].httpApi",
         "method is required"),
        ("- httpApi: 'GET /a/{p+}/b'\n", "", "functions.f.events[0].httpApi",
         "must be the last path part"),
        ("- httpApi: 'GET /a'\n", "httpApi:\n  payload: '3.0'\n", "provider.httpApi.payload",
         "unknown payload format version '3.0'"),
    ],
)
def test_bad_http_api_config_is_one_line_with_file_line_and_key(
        tmp_path: Path, events: str, provider: str, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        service(tmp_path, events, provider)
    error = caught.value
    assert error.key == key
    assert message in error.detail
    assert error.file and error.file.endswith("serverless.yml")
    assert error.line is not None
    assert "\n" not in str(error)


def test_cors_true_allows_the_route_methods(tmp_path: Path) -> None:
    config = service(tmp_path, "- httpApi: 'GET /a'\n- httpApi: 'DELETE /a/{id}'\n",
                     "httpApi:\n  cors: true\n")
    assert config.http_api_cors == HttpApiCors(("*",), DEFAULT_CORS_HEADERS,
                                               ("OPTIONS", "GET", "DELETE"))


def test_cors_object(tmp_path: Path) -> None:
    provider = """\
    httpApi:
      cors:
        allowedOrigins: [https://app.example]
        allowedHeaders: [Content-Type]
        allowedMethods: [GET, post]
        allowCredentials: true
        exposedResponseHeaders: X-Total
        maxAge: 600
    """
    config = service(tmp_path, "- httpApi: 'GET /a'\n", textwrap.dedent(provider))
    assert config.http_api_cors == HttpApiCors(
        ("https://app.example",), ("Content-Type",), ("GET", "POST"), True, ("X-Total",), 600)


def test_an_authorizer_of_provider_httpapi_is_kept_on_the_route(tmp_path: Path) -> None:
    provider = ("httpApi:\n  authorizers:\n    jwtAuth:\n"
                "      issuerUrl: https://issuer.example.com\n      audience: [client]\n")
    config = service(tmp_path, "- httpApi:\n    method: GET\n    path: /a\n"
                               "    authorizer: {name: jwtAuth, scopes: [read]}\n", provider)
    route = config.http_api_routes[0]
    assert route.authorizer == "jwtAuth"
    assert route.auth is not None
    assert (route.auth.kind, route.auth.scopes) == ("jwt", ("read",))
    assert not any("authorizer" in u for u in config.unsupported)


def test_an_authorizer_not_configured_is_refused_as_serverless_does(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not configured authorizer 'jwtAuth'"):
        service(tmp_path, "- httpApi:\n    method: GET\n    path: /a\n"
                          "    authorizer: {name: jwtAuth}\n")
