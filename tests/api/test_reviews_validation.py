"""Client errors: every 400 of the contract, and ids that are not UUIDs (404)."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import ApiClient

VALID_ID = "2f1c4a9e-7b3d-4e8f-9a6c-5d2b1e0f3a7c"

BAD_BODIES = [
    pytest.param(None, "body", id="body-absent"),
    pytest.param("", "body", id="body-empty-string"),
    pytest.param("{not json", "JSON", id="malformed-json"),
    pytest.param('{"review": "ok"} trailing', "JSON", id="trailing-garbage"),
    pytest.param('{"review": NaN}', "JSON", id="nan-is-not-json"),
    pytest.param('{"review": Infinity}', "JSON", id="infinity-is-not-json"),
    pytest.param("[" * 100_000, "JSON", id="deeply-nested"),
    pytest.param("[1, 2]", "object", id="array"),
    pytest.param('"a string"', "object", id="string"),
    pytest.param("42", "object", id="number"),
    pytest.param("null", "object", id="null"),
    pytest.param("{}", "review", id="review-missing"),
    pytest.param('{"name": "Jane"}', "author is the signed-in user", id="only-name"),
    pytest.param('{"review": 5}', "review", id="review-number"),
    pytest.param('{"review": null}', "review", id="review-null"),
    pytest.param('{"review": ["a"]}', "review", id="review-array"),
    pytest.param('{"review": true}', "review", id="review-bool"),
    pytest.param('{"review": ""}', "review", id="review-empty"),
    pytest.param('{"review": "   \\n\\t "}', "whitespace", id="review-whitespace"),
    pytest.param(json.dumps({"review": "x" * 5001}), "review", id="review-too-long"),
    pytest.param('{"review": "ok", "name": "Jane"}', "'name' is no longer accepted",
                 id="name-from-old-clients"),
    pytest.param('{"review": "ok", "name": null}', "'name' is no longer accepted",
                 id="name-null"),
    pytest.param('{"review": "ok", "author": {"id": "x", "name": "Eve"}}',
                 "'author' cannot be set", id="author-from-the-body"),
    pytest.param('{"review": "ok", "author": "Eve"}', "author is the signed-in user",
                 id="author-as-text"),
    pytest.param('{"review": "ok", "rating": 5}', "rating", id="unknown-key"),
    pytest.param('{"review": "ok", "id": "x"}', "id", id="id-is-not-writable"),
    pytest.param('{"review": "ok", "createdAt": "x"}', "createdAt", id="createdAt-not-writable"),
]


@pytest.mark.parametrize(("body", "mentions"), BAD_BODIES)
def test_create_rejects_a_bad_body_with_400(
    api: ApiClient, table: Any, body: str | None, mentions: str
) -> None:
    reply = api.create(body)

    assert reply.status == 400
    assert mentions.lower() in reply.json()["message"].lower()
    assert table.scan(ConsistentRead=True)["Items"] == []


@pytest.mark.parametrize(("body", "mentions"), BAD_BODIES)
def test_update_rejects_a_bad_body_with_400(
    api: ApiClient, body: str | None, mentions: str
) -> None:
    created = api.new_review(review="Unchanged")

    reply = api.update(created["id"], body)

    assert reply.status == 400
    assert mentions.lower() in reply.json()["message"].lower()
    assert api.get(created["id"]).json() == created


@pytest.mark.parametrize(
    "fields",
    [
        {"review": "x" * 5000},
        {"review": "é" * 5000},
        {"review": "🙂" * 5000},
        {"review": " padded "},
        {"review": "a"},
    ],
    ids=["review-5000", "accents-at-the-limits", "astral-characters", "spaces-kept", "short"],
)
def test_create_accepts_values_at_the_limits(api: ApiClient, fields: dict[str, str]) -> None:
    reply = api.create(json.dumps(fields))

    assert reply.status == 201
    assert {k: reply.json()[k] for k in fields} == fields


@pytest.mark.parametrize(
    "encoded",
    [
        base64.b64encode(json.dumps({"review": "Très bien"}).encode()).decode(),
        base64.b64encode('{"review": "Très bien"}'.encode()).decode(),
    ],
    ids=["ascii-escaped", "utf-8"],
)
def test_create_decodes_a_base64_body(api: ApiClient, encoded: str) -> None:
    reply = api.create(encoded, base64_body=True)

    assert reply.status == 201
    assert reply.json()["review"] == "Très bien"


@pytest.mark.parametrize(
    "encoded",
    ["not base64!", base64.b64encode(b"\xff\xfe\x00").decode(), base64.b64encode(b"{").decode()],
    ids=["not-base64", "not-utf-8", "not-json"],
)
def test_create_rejects_a_bad_base64_body(api: ApiClient, encoded: str) -> None:
    assert api.create(encoded, base64_body=True).status == 400


@pytest.mark.parametrize(
    "limit",
    ["0", "101", "-1", "+5", "1.5", "1e1", "abc", "", " 5", "5 ", "0x10", "٣", "1" * 5000, "10\n"],
)
def test_list_rejects_a_bad_limit_with_400(api: ApiClient, limit: str) -> None:
    reply = api.list_reviews({"limit": limit})

    assert reply.status == 400
    assert "limit" in reply.json()["message"]


@pytest.mark.parametrize(("limit", "expected"), [("1", 1), ("100", 100), ("007", 7)])
def test_list_accepts_a_plain_decimal_limit(api: ApiClient, limit: str, expected: int) -> None:
    for i in range(8):
        api.new_review(review=f"r{i}")

    reply = api.list_reviews({"limit": limit})

    assert reply.status == 200
    assert len(reply.json()["items"]) == min(expected, 8)


def test_list_ignores_unknown_query_parameters(api: ApiClient) -> None:
    assert api.list_reviews({"sort": "name"}).status == 200


@pytest.mark.parametrize("author", ["", "alice", "5c3e9a4d1f2b4c6d8e7f0a1b2c3d4e5f",
                                    "5c3e9a4d-1f2b-4c6d-8e7f-0a1b2c3d4e5fx", "' OR 1=1 --",
                                    "x" * 3000])
def test_an_author_filter_that_is_not_a_user_id_is_400(api: ApiClient, author: str) -> None:
    reply = api.list_reviews({"author": author})

    assert (reply.status, reply.json()["message"]) == (
        400, "'author' must be a user id: the UUID of a review's author.id")


NOT_UUIDS = [
    "abc",
    "",
    "1",
    f"{VALID_ID}x",
    VALID_ID.replace("-", ""),
    f"{{{VALID_ID}}}",
    f"urn:uuid:{VALID_ID}",
    "x" * 3000,
    "../reviews",
    "' OR 1=1 --",
]


@pytest.mark.parametrize("review_id", NOT_UUIDS)
@pytest.mark.parametrize("method", ["get", "update", "delete"])
def test_an_id_that_is_not_a_uuid_is_404(api: ApiClient, method: str, review_id: str) -> None:
    if method == "update":
        reply = api.update(review_id, json.dumps({"review": "ok"}))
    else:
        reply = getattr(api, method)(review_id)

    assert reply.status == 404


def test_get_of_a_missing_uuid_is_404(api: ApiClient) -> None:
    assert api.get(VALID_ID).status == 404


def test_an_upper_case_spelling_of_an_id_names_no_review(api: ApiClient) -> None:
    created = api.new_review(review="case matters")

    assert api.get(created["id"].upper()).status == 404
