"""API Gateway's own replies (gateway responses) of a REST API (v1), in one table.

The replies are what a REST API (v1) sends when the gateway itself answers, before or instead
of the Lambda proxy integration: no route, a failed or malformed invocation, a timeout, a body
too large. Sources: AWS, "Gateway response types for API Gateway"; "Handling Lambda errors
with an API Gateway API"; API Gateway quotas. None of them carries CORS headers unless a
gateway response is customised, which the Serverless Framework's `cors: true` does not do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum

from emulator.gateway.http import HttpResponse

JSON = "application/json"


class Reply(Enum):
    """The gateway's own answers the emulator gives."""

    MISSING_AUTHENTICATION_TOKEN = "missing_authentication_token"
    BAD_GATEWAY = "bad_gateway"
    INTERNAL_ERROR = "internal_error"
    ENDPOINT_TIMEOUT = "endpoint_timeout"
    REQUEST_TOO_LONG = "request_too_long"
    CONTENT_LENGTH_EXCEEDED = "content_length_exceeded"
    UNAUTHORIZED = "unauthorized"
    ACCESS_DENIED = "access_denied"
    EXPLICIT_DENY = "explicit_deny"
    AUTHORIZER_FAILURE = "authorizer_failure"
    FORBIDDEN = "forbidden"
    THROTTLED = "throttled"
    QUOTA_EXCEEDED = "quota_exceeded"


@dataclass(frozen=True, slots=True)
class GatewayReply:
    status: int
    body: bytes
    content_type: str = JSON
    error_type: str | None = None  # the x-amzn-ErrorType header, when AWS sends one


# Bodies are byte-exact: AWS writes the 403 without a space after the colon and the others with
# one. x-amzn-ErrorType is set where AWS's value is known; the 504 and 413 replies send none here.
REPLIES: dict[Reply, GatewayReply] = {
    # Unknown path, or a method the resource lacks (AWS answers 403, not 404/405).
    Reply.MISSING_AUTHENTICATION_TOKEN: GatewayReply(
        403, b'{"message":"Missing Authentication Token"}',
        error_type="MissingAuthenticationTokenException"),
    # Handler raised, crashed, timed out, returned a malformed or over-6-MB result.
    Reply.BAD_GATEWAY: GatewayReply(
        502, b'{"message": "Internal server error"}', error_type="InternalServerErrorException"),
    # Lambda refused the invocation (throttled beyond reservedConcurrency).
    Reply.INTERNAL_ERROR: GatewayReply(
        500, b'{"message": "Internal server error"}', error_type="InternalServerErrorException"),
    # Still running at the 29 s integration timeout.
    Reply.ENDPOINT_TIMEOUT: GatewayReply(504, b'{"message": "Endpoint request timed out"}'),
    # Body under 10 MB but the event over Lambda's 6 MB synchronous invoke payload limit.
    Reply.REQUEST_TOO_LONG: GatewayReply(413, b'{"message": "Request Too Long"}'),
    # Body over API Gateway's 10 MB payload quota: plain text, not JSON.
    Reply.CONTENT_LENGTH_EXCEEDED: GatewayReply(
        413, b"HTTP content length exceeded 10485760 bytes.", content_type="text/plain"),
    # Authorizers (AWS, "Gateway response types": UNAUTHORIZED 401, ACCESS_DENIED 403,
    # AUTHORIZER_FAILURE / AUTHORIZER_CONFIGURATION_ERROR 500). Bodies as measured on AWS and
    # reported in "API Gateway + Lambda authorizer + Lambda proxy integration failure modes"
    # (dev.to/marcogrcr): the 403s write "Message" with a capital M, the 500 a null message.
    # Identity source missing or invalid, or the authorizer raised Exception("Unauthorized").
    Reply.UNAUTHORIZED: GatewayReply(
        401, b'{"message":"Unauthorized"}', error_type="UnauthorizedException"),
    # The policy has no Allow statement matching the method ARN.
    Reply.ACCESS_DENIED: GatewayReply(
        403, b'{"Message":"User is not authorized to access this resource"}',
        error_type="AccessDeniedException"),
    # A Deny statement matches the method ARN (an explicit Deny wins over any Allow).
    Reply.EXPLICIT_DENY: GatewayReply(
        403, b'{"Message":"User is not authorized to access this resource with an explicit '
             b'deny"}', error_type="AccessDeniedException"),
    # The authorizer crashed, timed out, raised anything but "Unauthorized", or returned a
    # malformed policy.
    Reply.AUTHORIZER_FAILURE: GatewayReply(
        500, b'{"message":null}', error_type="AuthorizerConfigurationException"),
    # `private: true` without a valid x-api-key header.
    Reply.FORBIDDEN: GatewayReply(403, b'{"message":"Forbidden"}',
                                  error_type="ForbiddenException"),
    # A usage plan's throttle (the key's token bucket is empty) or quota (AWS, "Gateway response
    # types": THROTTLED and QUOTA_EXCEEDED, both 429; the default template's messages).
    Reply.THROTTLED: GatewayReply(429, b'{"message":"Too Many Requests"}',
                                  error_type="TooManyRequestsException"),
    Reply.QUOTA_EXCEEDED: GatewayReply(429, b'{"message":"Limit Exceeded"}',
                                       error_type="LimitExceededException"),
}


def gateway_reply(kind: Reply) -> HttpResponse:
    """Render one of the gateway's own replies."""
    reply = REPLIES[kind]
    headers = [("Content-Type", reply.content_type)]
    if reply.error_type:
        headers.append(("x-amzn-ErrorType", reply.error_type))
    return HttpResponse(reply.status, tuple(headers), reply.body)


def missing_authentication_token() -> HttpResponse:
    """403: no resource for the path, or the resource lacks the method."""
    return gateway_reply(Reply.MISSING_AUTHENTICATION_TOKEN)


def bad_gateway() -> HttpResponse:
    """502: the function failed or its result was malformed."""
    return gateway_reply(Reply.BAD_GATEWAY)


def internal_error() -> HttpResponse:
    """500: Lambda refused the invocation (throttling)."""
    return gateway_reply(Reply.INTERNAL_ERROR)


def endpoint_timeout() -> HttpResponse:
    """504: the integration timeout passed before the function answered."""
    return gateway_reply(Reply.ENDPOINT_TIMEOUT)


def bad_request(detail: str = "") -> HttpResponse:
    """400 plain text: the HTTP request itself is malformed (refused before any routing)."""
    return HttpResponse(400, (("Content-Type", "text/plain"),),
                        (detail or "Bad Request").encode("utf-8"))


def bad_request_json(message: str) -> HttpResponse:
    """400 JSON: the method's request validator refused the request (BAD_REQUEST_BODY,
    BAD_REQUEST_PARAMETERS), `{"message": "Invalid request body"}` as users report it."""
    body = json.dumps({"message": message}).encode()
    return HttpResponse(400, (("Content-Type", JSON), ("x-amzn-ErrorType", "BadRequestException")),
                        body)


def request_too_long() -> HttpResponse:
    """413 JSON: the event would exceed Lambda's invoke payload limit."""
    return gateway_reply(Reply.REQUEST_TOO_LONG)


def content_length_exceeded() -> HttpResponse:
    """413 plain text: the request body is over API Gateway's 10 MB limit."""
    return gateway_reply(Reply.CONTENT_LENGTH_EXCEEDED)
