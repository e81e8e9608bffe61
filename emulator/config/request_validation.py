"""An `http` event's `request:` validation, as the Serverless Framework v3 deploys it.

The framework (lib/plugins/aws/package/compile/events/api-gateway/lib/request-validator.js and
method/index.js in serverless@3.40) turns `request.schemas` (content type -> JSON schema, or
`{schema, name, description}`, or the name of a model in `provider.apiGateway.request.schemas`)
into API Gateway models, and `request.parameters.{querystrings,headers,paths}` (name -> true,
false or `{required, mappedValue}`) into the method's request parameters. When any schema is
given, or any parameter is required, the method gets the service's one request validator,
which validates both the body and the parameters (ValidateRequestBody and
ValidateRequestParameters both true). API Gateway applies the schemas as JSON Schema draft 4
(AWS, "Data models for REST APIs").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import SchemaError

from emulator.config.document import Document
from emulator.config.yamlfile import KeyPath

LOCATIONS = (("querystrings", "querystring"), ("headers", "header"), ("paths", "path"))


@dataclass(frozen=True, slots=True)
class RequestValidation:
    """What a method's request validator checks before the integration runs."""

    # (location, name): location is "querystring", "header" or "path", as in
    # `method.request.querystring.name`; only the required ones are listed.
    required: tuple[tuple[str, str], ...] = ()
    # (content type ("application/json", or "$default"), the draft-4 schema as canonical JSON
    # text): hashable, as routes are; the gateway compiles each schema once, found by its text
    models: tuple[tuple[str, str], ...] = ()

    def model(self, content_type: str) -> str | None:
        """The schema for a content type (lower case), else `$default`'s, else None."""
        found = dict(self.models)
        return found.get(content_type) or found.get("$default")


def read_request(doc: Document, request: Any, key: KeyPath) -> RequestValidation | None:
    """The validator of one `http` event's `request:`, or None when the method gets none."""
    if request is None:
        return None
    if not isinstance(request, dict):
        raise doc.error(key, "must be a mapping (schemas:, parameters:)")
    required = _required_parameters(doc, request.get("parameters"), (*key, "parameters"))
    models = _models(doc, request.get("schemas"), (*key, "schemas"))
    for name in request:
        if name not in ("schemas", "parameters", "schema"):
            doc.note((*key, str(name)), "not applied to a Lambda proxy integration")
    if "schema" in request:
        doc.note((*key, "schema"), "the framework uses `schemas` (content type -> schema)")
    if not required and not models:
        return None
    return RequestValidation(tuple(required), tuple(models.items()))


def _required_parameters(doc: Document, parameters: Any, key: KeyPath) -> list[tuple[str, str]]:
    if parameters is None:
        return []
    if not isinstance(parameters, dict):
        raise doc.error(key, "must be a mapping of querystrings:, headers:, paths:")
    required = []
    for plural, singular in LOCATIONS:
        names = parameters.get(plural)
        if names is None:
            continue
        if not isinstance(names, dict):
            raise doc.error((*key, plural), "must map parameter names to true/false or "
                                            "{required: ...}")
        for name, value in names.items():
            flag = value.get("required", True) if isinstance(value, dict) else value
            if not isinstance(flag, bool):
                raise doc.error((*key, plural, str(name)), "must be true, false or "
                                                           "{required: true|false}")
            if flag:
                required.append((singular, str(name)))
    for name in parameters:
        if name not in dict(LOCATIONS):
            raise doc.error((*key, str(name)), "unknown location (querystrings, headers or "
                                               "paths)")
    return required


def _models(doc: Document, schemas: Any, key: KeyPath) -> dict[str, str]:
    if schemas is None:
        return {}
    if not isinstance(schemas, dict):
        raise doc.error(key, "must map content types to JSON schemas")
    named = _provider_models(doc)
    models = {}
    for content_type, config in schemas.items():
        ckey = (*key, str(content_type))
        if isinstance(config, str) and config in named:
            schema = named[config]
        elif isinstance(config, dict):
            schema = config.get("schema", config)
        else:
            raise doc.error(ckey, "must be a JSON schema, {schema: ...}, or the name of a model "
                                  "in provider.apiGateway.request.schemas")
        checked = check_schema(doc, schema, ckey)
        models[str(content_type).lower()] = json.dumps(checked, sort_keys=True)
    return models


def _provider_models(doc: Document) -> dict[str, Any]:
    """`provider.apiGateway.request.schemas`: named models events refer to by name."""
    api_gateway = doc.mapping(doc.provider.get("apiGateway"), ("provider", "apiGateway"))
    request = doc.mapping(api_gateway.get("request"), ("provider", "apiGateway", "request"))
    schemas = doc.mapping(request.get("schemas"),
                          ("provider", "apiGateway", "request", "schemas"))
    return {str(name): (spec.get("schema", spec) if isinstance(spec, dict) else spec)
            for name, spec in schemas.items()}


def check_schema(doc: Document, schema: Any, key: KeyPath) -> dict[str, Any]:
    """The schema if it is valid draft 4 (AWS refuses the model at deploy otherwise)."""
    if not isinstance(schema, dict):
        raise doc.error(key, "the schema must be a JSON object (draft 4)")
    try:
        Draft4Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top)"
        raise doc.error(key, f"not a valid JSON Schema draft 4 model at {where}: "
                             f"{exc.message}") from None
    return schema
