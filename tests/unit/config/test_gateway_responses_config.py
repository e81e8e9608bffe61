"""AWS::ApiGateway::GatewayResponse of `resources:`, read as CloudFormation would deploy it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.config.errors import ConfigError
from emulator.config.gateway_responses import RESPONSE_TYPES, GatewayResponseConfig, HeaderValue
from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig

HEAD = """\
service: svc
provider:
  name: aws
  runtime: python3.12
functions:
  get:
    handler: app.get
    events:
      - http: GET items
resources:
  Resources:
"""


def load(tmp_path: Path, resources: str) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text(HEAD + textwrap.indent(textwrap.dedent(resources), "    "),
                    encoding="utf-8")
    return load_service(path, env={})


def response(kind: str, props: str = "", api: str = "Ref: ApiGatewayRestApi") -> str:
    extra = textwrap.indent(textwrap.dedent(props), "    ")
    return (f"Gw{kind.replace('_', '')}:\n  Type: 'AWS::ApiGateway::GatewayResponse'\n"
            f"  Properties:\n    ResponseType: {kind}\n    RestApiId:\n      {api}\n{extra}")


def test_cors_headers_status_and_templates_are_read(tmp_path: Path) -> None:
    config = load(tmp_path, response("DEFAULT_4XX", """\
        ResponseParameters:
          gatewayresponse.header.Access-Control-Allow-Origin: "'*'"
          gatewayresponse.header.X-Origin: method.request.header.Origin
        """) + response("UNAUTHORIZED", """\
        StatusCode: '401'
        ResponseTemplates:
          application/json: '{"error":$context.error.messageString}'
        """) + response("EXPIRED_TOKEN", "StatusCode: 419\n"))
    assert config.gateway_responses == (
        GatewayResponseConfig("DEFAULT_4XX", None, (
            ("Access-Control-Allow-Origin", HeaderValue(static="*")),
            ("X-Origin", HeaderValue(source="method.request.header.Origin"))),
            logical_id="GwDEFAULT4XX"),
        GatewayResponseConfig("UNAUTHORIZED", 401, templates={
            "application/json": '{"error":$context.error.messageString}'},
            logical_id="GwUNAUTHORIZED"),
        GatewayResponseConfig("EXPIRED_TOKEN", 419, logical_id="GwEXPIREDTOKEN"),
    )
    assert not any("GatewayResponse" in u or "Gw" in u for u in config.unsupported)


def test_an_unknown_type_names_file_line_key_and_the_valid_types(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, response("DEFAULT_4xx"))
    message = str(caught.value)
    assert "serverless.yml" in message
    assert "resources.Resources.GwDEFAULT4xx.Properties.ResponseType" in message
    assert "serverless.yml:15: " in message
    assert "'DEFAULT_4xx'" in message and ", ".join(RESPONSE_TYPES) in message
    assert "\n" not in message


@pytest.mark.parametrize(("props", "key", "expected"), [
    ("StatusCode: '4O1'\n", "StatusCode", "StatusCode must be an HTTP status code"),
    ("StatusCode: 600\n", "StatusCode", "StatusCode must be an HTTP status code"),
    ("StatusCode: true\n", "StatusCode", "StatusCode must be an HTTP status code"),
    ("ResponseParameters:\n  method.response.header.X: \"'1'\"\n",
     "ResponseParameters.method.response.header.X", "gatewayresponse.header.<Name>"),
    ("ResponseParameters:\n  gatewayresponse.header.X: '*'\n",
     "ResponseParameters.gatewayresponse.header.X", "neither a quoted static value"),
    ("ResponseParameters:\n  gatewayresponse.header.X: 3\n",
     "ResponseParameters.gatewayresponse.header.X", "must be a quoted static value"),
    ("ResponseTemplates:\n  application/json: {a: 1}\n",
     "ResponseTemplates.application/json", "must be a string"),
    ("ResponseTemplates: [x]\n", "ResponseTemplates", "must be a mapping"),
])
def test_bad_properties_are_one_line_errors(tmp_path: Path, props: str, key: str,
                                            expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, response("DEFAULT_5XX", props))
    message = str(caught.value)
    assert f"resources.Resources.GwDEFAULT5XX.Properties.{key}" in message
    assert expected in message


def test_sources_from_the_request_and_context_are_kept(tmp_path: Path) -> None:
    config = load(tmp_path, response("DEFAULT_5XX", """\
        ResponseParameters:
          gatewayresponse.header.A: method.request.querystring.q
          gatewayresponse.header.B: context.requestId
          gatewayresponse.header.C: stageVariables.origin
          gatewayresponse.header.D: "'a, b'"
        """))
    (found,) = config.gateway_responses
    assert [v for _, v in found.headers] == [
        HeaderValue(source="method.request.querystring.q"),
        HeaderValue(source="context.requestId"), HeaderValue(source="stageVariables.origin"),
        HeaderValue(static="a, b")]


def test_a_response_of_another_rest_api_is_noted_and_skipped(tmp_path: Path) -> None:
    config = load(tmp_path, response("DEFAULT_4XX", api="Ref: OtherApi")
                  + response("DEFAULT_5XX", api="abc123"))
    assert config.gateway_responses == ()
    assert ("resources.Resources.GwDEFAULT4XX.Properties.RestApiId (a gateway response of "
            "another REST API)") in config.unsupported
    assert len([u for u in config.unsupported if "another REST API" in u]) == 2


def test_two_responses_of_one_type_are_refused(tmp_path: Path) -> None:
    twice = response("UNAUTHORIZED") + response("UNAUTHORIZED").replace(
        "GwUNAUTHORIZED:", "Again:")
    with pytest.raises(ConfigError, match="UNAUTHORIZED is already customised by "
                                          "GwUNAUTHORIZED"):
        load(tmp_path, twice)


def test_the_serinth_boilerplate_fragment_loads(tmp_path: Path) -> None:
    fragment = (Path(__file__).parents[2] / "realworld" / "serinth-boilerplate" / "resources"
                / "api_gateway_errors.yml")
    (tmp_path / "errors.yml").write_text(fragment.read_text(encoding="utf-8"), "utf-8")
    path = tmp_path / "serverless.yml"
    path.write_text(HEAD.replace("  Resources:\n", "") .replace(
        "resources:\n", "resources:\n  - ${file(./errors.yml)}\n"), encoding="utf-8")
    config = load_service(path, env={})
    assert [(r.response_type, dict(r.headers)["Access-Control-Allow-Origin"])
            for r in config.gateway_responses] == [
        ("DEFAULT_4XX", HeaderValue(static="*")), ("DEFAULT_5XX", HeaderValue(static="*"))]
