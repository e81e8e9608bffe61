"""GET /reviews pagination: nothing lost or repeated, tokens opaque and checked."""

from __future__ import annotations

import base64
import json
import uuid
from typing import TYPE_CHECKING, Any

import pytest
from conftest import ALICE, BOB

from api import store

if TYPE_CHECKING:
    from conftest import ApiClient


def put_reviews(table: Any, count: int, size: int = 10, author: dict[str, str] = ALICE,
                first: int = 1) -> set[str]:
    """Write `count` reviews of `author` straight into the table and return their ids."""
    ids = {str(uuid.UUID(int=i + first, version=4)) for i in range(count)}
    with table.batch_writer() as batch:
        for review_id in ids:
            batch.put_item(
                Item={
                    "id": review_id,
                    "review": "r" * size,
                    "authorId": author["sub"],
                    "authorName": author["name"],
                    "createdAt": "2026-01-01T00:00:00.000Z",
                    "updatedAt": "2026-01-01T00:00:00.000Z",
                }
            )
    return ids


@pytest.mark.parametrize(
    ("count", "limit", "sizes"),
    [
        (57, 10, [10, 10, 10, 10, 10, 7]),
        (50, 10, [10, 10, 10, 10, 10]),
        (5, 1, [1, 1, 1, 1, 1]),
        (3, 25, [3]),
        (0, 25, [0]),
        (101, 100, [100, 1]),
    ],
)
def test_pages_cover_every_item_exactly_once(
    api: ApiClient, table: Any, count: int, limit: int, sizes: list[int]
) -> None:
    ids = put_reviews(table, count)

    pages = api.list_all(limit)

    assert [len(page) for page in pages] == sizes
    listed = [item["id"] for page in pages for item in page]
    assert len(listed) == len(set(listed))
    assert set(listed) == ids


def test_reviews_created_through_the_api_are_all_listed(api: ApiClient) -> None:
    ids = {api.new_review(review=f"review {i}")["id"] for i in range(12)}

    pages = api.list_all(5)

    listed = [item["id"] for page in pages for item in page]
    assert len(listed) == len(set(listed))
    assert set(listed) == ids
    assert [len(page) for page in pages] == [5, 5, 2]


def test_the_default_page_size_is_25(api: ApiClient, table: Any) -> None:
    put_reviews(table, 30)

    reply = api.list_reviews()

    assert len(reply.json()["items"]) == 25
    assert reply.json()["nextToken"] is not None


def test_pages_follow_past_scan_pages_cut_at_1_mb(api: ApiClient, table: Any) -> None:
    # GIVEN items of ~300 KB: DynamoDB (and moto) end a Scan page at 1 MB, after 3 of them
    ids = put_reviews(table, 10, size=300_000)
    scans: list[str] = []
    store.table().meta.client.meta.events.register(
        "before-call.dynamodb.Scan", lambda **kwargs: scans.append("Scan")
    )

    pages = api.list_all(4)

    assert [len(page) for page in pages] == [4, 4, 2]
    assert {item["id"] for page in pages for item in page} == ids
    assert len(scans) > len(pages)


def test_a_review_deleted_between_pages_loses_nothing_else(api: ApiClient, table: Any) -> None:
    ids = put_reviews(table, 30)
    first = api.list_reviews({"limit": "10"}).json()
    seen = {item["id"] for item in first["items"]}
    # the token points at the last item of the page: delete exactly that one
    api.delete(first["items"][-1]["id"])
    api.delete(next(iter(ids - seen)))

    rest = api.list_reviews({"limit": "100", "nextToken": first["nextToken"]}).json()

    later = [item["id"] for item in rest["items"]]
    assert len(later) == 19
    assert seen.isdisjoint(later)
    assert rest["nextToken"] is None


def test_a_review_created_between_pages_is_not_duplicated(api: ApiClient, table: Any) -> None:
    put_reviews(table, 20)
    first = api.list_reviews({"limit": "10"}).json()
    api.new_review(review="late arrival")

    rest = api.list_reviews({"limit": "100", "nextToken": first["nextToken"]}).json()

    listed = [item["id"] for item in first["items"] + rest["items"]]
    assert len(listed) == len(set(listed))
    assert len(listed) in (20, 21)


def test_the_token_is_url_safe_and_opaque(api: ApiClient, table: Any) -> None:
    put_reviews(table, 3)

    token = api.list_reviews({"limit": "1"}).json()["nextToken"]

    assert isinstance(token, str)
    assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "!!!",
        "abc",
        "a",
        "eyJpZCI6",
        "A" * 5000,
        b64(b"\xff\xfe"),
        b64(b"[]"),
        b64(b"null"),
        b64(b'{"id": 5}'),
        b64(b'{"id":""}'),
        b64(b'{"id":"x","extra":1}'),
        b64(b'{"other":"x"}'),
        b64(json.dumps({"id": "x" * 2049}).encode()),
        b64(b'{"id": "2f1c4a9e-7b3d-4e8f-9a6c-5d2b1e0f3a7c"}'),
        base64.urlsafe_b64encode(b'{"id":"2f1c4a9e-7b3d-4e8f-9a6c-5d2b1e0f3a7c"}').decode() + "=",
    ],
    ids=[
        "empty",
        "not-base64",
        "garbage",
        "one-char",
        "truncated",
        "too-long",
        "not-utf-8",
        "array",
        "null",
        "number-id",
        "empty-id",
        "extra-key",
        "wrong-key",
        "id-too-long",
        "non-canonical-json",
        "padded",
    ],
)
def test_a_corrupt_token_is_400(api: ApiClient, table: Any, token: str) -> None:
    put_reviews(table, 3)

    reply = api.list_reviews({"nextToken": token})

    assert reply.status == 400
    assert "nextToken" in reply.json()["message"]


def test_a_token_from_a_listing_is_accepted_again(api: ApiClient, table: Any) -> None:
    put_reviews(table, 3)
    token = api.list_reviews({"limit": "1"}).json()["nextToken"]

    first = api.list_reviews({"limit": "1", "nextToken": token})
    again = api.list_reviews({"limit": "1", "nextToken": token})

    assert first.status == again.status == 200
    assert first.json() == again.json()


def test_a_token_in_the_standard_base64_alphabet_is_400(api: ApiClient, table: Any) -> None:
    # '?' and '>' give the 6-bit groups 62 and 63: '+' and '/' in the standard alphabet,
    # '-' and '_' in the URL-safe one. Only the URL-safe spelling is a token.
    key = b'{"id":"???>>>"}'
    standard = base64.b64encode(key).decode().rstrip("=")
    assert "+" in standard or "/" in standard
    put_reviews(table, 3)

    assert api.list_reviews({"nextToken": standard}).status == 400
    assert api.list_reviews({"nextToken": b64(key)}).status == 200


@pytest.mark.parametrize(("limit", "sizes"), [(7, [7, 7, 7, 2]), (100, [23]), (23, [23])])
def test_one_authors_reviews_page_through_the_author_index(
    api: ApiClient, table: Any, limit: int, sizes: list[int]
) -> None:
    alices = put_reviews(table, 23)
    put_reviews(table, 9, author=BOB, first=100)
    queries: list[str] = []
    store.table().meta.client.meta.events.register(
        "before-call.dynamodb", lambda model, **_: queries.append(model.name))

    pages = api.list_all(limit, author=ALICE["sub"])

    assert [len(page) for page in pages] == sizes
    listed = [item["id"] for page in pages for item in page]
    assert sorted(listed) == sorted(alices)
    assert {item["author"]["id"] for page in pages for item in page} == {ALICE["sub"]}
    assert set(queries) == {"Query"}  # never a Scan


def test_an_author_with_no_reviews_lists_nothing(api: ApiClient, table: Any) -> None:
    put_reviews(table, 3)

    assert api.list_reviews({"author": BOB["sub"]}).json() == {"items": [], "nextToken": None}


def test_a_token_of_another_listing_is_400(api: ApiClient, table: Any) -> None:
    put_reviews(table, 5)
    put_reviews(table, 5, author=BOB, first=100)
    everyone = api.list_reviews({"limit": "2"}).json()["nextToken"]
    alices = api.list_reviews({"limit": "2", "author": ALICE["sub"]}).json()["nextToken"]

    for query in ({"nextToken": alices}, {"nextToken": everyone, "author": ALICE["sub"]},
                  {"nextToken": alices, "author": BOB["sub"]}):
        reply = api.list_reviews({"limit": "2", **query})
        assert (reply.status, "nextToken" in reply.json()["message"]) == (400, True)
