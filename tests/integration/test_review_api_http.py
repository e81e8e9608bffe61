"""review-api's own serverless.yml through the real emulator: the API table over real HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from emulator_harness import REVIEW_API, EmulatorProcess, Reply

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api() -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(REVIEW_API, "--in-memory").start()
    yield process
    process.stop()


def assert_handler_reply(reply: Reply) -> None:
    """Every handler reply: CORS header; JSON content type when it has a body."""
    assert reply.header("Access-Control-Allow-Origin") == "*"
    if reply.body:
        assert reply.header("Content-Type") == "application/json"


def create(api: EmulatorProcess, **body: object) -> dict[str, object]:
    reply = api.request("POST", "/reviews", body=dict(body))
    assert reply.status == 201, reply.body
    assert_handler_reply(reply)
    created: dict[str, object] = reply.json()
    return created


def test_create_get_update_delete_round_trip(api: EmulatorProcess) -> None:
    created = create(api, review="Great soup", name="Ada")
    assert uuid.UUID(str(created["id"])).version == 4
    assert created["createdAt"] == created["updatedAt"]
    got = api.request("GET", f"/reviews/{created['id']}")
    assert (got.status, got.json()) == (200, created)
    updated = api.request("PUT", f"/reviews/{created['id']}", body={"review": "Even better"})
    assert updated.status == 200
    assert_handler_reply(updated)
    after = updated.json()
    assert after["review"] == "Even better"
    assert after["name"] == "Ada"  # kept when omitted
    assert after["createdAt"] == created["createdAt"]
    assert after["updatedAt"] > created["updatedAt"]
    deleted = api.request("DELETE", f"/reviews/{created['id']}")
    assert (deleted.status, deleted.body) == (204, b"")
    assert_handler_reply(deleted)
    for method in ("GET", "PUT", "DELETE"):
        gone = api.request(method, f"/reviews/{created['id']}", body={"review": "zombie"}
                           if method == "PUT" else None)
        assert gone.status == 404, method
        assert_handler_reply(gone)


def test_name_is_picked_when_omitted(api: EmulatorProcess) -> None:
    created = create(api, review="No name given")
    assert isinstance(created["name"], str)
    assert created["name"]


def test_list_walks_every_page_without_loss(api: EmulatorProcess) -> None:
    ids = {str(create(api, review=f"review {i}")["id"]) for i in range(7)}
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
    ("POST", "/reviews", '{"review": "ok", "name": ""}'),
    ("POST", "/reviews", None),
    ("GET", "/reviews?limit=0", None),
    ("GET", "/reviews?limit=abc", None),
    ("GET", "/reviews?nextToken=not-a-token", None),
])
def test_bad_input_is_400_with_a_message(
        api: EmulatorProcess, method: str, path: str, body: str | None) -> None:
    reply = api.request(method, path, body=body)
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
