"""The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`), socket-free.

What boto3's `lambda` client calls (AWS, Lambda API reference, "Invoke"): FunctionName is the
deployed name, the ARN or the partial ARN (`123456789012:function:name`), optionally with the
`$LATEST` qualifier. `X-Amz-Invocation-Type`: `RequestResponse` (200 with the result; a
function error is still 200, with `X-Amz-Function-Error: Unhandled` and the error object as the
payload), `Event` (202 at once, the function runs in the background) or `DryRun` (204 after
the checks). `X-Amz-Log-Type: Tail` adds `X-Amz-Log-Result` (runtime/log_tail.py). Errors are
Lambda's REST-JSON ones: the type in `x-amzn-ErrorType`, `{"Type": "User", "Message": ...}`.
Every call must be signed (SigV4) by a key the emulator issued: a function's (then checked
against its role: `lambda:InvokeFunction` on the function's ARN) or the developer's; unsigned
and unknown-key calls are refused as Lambda refuses them. The `authorize` callable the top level
hands in decides (aws/iam_invoke.py); --no-iam hands in none.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import urllib.parse
from collections.abc import Callable

from emulator.config import untrusted_json
from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.gateway.rest import LAMBDA_MAX_EVENT, Clock
from emulator.runtime import log_tail
from emulator.runtime.invoker import Invoker, InvokeResult, Outcome
from emulator.runtime.lambda_env import function_arn
from emulator.runtime.outcomes import INIT_TIMEOUT_S

log = logging.getLogger(__name__)
access_log = logging.getLogger("emulator.access")

PREFIX = "/2015-03-31/functions/"
_PATH = re.compile(r"/2015-03-31/functions/(?P<name>[^/]+)/invocations/?")
_ARN = re.compile(r"(?:arn:aws[\w-]*:lambda:(?P<region>[\w-]+):)?(?:(?P<account>\d{12}):)?"
                  r"(?:function:)?(?P<name>[\w-]+)(?::(?P<qualifier>[\w$-]+))?")
# (method, raw target, headers by lower-case name, body, ARN of the function) -> None when
# the caller may invoke it, else (status, error type, message): aws/iam_invoke.py decides.
Authorize = Callable[[str, str, dict[str, list[str]], bytes, str], tuple[int, str, str] | None]


class LambdaError(Exception):
    """One of Lambda's API errors, rendered once by `error_reply`."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status, self.type, self.message = status, error_type, message


def error_reply(error: LambdaError, request_id: str) -> HttpResponse:
    body = json.dumps({"Type": "User", "Message": error.message}).encode()
    return HttpResponse(error.status, (
        ("Content-Type", "application/json"), ("x-amzn-ErrorType", error.type),
        ("x-amzn-RequestId", request_id)), body)


class InvokeApi:
    """Invoke for every function of the service, through the same Invoker as the gateway."""

    def __init__(self, service: ServiceConfig, invoker: Invoker, *,
                 authorize_for: Callable[[ServiceConfig], Authorize | None] | None = None,
                 clock: Clock | None = None) -> None:
        self.invoker, self._authorize_for = invoker, authorize_for
        self.clock = clock or Clock()
        self.reload(service)

    def claims(self, path: str) -> bool:
        return path.startswith(PREFIX)

    def reload(self, service: ServiceConfig) -> None:
        """Serve `service`'s functions, checked against its role, from the next call on."""
        self.authorize = self._authorize_for(service) if self._authorize_for else None
        self.service = service

    def handle(self, request: HttpRequest) -> HttpResponse:
        """Answer one Invoke call as Lambda would."""
        started = time.perf_counter()
        request_id = self.clock.new_id()
        try:
            response = self._invoke(request, request_id)
        except LambdaError as error:
            response = error_reply(error, request_id)
        access_log.info("%s %s %d %.1f ms (Invoke API)", request.method, request.path,
                        response.status, (time.perf_counter() - started) * 1000)
        return response

    def _invoke(self, request: HttpRequest, request_id: str) -> HttpResponse:
        function = self._function(request)
        arn = function_arn(self.service, function)
        self._check_permission(request, arn)
        kind = request.header("X-Amz-Invocation-Type") or "RequestResponse"
        payload = _payload(request.body)
        headers = (("x-amzn-RequestId", request_id), ("X-Amz-Executed-Version", "$LATEST"))
        if kind == "DryRun":
            return HttpResponse(204, headers)
        if kind == "Event":
            threading.Thread(target=self._run, args=(function, payload, request_id),
                             name=f"event-{function.name}", daemon=True).start()
            return HttpResponse(202, headers[:1])
        if kind != "RequestResponse":
            raise LambdaError(400, "InvalidParameterValueException",
                              f"Unsupported invocation type {kind}")
        if (request.header("X-Amz-Log-Type") or "None") != "Tail":
            return _reply(self._run(function, payload, request_id), headers)
        with log_tail.collect(request_id) as lines:
            result = self._run(function, payload, request_id)
        response = _reply(result, headers)
        return HttpResponse(response.status, (*response.headers, (
            "X-Amz-Log-Result", log_tail.log_result(lines))), response.body)

    def _run(self, function: FunctionConfig, payload: bytes, request_id: str) -> InvokeResult:
        wait_s = function.timeout_s + INIT_TIMEOUT_S + 5  # Lambda waits for the function
        return self.invoker.invoke(function.name, payload, request_id, wait_s)

    def _function(self, request: HttpRequest) -> FunctionConfig:
        path = _PATH.fullmatch(request.path)
        if path is None or request.method != "POST":
            raise LambdaError(404, "UnknownOperationException", "Unknown operation")
        name = path.group("name")
        parsed = _ARN.fullmatch(name)
        qualifier = dict(request.query).get("Qualifier")
        service = self.service
        found = next((f for f in service.functions.values()
                      if parsed and f.full_name == parsed.group("name")), None)
        if parsed is not None:
            qualifier = parsed.group("qualifier") or qualifier
            if parsed.group("region") not in (None, service.region) or \
                    parsed.group("account") not in (None, service.account_id):
                found = None
        if found is None or qualifier not in (None, "$LATEST"):
            short = parsed.group("name") if parsed else name
            arn = (f"arn:aws:lambda:{service.region}:{service.account_id}:function:{short}"
                   + (f":{qualifier}" if qualifier else ""))
            raise LambdaError(404, "ResourceNotFoundException", f"Function not found: {arn}")
        return found

    def _check_permission(self, request: HttpRequest, arn: str) -> None:
        """AWS: a signed caller whose policy allows lambda:InvokeFunction (None: --no-iam)."""
        if self.authorize is None:
            return
        headers: dict[str, list[str]] = {}
        for name, value in request.headers:
            headers.setdefault(name.lower(), []).append(value)
        denial = self.authorize(request.method, request.target or _target(request), headers,
                                request.body, arn)
        if denial is not None:
            raise LambdaError(*denial)


def _target(request: HttpRequest) -> str:
    """The request target rebuilt (a request made in-process carries none)."""
    path = urllib.parse.quote(request.path, safe="/~")
    query = urllib.parse.urlencode(request.query)
    return f"{path}?{query}" if query else path


def _payload(body: bytes) -> bytes:
    if len(body) > LAMBDA_MAX_EVENT:
        raise LambdaError(413, "RequestEntityTooLargeException",
                          f"{len(body)} byte payload is too large for the RequestResponse "
                          f"invocation type ({LAMBDA_MAX_EVENT} byte maximum)")
    if not body.strip():
        return b"{}"
    try:
        untrusted_json.loads(body, max_depth=None)
    except ValueError as exc:  # not JSON, or nested deeper than json.loads can go
        raise LambdaError(400, "InvalidRequestContentException",
                          f"Could not parse request body into json: {exc}") from None
    return body


def _reply(result: InvokeResult, headers: tuple[tuple[str, str], ...]) -> HttpResponse:
    json_headers = (*headers, ("Content-Type", "application/json"))
    if result.outcome is Outcome.OK:
        return HttpResponse(200, json_headers, result.payload)
    if result.outcome is Outcome.THROTTLED:
        raise LambdaError(429, "TooManyRequestsException", "Rate Exceeded.")
    if result.outcome is Outcome.INTEGRATION_TIMEOUT:  # queued for an environment too long
        raise LambdaError(500, "ServiceException", "the function did not start in time")
    error = dict(result.error or {"errorType": "Runtime.Unknown", "errorMessage": ""})
    # Lambda: a function error is a 200 whose payload is the error object.
    return HttpResponse(200, (*json_headers, ("X-Amz-Function-Error", "Unhandled")),
                        json.dumps(error).encode())
