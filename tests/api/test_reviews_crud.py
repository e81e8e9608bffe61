"""Every row of the API table: create, list, get, update, delete, and their 404s."""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any

from conftest import ALICE, BOB, NAMELESS

if TYPE_CHECKING:
    from conftest import ApiClient

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
MISSING_ID = "2f1c4a9e-7b3d-4e8f-9a6c-5d2b1e0f3a7c"


def test_create_returns_201_and_the_stored_review(api: ApiClient) -> None:
    reply = api.create(json.dumps({"review": "Great book"}))

    assert reply.status == 201
    body = reply.json()
    assert list(body) == ["id", "review", "author", "createdAt", "updatedAt"]
    assert uuid.UUID(body["id"]).version == 4
    assert str(uuid.UUID(body["id"])) == body["id"]
    assert (body["review"], body["author"]) == (
        "Great book", {"id": ALICE["sub"], "name": "Alice Liddell"})
    assert TIMESTAMP.fullmatch(body["createdAt"])
    assert body["createdAt"] == body["updatedAt"]
    assert api.get(body["id"]).json() == body


def test_the_author_is_the_caller_named_by_name_else_username(api: ApiClient) -> None:
    body = api.as_user(NAMELESS).new_review(review="No name attribute")

    assert body["author"] == {"id": NAMELESS["sub"], "name": "carol"}


def test_a_write_without_verified_claims_is_401_and_changes_nothing(
    api: ApiClient, table: Any
) -> None:
    created = api.new_review(review="Mine")
    anonymous = api.as_user(None)

    replies = [anonymous.create(json.dumps({"review": "x"})),
               anonymous.update(created["id"], json.dumps({"review": "x"})),
               anonymous.delete(created["id"])]

    assert [(r.status, r.json()) for r in replies] == [(401, {"message": "Unauthorized"})] * 3
    assert len(table.scan(ConsistentRead=True)["Items"]) == 1
    assert api.get(created["id"]).json() == created


def test_create_gives_each_review_its_own_id(api: ApiClient) -> None:
    ids = {api.new_review(review=f"r{i}")["id"] for i in range(5)}

    assert len(ids) == 5


def test_list_returns_items_and_a_null_token_at_the_end(api: ApiClient) -> None:
    created = [api.new_review(review=f"review {i}") for i in range(3)]

    reply = api.list_reviews()

    assert reply.status == 200
    assert set(reply.json()) == {"items", "nextToken"}
    assert sorted(reply.json()["items"], key=lambda r: r["id"]) == sorted(
        created, key=lambda r: r["id"]
    )
    assert reply.json()["nextToken"] is None


def test_list_of_an_empty_table_is_empty(api: ApiClient) -> None:
    assert api.list_reviews().json() == {"items": [], "nextToken": None}


def test_get_returns_the_review(api: ApiClient) -> None:
    created = api.new_review(review="Readable right away")

    reply = api.get(created["id"])

    assert (reply.status, reply.json()) == (200, created)


def test_update_changes_the_review_and_keeps_what_it_must(api: ApiClient) -> None:
    created = api.new_review(review="Original text")

    reply = api.as_user({**ALICE, "name": "Alice L."}).update(
        created["id"], json.dumps({"review": "Changed text"}))

    assert reply.status == 200
    updated = reply.json()
    assert updated["review"] == "Changed text"
    assert updated["author"] == {"id": ALICE["sub"], "name": "Alice L."}  # the name of now
    assert (updated["id"], updated["createdAt"]) == (created["id"], created["createdAt"])
    assert updated["updatedAt"] > created["updatedAt"]
    assert api.get(created["id"]).json() == updated


def test_another_user_may_not_change_or_delete_a_review(api: ApiClient, table: Any) -> None:
    created = api.new_review(review="Alice's")
    bob = api.as_user(BOB)

    replies = [bob.update(created["id"], json.dumps({"review": "Bob was here"})),
               bob.delete(created["id"])]

    assert [(r.status, r.json()) for r in replies] == [
        (403, {"message": "Only the author of a review may change or delete it"})] * 2
    assert api.get(created["id"]).json() == created


def test_a_missing_id_is_404_for_anyone(api: ApiClient) -> None:
    bob = api.as_user(BOB)
    assert bob.update(MISSING_ID, json.dumps({"review": "x"})).status == 404
    assert bob.delete(MISSING_ID).status == 404


def test_a_review_stored_before_authors_is_readable_and_changed_by_nobody(
    api: ApiClient, table: Any
) -> None:
    legacy = {"id": MISSING_ID, "review": "From before sign-in", "name": "Ada Lovelace",
              "createdAt": "2026-11-27T20:35:32.123Z", "updatedAt": "2026-11-27T20:35:32.123Z"}
    table.put_item(Item=legacy)
    shown = {"id": MISSING_ID, "review": "From before sign-in",
             "author": {"id": None, "name": "Ada Lovelace"},
             "createdAt": "2026-11-27T20:35:32.123Z", "updatedAt": "2026-11-27T20:35:32.123Z"}

    assert api.get(MISSING_ID).json() == shown
    assert api.list_reviews().json()["items"] == [shown]
    assert api.list_reviews({"author": ALICE["sub"]}).json()["items"] == []
    assert api.update(MISSING_ID, json.dumps({"review": "Mine now"})).status == 403
    assert api.delete(MISSING_ID).status == 403
    assert table.get_item(Key={"id": MISSING_ID})["Item"] == legacy


def test_update_of_a_missing_id_is_404_and_creates_nothing(api: ApiClient, table: Any) -> None:
    reply = api.update(MISSING_ID, json.dumps({"review": "Should not exist"}))

    assert reply.status == 404
    assert api.get(MISSING_ID).status == 404
    assert table.scan(ConsistentRead=True)["Items"] == []


def test_delete_returns_204_with_an_empty_body(api: ApiClient) -> None:
    created = api.new_review(review="Short-lived")

    reply = api.delete(created["id"])

    assert reply.status == 204
    assert reply.body == ""
    assert reply.headers == {"Access-Control-Allow-Origin": "*"}


def test_delete_of_a_missing_id_is_404(api: ApiClient) -> None:
    assert api.delete(MISSING_ID).status == 404


def test_a_deleted_review_stays_deleted(api: ApiClient, table: Any) -> None:
    created = api.new_review(review="Gone soon")
    assert api.delete(created["id"]).status == 204

    assert api.get(created["id"]).status == 404
    assert api.update(created["id"], json.dumps({"review": "Resurrect?"})).status == 404
    assert api.delete(created["id"]).status == 404
    assert api.get(created["id"]).status == 404
    assert api.list_reviews().json()["items"] == []
    assert table.scan(ConsistentRead=True)["Items"] == []


def test_delete_removes_only_that_review(api: ApiClient) -> None:
    keep, drop = api.new_review(review="keep"), api.new_review(review="drop")

    api.delete(drop["id"])

    assert api.list_reviews().json()["items"] == [keep]
