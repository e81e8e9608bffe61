"""COGNITO_USER_POOLS tokens: only a pool's own, unexpired, RS256-signed token passes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from emulator.config.authorizers import AuthorizerConfig, AuthorizerKind
from emulator.config.cognito import LivePool
from emulator.gateway.auth import cognito
from emulator.gateway.auth.cache import AuthorizerCache
from emulator.gateway.errors import Reply
from emulator.gateway.http import HttpRequest

KEY = RSAKey.generate_key(2048, parameters={"kid": "dummy"})
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "dummy"})
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
POOL = LivePool("UserPool", "us-east-1_pool", ISSUER,
                {"keys": [KEY.as_dict(private=False)]}, {"Client": "client-id"})
CONFIG = AuthorizerConfig("UserPool", AuthorizerKind.COGNITO, None, pool="UserPool")


def token(key: RSAKey = KEY, alg: str = "RS256", **overrides: Any) -> str:
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": "s-1", "aud": "client-id", "token_use": "id",
              "cognito:username": "alice", "iat": now, "exp": now + 3600, **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode({"alg": alg, "kid": "dummy"}, claims, key)


def unsigned(**claims: Any) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    body = {"iss": ISSUER, "token_use": "id", "exp": int(time.time()) + 3600, **claims}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(body)}."


def check(value: str | None, config: AuthorizerConfig = CONFIG) -> cognito.Verdict:
    headers = (("Authorization", value),) if value is not None else ()
    return cognito.authorize(config, POOL, HttpRequest("GET", "/dev/x", (), headers, b""))


def test_a_valid_id_token_passes_with_its_claims_as_strings() -> None:
    verdict = check(token(custom=True))
    assert verdict.reply is None
    assert verdict.note == "allow (alice)"
    assert verdict.authorizer is not None
    claims = verdict.authorizer["claims"]
    assert (claims["sub"], claims["custom"], claims["exp"].isdigit()) == ("s-1", "true", True)


# Tokens are made when the test runs, not at collection: a slow suite once reached the
# "not yet valid" case more than 600 s after collecting it.
@pytest.mark.parametrize(("make", "why"), [
    (lambda: None, "no token in Authorization"),
    (lambda: token(exp=int(time.time()) - 10), "expired"),
    (lambda: token(nbf=int(time.time()) + 600), "not yet valid"),
    (lambda: token()[:-4] + "AAAA", "bad_signature"),  # tampered signature
    (lambda: token(OTHER_KEY), "bad_signature"),  # signed by someone else's key
    (unsigned, "alg"),  # alg: none is never accepted
    (lambda: token(iss="https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"),
     "another user pool"),
    (lambda: token(token_use="access", scope="aws.cognito.signin.user.admin"),
     "an ID token is needed"),
    (lambda: token(token_use=None), "token_use"),
    (lambda: token(exp=None), "exp"),
    (lambda: "not-a-jwt", "Unauthorized"),
])
def test_bad_tokens_are_401_and_the_console_says_why(make: Callable[[], str | None],
                                                      why: str) -> None:
    verdict = check(make())
    assert verdict.reply is Reply.UNAUTHORIZED
    assert verdict.note.startswith("unauthorized: ")
    if why != "Unauthorized":
        assert why in verdict.note


def test_hs256_signed_with_the_public_key_is_refused() -> None:
    """The classic algorithm confusion: HMAC keyed with the pool's public key."""
    def part(value: dict[str, Any]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=")

    signing_input = part({"alg": "HS256", "kid": "dummy"}) + b"." + part(
        {"iss": ISSUER, "token_use": "id", "exp": int(time.time()) + 60})
    mac = hmac.new(KEY.as_pem(private=False), signing_input, hashlib.sha256).digest()
    forged = signing_input + b"." + base64.urlsafe_b64encode(mac).rstrip(b"=")
    assert check(forged.decode()).reply is Reply.UNAUTHORIZED


def test_scopes_need_an_access_token_carrying_one() -> None:
    scoped = AuthorizerConfig("UserPool", AuthorizerKind.COGNITO, None, pool="UserPool",
                              scopes=("reviews/write",))
    assert check(token(token_use="access", scope="reviews/read reviews/write"), scoped
                 ).reply is None
    assert check(token(token_use="access", scope="reviews/read"), scoped).reply is not None
    assert check(token(), scoped).reply is not None  # an ID token carries no scopes


def test_a_verified_token_is_kept_for_the_ttl_but_never_past_its_exp() -> None:
    clock = [1000.0]
    cache: AuthorizerCache[cognito.Claims] = AuthorizerCache(now=lambda: clock[0])
    request = HttpRequest("GET", "/dev/x", (), (("Authorization", token()),), b"")
    first = cognito.authorize(CONFIG, POOL, request, cache)
    again = cognito.authorize(CONFIG, POOL, request, cache)
    assert (first.note, again.note) == ("allow (alice)", "cached allow (alice)")
    assert first.authorizer == again.authorizer
    clock[0] += CONFIG.ttl_s  # the authorizer's TTL (300 s by default) has passed
    assert cognito.authorize(CONFIG, POOL, request, cache).note == "allow (alice)"
    soon = HttpRequest("GET", "/dev/x", (), (
        ("Authorization", token(exp=int(time.time()) + 5)),), b"")
    assert cognito.authorize(CONFIG, POOL, soon, cache).note == "allow (alice)"
    clock[0] += 6  # past this token's exp, within the TTL: no longer kept
    assert cache.get((CONFIG.name, POOL.pool_id, soon.header("Authorization"))) is None


def test_a_refused_token_is_never_kept() -> None:
    cache: AuthorizerCache[cognito.Claims] = AuthorizerCache()
    bad = HttpRequest("GET", "/dev/x", (), (("Authorization", token(key=OTHER_KEY)),), b"")
    assert cognito.authorize(CONFIG, POOL, bad, cache).reply is Reply.UNAUTHORIZED
    assert cognito.authorize(CONFIG, POOL, bad, cache).reply is Reply.UNAUTHORIZED
