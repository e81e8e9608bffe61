"""Customised gateway responses of the REST API (AWS::ApiGateway::GatewayResponse in `resources:`).

A gateway response changes what API Gateway itself answers (no route, a refused authorizer, a
failed integration): its status code, extra headers (`gatewayresponse.header.<Name>`) and the
body template per content type. Only the service's own REST API (`Ref: ApiGatewayRestApi`, the
logical id the Serverless Framework gives it) is served; one of another API is noted and skipped.
Sources: AWS, "Gateway response types for API Gateway"; CloudFormation,
AWS::ApiGateway::GatewayResponse.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from emulator.config.document import Document
from emulator.config.intrinsics import CfnContext, resolve_intrinsics
from emulator.config.yamlfile import KeyPath

TYPE = "AWS::ApiGateway::GatewayResponse"
REST_API = "ApiGatewayRestApi"  # the Serverless Framework's logical id of the REST API
HEADER_PREFIX = "gatewayresponse.header."

# AWS API Gateway reference, GatewayResponse.responseType: the valid values, in AWS's order.
RESPONSE_TYPES = (
    "DEFAULT_4XX", "DEFAULT_5XX", "RESOURCE_NOT_FOUND", "UNAUTHORIZED", "INVALID_API_KEY",
    "ACCESS_DENIED", "AUTHORIZER_FAILURE", "AUTHORIZER_CONFIGURATION_ERROR", "INVALID_SIGNATURE",
    "EXPIRED_TOKEN", "MISSING_AUTHENTICATION_TOKEN", "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT", "API_CONFIGURATION_ERROR", "UNSUPPORTED_MEDIA_TYPE",
    "BAD_REQUEST_PARAMETERS", "BAD_REQUEST_BODY", "REQUEST_TOO_LARGE", "THROTTLED",
    "QUOTA_EXCEEDED", "WAF_FILTERED",
)
_STATUS = re.compile(r"[1-5]\d\d")  # AWS: statusCode pattern [1-5]\d\d
_STATIC = re.compile(r"'(.*)'", re.DOTALL)
# The request and context values a gateway response header can be mapped from (AWS, "Set up a
# gateway response"): method.request.{header,querystring,path,multivalue*}.X, context.X,
# stageVariables.X. Everything else is refused by AWS at deploy time.
_SOURCE = re.compile(r"method\.request\.(header|querystring|path|multivalueheader|"
                     r"multivaluequerystring)\.[^.\s]+|context\.[A-Za-z0-9_.]+|"
                     r"stageVariables\.[A-Za-z0-9_]+")


@dataclass(frozen=True, slots=True)
class HeaderValue:
    """One `gatewayresponse.header.<Name>` value: a static string, or a request/context source."""

    static: str | None = None  # the text between the quotes of "'...'"
    source: str | None = None  # e.g. "method.request.header.Origin", "context.requestId"


@dataclass(frozen=True, slots=True)
class GatewayResponseConfig:
    """One customised response type of the REST API."""

    response_type: str  # one of RESPONSE_TYPES
    status: int | None = None  # StatusCode; None keeps the type's default
    headers: tuple[tuple[str, HeaderValue], ...] = ()
    templates: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    logical_id: str = ""


def read_gateway_responses(doc: Document, context: CfnContext
                           ) -> tuple[GatewayResponseConfig, ...]:
    """Every AWS::ApiGateway::GatewayResponse of `resources.Resources` for this service's API."""
    key: KeyPath = ("resources", "Resources")
    resources = doc.mapping(doc.mapping(doc.doc.get("resources"), key[:1]).get(key[1]), key)
    found: dict[str, GatewayResponseConfig] = {}
    for logical_id, raw in resources.items():
        rkey = (*key, logical_id)
        resource = doc.mapping(raw, rkey)
        if resource.get("Type") != TYPE:
            continue
        pkey = (*rkey, "Properties")
        props = doc.mapping(resource.get("Properties"), pkey)
        if not _is_this_api(props.get("RestApiId")):
            doc.note((*pkey, "RestApiId"), "a gateway response of another REST API")
            continue
        response = _read_one(doc, str(logical_id), resolve_intrinsics(props, context), pkey)
        if response.response_type in found:  # AWS keeps one response per type and API
            raise doc.error((*pkey, "ResponseType"), f"{response.response_type} is already "
                            f"customised by {found[response.response_type].logical_id}")
        found[response.response_type] = response
    return tuple(found.values())


def _is_this_api(value: Any) -> bool:
    return isinstance(value, dict) and value == {"Ref": REST_API}


def _read_one(doc: Document, logical_id: str, props: dict[str, Any], pkey: KeyPath
              ) -> GatewayResponseConfig:
    response_type = props.get("ResponseType")
    if response_type not in RESPONSE_TYPES:
        raise doc.error((*pkey, "ResponseType"), f"unknown gateway response type "
                        f"{response_type!r}; expected one of: {', '.join(RESPONSE_TYPES)}")
    return GatewayResponseConfig(
        response_type=str(response_type),
        status=_status(doc, props.get("StatusCode"), (*pkey, "StatusCode")),
        headers=_headers(doc, props.get("ResponseParameters"), (*pkey, "ResponseParameters")),
        templates=_templates(doc, props.get("ResponseTemplates"), (*pkey, "ResponseTemplates")),
        logical_id=logical_id)


def _status(doc: Document, value: Any, key: KeyPath) -> int | None:
    if value is None:
        return None
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(
        value, bool) else ""
    if not _STATUS.fullmatch(text):
        raise doc.error(key, f"StatusCode must be an HTTP status code from 100 to 599 (a string "
                             f"or number), not {value!r}")
    return int(text)


def _headers(doc: Document, value: Any, key: KeyPath) -> tuple[tuple[str, HeaderValue], ...]:
    headers: list[tuple[str, HeaderValue]] = []
    for name, raw in doc.mapping(value, key).items():
        where = (*key, str(name))
        if not str(name).startswith(HEADER_PREFIX) or len(str(name)) == len(HEADER_PREFIX):
            raise doc.error(where, f"response parameters must be named {HEADER_PREFIX}<Name>")
        header = str(name)[len(HEADER_PREFIX):]
        if not isinstance(raw, str):
            raise doc.error(where, "must be a quoted static value like \"'*'\" or a source "
                                   "like method.request.header.Origin")
        static = _STATIC.fullmatch(raw.strip())
        if static:
            headers.append((header, HeaderValue(static=static.group(1))))
        elif _SOURCE.fullmatch(raw.strip()):
            headers.append((header, HeaderValue(source=raw.strip())))
        else:
            raise doc.error(where, f"{raw!r} is neither a quoted static value like \"'*'\" nor "
                                   "a method.request.*, context.* or stageVariables.* source")
    return tuple(headers)


def _templates(doc: Document, value: Any, key: KeyPath) -> Mapping[str, str]:
    templates: dict[str, str] = {}
    for content_type, template in doc.mapping(value, key).items():
        if not isinstance(template, str):
            raise doc.error((*key, str(content_type)), "a response template must be a string")
        templates[str(content_type)] = template
    return MappingProxyType(templates)
