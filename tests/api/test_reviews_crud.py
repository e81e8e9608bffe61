"""Every row of the API table: create, list, get, update, delete, and their 404s."""

from __future__ import annotations

import json
import re
import uuid
from typing import TYPE_CHECKING, Any

import pytest

from api import reviews

if TYPE_CHECKING:
    from conftest import ApiClient

TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
MISSING_ID = "2f1c4a9e-7b3d-4e8f-9a6c-5d2b1e0f3a7c"


def test_create_returns_201_and_the_stored_review(api: ApiClient) -> None:
    reply = api.create(json.dumps({"review": "Great book", "name": "Jane"}))

    assert reply.status == 201
    body = reply.json()
    assert set(body) == {"id", "review", "name", "createdAt", "updatedAt"}
    assert uuid.UUID(body["id"]).version == 4
    assert str(uuid.UUID(body["id"])) == body["id"]
    assert (body["review"], body["name"]) == ("Great book", "Jane")
    assert TIMESTAMP.fullmatch(body["createdAt"])
    assert body["createdAt"] == body["updatedAt"]
    assert api.get(body["id"]).json() == body


def test_create_without_name_picks_an_author_name(api: ApiClient) -> None:
    body = api.new_review(review="No name given")

    assert body["name"] in reviews.AUTHOR_NAMES
    assert api.get(body["id"]).json()["name"] == body["name"]


def test_author_names_are_valid_names() -> None:
    assert len(reviews.AUTHOR_NAMES) > 1
    assert all(1 <= len(name) <= 100 and name.strip() for name in reviews.AUTHOR_NAMES)


def test_create_gives_each_review_its_own_id(api: ApiClient) -> None:
    ids = {api.new_review(review=f"r{i}")["id"] for i in range(5)}

    assert len(ids) == 5


def test_list_returns_items_and_a_null_token_at_the_end(api: ApiClient) -> None:
    created = [api.new_review(review=f"review {i}", name="N") for i in range(3)]

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
    created = api.new_review(review="Readable right away", name="Ann")

    reply = api.get(created["id"])

    assert (reply.status, reply.json()) == (200, created)


@pytest.mark.parametrize(
    ("body", "expected_name"),
    [
        ({"review": "Changed text"}, "Original"),
        ({"review": "Changed text", "name": "Renamed"}, "Renamed"),
    ],
)
def test_update_changes_the_review_and_keeps_what_it_must(
    api: ApiClient, body: dict[str, Any], expected_name: str
) -> None:
    created = api.new_review(review="Original text", name="Original")

    reply = api.update(created["id"], json.dumps(body))

    assert reply.status == 200
    updated = reply.json()
    assert updated["review"] == "Changed text"
    assert updated["name"] == expected_name
    assert (updated["id"], updated["createdAt"]) == (created["id"], created["createdAt"])
    assert updated["updatedAt"] > created["updatedAt"]
    assert api.get(created["id"]).json() == updated


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
