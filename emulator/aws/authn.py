"""Who is calling: the access keys the emulator issued, and SigV4 signatures checked against them.

AWS authenticates every API call before it authorizes it: an access key it does not know is
refused (`UnrecognizedClientException`, "The security token included in the request is
invalid."), a signature that does not match the key's secret too (`InvalidSignatureException`),
and so is a request with no signature at all (`MissingAuthenticationTokenException`, "Request is
missing Authentication Token"), except the few operations AWS serves unauthenticated (Cognito's
sign-up and sign-in). The local endpoints do the same with the keys of one run (KeyRing):

- each function's key (`aws.tables.access_key_for`), its secret derived from the run's secret:
  in that function's environment only; its calls are checked against the role;
- the emulator's own key (its set-up calls: tables, queues, user pools, pollers), whose secret
  never leaves the emulator's processes;
- the developer's key (`LOCALDEVELOPER`), for the AWS CLI and scripts on this machine, its
  secret kept in the state folder's `credentials` file (mode 0600); not subject to the role.
"""

from __future__ import annotations

import configparser
import hashlib
import hmac
import io
import json
import os
import re
import secrets
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from emulator.aws import sigv4
from emulator.aws.iam import CALLER, CONTROL_PATH

INTERNAL_KEY = "EMULATORINTERNAL"
DEVELOPER_KEY = "LOCALDEVELOPER"
CREDENTIALS_FILE = "credentials"  # in the state folder, as the AWS CLI's shared file reads it
# AWS serves a user pool's public keys and OpenID configuration to anyone (Cognito developer
# guide, "Verifying a JSON Web Token": https://cognito-idp.{region}.amazonaws.com/{pool id}/
# .well-known/jwks.json).
_PUBLIC_KEYS = re.compile(r"/[\w-]+_\w+/\.well-known/(?:jwks\.json|openid-configuration)")


@dataclass(frozen=True, slots=True)
class Credentials:
    access_key: str
    secret: str


# The emulator's own key, made once per process: the emulator hands it to moto's process.
INTERNAL = Credentials(INTERNAL_KEY, secrets.token_hex(20))


class Kind(Enum):
    FUNCTION = "function"
    EMULATOR = "emulator"
    DEVELOPER = "developer"
    ANONYMOUS = "anonymous"  # an operation AWS serves without a signature


@dataclass(frozen=True, slots=True)
class Caller:
    kind: Kind
    name: str  # the function's deployed name; "" for the others
    access_key: str = ""


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The secrets of one run."""

    run_secret: str
    internal: Credentials
    developer: Credentials

    @classmethod
    def new(cls, developer: Credentials) -> KeyRing:
        return cls(secrets.token_hex(20), INTERNAL, developer)

    def function_secret(self, access_key: str) -> str:
        """The secret of one function's key (stable within the run, unknown to the others)."""
        return hmac.new(self.run_secret.encode(), access_key.encode(), hashlib.sha256).hexdigest()

    def lookup(self, access_key: str, functions: Mapping[str, str]
               ) -> tuple[Caller, str] | None:
        """The caller a key stands for and its secret; None for a key this run did not issue."""
        if access_key in functions:
            return (Caller(Kind.FUNCTION, functions[access_key], access_key),
                    self.function_secret(access_key))
        for kind, credentials in ((Kind.EMULATOR, self.internal),
                                  (Kind.DEVELOPER, self.developer)):
            if hmac.compare_digest(access_key, credentials.access_key):
                return Caller(kind, "", access_key), credentials.secret
        return None

    def to_json(self) -> dict[str, str]:
        return {"run_secret": self.run_secret, "internal": self.internal.secret,
                "developer_key": self.developer.access_key,
                "developer": self.developer.secret}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> KeyRing:
        return cls(str(data["run_secret"]), Credentials(INTERNAL_KEY, str(data["internal"])),
                   Credentials(str(data["developer_key"]), str(data["developer"])))


def developer_credentials(folder: Path) -> Credentials:
    """Read the developer's key from `folder/credentials`, made (mode 0600) on first use.

    The file is an AWS CLI shared credentials file: `AWS_SHARED_CREDENTIALS_FILE=<it> aws ...`.
    """
    path = folder / CREDENTIALS_FILE
    parser = configparser.ConfigParser()
    try:
        parser.read_string(path.read_text(encoding="utf-8"))
        section = parser["default"]
        return Credentials(section["aws_access_key_id"], section["aws_secret_access_key"])
    except (OSError, KeyError, configparser.Error):
        pass
    made = Credentials(DEVELOPER_KEY, secrets.token_hex(20))
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write("# The emulator's local key for your own tools (AWS CLI, scripts): "
                   "not a real AWS key.\n[default]\n"
                   f"aws_access_key_id = {made.access_key}\n"
                   f"aws_secret_access_key = {made.secret}\n")
    return made


class AuthError(Exception):
    """A request AWS would refuse before authorizing it: rendered by the caller's protocol."""

    def __init__(self, json_type: str, query_code: str, s3_code: str, message: str,
                 s3_message: str | None = None) -> None:
        super().__init__(message)
        self.json_type, self.query_code, self.s3_code = json_type, query_code, s3_code
        self.message, self.s3_message = message, s3_message or message


SIGNATURE_MISMATCH = ("The request signature we calculated does not match the signature you "
                      "provided. Check your AWS Secret Access Key and signing method. Consult "
                      "the service documentation for details.")


def missing() -> AuthError:
    return AuthError("MissingAuthenticationTokenException", "MissingAuthenticationToken",
                     "AccessDenied", "Request is missing Authentication Token", "Access Denied")


def unknown_key() -> AuthError:
    return AuthError("UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId",
                     "The security token included in the request is invalid.",
                     "The AWS Access Key Id you provided does not exist in our records.")


def bad_signature() -> AuthError:
    return AuthError("InvalidSignatureException", "SignatureDoesNotMatch",
                     "SignatureDoesNotMatch", SIGNATURE_MISMATCH)


def incomplete(what: str) -> AuthError:
    return AuthError("IncompleteSignatureException", "IncompleteSignature", "AccessDenied",
                     f"Authorization header requires a valid SigV4 signature ({what}).")


def authenticate(keys: KeyRing, functions: Mapping[str, str], *, method: str, target: str,
                 headers: dict[str, list[str]], body: bytes) -> tuple[Caller, str]:
    """Return who signed the request and the service it signed for; raise AuthError.

    `headers` maps lower-case names to values; `target` is the raw request target.
    """
    path, _, query = target.partition("?")
    try:
        signed = sigv4.read_signature(headers, query)
    except sigv4.Malformed as exc:
        raise incomplete(str(exc)) from None
    if signed is None:
        amz_target = (headers.get("x-amz-target") or [""])[-1]
        if path == "/" and not query and amz_target in anonymous_operations():
            return Caller(Kind.ANONYMOUS, ""), ""
        if method == "GET" and _PUBLIC_KEYS.fullmatch(path):  # a user pool's signing keys
            return Caller(Kind.ANONYMOUS, ""), ""
        raise missing()
    found = keys.lookup(signed.access_key, functions)
    if found is None:
        raise unknown_key()
    if not sigv4.verify(signed, found[1], method=method, target=target, headers=headers,
                        body=body):
        raise bad_signature()
    return found[0], signed.service


@cache
def anonymous_operations() -> frozenset[str]:
    """`X-Amz-Target`s of the operations AWS serves unsigned (botocore's models say which)."""
    import botocore.loaders

    loader = botocore.loaders.create_loader()
    found: set[str] = set()
    for service in ("cognito-idp", "cognito-identity"):
        model = loader.load_service_model(service, "service-2")
        prefix = model["metadata"]["targetPrefix"]
        found.update(f"{prefix}.{name}" for name, operation in model["operations"].items()
                     if operation.get("authtype") == "none"
                     or "smithy.api#noAuth" in operation.get("auth", ()))
    return frozenset(found)


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class AuthMiddleware:
    """WSGI layer in front of moto: only signed calls of the run's keys get through.

    It hands the IAM layer behind it (environ[iam.CALLER]) the calling function, if any, and
    the service the call was signed for. The emulator's control path carries its own token.
    """

    def __init__(self, app: WsgiApp, keys: KeyRing,
                 functions: Callable[[], Mapping[str, str]]) -> None:
        self.app, self.keys, self.functions = app, keys, functions

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == CONTROL_PATH:  # the IAM layer checks its token
            return self.app(environ, start_response)
        headers = wsgi_headers(environ)
        body = read_body(environ)
        target = str(environ.get("REQUEST_URI") or _rebuilt_target(environ))
        try:
            caller, service = authenticate(self.keys, self.functions(),
                                           method=str(environ.get("REQUEST_METHOD", "GET")),
                                           target=target, headers=headers, body=body)
        except AuthError as error:
            status, reply_headers, reply = render(error, headers, target, body)
            start_response(status, reply_headers)
            return [reply]
        function = caller.name if caller.kind is Kind.FUNCTION else None
        environ[CALLER] = (function, service)
        return self.app(environ, start_response)


def wsgi_headers(environ: Mapping[str, Any]) -> dict[str, list[str]]:
    """The request's headers by lower-case name (WSGI keeps one value per name)."""
    headers = {key[5:].lower().replace("_", "-"): [str(value)]
               for key, value in environ.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.lower().replace("_", "-")] = [str(environ[key])]
    return headers


def read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back for the next layer."""
    length = str(environ.get("CONTENT_LENGTH") or "")
    stream = environ["wsgi.input"]
    if length.isdigit():
        body: bytes = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return body


def _rebuilt_target(environ: Mapping[str, Any]) -> str:
    path = urllib.parse.quote(str(environ.get("PATH_INFO", "/")), safe="/~!$&'()*+,;=:@%")
    query = str(environ.get("QUERY_STRING", ""))
    return f"{path}?{query}" if query else path


def render(error: AuthError, headers: Mapping[str, list[str]], target: str, body: bytes
           ) -> tuple[str, list[tuple[str, str]], bytes]:
    """The refusal in the protocol the caller speaks: JSON, S3's XML, or the Query API's."""
    request_id = str(uuid.uuid4())
    if headers.get("x-amz-target"):  # JSON protocol (DynamoDB, Cognito, SQS's JSON)
        reply = json.dumps({"__type": f"com.amazon.coral.service#{error.json_type}",
                            "message": error.message}).encode()
        return "400 Bad Request", [("Content-Type", "application/x-amz-json-1.0"),
                                   ("x-amzn-ErrorType", error.json_type),
                                   ("x-amzn-RequestId", request_id),
                                   ("Content-Length", str(len(reply)))], reply
    query = target.partition("?")[2]
    if "Action=" in query or body.startswith(b"Action=") or b"&Action=" in body:
        reply = (f'<ErrorResponse><Error><Type>Sender</Type><Code>{error.query_code}</Code>'
                 f'<Message>{escape(error.message)}</Message></Error>'
                 f'<RequestId>{request_id}</RequestId></ErrorResponse>').encode()
    else:  # S3 (REST-XML)
        reply = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{error.s3_code}</Code>'
                 f'<Message>{escape(error.s3_message)}</Message>'
                 f'<RequestId>{request_id}</RequestId></Error>').encode()
    return "403 Forbidden", [("Content-Type", "text/xml"), ("x-amzn-RequestId", request_id),
                             ("Content-Length", str(len(reply)))], reply
