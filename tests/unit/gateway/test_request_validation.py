"""API Gateway's request validator on REST methods: what serverless.yml's `request:` becomes
(config/request_validation.py) and what the gateway refuses (gateway/validation.py)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from emulator.config.errors import ConfigError
from emulator.config.loader import load_service
from emulator.config.request_validation import RequestValidation
from emulator.config.service import ServiceConfig
from emulator.gateway.http import HttpRequest
from emulator.gateway.validation import Refusal, check

HEAD = "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n"
SCHEMA = {"type": "object", "required": ["title"],
          "properties": {"title": {"type": "string", "minLength": 1}}}


def load(tmp_path: Path, text: str) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text(HEAD + textwrap.dedent(text), encoding="utf-8")
    return load_service(path, env={})


def validation_of(tmp_path: Path, request: str) -> RequestValidation | None:
    service = load(tmp_path, "functions:\n  f:\n    handler: h.f\n    events:\n      - http:\n"
                             "          path: items\n          method: post\n"
                             + textwrap.indent(textwrap.dedent(request), " " * 10))
    return service.routes[0].validation


def request(body: bytes = b"", *, headers: tuple[tuple[str, str], ...] = (),
            query: tuple[tuple[str, str], ...] = ()) -> HttpRequest:
    return HttpRequest("POST", "/dev/items", query, headers, body)


def test_schemas_and_required_parameters_become_the_methods_validator(tmp_path: Path) -> None:
    found = validation_of(tmp_path, f"""\
        request:
          schemas:
            application/json: {json.dumps(SCHEMA)}
          parameters:
            querystrings: {{page: true, sort: false}}
            headers: {{X-Api-Version: {{required: true}}, X-Trace: {{required: false}}}}
            paths: {{}}
        """)
    assert found is not None
    assert found.required == (("querystring", "page"), ("header", "X-Api-Version"))
    assert json.loads(dict(found.models)["application/json"]) == SCHEMA


def test_the_schema_forms_the_framework_reads(tmp_path: Path) -> None:
    # {schema, name, description}, and a name of provider.apiGateway.request.schemas
    explicit = validation_of(tmp_path, f"""\
        request:
          schemas:
            application/json: {{schema: {json.dumps(SCHEMA)}, name: Item}}
        """)
    assert explicit is not None and json.loads(dict(explicit.models)["application/json"]) == SCHEMA
    path = tmp_path / "serverless.yml"
    path.write_text(textwrap.dedent(f"""\
        service: s
        provider:
          name: aws
          runtime: python3.12
          apiGateway:
            request:
              schemas:
                item-model: {{schema: {json.dumps(SCHEMA)}, name: Item}}
        functions:
          f:
            handler: h.f
            events:
              - http:
                  path: items
                  method: post
                  request: {{schemas: {{application/json: item-model}}}}
        """), encoding="utf-8")
    service = load_service(path, env={})
    named = service.routes[0].validation
    assert named is not None and json.loads(dict(named.models)["application/json"]) == SCHEMA
    assert not any("apiGateway" in u for u in service.unsupported)


def test_no_schema_and_no_required_parameter_means_no_validator(tmp_path: Path) -> None:
    assert validation_of(tmp_path, "request:\n  parameters:\n    querystrings: {a: false}\n") \
        is None


@pytest.mark.parametrize(("request_yaml", "message"), [
    ("request:\n  schemas:\n    application/json: {type: objet}\n",
     r"request\.schemas\.application/json: not a valid JSON Schema draft 4 model at type"),
    ("request:\n  schemas:\n    application/json: [1]\n", r"must be a JSON schema"),
    ("request:\n  parameters:\n    query: {a: true}\n", r"request\.parameters\.query: unknown "
                                                        r"location"),
    ("request:\n  parameters:\n    headers: {a: maybe}\n", r"must be true, false"),
])
def test_a_validator_aws_would_refuse_at_deploy_is_a_config_error(
        tmp_path: Path, request_yaml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        validation_of(tmp_path, request_yaml)
    assert caught.value.line is not None  # the file's line is named


VALIDATION = RequestValidation(
    (("querystring", "page"), ("header", "X-Api-Version")),
    (("application/json", json.dumps(SCHEMA)),))
OK_HEADERS = (("Content-Type", "application/json"), ("x-api-version", "2"))


@pytest.mark.parametrize(("req", "refusal"), [
    (request(b'{"title": "a"}', headers=OK_HEADERS, query=(("page", "1"),)), None),
    (request(b'{"title": "a"}', headers=OK_HEADERS),
     Refusal("BAD_REQUEST_PARAMETERS", "Missing required request parameters: "
                                       "[querystring.page]")),
    (request(b'{"title": "a"}', query=(("page", " "),)),  # blank counts as missing
     Refusal("BAD_REQUEST_PARAMETERS", "Missing required request parameters: "
                                       "[querystring.page, header.X-Api-Version]")),
    (request(b'{"title": ""}', headers=OK_HEADERS, query=(("page", "1"),)),
     Refusal("BAD_REQUEST_BODY", "Invalid request body")),
    (request(b"not json", headers=OK_HEADERS, query=(("page", "1"),)),
     Refusal("BAD_REQUEST_BODY", "Invalid request body")),
    # an empty body is validated as {} (here: title missing)
    (request(b"", headers=OK_HEADERS, query=(("page", "1"),)),
     Refusal("BAD_REQUEST_BODY", "Invalid request body")),
    # another content type than the models': not validated
    (request(b"<x/>", headers=(("Content-Type", "text/xml"), ("X-Api-Version", "2")),
             query=(("page", "1"),)), None),
    # no Content-Type: read as application/json
    (request(b"[]", headers=(("X-Api-Version", "2"),), query=(("page", "1"),)),
     Refusal("BAD_REQUEST_BODY", "Invalid request body")),
    # parameters are checked first
    (request(b"[]", headers=(("X-Api-Version", "2"),)),
     Refusal("BAD_REQUEST_PARAMETERS", "Missing required request parameters: "
                                       "[querystring.page]")),
])
def test_the_validator_answers_as_api_gateway(req: HttpRequest, refusal: Refusal | None) -> None:
    assert check(req, {}, VALIDATION) == refusal


def test_default_model_and_a_charset_parameter_are_matched() -> None:
    any_type = RequestValidation((), (("$default", json.dumps(SCHEMA)),))
    xml = request(b"<x/>", headers=(("Content-Type", "text/xml"),))
    assert check(xml, {}, any_type) == Refusal("BAD_REQUEST_BODY", "Invalid request body")
    utf8 = request(b'{"title": "a"}', headers=(("Content-Type",
                                                 "Application/JSON; charset=utf-8"),))
    assert check(utf8, {}, RequestValidation((), (("application/json", json.dumps(SCHEMA)),))) \
        is None


def test_a_crafted_deep_body_is_refused_not_crashed() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    assert check(request(deep), {}, RequestValidation((), (("$default", '{"type": "array"}'),))) \
        == Refusal("BAD_REQUEST_BODY", "Invalid request body")
