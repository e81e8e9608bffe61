"""createdAt / updatedAt: RFC 3339 UTC with milliseconds; updatedAt strictly increasing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from conftest import ALICE

from api import authors, store

if TYPE_CHECKING:
    from conftest import ApiClient


def epoch_ms(moment: datetime) -> int:
    return int(moment.replace(microsecond=0).timestamp()) * 1000 + moment.microsecond // 1000


FROZEN = epoch_ms(datetime(2026, 11, 27, 20, 35, 32, 123000, tzinfo=UTC))


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 27, 20, 35, 32, 123000, tzinfo=UTC), "2026-11-27T20:35:32.123Z"),
        (datetime(1970, 1, 1, tzinfo=UTC), "1970-01-01T00:00:00.000Z"),
        (datetime(2024, 2, 29, 23, 59, 59, 999000, tzinfo=UTC), "2024-02-29T23:59:59.999Z"),
        (datetime(2030, 1, 1, 0, 0, 0, 7000, tzinfo=UTC), "2030-01-01T00:00:00.007Z"),
    ],
)
def test_timestamps_are_rfc3339_utc_with_milliseconds(moment: datetime, text: str) -> None:
    assert store.timestamp(epoch_ms(moment)) == text
    assert store.parse_timestamp(text) == epoch_ms(moment)


def test_create_stamps_created_and_updated_with_the_same_instant(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "now_ms", lambda: FROZEN)

    created = api.new_review(review="Stamped")

    assert created["createdAt"] == created["updatedAt"] == "2026-11-27T20:35:32.123Z"


def test_updated_at_increases_for_updates_in_the_same_millisecond(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "now_ms", lambda: FROZEN)
    created = api.new_review(review="v0")

    first = api.update(created["id"], json.dumps({"review": "v1"})).json()
    second = api.update(created["id"], json.dumps({"review": "v2"})).json()

    stamps = [created["updatedAt"], first["updatedAt"], second["updatedAt"]]
    millis = [store.parse_timestamp(stamp) for stamp in stamps]
    assert millis[0] < millis[1] < millis[2]
    assert first["createdAt"] == second["createdAt"] == created["createdAt"]
    assert api.get(created["id"]).json() == second


def test_updated_at_increases_when_the_clock_goes_back(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "now_ms", lambda: FROZEN)
    created = api.new_review(review="v0")
    monkeypatch.setattr(store, "now_ms", lambda: FROZEN - 60_000)

    updated = api.update(created["id"], json.dumps({"review": "v1"})).json()

    assert store.parse_timestamp(updated["updatedAt"]) > FROZEN


def test_updated_at_stays_ahead_of_a_concurrent_writer(
    api: ApiClient, table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN another execution environment stamps the review 1 minute ahead while this one
    # is about to write (between reading its clock and its UpdateItem)
    monkeypatch.setattr(store, "now_ms", lambda: FROZEN)
    created = api.new_review(review="v0")
    ahead = store.timestamp(FROZEN + 60_000)
    interleaved: list[str] = []

    def concurrent_write(**_: Any) -> None:
        if not interleaved:
            interleaved.append(ahead)
            table.update_item(
                Key={"id": created["id"]},
                UpdateExpression="SET updatedAt = :u",
                ExpressionAttributeValues={":u": ahead},
            )

    store.table().meta.client.meta.events.register(
        "before-call.dynamodb.UpdateItem", concurrent_write
    )

    updated = api.update(created["id"], json.dumps({"review": "v1"})).json()

    assert interleaved == [ahead]
    assert updated["updatedAt"] > ahead
    stored = table.get_item(Key={"id": created["id"]}, ConsistentRead=True)["Item"]
    assert authors.present(stored) == updated


def test_update_of_an_item_without_updated_at_succeeds(api: ApiClient, table: Any) -> None:
    review_id = "2f1c4a9e-7b3d-4e8f-9a6c-5d2b1e0f3a7c"
    table.put_item(Item={"id": review_id, "review": "older", "authorId": ALICE["sub"],
                         "authorName": "Alice"})

    reply = api.update(review_id, json.dumps({"review": "new"}))

    assert reply.status == 200
    assert store.parse_timestamp(reply.json()["updatedAt"]) > 0
