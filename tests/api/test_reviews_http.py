"""HTTP plumbing: headers on every reply, Decimal numbers, faults as a generic 500, the
Table created once per execution environment."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import boto3
import pytest

from api import http, store

if TYPE_CHECKING:
    from conftest import ApiClient, Reply

REVIEW_ID = "2f1c4a9e-7b3d-4e8f-9a6c-5d2b1e0f3a7c"
BODY = json.dumps({"review": "fine"})


def existing(api: ApiClient) -> str:
    return str(api.new_review(review="exists")["id"])


REQUESTS: list[tuple[str, int, Callable[[ApiClient], Reply]]] = [
    ("create", 201, lambda api: api.create(BODY)),
    ("create-invalid", 400, lambda api: api.create("{")),
    ("list", 200, lambda api: api.list_reviews()),
    ("list-bad-limit", 400, lambda api: api.list_reviews({"limit": "0"})),
    ("list-bad-token", 400, lambda api: api.list_reviews({"nextToken": "x"})),
    ("get", 200, lambda api: api.get(existing(api))),
    ("get-missing", 404, lambda api: api.get(REVIEW_ID)),
    ("get-not-uuid", 404, lambda api: api.get("nope")),
    ("update", 200, lambda api: api.update(existing(api), BODY)),
    ("update-invalid", 400, lambda api: api.update(existing(api), "[]")),
    ("update-missing", 404, lambda api: api.update(REVIEW_ID, BODY)),
    ("delete", 204, lambda api: api.delete(existing(api))),
    ("delete-missing", 404, lambda api: api.delete(REVIEW_ID)),
]


@pytest.mark.parametrize(
    ("status", "request_"), [(s, r) for _, s, r in REQUESTS], ids=[name for name, _, _ in REQUESTS]
)
def test_every_reply_carries_cors_and_json_content_type(
    api: ApiClient, status: int, request_: Callable[[ApiClient], Reply]
) -> None:
    reply = request_(api)

    assert reply.status == status
    assert reply.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in reply.headers
    if status == 204:
        assert (reply.body, "Content-Type" in reply.headers) == ("", False)
    else:
        assert reply.headers["Content-Type"] == "application/json"


def test_a_fault_is_a_generic_500_with_cors_and_details_in_the_log(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(review_id: str) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(store, "get", broken)

    with caplog.at_level(logging.ERROR, logger="api.http"):
        reply = api.get(REVIEW_ID)

    assert reply.status == 500
    assert reply.json() == {"message": http.INTERNAL_ERROR}
    assert "secret" not in reply.body
    assert "secret detail" in caplog.text


def test_a_dynamodb_error_is_a_500(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DYNAMODB_TABLE", "no-such-table")
    store.reset()

    with caplog.at_level(logging.ERROR, logger="api.http"):
        reply = api.create(BODY)

    assert reply.status == 500
    assert "no-such-table" not in reply.body
    assert "ResourceNotFoundException" in caplog.text


def test_decimal_numbers_in_stored_items_become_json_numbers(api: ApiClient, table: Any) -> None:
    table.put_item(
        Item={
            "id": REVIEW_ID,
            "review": "rated",
            "authorId": "5c3e9a4d-1f2b-4c6d-8e7f-0a1b2c3d4e5f",
            "authorName": "N",
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
            "rating": Decimal("4"),
            "score": Decimal("4.5"),
            "negative": Decimal("-0.25"),
            "big": Decimal("12345678901234567890123456789012345678"),
            "tags": {Decimal("2"), Decimal("1")},
            "nested": {"count": Decimal("3"), "list": [Decimal("1.5")]},
        }
    )

    fetched = api.get(REVIEW_ID)
    listed = api.list_reviews()

    expected = {
        "rating": 4,
        "score": 4.5,
        "negative": -0.25,
        "big": 12345678901234567890123456789012345678,
        "tags": [1, 2],
        "nested": {"count": 3, "list": [1.5]},
    }
    assert fetched.status == 200
    assert {k: fetched.json()[k] for k in expected} == expected
    # 4 == 4.0 in Python: check the JSON number's spelling too.
    assert [type(fetched.json()[k]) for k in ("rating", "big", "score")] == [int, int, float]
    assert {k: listed.json()["items"][0][k] for k in expected} == expected


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("4"), "4"),
        (Decimal("4.0"), "4"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.1"), "0.1"),
        (Decimal("-7"), "-7"),
    ],
)
def test_encode_writes_decimals_as_json_numbers(value: Decimal, text: str) -> None:
    assert http.encode({"n": value}) == '{"n": ' + text + "}"


def test_the_table_is_created_once_per_execution_environment(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    resources: list[str] = []
    real_resource = boto3.resource

    def counting_resource(*args: Any, **kwargs: Any) -> Any:
        resources.append(str(args[0] if args else kwargs["service_name"]))
        return real_resource(*args, **kwargs)

    monkeypatch.setattr(boto3, "resource", counting_resource)

    created = api.new_review(review="one")
    api.get(created["id"])
    api.list_reviews()
    api.update(created["id"], BODY)
    api.delete(created["id"])

    assert resources == ["dynamodb"]
    assert store.table() is store.table()


def test_importing_the_handlers_needs_no_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    monkeypatch.delenv("DYNAMODB_TABLE", raising=False)
    store.reset()

    importlib.reload(importlib.import_module("api.reviews"))
