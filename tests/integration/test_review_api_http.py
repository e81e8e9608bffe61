"""review-api's own serverless.yml through the real emulator: the API table over real HTTP, with
users of its local Cognito user pool (tokens from `python -m emulator token`)."""

from __future__ import annotations

import base64
import gzip
import json
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import moto
import pytest
from emulator_harness import REVIEW_API, EmulatorProcess, Reply
from joserfc import jwt
from joserfc.jwk import RSAKey

pytestmark = pytest.mark.integration

UNAUTHORIZED = (401, {"message": "Unauthorized"})
NOT_AUTHOR = (403, {"message": "Only the author of a review may change or delete it"})


@pytest.fixture(scope="module")
def api() -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(REVIEW_API, "--in-memory").start(timeout=90)
    yield process
    process.stop()


def claims_of(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    found: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return found


def alice(api: EmulatorProcess) -> str:
    return api.token("alice", "--name", "Alice Liddell")


def assert_handler_reply(reply: Reply) -> None:
    """Every handler reply: CORS header; JSON content type when it has a body."""
    assert reply.header("Access-Control-Allow-Origin") == "*"
    if reply.body:
        assert reply.header("Content-Type") == "application/json"


def create(api: EmulatorProcess, token: str, **body: object) -> dict[str, Any]:
    reply = api.request("POST", "/reviews", body=dict(body), headers=[("Authorization", token)])
    assert reply.status == 201, reply.body
    assert_handler_reply(reply)
    created: dict[str, Any] = reply.json()
    return created


def test_create_get_update_delete_round_trip(api: EmulatorProcess) -> None:
    token = alice(api)
    created = create(api, token, review="Great soup")
    assert uuid.UUID(str(created["id"])).version == 4
    assert created["author"] == {"id": claims_of(token)["sub"], "name": "Alice Liddell"}
    assert created["createdAt"] == created["updatedAt"]
    got = api.request("GET", f"/reviews/{created['id']}")  # reading needs no token
    assert (got.status, got.json()) == (200, created)
    path, signed_in = f"/reviews/{created['id']}", [("Authorization", token)]
    updated = api.request("PUT", path, body={"review": "Even better"}, headers=signed_in)
    assert updated.status == 200
    assert_handler_reply(updated)
    after = updated.json()
    assert (after["review"], after["author"]) == ("Even better", created["author"])
    assert after["createdAt"] == created["createdAt"]
    assert after["updatedAt"] > created["updatedAt"]
    deleted = api.request("DELETE", path, headers=signed_in)
    assert (deleted.status, deleted.body) == (204, b"")
    assert_handler_reply(deleted)
    for method in ("GET", "PUT", "DELETE"):
        gone = api.request(method, path, headers=signed_in,
                           body={"review": "zombie"} if method == "PUT" else None)
        assert gone.status == 404, method
        assert_handler_reply(gone)


def test_without_a_name_the_author_is_named_by_the_username(api: EmulatorProcess) -> None:
    token = api.token("dave")
    created = create(api, token, review="No name attribute")
    claims = claims_of(token)
    assert "name" not in claims
    assert created["author"] == {"id": claims["sub"], "name": claims["cognito:username"]}


def test_another_user_may_not_change_or_delete_a_review(api: EmulatorProcess) -> None:
    created = create(api, alice(api), review="Alice's own")
    path, bob = f"/reviews/{created['id']}", [("Authorization", api.token("bob"))]
    changed = api.request("PUT", path, body={"review": "Bob's now"}, headers=bob)
    deleted = api.request("DELETE", path, headers=bob)
    for reply in (changed, deleted):
        assert (reply.status, reply.json()) == NOT_AUTHOR
        assert_handler_reply(reply)
    assert api.request("GET", path).json() == created


def test_fifty_concurrent_puts_by_a_non_owner_change_nothing(api: EmulatorProcess) -> None:
    created = create(api, alice(api), review="Mine")
    path = f"/reviews/{created['id']}"
    bob, owner = [("Authorization", api.token("bob"))], [("Authorization", alice(api))]

    def put(i: int) -> tuple[str, int]:
        who = owner if i % 2 else bob
        reply = api.request("PUT", path, body={"review": f"write {i}"}, headers=who)
        return ("owner" if i % 2 else "bob"), reply.status

    # 50 PUTs by Bob, interleaved with 50 by the owner that do change the review meanwhile
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(put, range(100)))

    assert {s for who, s in results if who == "bob"} == {403}
    assert {s for who, s in results if who == "owner"} == {200}
    final = api.request("GET", path).json()
    assert int(final["review"].split()[1]) % 2 == 1  # the last write is one of the owner's
    assert (final["author"], final["createdAt"]) == (created["author"], created["createdAt"])


def moto_key() -> RSAKey:
    path = Path(moto.__file__).parent / "cognitoidp" / "resources" / "jwks-private.json.gz"
    return RSAKey.import_key(json.loads(gzip.decompress(path.read_bytes())))


def forged(token: str, **changes: Any) -> str:
    """The token's claims, changed, signed again with the key moto signs every pool with."""
    return jwt.encode({"kid": "dummy", "alg": "RS256"}, {**claims_of(token), **changes},
                      moto_key())


def test_a_missing_or_bad_token_is_the_gateways_401_and_changes_nothing(
        api: EmulatorProcess) -> None:
    token = alice(api)
    created = create(api, token, review="Untouched")
    claims = claims_of(token)
    bad: dict[str, str | None] = {
        "missing": None,
        "malformed": "not-a-jwt",
        "tampered": token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
        "expired": forged(token, exp=int(time.time()) - 60, iat=int(time.time()) - 3660),
        "other pool": forged(token, iss=claims["iss"].rsplit("/", 1)[0] + "/us-east-2_other"),
        "access token": api.token("alice", "--name", "Alice Liddell", "--access"),
    }
    path = f"/reviews/{created['id']}"
    for why, value in bad.items():
        headers = [] if value is None else [("Authorization", value)]
        for method, where, body in (("POST", "/reviews", {"review": "x"}),
                                    ("PUT", path, {"review": "x"}), ("DELETE", path, None)):
            reply = api.request(method, where, body=body, headers=headers)
            assert (reply.status, reply.json()) == UNAUTHORIZED, (why, method)
            # the gateway's reply, with its DEFAULT_4XX CORS header so a page can read it
            assert reply.header("Access-Control-Allow-Origin") == "*"
    assert api.request("GET", path).json() == created
    api.wait_for(r"authorizer reviewsUserPool: unauthorized")


def test_list_filters_by_author_and_pages_through_them(api: EmulatorProcess) -> None:
    carol, erin = api.token("carol"), api.token("erin")
    mine = {create(api, carol, review=f"carol {i}")["id"] for i in range(5)}
    create(api, erin, review="erin's")
    sub = claims_of(carol)["sub"]
    seen: list[str] = []
    token: str | None = None
    while True:
        query = f"?author={sub}&limit=2" + (f"&nextToken={token}" if token else "")
        page = api.request("GET", "/reviews" + query)
        assert page.status == 200, page.body
        body = page.json()
        assert len(body["items"]) <= 2
        assert {item["author"]["id"] for item in body["items"]} <= {sub}
        seen += [item["id"] for item in body["items"]]
        token = body["nextToken"]
        if token is None:
            break
    assert sorted(seen) == sorted(mine)


def test_list_walks_every_page_without_loss(api: EmulatorProcess) -> None:
    ids = {str(create(api, alice(api), review=f"review {i}")["id"]) for i in range(7)}
    seen: list[str] = []
    token: str | None = None
    while True:
        query = "?limit=3" + (f"&nextToken={token}" if token else "")
        page = api.request("GET", "/reviews" + query)
        assert page.status == 200
        assert_handler_reply(page)
        body = page.json()
        assert len(body["items"]) <= 3
        seen += [item["id"] for item in body["items"]]
        token = body["nextToken"]
        if token is None:
            break
    assert ids <= set(seen)
    assert len(seen) == len(set(seen))


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/reviews", "{not json"),
    ("POST", "/reviews", "[1, 2]"),
    ("POST", "/reviews", '{"review": 5}'),
    ("POST", "/reviews", '{"review": ""}'),
    ("POST", "/reviews", '{"review": "   "}'),
    ("POST", "/reviews", '{"review": "ok", "extra": 1}'),
    ("POST", "/reviews", '{"review": "ok", "name": "Ada"}'),
    ("POST", "/reviews", '{"review": "ok", "author": {"id": "x", "name": "Eve"}}'),
    ("POST", "/reviews", None),
    ("GET", "/reviews?limit=0", None),
    ("GET", "/reviews?limit=abc", None),
    ("GET", "/reviews?nextToken=not-a-token", None),
    ("GET", "/reviews?author=alice", None),
])
def test_bad_input_is_400_with_a_message(
        api: EmulatorProcess, method: str, path: str, body: str | None) -> None:
    reply = api.request(method, path, body=body, headers=[("Authorization", alice(api))])
    assert reply.status == 400, reply.body
    assert_handler_reply(reply)
    assert isinstance(reply.json()["message"], str)


def test_non_uuid_id_is_404(api: EmulatorProcess) -> None:
    reply = api.request("GET", "/reviews/not-a-uuid")
    assert reply.status == 404
    assert_handler_reply(reply)


def test_preflight_lists_the_methods_of_each_path(api: EmulatorProcess) -> None:
    reply = api.request("OPTIONS", "/reviews/" + str(uuid.uuid4()))
    assert reply.status == 200
    methods = set((reply.header("Access-Control-Allow-Methods") or "").split(","))
    assert methods == {"OPTIONS", "GET", "PUT", "DELETE"}


def test_unknown_route_is_the_gateways_403(api: EmulatorProcess) -> None:
    reply = api.request("PATCH", "/reviews")
    assert (reply.status, reply.json()) == (403, {"message": "Missing Authentication Token"})
