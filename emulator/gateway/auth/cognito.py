"""REST COGNITO_USER_POOLS authorizers: a user pool's ID or access token, verified.

As API Gateway does (AWS, "Control access to REST APIs using Amazon Cognito user pools as an
authorizer"): the token in the identity source header must be signed by the pool's key (RS256
only: `alg: none` and any other algorithm are refused), its `iss` must be the pool, `exp` and
`nbf` must hold, and when the authorizer names `scopes` an access token must carry one of them.
Any failure is 401 {"message":"Unauthorized"}. The claims reach the integration as
`requestContext.authorizer.claims`, values as strings. Verified with joserfc (moto's own JOSE
library, already installed with moto[server]).

A verified token is kept for the authorizer's `resultTtlInSeconds` (the Serverless Framework
deploys a Cognito authorizer with `AuthorizerResultTtlInSeconds: 300`, and API Gateway caches
its results by the identity source, the token) but never past the token's own `exp`: a
repeated token costs a dictionary look-up instead of an RS256 verification.
"""

from __future__ import annotations

import time
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from emulator.config.authorizers import AuthorizerConfig
from emulator.config.cognito import LivePool
from emulator.gateway.auth.cache import AuthorizerCache
from emulator.gateway.auth.lambda_authorizer import Verdict
from emulator.gateway.errors import Reply
from emulator.gateway.http import HttpRequest

_KEY_SETS: dict[str, KeySet] = {}
Claims = dict[str, str]


def authorize(config: AuthorizerConfig, pool: LivePool, request: HttpRequest,
              cache: AuthorizerCache[Claims] | None = None) -> Verdict:
    """Verify the token of one request against `pool` (or find it verified in `cache`)."""
    header = config.identity_sources[0].rsplit(".", 1)[1]
    token = request.header(header)
    if not token:
        return Verdict(Reply.UNAUTHORIZED, f"unauthorized: no token in {header}")
    key = (config.name, pool.pool_id, token)
    claims = cache.get(key) if cache is not None else None
    cached = claims is not None
    if claims is None:
        try:
            verified = verify(token, pool, config.scopes)
        except (JoseError, ValueError) as exc:
            return Verdict(Reply.UNAUTHORIZED, f"unauthorized: {_why(exc)}")
        claims = string_claims(verified)
        if cache is not None:
            cache.put(key, claims, min(config.ttl_s, float(verified["exp"]) - time.time()))
    who = claims.get("cognito:username") or claims.get("username") or claims.get("sub")
    return Verdict(None, f"{'cached ' if cached else ''}allow ({who})", {"claims": dict(claims)})


def verify(token: str, pool: LivePool, scopes: tuple[str, ...] = ()) -> dict[str, Any]:
    """The token's claims, or JoseError / ValueError saying why it is refused."""
    decoded = jwt.decode(token, key_set(pool), algorithms=["RS256"])
    registry = jwt.JWTClaimsRegistry(iss={"essential": True, "value": pool.issuer},
                                     exp={"essential": True},
                                     token_use={"essential": True, "values": ["id", "access"]})
    registry.validate(decoded.claims)
    claims = dict(decoded.claims)
    # Without scopes API Gateway treats the token as an ID token; with scopes, as an access
    # token that must carry one of them (AWS, "Integrate a REST API with an Amazon Cognito
    # user pool").
    if not scopes and claims.get("token_use") != "id":
        raise ValueError("an ID token is needed (the authorizer names no scopes)")
    if scopes:
        granted = str(claims.get("scope", "")).split()
        if claims.get("token_use") != "access" or not set(granted) & set(scopes):
            raise ValueError(f"the token has none of the scopes {', '.join(scopes)} (an "
                             "access token is needed)")
    return claims


def key_set(pool: LivePool) -> KeySet:
    """The pool's public keys, imported once per pool id."""
    keys = _KEY_SETS.get(pool.pool_id)
    if keys is None:
        keys = _KEY_SETS[pool.pool_id] = KeySet.import_key_set(dict(pool.jwks))  # type: ignore[arg-type]
    return keys


def _why(exc: Exception) -> str:
    text = str(exc).strip().rstrip(":") or type(exc).__name__
    if "iss" in text:
        return f"{text} (a token of another user pool?)"
    return text


def string_claims(claims: dict[str, Any]) -> dict[str, str]:
    """Claims as API Gateway hands them on: every value a string."""
    return {k: _string(v) for k, v in claims.items()}


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return str(value)
