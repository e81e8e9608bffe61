"""The REST API's own replies, customised by the service's gateway responses, as AWS does.

Each reply kind of emulator/gateway/errors.py falls under one AWS gateway response type. The
reply uses, in AWS's order: the customisation of that type, else DEFAULT_4XX / DEFAULT_5XX by the
reply's status class, else AWS's default reply (AWS, "Gateway response types for API Gateway":
"If the response type is unspecified, this response defaults to the DEFAULT_4XX type"; a
DEFAULT_4XX status code changes the status of every other 4XX response). A customisation sets the
status, adds `gatewayresponse.header.*` headers and replaces the body by its template. Templates
get a tiny `$context.*` substitution, not a VTL engine: `#set`, `#if`, `$input` and `$util` are
kept as written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from emulator.config.gateway_responses import GatewayResponseConfig, HeaderValue
from emulator.gateway.errors import JSON, REPLIES, Reply, gateway_reply
from emulator.gateway.http import HttpRequest, HttpResponse

# Reply kind -> its AWS gateway response type; None: only DEFAULT_4XX / DEFAULT_5XX apply.
RESPONSE_TYPES: dict[Reply, str | None] = {
    Reply.MISSING_AUTHENTICATION_TOKEN: "MISSING_AUTHENTICATION_TOKEN",
    # A function error or malformed proxy result has no type of its own: DEFAULT_5XX is what
    # projects customise to put CORS headers on it (aws/aws-sam-cli#1027, Serverless projects).
    Reply.BAD_GATEWAY: None,
    Reply.INTERNAL_ERROR: None,  # Lambda throttled the invoke (THROTTLED is the gateway's own)
    Reply.ENDPOINT_TIMEOUT: "INTEGRATION_TIMEOUT",
    Reply.REQUEST_TOO_LONG: "REQUEST_TOO_LARGE",
    # The 10 MB refusal is plain text from AWS's front end, before the API: never customised.
    Reply.CONTENT_LENGTH_EXCEEDED: None,
    Reply.UNAUTHORIZED: "UNAUTHORIZED",
    Reply.ACCESS_DENIED: "ACCESS_DENIED",
    Reply.EXPLICIT_DENY: "ACCESS_DENIED",
    # AWS answers a crashed / malformed authorizer with x-amzn-ErrorType
    # AuthorizerConfigurationException ("Execution failed due to configuration error",
    # serverless/examples#305): the AUTHORIZER_CONFIGURATION_ERROR type.
    Reply.AUTHORIZER_FAILURE: "AUTHORIZER_CONFIGURATION_ERROR",
    Reply.FORBIDDEN: "INVALID_API_KEY",  # `private: true` without a valid x-api-key
}
_NOT_CUSTOMISED = frozenset({Reply.CONTENT_LENGTH_EXCEEDED})
# The $context variables a template or header may read (a subset of AWS's $context).
VARIABLES = (
    "error.message", "error.messageString", "error.responseType", "error.validationErrorString",
    "requestId", "extendedRequestId", "path", "httpMethod", "stage", "resourcePath", "apiId",
    "accountId", "domainName", "identity.sourceIp", "identity.userAgent",
)
_NAMES = "|".join(re.escape(n) for n in sorted(VARIABLES, key=len, reverse=True))
# "$context.path." at a sentence's end keeps its dot; "$context.error.messageString" is not
# "$context.error.message" + "String".
_VARIABLE = re.compile(rf"\$context\.({_NAMES})(?![A-Za-z0-9_])|\$\{{context\.({_NAMES})\}}")


@dataclass(frozen=True, slots=True)
class ReplyContext:
    """What a gateway response may read: the request and the gateway's $context values."""

    request: HttpRequest
    request_id: str
    stage: str
    path: str  # $context.path: the request path with the stage, as the client sent it
    resource_path: str = ""  # the route's resource ("/items/{id}"); "" when nothing matched
    path_parameters: Mapping[str, str] = field(default_factory=dict)
    api_id: str = ""
    account_id: str = ""


def customise(kind: Reply, responses: tuple[GatewayResponseConfig, ...],
              context: ReplyContext) -> HttpResponse:
    """Render reply `kind`, customised by the first of its type / DEFAULT_nXX / AWS's default."""
    default = gateway_reply(kind)
    if not responses or kind in _NOT_CUSTOMISED:
        return default
    by_type = {r.response_type: r for r in responses}
    fallback_type = "DEFAULT_4XX" if default.status < 500 else "DEFAULT_5XX"
    specific_type = RESPONSE_TYPES.get(kind)
    specific = by_type.get(specific_type) if specific_type else None
    fallback = by_type.get(fallback_type)
    chosen = specific or fallback
    if chosen is None:
        return default
    status = (specific.status if specific else None) or (
        fallback.status if fallback else None) or default.status
    variables = _variables(kind, specific_type or fallback_type, context)
    headers = list(default.headers)
    body = default.body
    template = _template(chosen.templates, context.request.header("Accept"))
    if template is not None:
        content_type, text = template
        body = substitute(text, variables).encode("utf-8")
        headers = _set(headers, "Content-Type", content_type)
    for name, value in chosen.headers:
        resolved = header_value(value, variables, context)
        if resolved is not None:  # an absent source leaves the header out
            headers = _set(headers, name, resolved)
    return HttpResponse(status, tuple(headers), body)


def substitute(template: str, variables: Mapping[str, str]) -> str:
    """Replace `$context.x` / `${context.x}` by its value; unknown references stay as written.

    >>> substitute('{"m":$context.error.messageString}', {"error.messageString": '"No"'})
    '{"m":"No"}'
    """
    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        return variables.get(name, match.group(0))

    return _VARIABLE.sub(one, template)


def header_value(value: HeaderValue, variables: Mapping[str, str],
                 context: ReplyContext) -> str | None:
    """A header's value: static, or read from the request / $context (None when absent)."""
    if value.static is not None:
        return value.static
    source = value.source or ""
    if source.startswith("context."):
        return variables.get(source[len("context."):])
    if not source.startswith("method.request."):
        return None  # stageVariables.*: the emulator has no stage variables
    where, _, name = source[len("method.request."):].partition(".")
    request = context.request
    if where == "header":
        return request.header(name)
    if where == "multivalueheader":
        found = [v for k, v in request.headers if k.lower() == name.lower()]
        return ",".join(found) if found else None
    if where == "path":
        return context.path_parameters.get(name)
    values = [v for k, v in request.query if k == name]
    if not values:
        return None
    return values[-1] if where == "querystring" else ",".join(values)


def _variables(kind: Reply, response_type: str, context: ReplyContext) -> dict[str, str]:
    message = _message(kind)
    request = context.request
    return {
        "error.message": message or "",
        "error.messageString": json.dumps(message),
        "error.responseType": response_type,
        "error.validationErrorString": "",
        "requestId": context.request_id,
        "extendedRequestId": context.request_id,
        "path": context.path,
        "httpMethod": request.method,
        "stage": context.stage,
        "resourcePath": context.resource_path,
        "apiId": context.api_id,
        "accountId": context.account_id,
        "domainName": request.header("Host") or "",
        "identity.sourceIp": request.source_ip,
        "identity.userAgent": request.header("User-Agent") or "",
    }


def _message(kind: Reply) -> str | None:
    """The default reply's message ("Missing Authentication Token"; None for `null`)."""
    try:
        body = json.loads(REPLIES[kind].body)
    except ValueError:
        return REPLIES[kind].body.decode("utf-8", "replace")
    value = body.get("message", body.get("Message")) if isinstance(body, dict) else None
    return None if value is None else str(value)


def _template(templates: Mapping[str, str], accept: str | None) -> tuple[str, str] | None:
    """The template for the client's Accept, else application/json, else the first one."""
    if not templates:
        return None
    for media in (accept or "").split(","):
        wanted = media.split(";", 1)[0].strip().lower()
        for content_type, text in templates.items():
            if content_type.lower() == wanted:
                return content_type, text
    if JSON in templates:
        return JSON, templates[JSON]
    return next(iter(templates.items()))


def _set(headers: list[tuple[str, str]], name: str, value: str) -> list[tuple[str, str]]:
    """Replace a header (matched case-insensitively) or append it."""
    kept = [(k, v) for k, v in headers if k.lower() != name.lower()]
    return [*kept, (name, value)]
