"""Local Cognito as real Cognito is: what moto's cognito-idp does otherwise, put right inside
moto's own process (emulator/aws/moto_process.py calls `install` and wraps its app in
`BrowserCors` before it serves).

1. **ID tokens carry the user's attributes.** Real Cognito's ID token holds the claims about the
   user that the app client may read: `name`, `email`, `email_verified`, `phone_number`, the
   other OIDC standard attributes, and `custom:*` ones when the client lists them (AWS, Cognito
   developer guide, "Understanding the identity (ID) token": "claims about the identity of the
   authenticated user, such as name, email, and phone_number"; CreateUserPoolClient,
   `ReadAttributes`: "When you don't specify the ReadAttributes for your app client, your app
   can read the values of email_verified, phone_number_verified, and the standard attributes of
   your user pool"). moto 5.2 puts in only those a client lists in `ReadAttributes`, and every
   `custom:*` one. Here the ID token is built the way AWS describes, signed by moto's own key
   in moto's own code (`create_jwt`), so the emulator's gateway verifies it exactly as before.
   `email_verified` / `phone_number_verified` are JSON booleans (false when the address is
   there but not verified) and `updated_at` a number, as in AWS's sample payloads; every other
   attribute a string. The access token carries no
   attributes on AWS either ("Understanding the access token": sub, cognito:groups, token_use,
   scope, auth_time, iss, exp, iat, origin_jti, jti, client_id, username) and is left as moto
   makes it. Not emulated: `event_id`, `acr`/`amr`, pre-token-generation triggers.
2. **A local sign-up needs no email round trip.** On AWS, SignUp leaves the user UNCONFIRMED
   and sends a code (to the address of an AutoVerifiedAttributes attribute) unless a PreSignUp
   Lambda trigger answers `autoConfirmUser` (AWS, "Pre sign-up Lambda trigger"). A local pool
   sends no mail, so SignUp here confirms the user at once, as if that trigger had answered
   `autoConfirmUser` (and `autoVerifyEmail` / `autoVerifyPhone` for the AutoVerifiedAttributes),
   and answers `UserConfirmed: true` with no `CodeDeliveryDetails`. ConfirmSignUp still
   answers (any code) for a page that calls it anyway.
3. **Browsers may call it.** AWS's JSON-protocol endpoints (cognito-idp's included: Amplify and
   amazon-cognito-identity-js call it straight from pages) answer a CORS preflight with 200,
   `Access-Control-Allow-Origin: *`, the requested method and headers echoed, and
   `Access-Control-Max-Age: 172800`, and put `Access-Control-Allow-Origin: *` and
   `Access-Control-Expose-Headers: x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date`
   on every reply to a request with an `Origin` (the headers recorded from DynamoDB by
   ScyllaDB's Alternator, `alternator/server.cc`, and seen on other AWS JSON services; no AWS
   page lists them for cognito-idp). moto's own flask-cors headers differ, so they are replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# OIDC standard claims a user pool keeps as standard attributes (AWS, "Working with user
# attributes": the standard attributes), which a client without ReadAttributes may read.
STANDARD_ATTRIBUTES = frozenset({
    "address", "birthdate", "email", "email_verified", "family_name", "gender", "given_name",
    "locale", "middle_name", "name", "nickname", "phone_number", "phone_number_verified",
    "picture", "preferred_username", "profile", "updated_at", "website", "zoneinfo"})
_BOOLEAN = frozenset({"email_verified", "phone_number_verified"})
_NUMBER = frozenset({"updated_at"})
_VERIFIED = {"email": "email_verified", "phone_number": "phone_number_verified"}

EXPOSE_HEADERS = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
PREFLIGHT_MAX_AGE = "172800"


def id_token_claims(attributes: Mapping[str, str], read_attributes: Sequence[str]
                    ) -> dict[str, Any]:
    """The user's attributes an app client may read, typed as an ID token carries them.

    >>> id_token_claims({"sub": "u", "name": "Ana", "email_verified": "true"}, [])
    {'name': 'Ana', 'email_verified': True}
    """
    readable = set(read_attributes) if read_attributes else STANDARD_ATTRIBUTES
    claims = {name: _typed(name, value) for name, value in attributes.items()
              if name in readable}
    for attribute, verified in _VERIFIED.items():  # an address not (yet) verified: false
        if attribute in claims and verified in readable:
            claims.setdefault(verified, False)
    return claims


def _typed(name: str, value: str) -> Any:
    if name in _BOOLEAN:
        return str(value).lower() == "true"
    if name in _NUMBER:
        try:
            return int(value)
        except ValueError:
            return value
    return value


def verified_on_confirm(attributes: Mapping[str, str], auto_verified: Sequence[str]
                        ) -> list[dict[str, str]]:
    """The `*_verified` attributes a confirmed sign-up sets (those of AutoVerifiedAttributes)."""
    return [{"Name": _VERIFIED[a], "Value": "true"} for a in auto_verified
            if a in _VERIFIED and a in attributes]


def install() -> None:
    """Patch moto's cognito-idp (this process only): ID token claims, confirmed sign-ups."""
    from moto.cognitoidp import models
    from moto.cognitoidp.utils import flatten_attrs

    def create_id_token(pool: Any, client_id: str, username: str, origin_jti: str
                        ) -> tuple[str, int]:
        user = pool._get_user(username)
        app_client = pool.clients.get(client_id)
        read = app_client.extended_config.get("ReadAttributes") or [] if app_client else []
        extra = id_token_claims(flatten_attrs(user.attributes), read)
        extra["origin_jti"] = origin_jti
        if user.groups:
            extra["cognito:groups"] = [group.group_name for group in user.groups]
        token, expires_in = pool.create_jwt(client_id, username, "id", extra_data=extra)
        pool.id_tokens[token] = (client_id, username)
        return token, expires_in

    moto_sign_up = models.CognitoIdpBackend.sign_up

    def sign_up(backend: Any, client_id: str, username: str, password: str,
                attributes: list[dict[str, str]]) -> tuple[Any, Any]:
        user, _delivery = moto_sign_up(backend, client_id, username, password, attributes)
        pool = backend.user_pools[user.user_pool_id]
        verified = verified_on_confirm(flatten_attrs(user.attributes),
                                       pool.extended_config.get("AutoVerifiedAttributes", []))
        if verified:
            user.update_attributes(verified)
        user.status = models.UserStatus.CONFIRMED
        return user, None  # no code was sent

    models.CognitoIdpUserPool.create_id_token = create_id_token  # type: ignore[method-assign,assignment]
    models.CognitoIdpBackend.sign_up = sign_up  # type: ignore[method-assign,assignment]


class BrowserCors:
    """Answer CORS preflights and put AWS's CORS headers on replies to browser requests."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "OPTIONS" and \
                environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"):
            start_response("200 OK", preflight_headers(environ))
            return [b""]
        if not environ.get("HTTP_ORIGIN"):
            return self.app(environ, start_response)

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if not k.lower().startswith("access-control-")]
            return start_response(status, kept + reply_headers(), exc_info)

        return self.app(environ, start)


def preflight_headers(environ: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A preflight's reply headers: any origin, the method and headers asked for, 2 days."""
    headers = [("Access-Control-Allow-Origin", "*"),
               ("Access-Control-Allow-Methods",
                str(environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD", ""))),
               ("Access-Control-Expose-Headers", EXPOSE_HEADERS),
               ("Access-Control-Max-Age", PREFLIGHT_MAX_AGE), ("Content-Length", "0")]
    asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
    if asked:
        headers.insert(1, ("Access-Control-Allow-Headers", str(asked)))
    return headers


def reply_headers() -> list[tuple[str, str]]:
    return [("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Expose-Headers", EXPOSE_HEADERS)]
